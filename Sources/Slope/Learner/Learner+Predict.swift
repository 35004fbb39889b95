import Foundation

/// What a model says about one input: the decoded class (with every class's probability) or,
/// for regression, the value in the target's units.
public struct Prediction: Sendable, Equatable {
    /// The predicted class name, or the predicted value written as text.
    public let label: String
    /// The predicted value, for regression.
    public let value: Double?
    /// Each class with its probability (softmax of the logits), in class order; empty for regression.
    public let probabilities: [Probability]

    /// A class and its probability.
    public struct Probability: Sendable, Equatable {
        /// The class name.
        public let label: String
        /// Its probability.
        public let probability: Double
    }

    /// The JSON form printed by `slope predict --json`: `{"prediction":..,"probabilities":{..}}`.
    public var json: JSON {
        var pairs: [(String, JSON)] = [("prediction", value.map(JSON.number) ?? .string(label))]
        if !probabilities.isEmpty {
            pairs.append(("probabilities", .object(probabilities.map { ($0.label, .number($0.probability)) })))
        }
        return .object(pairs)
    }
}

extension Learner {
    /// Predicts one table row given as column name → raw text (an empty string is a missing
    /// value), through exactly the preprocessing fitted in training.
    ///
    /// ```swift
    /// let p = try learner.predict(["Pclass": "3", "Sex": "male", "Age": "22", "Fare": "7.25"])
    /// print(p.label, p.probabilities)
    /// ```
    ///
    /// - Parameter row: the row's values by column name.
    /// - Returns: the prediction.
    /// - Throws: ``PredictionError``.
    public func predict(_ row: [String: String]) throws(PredictionError) -> Prediction {
        let names = row.keys.sorted()
        let table: DataTable
        do {
            table = try DataTable(columnNames: names, rows: [names.map { row[$0]!.isEmpty ? nil : row[$0] }], source: "row")
        } catch { throw .table(.csv(error)) }
        return try predict(rows: table)[0]
    }

    /// Predicts every row of a table (for example a CSV read with `CSVReader`), in batches.
    ///
    /// ```swift
    /// let table = try CSVReader().read(contentsOfFile: "test.csv")
    /// let predictions = try learner.predict(rows: table)
    /// ```
    ///
    /// - Parameter table: the rows, with the columns the preprocessing names.
    /// - Returns: one prediction per row.
    /// - Throws: ``PredictionError``: the model does not take table rows, a row cannot be
    ///   preprocessed, or the model's output for a row is not finite.
    public func predict(rows table: DataTable) throws(PredictionError) -> [Prediction] {
        guard case .tabular(let prep) = data.preprocessing else {
            throw .wrongInputKind(model: data.preprocessing.kindName, given: "table rows")
        }
        let inputs: Tensor
        do { inputs = try prep.transform(table, targets: false).inputs } catch { throw .table(error) }
        return try predict(inputs: inputs)
    }

    /// Predicts from inputs that are already preprocessed (`[rows, ...]`), in batches of 1024.
    ///
    /// ```swift
    /// let predictions = try learner.predict(inputs: images)
    /// ```
    ///
    /// - Parameter inputs: the model's inputs, one per row of the first axis.
    /// - Returns: one prediction per row.
    /// - Throws: ``PredictionError/inputShape(found:reason:)`` when the model cannot take the
    ///   inputs (its layers' shape rule), ``PredictionError/notFinite(row:)`` when an output is
    ///   NaN or infinite.
    public func predict(inputs: Tensor) throws(PredictionError) -> [Prediction] {
        model.eval()
        let outputCount = data.task == .classification ? data.classes.count : 1
        // The layers' own shape rule, before anything runs (a module type without one runs as it is).
        let output: [Int]?
        do { output = try model.outputShape(for: inputs.shape) } catch {
            if !error.hasNoRule { throw .inputShape(found: inputs.shape, reason: "\(error)") }
            output = nil
        }
        if let output, output != [inputs.shape.first ?? 0, outputCount] {
            throw .inputShape(found: inputs.shape, reason: "the model gives \(output), expected [rows, \(outputCount)]")
        }
        var results: [Prediction] = []
        let rows = inputs.shape.first ?? 0
        var start = 0
        while start < rows {
            let end = Swift.min(rows, start + 1024)
            let outputs = noGrad { model(inputs.slice([.range(start, end, step: 1)])) }
            if let bad = outputs.scalars.firstIndex(where: { !$0.isFinite }) { throw .notFinite(row: start + bad / Swift.max(outputCount, 1)) }
            results += decode(outputs)
            start = end
        }
        return results
    }

    /// Turns model outputs into predictions.
    func decode(_ outputs: Tensor) -> [Prediction] {
        let rows = outputs.shape.first ?? 0
        switch data.task {
        case .classification:
            let probabilities = noGrad { outputs.softmax(axis: 1) }.scalars
            let classes = data.classes.count
            return (0..<rows).map { row in
                let values = probabilities[(row * classes)..<((row + 1) * classes)].map(Double.init)
                let best = values.indices.max { values[$0] < values[$1] } ?? 0
                return Prediction(label: data.classes[best], value: nil,
                                  probabilities: zip(data.classes, values).map { .init(label: $0, probability: $1) })
            }
        case .regression:
            let scale = data.targetScale ?? (0, 1)
            return outputs.scalars.map { raw in
                let value = Double(raw) * scale.std + scale.mean
                return Prediction(label: String(value), value: value, probabilities: [])
            }
        }
    }
}

/// Why a prediction could not be made: the input does not suit the model, or the model's answer
/// is not a number. Never a label with NaN probabilities.
///
/// ```swift
/// do { _ = try learner.predict(rows: table) } catch { print(error) }
/// // the model's output for row 3 is not a finite number; the model's weights are damaged
/// ```
public enum PredictionError: Error, Equatable, CustomStringConvertible {
    /// The model takes inputs of another kind (`image` inputs, not `table rows`).
    case wrongInputKind(model: String, given: String)
    /// A row could not be turned into model inputs.
    case table(TabularError)
    /// The model cannot take inputs of this shape (its layers' shape rule says why).
    case inputShape(found: [Int], reason: String)
    /// The model's output for input `row` (counted from 0) is NaN or infinite.
    case notFinite(row: Int)

    /// The message for the user.
    public var description: String {
        switch self {
        case .wrongInputKind(let model, let given): return "this model takes \(model) inputs, not \(given)"
        case .table(let error): return error.description
        case .inputShape(let found, let reason): return "the model cannot take inputs of shape \(found): \(reason)"
        case .notFinite(let row):
            return "the model's output for row \(row) is not a finite number; its weights are damaged or not finite"
        }
    }
}

extension Preprocessing {
    /// `none`, `tabular` or `image`.
    public var kindName: String {
        switch self {
        case .none: return "tensor"
        case .tabular: return "tabular"
        case .image: return "image"
        }
    }
}
