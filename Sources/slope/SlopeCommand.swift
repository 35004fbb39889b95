import ArgumentParser
import Slope

/// The `slope` command-line tool: the lesson tour by default, plus fitting, benchmarks and
/// information about the build.
@main
struct SlopeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slope",
        abstract: "Practical deep learning in Swift: the lesson 'How neural networks work', runnable.",
        subcommands: [TourCommand.self, FitCommand.self, TrainCommand.self, LRFindCommand.self, PredictCommand.self, InterpretCommand.self, ShowBatchCommand.self, InspectCommand.self, ConvertCommand.self,
                      InfoCommand.self, BenchCommand.self] + optionalSubcommands,
        defaultSubcommand: TourCommand.self
    )
}

/// Subcommands that package traits turn on: `interact` comes with the default trait `Interact`
/// (`swift build --disable-default-traits --product slope` leaves it and the Hummingbird server out).
#if Interact
let optionalSubcommands: [any ParsableCommand.Type] = [InteractCommand.self]
#else
let optionalSubcommands: [any ParsableCommand.Type] = []
#endif

/// A one-line error for the user: printed as `Error: <message>` with a non-zero exit.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
