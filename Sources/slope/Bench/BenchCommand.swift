import ArgumentParser
import Slope

/// `slope bench t1|t5|t7`: the peer benchmark tasks of `../shared/bench/peers`, one JSON line
/// each with the same fields as the PyTorch/NumPy scripts.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run benchmark tasks (t1 quadratic, t5 matmul, t7 op overhead) and print one JSON line each.")

    @Argument(help: "Tasks to run: t1, t5, t7 or all.")
    var tasks: [String] = ["all"]

    func run() throws {
        let known = ["t1", "t2", "t5", "t7"]
        let selected = tasks.contains("all") ? known : tasks
        for task in selected where !known.contains(task) {
            throw CommandError("unknown benchmark `\(task)`; choose from \(known.joined(separator: ", ")) or all")
        }
        for task in selected {
            switch task {
            case "t1": print(QuadraticBenchmark.run())
            case "t2": print(ReLUFitBenchmark.run())
            case "t5": print(MatmulTask.run())
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
