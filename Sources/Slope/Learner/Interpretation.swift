import Foundation

/// What a classifier got right and wrong on a labelled set (fastai's
/// `ClassificationInterpretation`): the confusion matrix, per-class precision, recall and F1,
/// and the samples with the highest loss.
///
/// For sample `i` with actual class `aᵢ` and predicted probabilities `pᵢ`: the prediction is
/// `argmax pᵢ`, the loss `-log pᵢ[aᵢ]` (cross-entropy), `confusion[a][p]` counts the samples of
/// actual class `a` predicted as `p`; for class `c`, precision = `confusion[c][c] / Σₐ confusion[a][c]`,
/// recall = `confusion[c][c] / Σₚ confusion[c][p]`, F1 = `2·precision·recall / (precision + recall)`
/// (0 where a denominator is 0).
///
/// ```swift
/// let loaded = try Learner.load(from: "pets.slope")
/// let interpretation = try Interpretation(loaded, inputs: images, targets: labels)
/// print(interpretation.confusion, interpretation.topLosses(9))
/// ```
public struct Interpretation: Sendable {
    /// Class names, by class index.
    public let classes: [String]
    /// Each sample's actual class.
    public let actual: [Int]
    /// Each sample's predicted class (the most probable).
    public let predicted: [Int]
    /// Each sample's class probabilities (`classes.count` each).
    public let probabilities: [[Double]]
    /// Each sample's cross-entropy loss, `-log p[actual]`.
    public let losses: [Double]

    /// An interpretation from probabilities already computed.
    ///
    /// - Parameters:
    ///   - classes: class names.
    ///   - actual: each sample's class index, in `0..<classes.count`.
    ///   - probabilities: each sample's probabilities, `classes.count` each.
    public init(classes: [String], actual: [Int], probabilities: [[Double]]) {
        require(actual.count == probabilities.count, "Interpretation: \(actual.count) labels for \(probabilities.count) predictions")
        require(actual.allSatisfy { classes.indices.contains($0) } && probabilities.allSatisfy { $0.count == classes.count },
                "Interpretation: labels and probabilities must fit the \(classes.count) classes")
        self.classes = classes
        self.actual = actual
        self.probabilities = probabilities
        predicted = probabilities.map { row in row.indices.max { row[$0] < row[$1] } ?? 0 }
        losses = zip(actual, probabilities).map { -Foundation.log(Swift.max($1[$0], 1e-12)) }
    }

    /// Predicts `inputs` (already preprocessed, e.g. normalised images) with a classifier and
    /// compares with `targets`.
    ///
    /// - Parameters:
    ///   - predictor: a classification learner or loaded model.
    ///   - inputs: the samples, rows first.
    ///   - targets: each sample's class index.
    /// - Throws: ``PredictionError`` from prediction.
    public init(_ predictor: some Predictor, inputs: Tensor, targets: [Int]) throws(PredictionError) {
        let predictions = try predictor.predict(inputs: inputs)
        self.init(classes: predictor.classes, actual: targets, probabilities: predictions.map { $0.probabilities.map(\.probability) })
    }

    /// The number of samples.
    public var count: Int { actual.count }

    /// The share predicted right.
    public var accuracy: Double {
        count == 0 ? .nan : Double(zip(actual, predicted).filter { $0 == $1 }.count) / Double(count)
    }

    /// `confusion[actual][predicted]`: how many samples of each actual class got each prediction.
    public var confusion: [[Int]] {
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: classes.count), count: classes.count)
        for (a, p) in zip(actual, predicted) { matrix[a][p] += 1 }
        return matrix
    }

    /// One class's scores.
    public struct ClassScores: Sendable, Equatable {
        /// The class name.
        public let name: String
        /// Right predictions of the class over all predictions of it.
        public let precision: Double
        /// Right predictions of the class over its samples.
        public let recall: Double
        /// The harmonic mean of precision and recall.
        public let f1: Double
        /// The class's samples.
        public let support: Int
    }

    /// Precision, recall, F1 and support for every class, in class order.
    public var scores: [ClassScores] {
        let matrix = confusion
        return classes.indices.map { c in
            let right = Double(matrix[c][c])
            let predictedAs = Double(matrix.reduce(0) { $0 + $1[c] }), support = matrix[c].reduce(0, +)
            let precision = predictedAs > 0 ? right / predictedAs : 0
            let recall = support > 0 ? right / Double(support) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            return ClassScores(name: classes[c], precision: precision, recall: recall, f1: f1, support: support)
        }
    }

    /// The indices of the `count` samples with the highest loss, highest first (ties by index).
    ///
    /// - Parameter count: how many.
    /// - Returns: sample indices.
    public func topLosses(_ count: Int) -> [Int] {
        Array(losses.indices.sorted { losses[$0] != losses[$1] ? losses[$0] > losses[$1] : $0 < $1 }.prefix(Swift.max(0, count)))
    }

    /// The confusion matrix as an SVG document: one square per (actual, predicted) pair, shaded
    /// by its share of the actual class's samples, its count written in it, class names along
    /// both axes (actual down the left, predicted across the top).
    ///
    /// - Returns: the SVG text.
    public func confusionSVG() -> String {
        let matrix = confusion
        let n = classes.count
        let cell = 44.0, labelWidth = Double(min(24, classes.map(\.count).max() ?? 1)) * 7.5 + 16
        let left = labelWidth + 24, top = labelWidth + 40
        let width = left + Double(n) * cell + 16, height = top + Double(n) * cell + 16
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        svg += "<text x=\"\(Int(left + Double(n) * cell / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">predicted</text>\n"
        svg += "<text x=\"14\" y=\"\(Int(top + Double(n) * cell / 2))\" text-anchor=\"middle\" font-size=\"14\" "
            + "transform=\"rotate(-90 14 \(Int(top + Double(n) * cell / 2)))\">actual</text>\n"
        for (index, name) in classes.enumerated() {
            let shown = Interpretation.escape(name.count > 24 ? String(name.prefix(23)) + "…" : name)
            let x = left + (Double(index) + 0.5) * cell, y = top + (Double(index) + 0.5) * cell
            svg += "<text class=\"predicted-label\" x=\"\(x)\" y=\"\(top - 8)\" font-size=\"12\" text-anchor=\"start\" "
                + "transform=\"rotate(-60 \(x) \(top - 8))\">\(shown)</text>\n"
            svg += "<text class=\"actual-label\" x=\"\(left - 8)\" y=\"\(y + 4)\" font-size=\"12\" text-anchor=\"end\">\(shown)</text>\n"
        }
        for a in 0..<n {
            let rowTotal = max(1, matrix[a].reduce(0, +))
            for p in 0..<n {
                let share = Double(matrix[a][p]) / Double(rowTotal)
                let shade = Int(255 - 200 * share)
                let x = left + Double(p) * cell, y = top + Double(a) * cell
                svg += "<rect class=\"cell\" data-actual=\"\(a)\" data-predicted=\"\(p)\" x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" "
                    + "height=\"\(cell)\" fill=\"rgb(\(shade),\(shade),255)\" stroke=\"#888\"/>\n"
                svg += "<text class=\"count\" x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 5)\" text-anchor=\"middle\" font-size=\"14\" "
                    + "fill=\"\(share > 0.6 ? "white" : "black")\">\(matrix[a][p])</text>\n"
            }
        }
        return svg + "</svg>\n"
    }

    /// The confusion matrix, class scores and accuracy as JSON:
    /// `{"count", "accuracy", "classes", "confusion": [[...]], "scores": [{"class", "precision", "recall", "f1", "support"}]}`.
    public var json: JSON {
        .object([
            ("count", .int(count)), ("accuracy", .number(accuracy)), ("classes", .array(classes.map(JSON.string))),
            ("confusion", .array(confusion.map { .array($0.map(JSON.int)) })),
            ("scores", .array(scores.map { s in
                .object([("class", .string(s.name)), ("precision", .number(s.precision)), ("recall", .number(s.recall)),
                         ("f1", .number(s.f1)), ("support", .int(s.support))])
            })),
        ])
    }

    /// The confusion matrix and class scores as text tables.
    public var text: String {
        let matrix = confusion
        let width = max(9, (classes.map(\.count).max() ?? 1) + 2)
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
        var lines = ["confusion matrix (rows: actual, columns: predicted)"]
        lines.append(pad("", width) + classes.map { pad($0, width) }.joined())
        for (a, row) in matrix.enumerated() { lines.append(pad(classes[a], width) + row.map { pad(String($0), width) }.joined()) }
        lines.append("")
        lines.append(pad("class", width) + pad("precision", 11) + pad("recall", 9) + pad("f1", 9) + "support")
        for s in scores {
            lines.append(pad(s.name, width) + pad(String(format: "%.4f", s.precision), 11) + pad(String(format: "%.4f", s.recall), 9)
                + pad(String(format: "%.4f", s.f1), 9) + String(s.support))
        }
        return lines.joined(separator: "\n")
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
