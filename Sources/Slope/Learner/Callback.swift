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
    func beforeFit(_ learner: Learner)
    /// Before each epoch's training batches.
    func beforeEpoch(_ learner: Learner)
    /// Before each training batch (the batch is `learner.currentBatch`).
    func beforeBatch(_ learner: Learner)
    /// After the loss is computed, before `backward()`.
    func beforeBackward(_ learner: Learner)
    /// After `backward()`, before the optimizer step.
    func afterBackward(_ learner: Learner)
    /// Right before the optimizer step.
    func beforeStep(_ learner: Learner)
    /// Right after the optimizer step.
    func afterStep(_ learner: Learner)
    /// After each training batch.
    func afterBatch(_ learner: Learner)
    /// After validation, when the epoch's row is in `learner.recorder.epochs`.
    func afterEpoch(_ learner: Learner)
    /// After the last epoch (also after a stop).
    func afterFit(_ learner: Learner)
}

extension LearnerCallback {
    public func beforeFit(_ learner: Learner) {}
    public func beforeEpoch(_ learner: Learner) {}
    public func beforeBatch(_ learner: Learner) {}
    public func beforeBackward(_ learner: Learner) {}
    public func afterBackward(_ learner: Learner) {}
    public func beforeStep(_ learner: Learner) {}
    public func afterStep(_ learner: Learner) {}
    public func afterBatch(_ learner: Learner) {}
    public func afterEpoch(_ learner: Learner) {}
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
    public init(monitor: String = "valid_loss", patience: Int = 3, minDelta: Double = 0) {
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
    }

    public func beforeFit(_ learner: Learner) { best = nil; waited = 0 }

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
    public init(monitor: String = "valid_loss") { self.monitor = monitor }

    public func beforeFit(_ learner: Learner) { best = nil; snapshot = nil }

    public func afterEpoch(_ learner: Learner) {
        guard let row = learner.recorder.epochs.last, let value = row.value(of: monitor), value.isFinite else { return }
        let higher = learner.higherIsBetter(monitor)
        if best == nil || (higher ? value > best!.value : value < best!.value) {
            best = (value, row.epoch)
            snapshot = ModelSnapshot(learner.model)
        }
    }

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
