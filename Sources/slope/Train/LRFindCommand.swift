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
        let hidden = try DataOptions.hiddenSizes(layers)
        let loaders = try data.load()
        let learner = try data.learner(for: loaders, hidden: hidden)
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
        print(data.describe(loaders))
        print(TerminalChart(found.chart()))
        print(String(format: "suggested learning rate (valley): %.2e", found.suggestion))
    }
}
