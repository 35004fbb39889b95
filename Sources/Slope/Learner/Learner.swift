import Foundation

/// Trains a model on data: the loop of fastai's `Learner` with a loss, an optimizer, metrics,
/// a recorder, callbacks and a progress display.
///
/// ```swift
/// let data = try TabularData.fromCSV("train.csv", target: "Survived")
/// let learner = tabularLearner(data: data, seed: 42)
/// learner.fitOneCycle(epochs: 5, maxLR: 1e-2)
/// print(learner.recorder.epochs.last!.value(of: "accuracy")!)
/// ```
public final class Learner: @unchecked Sendable {
    /// The training and validation data.
    public let data: DataLoaders
    /// The model being trained.
    public let model: Module
    /// The loss, from predictions and targets.
    public let loss: (Tensor, Tensor) -> Tensor
    /// Makes the optimizer for a model and learning rate (fastai's `opt_func`; Adam by default).
    public let makeOptimizer: (Module, Float) -> Optimizer
    /// Metrics computed on the validation set after each epoch.
    public var metrics: [Metric]
    /// Callbacks run at each point of the loop.
    public var callbacks: [LearnerCallback]
    /// How progress is shown.
    public var progress = ProgressDisplay()
    /// What training did.
    public let recorder = Recorder()
    /// The optimizer, made on the first fit and kept afterwards.
    public internal(set) var optimizer: Optimizer?
    /// Set by a callback to end training after the current batch.
    public var stopRequested = false
    /// Why training stopped early, if it did.
    public var stopReason: String?
    /// The epoch being trained.
    public private(set) var epoch = 0
    /// The batch being trained, for callbacks.
    public private(set) var currentBatch: Batch?
    /// The loss of the batch being trained, for callbacks.
    public private(set) var currentLoss: Tensor?
    /// The loss's name, recorded in exported files (`crossEntropy`, `mse`, or `custom`).
    public var lossName = "custom"
    /// The seed the model's parameters and the data's split were drawn from, recorded on export.
    public var seed: UInt64?

    /// Makes a learner. `optimizer` defaults to fastai's: Adam (β = 0.9, 0.99, ε = 1e-5) with
    /// decoupled weight decay 0.01.
    ///
    /// - Parameters:
    ///   - data: The training and validation loaders.
    ///   - model: The module to train.
    ///   - loss: The loss from `(predictions, targets)`, a scalar tensor.
    ///   - metrics: Computed on the whole validation set after each epoch, one table column each.
    ///   - callbacks: Run at each point of the loop, in order.
    ///   - optimizer: Makes the optimizer from the model and the starting learning rate; `nil` for
    ///     ``fastaiAdam(weightDecay:)``.
    public init(data: DataLoaders, model: Module, loss: @escaping (Tensor, Tensor) -> Tensor, metrics: [Metric] = [],
                callbacks: [LearnerCallback] = [], optimizer: ((Module, Float) -> Optimizer)? = nil) {
        self.data = data
        self.model = model
        self.loss = loss
        self.metrics = metrics
        self.callbacks = callbacks
        self.makeOptimizer = optimizer ?? fastaiAdam()
    }

    // MARK: - Fitting

    /// Trains for `epochs` at a constant learning rate.
    ///
    /// ```swift
    /// learner.fit(epochs: 3, lr: 1e-3)
    /// ```
    ///
    /// - Parameters:
    ///   - epochs: How many passes over the training data.
    ///   - lr: The learning rate for every batch.
    public func fit(epochs: Int, lr: Float) {
        run(epochs: epochs, lr: lr) { _ in (lr, nil) }
    }

    /// Trains for `epochs` with fastai's one-cycle schedule of learning rate and momentum.
    ///
    /// ```swift
    /// learner.fitOneCycle(epochs: 5, maxLR: 1e-2)
    /// ```
    ///
    /// - Parameters:
    ///   - epochs: How many passes over the training data; the schedule spans all their batches.
    ///   - maxLR: The peak learning rate (see ``OneCycleSchedule``).
    public func fitOneCycle(epochs: Int, maxLR: Float) {
        fitOneCycle(epochs: epochs, schedule: OneCycleSchedule(maxLR: maxLR))
    }

    /// Trains for `epochs` along `schedule`, a one-cycle policy with its own warm-up and
    /// division factors (fastai's `fit_one_cycle(pct_start:, div:)`).
    ///
    /// ```swift
    /// learner.fitOneCycle(epochs: 1, schedule: OneCycleSchedule(maxLR: 2e-3, warmupFraction: 0.99))
    /// ```
    ///
    /// - Parameters:
    ///   - epochs: Passes over the training set, at least 0.
    ///   - schedule: The learning rate and momentum at each fraction of training.
    public func fitOneCycle(epochs: Int, schedule: OneCycleSchedule) {
        run(epochs: epochs, lr: schedule.learningRate(at: 0)) { progress in
            (schedule.learningRate(at: progress), schedule.momentum(at: progress))
        }
    }

    /// Training stops when a batch's loss exceeds this many times the first batch's loss.
    public static let explosionFactor: Float = 100

    /// The training loop; `schedule` gives the learning rate and momentum at each fraction of
    /// training.
    func run(epochs: Int, lr: Float, schedule: (Float) -> (lr: Float, momentum: Float?)) {
        require(epochs >= 0, "fit: epochs must not be negative, got \(epochs)")
        let optimizer = self.optimizer ?? makeOptimizer(model, lr)
        self.optimizer = optimizer
        recorder.reset()
        stopRequested = false
        stopReason = nil
        let totalBatches = Swift.max(1, epochs * data.train.batchCount)
        var done = 0
        var smoothed = 0.0, smoothedCount = 0
        var firstLoss: Float?
        // Data-parallel in a world of more than one rank (Distributed.start): see DataParallel.
        let parallel = DataParallel(world: Distributed.world)
        if let parallel {
            if let problem = parallel.problem(with: data.train) {
                stopRequested = true
                stopReason = problem
                return
            }
            if !parallel.world.isLeader { progress.style = .silent }
        }
        callbacks.forEach { $0.beforeFit(self) }
        // Without callbacks (which may look at or change gradients) and with layers that replay
        // exactly, each batch shape's step is captured once and replayed (same results, no graph).
        let model = self.model, loss = self.loss
        let captured = parallel == nil && callbacks.isEmpty && CapturedTraining.canCapture(model)
            ? CapturedTraining(optimizer: optimizer) { loss(model($0[0]), $0[1]) } : nil
        progress.header(["epoch", "train_loss", "valid_loss"] + metrics.map(\.name) + ["time"])
        for epoch in 0..<epochs where !stopRequested {
            self.epoch = epoch
            let start = Date()
            model.train()
            callbacks.forEach { $0.beforeEpoch(self) }
            var batchIndex = 0
            for (batch, share) in parallel?.batches(of: data.train) ?? AnySequence(data.train.lazy.map { ($0, 1) }) {
                let (rate, momentum) = schedule(Float(done) / Float(totalBatches))
                optimizer.lr = rate
                if let momentum { optimizer.cycledMomentum = momentum }
                currentBatch = batch
                callbacks.forEach { $0.beforeBatch(self) }
                let capturedStep = captured?.capturedStep(for: [batch.inputs, batch.targets])
                let replayed = capturedStep.flatMap { try? $0.forward([batch.inputs, batch.targets]) }
                let forward = { loss(model(batch.inputs), batch.targets) }
                let value = replayed == nil ? parallel?.localLoss(share: share, forward) ?? forward() : nil
                let lossValue = replayed ?? parallel?.globalLoss(value!.item()) ?? value!.item()
                currentLoss = value ?? Tensor(lossValue)
                recorder.record(batchLoss: lossValue, learningRate: rate)
                if !lossValue.isFinite {
                    stopRequested = true
                    let shown = lossValue.isNaN ? "nan" : "\(lossValue)"
                    stopReason = "the loss became \(shown) at epoch \(epoch), batch \(batchIndex); try a smaller learning rate (now \(rate))"
                    break
                }
                // An exploding loss stops training too: 100 times the first batch's loss is far past any useful fit.
                firstLoss = firstLoss ?? lossValue
                if let firstLoss, firstLoss > 0, lossValue > Learner.explosionFactor * firstLoss {
                    stopRequested = true
                    stopReason = "the loss exploded from \(firstLoss) to \(lossValue) at epoch \(epoch), batch \(batchIndex); "
                        + "try a smaller learning rate (now \(rate))"
                    break
                }
                callbacks.forEach { $0.beforeBackward(self) }
                if let value {
                    optimizer.zeroGrad()
                    value.backward()
                    parallel?.allReduceGradients(optimizer.parameters)
                } else {
                    capturedStep?.update()
                }
                callbacks.forEach { $0.afterBackward(self) }
                callbacks.forEach { $0.beforeStep(self) }
                if value != nil { optimizer.step() }
                callbacks.forEach { $0.afterStep(self) }
                smoothed = 0.98 * smoothed + 0.02 * Double(lossValue)
                smoothedCount += 1
                done += 1
                batchIndex += 1
                progress.bar(epoch: epoch, epochs: epochs, batch: batchIndex, batches: data.train.batchCount,
                             loss: smoothed / (1 - Foundation.pow(0.98, Double(smoothedCount))), elapsed: Date().timeIntervalSince(start))
                callbacks.forEach { $0.afterBatch(self) }
                if stopRequested { break }
            }
            currentBatch = nil
            currentLoss = nil
            if stopReason != nil && recorder.batchLosses.last.map({ !$0.isFinite }) == true { break }
            let (validLoss, values) = validate()
            let trainLoss = smoothedCount > 0 ? smoothed / (1 - Foundation.pow(0.98, Double(smoothedCount))) : .nan
            let record = EpochRecord(epoch: epoch, trainLoss: trainLoss, validLoss: validLoss, metrics: values,
                                     seconds: Date().timeIntervalSince(start))
            recorder.record(epoch: record)
            progress.row(record)
            callbacks.forEach { $0.afterEpoch(self) }
        }
        callbacks.forEach { $0.afterFit(self) }
        model.eval()
    }

    // MARK: - Validation and prediction

    /// The mean validation loss and each metric, with the model in evaluation mode. In a world of
    /// more than one rank (``Distributed/start(timeout:)``), each rank predicts a share of the rows
    /// and every rank must call it (see `DataParallel`).
    ///
    /// ```swift
    /// let (loss, metrics) = learner.validate()
    /// ```
    ///
    /// - Returns: The loss averaged over validation samples and each metric's value, in the order
    ///   of ``metrics``; NaN for all when the validation set is empty.
    public func validate() -> (loss: Double, metrics: [(name: String, value: Double)]) {
        if let parallel = DataParallel(world: Distributed.world) { return parallel.validate(self) }
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        var total = 0.0, count = 0
        var outputs: [Tensor] = [], targets: [Tensor] = []
        noGrad {
            for batch in data.valid {
                let prediction = model(batch.inputs)
                total += Double(loss(prediction, batch.targets).item()) * Double(batch.targets.shape[0])
                count += batch.targets.shape[0]
                outputs.append(prediction)
                targets.append(batch.targets)
            }
        }
        guard count > 0 else { return (.nan, metrics.map { ($0.name, .nan) }) }
        return (total / Double(count), scoredMetrics(predictions: Tensor.concatenate(outputs, axis: 0),
                                                     truth: Tensor.concatenate(targets, axis: 0)))
    }

    /// Each metric on the whole validation set's predictions, in the target's units.
    func scoredMetrics(predictions: Tensor, truth: Tensor) -> [(name: String, value: Double)] {
        var predictions = predictions, truth = truth
        if let scale = data.targetScale {
            predictions = predictions.reshaped([-1]) * Float(scale.std) + Float(scale.mean)
            truth = truth * Float(scale.std) + Float(scale.mean)
        }
        return metrics.map { ($0.name, $0.compute(predictions, truth)) }
    }

    /// Whether larger values of a table column are better.
    func higherIsBetter(_ column: String) -> Bool {
        metrics.first { $0.name == column }?.higherIsBetter ?? false
    }
}

/// fastai's default optimizer: Adam with β = (0.9, 0.99), ε = 1e-5 and decoupled weight decay.
///
/// ```swift
/// let learner = Learner(data: data, model: model, loss: loss, optimizer: fastaiAdam(weightDecay: 0.1))
/// ```
///
/// - Parameter weightDecay: The decoupled weight decay λ.
/// - Returns: A maker for `Learner(optimizer:)`: AdamW over the model's named parameters at the
///   given learning rate.
public func fastaiAdam(weightDecay: Float = 0.01) -> (Module, Float) -> Optimizer {
    { model, lr in AdamW(parameters: model.namedParameters(), lr: lr, beta1: 0.9, beta2: 0.99, epsilon: 1e-5, weightDecay: weightDecay) }
}
