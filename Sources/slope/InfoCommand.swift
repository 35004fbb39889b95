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
                "version": .string(SlopeLibrary.version), "blas": .string(BLAS.name),
                "blasLoaded": .bool(BLAS.isLoaded), "threads": .number(Double(BLAS.threadCount)),
            ]))
        } else {
            print("Slope \(SlopeLibrary.version)")
            print("matmul backend: \(BLAS.name)")
            print("threads: \(BLAS.threadCount)")
        }
    }
}
