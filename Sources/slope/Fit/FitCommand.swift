import ArgumentParser

/// `slope fit quadratic|relus`: the lesson's fits by gradient descent.
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit", abstract: "Fit a function to points by gradient descent.",
        subcommands: [FitQuadraticCommand.self, FitReLUsCommand.self])
}
