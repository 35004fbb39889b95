import ArgumentParser
import Foundation
import Slope

/// `slope predict MODEL INPUT`: predictions for each row of a CSV file (or an image) with an
/// exported model.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict with an exported model: CSV in, CSV out with prediction and probability columns (or --json lines).")

    @Argument(help: "A model file written by `slope train --export`, or a fastai export.pkl.") var model: String
    @Argument(help: "A CSV file of rows (tabular models), or an image file or folder (image models).") var input: String
    @Flag(help: "Print one JSON object per input, named by its file (images) or row number (tables): {\"file\"|\"row\":..,\"prediction\":..,\"probabilities\":{..}}.")
    var json = false
    @Option(help: "Tables: a column whose value names each row in the --json output (\"id\"), e.g. PassengerId.") var id: String?

    func run() throws {
        let loaded: ExportedModel
        do { loaded = try Learner.load(from: model) } catch { throw CommandError("\(error)") }
        switch loaded.preprocessing {
        case .tabular: try predictTable(loaded)
        case .image:
            if id != nil { throw CommandError("--id names a table column; image predictions are named by their files") }
            try ImagePredictionSupport.predict(loaded, model: model, input: input, json: json)
        case .none: throw CommandError("\(model) holds a model without preprocessing; predict from Swift with predict(inputs:)")
        }
    }

    private func predictTable(_ loaded: ExportedModel) throws {
        let table: DataTable
        let predictions: [Prediction]
        do { table = try CSVReader().read(contentsOfFile: input) } catch { throw CommandError("\(error)") }
        do { predictions = try loaded.predict(rows: table) } catch {
            if case .notFinite(let row) = error {
                throw PredictCommand.notFinite(model: model, input: "\(input) line \(table.lineNumbers[row])")
            }
            throw CommandError("\(error)")
        }
        var ids: [String?]?
        if let id {
            do { ids = try table.column(named: id) } catch { throw CommandError("--id: \(error)") }
        }
        if json {
            var out = ""
            for (row, prediction) in predictions.enumerated() {
                var pairs: [(String, JSON)] = [("row", .int(row + 1)), ("line", .int(table.lineNumbers[row]))]
                if let ids { pairs.append(("id", ids[row].map(JSON.string) ?? .null)) }
                out += JSON.object(pairs + (prediction.json.objectValue ?? [])).description + "\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
            return
        }
        var header = table.columnNames + ["prediction"]
        if loaded.task == .classification { header += loaded.classes.map { "probability_\($0)" } }
        var out = CSVWriter.line(header)
        for (row, prediction) in zip(table.rows, predictions) {
            var fields = row.map { $0 ?? "" } + [prediction.label]
            fields += prediction.probabilities.map { String(format: "%.6f", $0.probability) }
            out += CSVWriter.line(fields)
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}

extension PredictCommand {
    /// The refusal of a prediction that is not a number (a model file whose weights are not
    /// finite): an error naming the model and the input, never a label with `null` probabilities.
    static func notFinite(model: String, input: String) -> CommandError {
        CommandError("\(model): the model predicts NaN for \(input); the file is damaged or its weights are not finite numbers")
    }
}

/// Writes CSV lines, quoting fields that hold commas, quotes or line breaks (RFC 4180).
enum CSVWriter {
    static func line(_ fields: [String]) -> String {
        fields.map { field in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",") + "\n"
    }
}
