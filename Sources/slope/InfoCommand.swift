import ArgumentParser
import Slope

/// `slope info`: which matrix-multiply backend is active and with how many threads.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show the version, the active BLAS and its thread count.")

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        if json {
            print(JSON.object([
                "version": .string(SlopeLibrary.version), "matmul": .string(BLAS.active),
                "blas": .string(BLAS.isLoaded ? BLAS.name : "none"), "builtIn": .string(BLAS.builtInName),
                "threads": .int(BLAS.threadCount),
            ]))
        } else {
            print("Slope \(SlopeLibrary.version)")
            print("matmul backend: \(BLAS.active)")
            print("BLAS library: \(BLAS.isLoaded ? BLAS.name : "none found (set SLOPE_BLAS or install libopenblas)")")
            print("built-in kernel: \(BLAS.builtInName)")
            print("threads: \(BLAS.threadCount)")
        }
    }
}
