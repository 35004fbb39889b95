/// A number that says how good predictions are, computed over the whole validation set.
///
/// ```swift
/// let learner = Learner(data: data, model: model, loss: crossEntropy, metrics: [.accuracy])
/// ```
public struct Metric: Sendable {
    /// The column name in the progress table (`accuracy`, `error_rate`, `rmse`, `r2`).
    public let name: String
    /// Whether larger values are better (for keep-best and early stopping).
    public let higherIsBetter: Bool
    /// Computes the metric from predictions (logits `[N, C]` or values `[N]`) and targets `[N]`.
    public let compute: @Sendable (_ predictions: Tensor, _ targets: Tensor) -> Double

    /// Makes a metric.
    ///
    /// - Parameters:
    ///   - name: The column name in the progress table and the exported file.
    ///   - higherIsBetter: Whether larger values are better (for ``KeepBestModel`` and ``EarlyStopping``).
    ///   - compute: The metric from the validation predictions and targets, all at once (targets in
    ///     their original units for regression).
    public init(name: String, higherIsBetter: Bool, compute: @escaping @Sendable (Tensor, Tensor) -> Double) {
        self.name = name
        self.higherIsBetter = higherIsBetter
        self.compute = compute
    }

    /// The share of samples whose highest logit is the target class.
    public static let accuracy = Metric(name: "accuracy", higherIsBetter: true) { predictions, targets in
        let predicted = predictions.argmax(axis: 1).scalars
        let hits = zip(predicted, targets.scalars).filter { $0 == $1 }.count
        return Double(hits) / Double(Swift.max(predicted.count, 1))
    }

    /// `1 - accuracy`.
    public static let errorRate = Metric(name: "error_rate", higherIsBetter: false) { predictions, targets in
        1 - accuracy.compute(predictions, targets)
    }

    /// Root mean squared error: `√(mean((p - t)²))`.
    public static let rmse = Metric(name: "rmse", higherIsBetter: false) { predictions, targets in
        let (p, t) = regressionPairs(predictions, targets)
        return (zip(p, t).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(Swift.max(p.count, 1))).squareRoot()
    }

    /// Mean absolute error: `mean(|p - t|)`.
    public static let mae = Metric(name: "mae", higherIsBetter: false) { predictions, targets in
        let (p, t) = regressionPairs(predictions, targets)
        return zip(p, t).reduce(0) { $0 + Swift.abs($1.0 - $1.1) } / Double(Swift.max(p.count, 1))
    }

    /// The coefficient of determination: `1 - Σ(t - p)² / Σ(t - mean t)²`.
    public static let r2 = Metric(name: "r2", higherIsBetter: true) { predictions, targets in
        let (p, t) = regressionPairs(predictions, targets)
        let mean = t.reduce(0, +) / Double(Swift.max(t.count, 1))
        let residual = zip(p, t).reduce(0) { $0 + ($1.1 - $1.0) * ($1.1 - $1.0) }
        let total = t.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return total > 0 ? 1 - residual / total : 0
    }

    private static func regressionPairs(_ predictions: Tensor, _ targets: Tensor) -> ([Double], [Double]) {
        require(predictions.count == targets.count, "metric: \(predictions.count) predictions for \(targets.count) targets")
        return (predictions.scalars.map(Double.init), targets.scalars.map(Double.init))
    }
}
