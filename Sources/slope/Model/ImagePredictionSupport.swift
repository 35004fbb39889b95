import Foundation
import Slope

/// Predictions for image models: `slope predict model.slope photo.png` or a folder of images.
enum ImagePredictionSupport {
    static func predict(_ loaded: ExportedModel, model: String, input: String, json: Bool) throws {
        guard case .image(let prep) = loaded.preprocessing else { return }
        // Loading refused a preprocessing size beyond InputLimits.imagePixels.
        let kind = FileBytes.kind(of: input)
        if kind == .missing { throw CommandError("\(input): no such file or folder") }
        var files = [input]
        if kind == .folder {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []
            files = names.filter { !$0.hasPrefix(".") }.sorted().map { input + "/" + $0 }.filter(ImageFolder.isImageFile)
            guard !files.isEmpty else { throw CommandError("\(input): no PNG or JPEG files in the folder") }
        }
        if !json { print(CSVWriter.line(["file", "prediction"] + loaded.classes.map { "probability_\($0)" }), terminator: "") }
        for file in files {
            let pixels: [Float]
            do { pixels = try prep.load(path: file) } catch { throw CommandError("\(error)") }
            let prediction: Prediction
            do { prediction = try loaded.predict(inputs: Tensor(shape: [1, prep.channels, prep.height, prep.width], scalars: pixels))[0] } catch {
                if case .notFinite = error { throw PredictCommand.notFinite(model: model, input: file) }
                throw CommandError("\(model): \(error)")
            }
            if json {
                print(JSON.object([("file", .string(file))] + (prediction.json.objectValue ?? [])))
            } else {
                print(CSVWriter.line([file, prediction.label] + prediction.probabilities.map { String(format: "%.6f", $0.probability) }),
                      terminator: "")
            }
        }
    }
}
