/// Code that runs at the points of a training loop (fastai's callbacks). Every method has a
/// default that does nothing; implement the ones you need. Set `learner.stopRequested` to
/// end training after the current batch.
///
/// ```swift
/// final class PrintEpochs: LearnerCallback {
///     func afterEpoch(_ learner: Learner) { print(learner.recorder.epochs.last!) }
/// }
/// ```
public protocol LearnerCallback: AnyObject {
    /// Before the first epoch.
    ///
    /// - Parameter learner: The learner that is training; read its state (`epoch`, `currentBatch`,
    ///   `currentLoss`, `recorder`) or set `stopRequested`.
    func beforeFit(_ learner: Learner)
    /// Before each epoch's training batches.
    ///
    /// - Parameter learner: The learner that is training; read its state (`epoch`, `currentBatch`,
    ///   `currentLoss`, `recorder`) or set `stopRequested`.
    func beforeEpoch(_ learner: Learner)
    /// Before each training batch (the batch is `learner.currentBatch`).
    ///
    /// - Parameter learner: The learner that is training; read its state (`epoch`, `currentBatch`,
    ///   `currentLoss`, `recorder`) or set `stopRequested`.
    func beforeBatch(_ learner: Learner)
    /// After the loss is computed, before `backward()`.
    ///
    /// - Parameter learner: The learner that is training; read its state (`epoch`, `currentBatch`,
    ///   `currentLoss`, `recorder`) or set `stopRequested`.
    func beforeBackward(_ learner: Learner)
    /// After `backward()`, before the optimizer step.
    ///
    /// - Parameter learner: The learner that is training; read its state (`epoch`, `currentBatch`,
    ///   `currentLoss`, `recorder`) or set `stopRequested`.
    func afterBackward(_ learner: Learner)
    /// Right before the optimizer step.
    ///
    /// - Parameter learner: The learner that is training; read its state (`epoch`, `currentBatch`,
    ///   `currentLoss`, `recorder`) or set `stopRequested`.
    func beforeStep(_ learner: Learner)
    /// Right after the optimizer step.
    ///
    /// - Parameter learner: The learner that is training; read its state (`epoch`, `currentBatch`,
    ///   `currentLoss`, `recorder`) or set `stopRequested`.
    func afterStep(_ learner: Learner)
    /// After each training batch.
    ///
    /// - Parameter learner: The learner that is training; read its state (`epoch`, `currentBatch`,
    ///   `currentLoss`, `recorder`) or set `stopRequested`.
    func afterBatch(_ learner: Learner)
    /// After validation, when the epoch's row is in `learner.recorder.epochs`.
    ///
    /// - Parameter learner: The learner that is training; read its state (`epoch`, `currentBatch`,
    ///   `currentLoss`, `recorder`) or set `stopRequested`.
    func afterEpoch(_ learner: Learner)
    /// After the last epoch (also after a stop).
    ///
    /// - Parameter learner: The learner that is training; read its state (`epoch`, `currentBatch`,
    ///   `currentLoss`, `recorder`) or set `stopRequested`.
    func afterFit(_ learner: Learner)
}

extension LearnerCallback {
    /// Does nothing: the default for callbacks that do not implement `beforeFit(_:)`.
    ///
    /// - Parameter learner: The learner that is training (unused).
    public func beforeFit(_ learner: Learner) {}
    /// Does nothing: the default for callbacks that do not implement `beforeEpoch(_:)`.
    ///
    /// - Parameter learner: The learner that is training (unused).
    public func beforeEpoch(_ learner: Learner) {}
    /// Does nothing: the default for callbacks that do not implement `beforeBatch(_:)`.
    ///
    /// - Parameter learner: The learner that is training (unused).
    public func beforeBatch(_ learner: Learner) {}
    /// Does nothing: the default for callbacks that do not implement `beforeBackward(_:)`.
    ///
    /// - Parameter learner: The learner that is training (unused).
    public func beforeBackward(_ learner: Learner) {}
    /// Does nothing: the default for callbacks that do not implement `afterBackward(_:)`.
    ///
    /// - Parameter learner: The learner that is training (unused).
    public func afterBackward(_ learner: Learner) {}
    /// Does nothing: the default for callbacks that do not implement `beforeStep(_:)`.
    ///
    /// - Parameter learner: The learner that is training (unused).
    public func beforeStep(_ learner: Learner) {}
    /// Does nothing: the default for callbacks that do not implement `afterStep(_:)`.
    ///
    /// - Parameter learner: The learner that is training (unused).
    public func afterStep(_ learner: Learner) {}
    /// Does nothing: the default for callbacks that do not implement `afterBatch(_:)`.
    ///
    /// - Parameter learner: The learner that is training (unused).
    public func afterBatch(_ learner: Learner) {}
    /// Does nothing: the default for callbacks that do not implement `afterEpoch(_:)`.
    ///
    /// - Parameter learner: The learner that is training (unused).
    public func afterEpoch(_ learner: Learner) {}
    /// Does nothing: the default for callbacks that do not implement `afterFit(_:)`.
    ///
    /// - Parameter learner: The learner that is training (unused).
    public func afterFit(_ learner: Learner) {}
}

/// Stops training when the monitored value has not improved for `patience` epochs.
///
/// ```swift
/// learner.callbacks.append(EarlyStopping(monitor: "valid_loss", patience: 3))
/// ```
public final class EarlyStopping: LearnerCallback {
    /// The column watched (`valid_loss` or a metric name).
    public let monitor: String
    /// Epochs without improvement allowed.
    public let patience: Int
    /// The least change that counts as an improvement.
    public let minDelta: Double
    private var best: Double?
    private var waited = 0

    /// Makes the callback.
    ///
    /// - Parameters:
    ///   - monitor: The column watched: `valid_loss`, `train_loss` or a metric's name; whether
    ///     higher is better comes from the metric (losses: lower is better).
    ///   - patience: How many epochs in a row may fail to improve before training stops.
    ///   - minDelta: The least change from the best value that counts as an improvement.
    public init(monitor: String = "valid_loss", patience: Int = 3, minDelta: Double = 0) {
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
    }

    /// Forgets the best value and the wait count, so each fit starts afresh.
    ///
    /// - Parameter learner: The learner about to train.
    public func beforeFit(_ learner: Learner) { best = nil; waited = 0 }

    /// Compares the epoch's monitored value with the best so far; after `patience` epochs without
    /// an improvement of more than `minDelta`, sets `learner.stopRequested` and `learner.stopReason`.
    /// Epochs whose row lacks the column are skipped.
    ///
    /// - Parameter learner: The learner whose last ``Recorder/epochs`` row is read.
    public func afterEpoch(_ learner: Learner) {
        guard let row = learner.recorder.epochs.last, let value = row.value(of: monitor) else { return }
        let higher = learner.higherIsBetter(monitor)
        if let best, higher ? value <= best + minDelta : value >= best - minDelta {
            waited += 1
            if waited >= patience { learner.stopRequested = true; learner.stopReason = "early stopping: \(monitor) did not improve for \(patience) epochs" }
        } else {
            best = value
            waited = 0
        }
    }
}

/// Keeps a copy of the weights from the epoch with the best monitored value and puts them
/// back when training ends (fastai's `SaveModelCallback`, in memory).
///
/// ```swift
/// learner.callbacks.append(KeepBestModel(monitor: "accuracy"))
/// ```
public final class KeepBestModel: LearnerCallback {
    /// The column watched (`valid_loss` or a metric name).
    public let monitor: String
    /// The best value seen, and its epoch.
    public private(set) var best: (value: Double, epoch: Int)?
    private var snapshot: ModelSnapshot?

    /// Makes the callback.
    ///
    /// - Parameter monitor: The column watched: `valid_loss`, `train_loss` or a metric's name;
    ///   higher is better for metrics that say so, lower for losses.
    public init(monitor: String = "valid_loss") { self.monitor = monitor }

    /// Forgets the best value and the copy, so each fit starts afresh.
    ///
    /// - Parameter learner: The learner about to train.
    public func beforeFit(_ learner: Learner) { best = nil; snapshot = nil }

    /// Copies the model's parameters and buffers when the epoch's monitored value is the best so
    /// far (non-finite values are ignored).
    ///
    /// - Parameter learner: The learner whose last ``Recorder/epochs`` row is read.
    public func afterEpoch(_ learner: Learner) {
        guard let row = learner.recorder.epochs.last, let value = row.value(of: monitor), value.isFinite else { return }
        let higher = learner.higherIsBetter(monitor)
        if best == nil || (higher ? value > best!.value : value < best!.value) {
            best = (value, row.epoch)
            snapshot = ModelSnapshot(learner.model)
        }
    }

    /// Puts the best epoch's parameters and buffers back into the model (nothing when no epoch
    /// had a finite value).
    ///
    /// - Parameter learner: The learner whose model is restored.
    public func afterFit(_ learner: Learner) { snapshot?.restore(learner.model) }
}

/// A copy of a model's parameters and buffers that can be put back.
struct ModelSnapshot {
    private let values: [[Float]]

    init(_ model: Module) { values = model.stateDict().map(\.tensor.storage) }

    func restore(_ model: Module) {
        for ((_, tensor), saved) in zip(model.stateDict(), values) { tensor.storage = saved }
    }
}
