import ArgumentParser
import Foundation
import Slope

/// `slope convert export.pkl model.slope`: a fastai export (or a Slope file) rewritten as Slope's
/// own model file, with the same model and preprocessing.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert", abstract: "Convert a fastai export.pkl (or a Slope model file) into a Slope model file.")

    @Argument(help: "A fastai export.pkl (learn.export()) or a Slope model file.") var model: String
    @Argument(help: "The Slope model file to write (written atomically).") var output: String

    func run() throws {
        do {
            let learner = try Learner.load(from: model)
            try learner.export(to: output)
            print("\(model) -> \(output): \(learner.model.parameterCount()) parameters, \(learner.preprocessing.kindName) preprocessing")
        } catch { throw CommandError("\(error)") }
    }
}
