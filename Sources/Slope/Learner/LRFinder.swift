import Foundation

/// The result of `lrFind()`: the loss at each learning rate tried and a suggested rate.
public struct LRFindResult: Sendable {
    /// The learning rates tried, rising exponentially.
    public let learningRates: [Float]
    /// The smoothed loss at each rate.
    public let losses: [Float]
    /// fastai's "valley" suggestion: a rate inside the longest stretch of falling loss.
    public let suggestion: Float

    /// How many of the last losses the chart leaves out, as fastai's `plot_lr_find(skip_end=5)`
    /// does: the final spike would otherwise set the y range and flatten the curve.
    public static let chartSkipsLast = 5

    /// A chart of loss against learning rate (log scale) as fastai draws it: the last
    /// ``chartSkipsLast`` points left out (when more than twice as many remain), the y range
    /// clipped to the useful region (from just below the least loss to just above the highest
    /// loss before it), and the suggestion as a marker with a dashed vertical line, labelled.
    ///
    /// ```swift
    /// try SVGChart(learner.lrFind().chart()).write(toFile: "lr_find.svg")
    /// ```
    ///
    /// - Returns: A chart with the loss line and, when the suggestion lies in the range tried, a
    ///   point and a dashed line labelled `valley <rate>`.
    public func chart() -> Chart {
        var chart = Chart(title: "Learning rate finder", xTitle: "learning rate", yTitle: "loss", xScale: .logarithmic)
        let keep = losses.count > 3 * LRFindResult.chartSkipsLast ? losses.count - LRFindResult.chartSkipsLast : losses.count
        let rates = Array(learningRates.prefix(keep)), kept = Array(losses.prefix(keep)).map(Double.init)
        chart.addLine(x: rates, y: kept.map(Float.init), label: "loss")
        let finite = kept.enumerated().filter { $0.element.isFinite }
        if let lowest = finite.min(by: { $0.element < $1.element }) {
            let before = finite.filter { $0.offset <= lowest.offset }.map(\.element).max() ?? lowest.element
            let span = Swift.max(before - lowest.element, Swift.abs(lowest.element) * 0.05, 1e-6)
            chart.yRange = (lowest.element - 0.1 * span)...(before + 0.1 * span)
        }
        let label = String(format: "valley %.2e", suggestion)
        if let index = learningRates.firstIndex(where: { $0 >= suggestion }) {
            chart.addPoints(x: [suggestion], y: [losses[index]], label: label)
            chart.addVerticalLine(x: suggestion, label: label)
        }
        chart.summary = "Smoothed loss at \(rates.count) learning rates from "
            + String(format: "%.1e to %.1e", rates.first ?? 0, rates.last ?? 0)
            + (losses.count > keep ? " (the last \(losses.count - keep) left out)" : "")
            + "; suggested learning rate " + String(format: "%.2e", suggestion) + "."
        return chart
    }
}

extension Learner {
    /// fastai's learning-rate finder: trains on successive batches while the learning rate
    /// rises exponentially from `startLR` to `endLR`, records the smoothed loss (β = 0.98), stops
    /// when it exceeds 4× its minimum, then puts the weights back as they were.
    ///
    /// ```swift
    /// let found = learner.lrFind()
    /// learner.fitOneCycle(epochs: 5, maxLR: found.suggestion)
    /// ```
    ///
    /// - Parameters:
    ///   - startLR: The first learning rate, positive.
    ///   - endLR: The last learning rate, above `startLR`; rate `i` is
    ///     `startLR · (endLR/startLR)^(i/(iterations-1))`.
    ///   - iterations: How many batches to train at most (at least 2); the training data is cycled
    ///     when it has fewer batches.
    /// - Returns: The rates tried, their smoothed losses and the valley suggestion; the model's
    ///   weights are as before the call.
    public func lrFind(startLR: Float = 1e-7, endLR: Float = 10, iterations: Int = 100) -> LRFindResult {
        require(startLR > 0 && endLR > startLR && iterations >= 2, "lrFind: needs 0 < startLR < endLR and at least 2 iterations")
        let snapshot = ModelSnapshot(model)
        let optimizer = makeOptimizer(model, startLR)
        var rates: [Float] = [], losses: [Float] = []
        var smoothed = 0.0, best = Double.infinity
        model.train()
        var iterator = data.train.makeIterator()
        for step in 0..<iterations {
            guard let batch = iterator.next() ?? { iterator = data.train.makeIterator(); return iterator.next() }() else { break }
            let rate = startLR * Foundation.pow(endLR / startLR, Float(step) / Float(iterations - 1))
            optimizer.lr = rate
            let value = loss(model(batch.inputs), batch.targets)
            let raw = Double(value.item())
            if !raw.isFinite { break }
            smoothed = 0.98 * smoothed + 0.02 * raw
            let debiased = smoothed / (1 - Foundation.pow(0.98, Double(step + 1)))
            rates.append(rate)
            losses.append(Float(debiased))
            best = Swift.min(best, debiased)
            if debiased > 4 * best { break }
            optimizer.zeroGrad()
            value.backward()
            optimizer.step()
        }
        snapshot.restore(model)
        model.zeroGrad()
        return LRFindResult(learningRates: rates, losses: losses, suggestion: LRFindResult.valley(rates, losses))
    }
}

extension LRFindResult {
    /// fastai's `valley`: the longest decreasing run of the loss curve; the suggestion sits
    /// past its middle (start + ⌊len/3⌋ + ⌊len/6⌋).
    static func valley(_ rates: [Float], _ losses: [Float]) -> Float {
        let n = losses.count
        guard n > 1 else { return rates.first ?? 1e-3 }
        var lengths = [Int](repeating: 1, count: n)
        var maxStart = 0, maxEnd = 0
        for i in 1..<n {
            for j in 0..<i where losses[i] < losses[j] && lengths[i] < lengths[j] + 1 {
                lengths[i] = lengths[j] + 1
            }
            if lengths[maxEnd] < lengths[i] {
                maxEnd = i
                maxStart = maxEnd - lengths[maxEnd]
            }
        }
        let sections = Double(maxEnd - maxStart) / 3
        let index = Swift.min(n - 1, Swift.max(0, maxStart + Int(sections) + Int(sections / 2)))
        return rates[index]
    }
}
