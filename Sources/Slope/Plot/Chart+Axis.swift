import Foundation

extension Chart {
    /// One laid-out axis: its range, ticks and labels, and the map from values to positions.
    struct Axis {
        /// How values map to positions.
        let scale: Scale
        /// The value at the start of the axis.
        let lower: Double
        /// The value at the end of the axis.
        let upper: Double
        /// The tick values, inside `lower...upper`.
        let ticks: [Double]
        /// One label per tick.
        let labels: [String]

        /// Lays out an axis over `values` (or over `range` when it is usable) with about `tickCount` ticks.
        init(values: [Double], scale: Scale, range: ClosedRange<Double>?, tickCount: Int, padding: Double = 0) {
            self.scale = scale
            let plottable = values.filter { Axis.isPlottable($0, scale: scale) }
            let usableRange = range.flatMap { range in
                Axis.isPlottable(range.lowerBound, scale: scale) && Axis.isPlottable(range.upperBound, scale: scale)
                    && range.lowerBound < range.upperBound ? range : nil
            }
            var lower: Double, upper: Double, ticks: [Double]
            switch (scale, usableRange) {
            case (.linear, let range?):
                (lower, upper) = (range.lowerBound, range.upperBound)
                ticks = Chart.niceTicks(from: lower, to: upper, count: tickCount)
            case (.logarithmic, let range?):
                (lower, upper) = (range.lowerBound, range.upperBound)
                ticks = Chart.logTicks(from: lower, to: upper, count: tickCount)
                if ticks.count < 2 { ticks = Chart.niceTicks(from: lower, to: upper, count: tickCount) }
            case (.linear, nil):
                (lower, upper) = (plottable.min() ?? 0, plottable.max() ?? 1)
                if lower == upper {
                    let pad = lower == 0 ? 1 : abs(lower) / 10
                    (lower, upper) = (max(lower - pad, -.greatestFiniteMagnitude), min(upper + pad, .greatestFiniteMagnitude))
                } else if padding > 0, padding.isFinite {
                    let pad = (upper / 2 - lower / 2) * 2 * Swift.min(padding, 1)
                    if pad.isFinite { (lower, upper) = (lower - pad, upper + pad) }
                }
                ticks = Chart.niceTicks(from: lower, to: upper, count: tickCount, expand: true)
                if let first = ticks.first, let last = ticks.last, first <= lower, last >= upper {
                    (lower, upper) = (first, last)
                }
            case (.logarithmic, nil):
                let last = min(308, max(log10(plottable.max() ?? 10).rounded(.up), -322))
                let first = max(-323, min(log10(plottable.min() ?? 1).rounded(.down), last - 1))
                (lower, upper) = (pow(10, first), pow(10, last))
                ticks = Chart.logTicks(from: lower, to: upper, count: tickCount)
            }
            self.lower = lower
            self.upper = upper
            self.ticks = ticks.filter { $0 >= lower && $0 <= upper }
            self.labels = Chart.tickLabels(for: self.ticks, uniformDecimals: scale == .linear)
        }

        /// Whether `value` can be placed on an axis with this scale.
        static func isPlottable(_ value: Double, scale: Scale) -> Bool {
            value.isFinite && (scale == .linear || value > 0)
        }

        /// Where `value` falls: 0 at `lower`, 1 at `upper`; `nil` if it cannot be placed.
        func fraction(of value: Double) -> Double? {
            guard Axis.isPlottable(value, scale: scale) else { return nil }
            let position = switch scale {
            case .linear: (value / 2 - lower / 2) / (upper / 2 - lower / 2)
            case .logarithmic: (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
            }
            return position.isFinite ? position : nil
        }
    }
}
