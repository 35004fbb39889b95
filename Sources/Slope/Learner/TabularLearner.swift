/// The loss and metrics that suit a task: cross-entropy with accuracy for classification,
/// MSE with RMSE and R² for regression (on `[N, 1]` outputs).
///
/// - Parameter task: Classification or regression, as ``TabularData`` decided from the target.
/// - Returns: The loss and the default metrics (`accuracy`; or `rmse` and `r2`).
public func defaultLoss(for task: TabularTask) -> (loss: (Tensor, Tensor) -> Tensor, metrics: [Metric]) {
    switch task {
    case .classification:
        return ({ crossEntropy(logits: $0, targets: $1) }, [.accuracy])
    case .regression:
        return ({ mse($0.reshaped([-1]), $1) }, [.rmse, .r2])
    }
}

/// fastai's `tabular_learner`: a `TabularModel` sized from the data's preprocessing (one
/// embedding per categorical column, by its vocabulary size), the task's loss and metrics,
/// and parameters drawn from `seed`.
///
/// ```swift
/// let data = try TabularData.fromCSV("train.csv", target: "Survived")
/// let learner = tabularLearner(data: data, layers: [200, 100], seed: 42)
/// learner.fitOneCycle(epochs: 5, maxLR: 1e-2)
/// ```
///
/// - Parameters:
///   - data: Loaders made by ``TabularData`` (it is a programmer error to pass others).
///   - layers: The hidden layer sizes of the model.
///   - dropout: The dropout probability after each hidden layer.
///   - weightDecay: The decoupled weight decay of ``fastaiAdam(weightDecay:)``.
///   - seed: The seed the parameters are drawn from, recorded on export.
///   - metrics: The metrics, or `nil` for the task's defaults.
/// - Returns: A learner ready to `fit`.
public func tabularLearner(data: DataLoaders, layers: [Int] = [200, 100], dropout: Float = 0, weightDecay: Float = 0.01,
                           seed: UInt64 = 42, metrics: [Metric]? = nil) -> Learner {
    guard case .tabular(let prep) = data.preprocessing else {
        requireFailure("tabularLearner: the data was not made by TabularData (no tabular preprocessing)")
    }
    var rng = SeededGenerator(seed: seed)
    let model = TabularModel(cardinalities: prep.categorical.map(\.vocabulary.count), continuousCount: prep.continuous.count,
                             outputCount: data.outputCount, hiddenSizes: layers, dropout: dropout, generator: &rng)
    let (loss, defaults) = defaultLoss(for: data.task)
    let learner = Learner(data: data, model: model, loss: loss, metrics: metrics ?? defaults,
                          optimizer: fastaiAdam(weightDecay: weightDecay))
    learner.lossName = data.task == .classification ? "crossEntropy" : "mse"
    learner.seed = seed
    return learner
}
