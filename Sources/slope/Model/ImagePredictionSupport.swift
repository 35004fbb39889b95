import Foundation
import Slope

/// `slope predict` for image models: an image file, a folder of images (flat, or one subfolder
/// per class as `slope train` reads it), or an IDX images file; one CSV line or JSON object per
/// image, named by its file (`FILE#index` for IDX images).
enum ImagePredictionSupport {
    static func predict(_ loaded: ExportedModel, model: String, input: String, json: Bool) throws {
        guard case .image(let prep) = loaded.preprocessing else { return }
        let samples = try EvaluationInputs.images(input, prep: prep, classes: loaded.classes)
        let predictions: [Prediction]
        do { predictions = try loaded.predict(inputs: samples.inputs) } catch {
            if case .notFinite(let row) = error { throw PredictCommand.notFinite(model: model, input: samples.names[row]) }
            throw CommandError("\(model): \(error)")
        }
        var out = json ? "" : CSVWriter.line(["file", "prediction"] + loaded.classes.map { "probability_\($0)" })
        for (name, prediction) in zip(samples.names, predictions) {
            if json {
                out += JSON.object([("file", .string(name))] + (prediction.json.objectValue ?? [])).description + "\n"
            } else {
                out += CSVWriter.line([name, prediction.label] + prediction.probabilities.map { String(format: "%.6f", $0.probability) })
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
