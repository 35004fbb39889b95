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

    /// The training loss smoothed as fastai plots it: an exponential moving average with
    /// β = 0.98, debiased, `avgᵢ = β·avgᵢ₋₁ + (1 − β)·lossᵢ`, `smoothᵢ = avgᵢ / (1 − β^(i+1))`,
    /// over every batch in order (the same value the progress table shows as `train_loss`).
    ///
    /// ```swift
    /// let smooth = learner.recorder.smoothedLosses()
    /// ```
    ///
    /// - Returns: One value per batch.
    public func smoothedLosses() -> [Double] {
        let beta = 0.98
        var average = 0.0, power = 1.0
        return batchLosses.map { loss in
            average = beta * average + (1 - beta) * Double(loss)
            power *= beta
            return average / (1 - power)
        }
    }

    /// A chart of training as fastai draws it: the smoothed training loss over the raw batch
    /// losses (faint), the validation loss as a point at the end of each epoch, and a dashed line
    /// at each epoch boundary.
    ///
    /// - Returns: A chart with `train (smoothed)` and faint `batches` lines over batch indices and,
    ///   after an epoch, `valid` points and `epoch N` boundaries; its summary gives the last values.
    public func lossChart() -> Chart {
        var chart = Chart(title: "Loss", xTitle: "batch", yTitle: "loss")
        let batches = batchLosses.indices.map(Double.init)
        let smooth = smoothedLosses()
        chart.addLine(x: batches, y: batchLosses.map(Double.init), label: "batches", faint: true)
        chart.addLine(x: batches, y: smooth, label: "train (smoothed)", color: chart.color(ofSeries: 0))
        if !validationPoints.isEmpty {
            chart.addPoints(x: validationPoints.map { Double($0.batch) }, y: validationPoints.map(\.loss), label: "valid")
        }
        for (index, point) in validationPoints.enumerated().dropLast() {
            chart.addVerticalLine(x: Double(point.batch) - 0.5, label: "epoch \(index + 2)")
        }
        var summary = "Training loss over \(batchLosses.count) batches"
        if let last = smooth.last { summary += String(format: ", smoothed to %.4g at the end", last) }
        if let valid = validationPoints.last {
            summary += String(format: "; validation loss %.4g after %d epoch%@", valid.loss, validationPoints.count, validationPoints.count == 1 ? "" : "s")
        }
        chart.summary = summary + "."
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
