import Foundation

extension FitState {
    /// How much the loss may grow, as a factor, before a batch of steps says so.
    public static let riseFactor: Float = 2

    /// The warning for a batch of steps in which the loss rose more than ``riseFactor``-fold:
    /// over one step (the first such step is named), or from the first loss to the last. It
    /// suggests a learning rate ten times smaller.
    ///
    /// ```swift
    /// FitState.riseWarning(losses: [1], final: 150, lr: 5, firstStep: 1)
    /// // "step 1 raised the loss from 1 to 150 (150x) with learning rate 5: try a smaller one, like 0.5"
    /// ```
    ///
    /// - Parameters:
    ///   - losses: The loss before each step, in order.
    ///   - final: The loss after the last step (a non-finite one is not compared).
    ///   - lr: The learning rate of the steps.
    ///   - firstStep: The number of the first step, counted since the last reset.
    /// - Returns: The warning, or `nil` when the loss never rose that much.
    public static func riseWarning(losses: [Float], final: Float, lr: Float, firstStep: Int) -> String? {
        guard let first = losses.first else { return nil }
        let sequence = final.isFinite ? losses + [final] : losses
        let advice = "with learning rate \(number(lr)): try a smaller one, like \(number(lr / 10))"
        for index in sequence.indices.dropLast() {
            let (before, after) = (sequence[index], sequence[index + 1])
            if before > 0, after > riseFactor * before {
                return "step \(firstStep + index) raised the loss from \(number(before)) to \(number(after)) "
                    + "(\(number(after / before))x) \(advice)"
            }
        }
        if let last = sequence.last, first > 0, last > riseFactor * first {
            let steps = sequence.count - 1
            return "the loss rose from \(number(first)) to \(number(last)) (\(number(last / first))x) over \(steps) "
                + "step\(steps == 1 ? "" : "s") \(advice)"
        }
        return nil
    }

    /// Four significant digits, without trailing zeros: `0.5`, `150`, `1.235e+04`.
    static func number(_ value: Float) -> String {
        String(format: "%.4g", Double(value))
    }
}
