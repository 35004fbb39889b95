import Foundation

/// One row of the progress table.
public struct EpochRecord: Sendable {
    /// The epoch number, from 0.
    public let epoch: Int
    /// The smoothed training loss at the end of the epoch.
    public let trainLoss: Double
    /// The mean validation loss.
    public let validLoss: Double
    /// Each metric's value, in the learner's order.
    public let metrics: [(name: String, value: Double)]
    /// Seconds the epoch took.
    public let seconds: Double

    /// The value of a column by name (`train_loss`, `valid_loss` or a metric).
    ///
    /// - Parameter column: `train_loss`, `valid_loss` or a metric's name.
    /// - Returns: The value, or `nil` when the row has no such column.
    public func value(of column: String) -> Double? {
        switch column {
        case "train_loss": return trainLoss
        case "valid_loss": return validLoss
        default: return metrics.first { $0.name == column }?.value
        }
    }
}

/// What training did: the loss and learning rate of every batch and one row per epoch
/// (fastai's `Recorder`).
///
/// ```swift
/// try learner.recorder.plotLoss(to: "loss.svg")
/// ```
public final class Recorder: @unchecked Sendable {
    /// The raw loss of each training batch, in order.
    public private(set) var batchLosses: [Float] = []
    /// The learning rate used for each training batch.
    public private(set) var learningRates: [Float] = []
    /// The validation loss after each epoch, at the batch index where it was measured.
    public private(set) var validationPoints: [(batch: Int, loss: Double)] = []
    /// One row per epoch.
    public private(set) var epochs: [EpochRecord] = []

    /// Makes an empty recorder.
    public init() {}

    func record(batchLoss: Float, learningRate: Float) {
        batchLosses.append(batchLoss)
        learningRates.append(learningRate)
    }

    func record(epoch: EpochRecord) {
        epochs.append(epoch)
        validationPoints.append((batchLosses.count, epoch.validLoss))
    }

    /// Clears everything (done at the start of each fit).
    func reset() {
        batchLosses = []
        learningRates = []
        validationPoints = []
        epochs = []
    }

    /// A chart of the training loss per batch and the validation loss per epoch.
    ///
    /// - Returns: A chart with a `train` line over batch indices and, after an epoch, a `valid`
    ///   line at the batches where validation ran.
    public func lossChart() -> Chart {
        var chart = Chart(title: "Loss", xTitle: "batch", yTitle: "loss")
        chart.addLine(x: batchLosses.indices.map(Double.init), y: batchLosses.map(Double.init), label: "train")
        if !validationPoints.isEmpty {
            chart.addLine(x: validationPoints.map { Double($0.batch) }, y: validationPoints.map(\.loss), label: "valid")
        }
        return chart
    }

    /// Writes `lossChart()` as an SVG file (atomically).
    ///
    /// ```swift
    /// try learner.recorder.plotLoss(to: "loss.svg")
    /// ```
    ///
    /// - Parameter path: The SVG file to write; its folder must exist.
    /// - Throws: `ChartError.writeFailed(path:reason:)` when the file cannot be written; an older
    ///   file at `path` is left as it was.
    public func plotLoss(to path: String) throws(ChartError) {
        try SVGChart(lossChart()).write(toFile: path)
    }
}
