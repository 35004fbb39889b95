import ArgumentParser
import Foundation
import Slope

/// `slope lr-find`: fastai's learning-rate finder on a table or images, with its suggestion.
struct LRFindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lr-find",
        abstract: "Try learning rates from 1e-7 to 10 on successive batches and suggest one (fastai's valley).")

    @OptionGroup var data: DataOptions
    @Option(help: "Hidden layer sizes of the tabular model.") var layers: String = "200,100"
    @Option(help: "Write the loss-against-learning-rate curve to this SVG file.") var plot: String?
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func run() throws {
        let hidden = layers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !hidden.isEmpty, hidden.allSatisfy({ $0 > 0 }) else { throw CommandError("--layers must be positive sizes like 200,100, got `\(layers)`") }
        let loaders = try data.load()
        let learner: Learner
        switch loaders.preprocessing {
        case .tabular: learner = tabularLearner(data: loaders, layers: hidden, seed: data.seed)
        case .image: learner = visionLearner(data: loaders, seed: data.seed)
        case .none: throw CommandError("no preprocessing for this data")
        }
        let found = learner.lrFind()
        if let plot {
            do { try SVGChart(found.chart()).write(toFile: plot) } catch { throw CommandError("\(error)") }
        }
        if json {
            print(JSON.object([
                "suggestion": .float(found.suggestion), "learningRates": .floats(found.learningRates), "losses": .floats(found.losses),
            ]))
            return
        }
        print(DataOptions.summary(loaders))
        print(TerminalChart(found.chart()))
        print(String(format: "suggested learning rate (valley): %.2e", found.suggestion))
    }
}
