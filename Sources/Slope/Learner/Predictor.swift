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

/// A trained model with what turns raw inputs into its predictions: the fitted preprocessing,
/// the task, the class names and, for regression, the target's scale. A ``Learner`` is one (with
/// its data); so is the ``ExportedModel`` that `Learner.load(from:)` gives (without data), and
/// both predict through the same code.
///
/// ```swift
/// func survival(_ predictor: some Predictor) throws -> String {
///     try predictor.predict(["Sex": "female", "Pclass": "1", "Age": "30"]).label
/// }
/// ```
public protocol Predictor {
    /// The model, called on preprocessed inputs.
    var model: Module { get }
    /// The preprocessing fitted in training, applied to raw inputs before the model.
    var preprocessing: Preprocessing { get }
    /// Classification or regression.
    var task: TabularTask { get }
    /// Class names for classification, by class index; empty for regression.
    var classes: [String] { get }
    /// For regression: the model predicts `(y - mean) / std`; predictions are given in `y`'s units.
    var targetScale: (mean: Double, std: Double)? { get }
}

extension Predictor {
    /// Predicts one table row given as column name → raw text (an empty string is a missing
    /// value), through exactly the preprocessing fitted in training.
    ///
    /// ```swift
    /// let p = try learner.predict(["Pclass": "3", "Sex": "male", "Age": "22", "Fare": "7.25"])
    /// print(p.label, p.probabilities)
    /// ```
    ///
    /// - Parameter row: Each column's raw text, by column name.
    /// - Returns: The prediction for the row.
    /// - Throws: ``PredictionError/table(_:)`` with ``TabularError/notATableModel(takes:)`` for a
    ///   model that does not take table rows, or the preprocessing's error for a value it cannot
    ///   read (text in a continuous column); ``PredictionError/notFinite(row:)`` when the model's
    ///   output is not a number.
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
    /// - Parameter table: Rows with (at least) the columns the preprocessing was fitted on.
    /// - Returns: One prediction per row, in order.
    /// - Throws: ``PredictionError/table(_:)`` with ``TabularError/notATableModel(takes:)`` for a
    ///   model that does not take table rows (an image model: preprocess with
    ///   ``ImagePreprocessing`` and call ``predict(inputs:)``), or with the preprocessing's error
    ///   naming the line and column it cannot read; ``PredictionError/notFinite(row:)`` when the
    ///   model's output for a row is not a number.
    public func predict(rows table: DataTable) throws(PredictionError) -> [Prediction] {
        guard case .tabular(let prep) = preprocessing else { throw .table(.notATableModel(takes: preprocessing.kindName)) }
        let inputs: Tensor
        do { inputs = try prep.transform(table, targets: false).inputs } catch { throw .table(error) }
        return try predict(inputs: inputs)
    }

    /// Predicts from inputs that are already preprocessed (`[rows, ...]`), in batches of 1024,
    /// with the model in evaluation mode.
    ///
    /// ```swift
    /// let predictions = try learner.predict(inputs: images)
    /// ```
    ///
    /// - Parameter inputs: A batch the model accepts, rows first.
    /// - Returns: One prediction per row, in order.
    /// - Throws: ``PredictionError/inputShape(found:reason:)`` when the model cannot take the
    ///   inputs (its layers' shape rule says why), ``PredictionError/notFinite(row:)`` when an
    ///   output is NaN or infinite.
    public func predict(inputs: Tensor) throws(PredictionError) -> [Prediction] {
        model.eval()
        let outputCount = task == .classification ? classes.count : 1
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
        switch task {
        case .classification:
            let probabilities = noGrad { outputs.softmax(axis: 1) }.scalars
            let classes = self.classes
            return (0..<rows).map { row in
                let values = probabilities[(row * classes.count)..<((row + 1) * classes.count)].map(Double.init)
                let best = values.indices.max { values[$0] < values[$1] } ?? 0
                return Prediction(label: classes[best], value: nil,
                                  probabilities: zip(classes, values).map { .init(label: $0, probability: $1) })
            }
        case .regression:
            let scale = targetScale ?? (0, 1)
            return outputs.scalars.map { raw in
                let value = Double(raw) * scale.std + scale.mean
                return Prediction(label: String(value), value: value, probabilities: [])
            }
        }
    }
}

extension Learner: Predictor {
    /// The preprocessing fitted on the training data (`data.preprocessing`).
    public var preprocessing: Preprocessing { data.preprocessing }
    /// Classification or regression (`data.task`).
    public var task: TabularTask { data.task }
    /// Class names for classification, by class index (`data.classes`).
    public var classes: [String] { data.classes }
    /// For regression, the target's mean and standard deviation (`data.targetScale`).
    public var targetScale: (mean: Double, std: Double)? { data.targetScale }
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
