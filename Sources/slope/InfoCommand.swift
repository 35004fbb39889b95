import ArgumentParser
import Slope

/// `slope info`: which matrix-multiply backend is active and with how many threads, and which MPI
/// library data-parallel training would use and the world this process is part of.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show the version, the active BLAS and its thread count, the MPI library and the world size.")

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let world: World
        do { world = try Distributed.start() } catch { throw CommandError("\(error)") }
        let mpi = Distributed.libraryName
        if json {
            print(JSON.object([
                "version": .string(SlopeLibrary.version), "matmul": .string(BLAS.active),
                "blas": .string(BLAS.isLoaded ? BLAS.name : "none"), "builtIn": .string(BLAS.builtInName),
                "threads": .int(BLAS.threadCount), "mpi": mpi.map(JSON.string) ?? .null,
                "rank": .int(world.rank), "worldSize": .int(world.size), "keepsFreedMemory": .bool(SlopeLibrary.keepsFreedMemory),
            ]))
        } else {
            print("Slope \(SlopeLibrary.version)")
            print("matmul backend: \(BLAS.active)")
            print("BLAS library: \(BLAS.isLoaded ? BLAS.name : "none found (set SLOPE_BLAS or install libopenblas)")")
            print("built-in kernel: \(BLAS.builtInName)")
            print("threads: \(BLAS.threadCount)")
            print("MPI library: \(mpi ?? "none found (install mpich, or set SLOPE_MPI to an MPICH-ABI libmpi.so.12)")")
            print("world: " + (world.isDistributed ? "rank \(world.rank) of \(world.size) processes"
                : "1 process" + (world.library == nil ? " (not started by mpiexec)" : "")))
            print("freed buffers kept for reuse: \(SlopeLibrary.keepsFreedMemory ? "yes" : "no (SLOPE_MALLOC_DEFAULTS or not glibc)")")
        }
    }
}
