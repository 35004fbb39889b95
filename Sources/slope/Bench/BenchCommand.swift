import ArgumentParser
import Slope

/// `slope bench t1|t5|t7`: the peer benchmark tasks of `../shared/bench/peers`, one JSON line
/// each with the same fields as the PyTorch/NumPy scripts.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run the peer benchmark tasks (t1 quadratic, t2 relu fit, t3 digits MLP, t4 large MLP, t5 matmul, t6 CNN, t7 op overhead); one JSON line each. `mpiexec -n 2 slope bench allreduce` measures the all-reduce's α and β.")

    @Argument(help: "Tasks to run: t1 ... t7 or all; allreduce (under mpiexec, not part of all).")
    var tasks: [String] = ["all"]

    @Option(help: "The digits table for t3.")
    var digits = "../shared/data/digits/digits.csv"

    @Flag(help: "With t6: also time each layer's forward and backward passes (microseconds per call).")
    var detail = false

    func run() throws {
        let known = ["t1", "t2", "t3", "t4", "t5", "t6", "t7"]
        let selected = tasks.contains("all") ? known : tasks
        for task in selected where !known.contains(task) && task != "allreduce" {
            throw CommandError("unknown benchmark `\(task)`; choose from \(known.joined(separator: ", ")), all, or allreduce")
        }
        for task in selected {
            switch task {
            case "allreduce":
                let world: World
                do { world = try Distributed.start() } catch { throw CommandError("\(error)") }
                guard world.isDistributed else {
                    throw CommandError("bench allreduce times communication between processes: run it as `mpiexec -n 2 slope bench allreduce`")
                }
                let result = AllReduceBenchmark.run(world: world)
                if world.isLeader { print(result) }
            case "t1": print(QuadraticBenchmark.run())
            case "t2": print(ReLUFitBenchmark.run())
            case "t3": print(try MLPBenchmarks.digits(path: digits))
            case "t4": print(MLPBenchmarks.large())
            case "t5": print(MatmulTask.run())
            case "t6":
                if detail { print(CNNDetailBenchmark.run()) }
                print(CNNBenchmark.run())
            default: print(OpOverheadBenchmark.run())
            }
        }
    }
}

/// Fields every benchmark line starts with.
func benchHeader(_ name: String) -> [(String, JSON)] {
    [("bench", .string(name)), ("lib", .string("slope")), ("version", .string(SlopeLibrary.version)),
     ("threads", .int(BLAS.threadCount))]
}
