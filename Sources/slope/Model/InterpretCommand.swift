import ArgumentParser
import Foundation
import Slope

/// `slope interpret`: what an exported classifier got right and wrong on labelled data (fastai's
/// `ClassificationInterpretation`): the confusion matrix, per-class precision/recall/F1, and the
/// samples with the highest loss, as text, JSON, an SVG matrix and a PNG grid of images.
struct InterpretCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpret",
        abstract: "Confusion matrix, per-class precision/recall/F1 and the highest-loss samples of a classifier on labelled data.")

    @Argument(help: "A model file written by `slope train --export`.") var model: String
    @Argument(help: "Labelled data: an image folder with one subfolder per class, an IDX images file with its labels beside it, or a CSV table with the target column.")
    var data: String
    @Option(help: "Write the confusion matrix to this SVG file.") var confusion: String?
    @Option(name: .customLong("top-losses"), help: "Image models: write the highest-loss images as a labelled PNG grid to this file.")
    var topLosses: String?
    @Option(help: "How many highest-loss samples to show.") var count: Int = 9
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func run() throws {
        guard (1...1000).contains(count) else { throw CommandError("--count must be in 1...1000, got \(count)") }
        let loaded: ExportedModel
        do { loaded = try Learner.load(from: model) } catch { throw CommandError("\(error)") }
        guard loaded.task == .classification else { throw CommandError("\(model): interpret needs a classifier; this model does regression") }
        let samples: EvaluationInputs
        switch loaded.preprocessing {
        case .image(let prep): samples = try EvaluationInputs.images(data, prep: prep, classes: loaded.classes)
        case .tabular(let prep):
            if topLosses != nil { throw CommandError("--top-losses draws images; for a table model the text and --json list the rows with the highest loss") }
            samples = try EvaluationInputs.table(data, prep: prep, needLabels: true)
        case .none: throw CommandError("\(model) holds a model without preprocessing")
        }
        guard let labels = samples.labels else {
            throw CommandError("\(data): no labels to compare with; pass a folder with one subfolder per class or an IDX images file with its labels file beside it")
        }
        let interpretation: Interpretation
        do { interpretation = try Interpretation(loaded, inputs: samples.inputs, targets: labels) } catch {
            throw CommandError("\(model): \(error)")
        }
        let top = interpretation.topLosses(count)
        if let confusion {
            do { try FileBytes.writeAtomically(Array(interpretation.confusionSVG().utf8), to: confusion) } catch {
                throw CommandError("\(confusion): cannot write the file: \(error.reason)")
            }
        }
        if let topLosses, case .image(let prep) = loaded.preprocessing {
            let grid = ImageGrid(columns: Swift.min(3, top.count), tileWidth: prep.width, tileHeight: prep.height, labelLines: 2)
            let picture = grid.render(top.map { index in
                let (a, p) = (interpretation.actual[index], interpretation.predicted[index])
                return (samples.pixels[index], prep.channels,
                        ["\(loaded.classes[p])/\(loaded.classes[a])",
                         String(format: "%.2f / %.2f", interpretation.losses[index], interpretation.probabilities[index][a])])
            })
            do { try ImageFile.writePNG(picture, path: topLosses) } catch { throw CommandError("\(error)") }
        }
        let topJSON: [JSON] = top.map { index in
            .object([("name", .string(samples.names[index])), ("actual", .string(loaded.classes[interpretation.actual[index]])),
                     ("predicted", .string(loaded.classes[interpretation.predicted[index]])),
                     ("loss", .number(interpretation.losses[index])),
                     ("probability", .number(interpretation.probabilities[index][interpretation.actual[index]]))])
        }
        if json {
            guard case .object(var pairs) = interpretation.json else { return }
            pairs.append(("top_losses", .array(topJSON)))
            print(JSON.object(pairs))
            return
        }
        print("accuracy " + String(format: "%.4f", interpretation.accuracy) + " on \(interpretation.count) samples (\(data))")
        print(interpretation.text)
        print("")
        print("highest losses (predicted/actual, loss, probability of the actual class):")
        for index in top {
            let (a, p) = (interpretation.actual[index], interpretation.predicted[index])
            print("  \(samples.names[index])  \(loaded.classes[p])/\(loaded.classes[a])  "
                + String(format: "%.4f  %.4f", interpretation.losses[index], interpretation.probabilities[index][a]))
        }
        if let confusion { print("confusion matrix written to \(confusion)") }
        if let topLosses { print("top losses written to \(topLosses)") }
    }
}
