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
    public func predict(_ row: [String: String]) throws(TabularError) -> Prediction {
        let names = row.keys.sorted()
        let table: DataTable
        do {
            table = try DataTable(columnNames: names, rows: [names.map { row[$0]!.isEmpty ? nil : row[$0] }], source: "row")
        } catch { throw .csv(error) }
        return try predict(rows: table)[0]
    }

    /// Predicts every row of a table (for example a CSV read with `CSVReader`), in batches.
    ///
    /// ```swift
    /// let table = try CSVReader().read(contentsOfFile: "test.csv")
    /// let predictions = try learner.predict(rows: table)
    /// ```
    public func predict(rows table: DataTable) throws(TabularError) -> [Prediction] {
        guard case .tabular(let prep) = data.preprocessing else {
            fatalError("predict(rows:): this model takes \(data.preprocessing.kindName) inputs, not table rows")
        }
        return predict(inputs: try prep.transform(table, targets: false).inputs)
    }

    /// Predicts from inputs that are already preprocessed (`[rows, ...]`), in batches of 1024.
    ///
    /// ```swift
    /// let predictions = learner.predict(inputs: images)
    /// ```
    public func predict(inputs: Tensor) -> [Prediction] {
        model.eval()
        var results: [Prediction] = []
        let rows = inputs.shape.first ?? 0
        var start = 0
        while start < rows {
            let end = Swift.min(rows, start + 1024)
            let outputs = noGrad { model(inputs.slice([.range(start, end, step: 1)])) }
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
