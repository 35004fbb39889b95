import Foundation

extension Chart {
    // MARK: - Tick values

    /// About `count` "nice" tick values from `lower` to `upper`: the multiples of a step that is
    /// 1, 2 or 5 × 10^k.
    ///
    /// The step is the nice number nearest `(upper - lower) / (count - 1)`. With `expand`, the ticks
    /// reach out to the first multiple at or below `lower` and at or above `upper`; without, they
    /// stay inside. Returns `[]` for a non-finite or reversed range, `[lower]` when it is one value,
    /// and `[lower, upper]` when the span is too wide for a `Double` step.
    ///
    /// ```swift
    /// Chart.niceTicks(from: 0, to: 0.97, count: 5, expand: true)  // [0, 0.2, 0.4, 0.6, 0.8, 1]
    /// Chart.niceTicks(from: -3, to: 12)                           // [0, 5, 10]
    /// ```
    ///
    /// - Parameters:
    ///   - lower: The start of the range.
    ///   - upper: The end of the range, not below `lower`.
    ///   - count: About how many ticks to make.
    ///   - expand: Whether the ticks reach out to cover the range (`true`) or stay inside it.
    /// - Returns: The tick values in increasing order.
    public static func niceTicks(from lower: Double, to upper: Double, count: Int = 5, expand: Bool = false) -> [Double] {
        guard lower.isFinite, upper.isFinite, lower <= upper else { return [] }
        guard lower < upper else { return [lower] }
        let rawStep = (upper / 2 - lower / 2) / Double(max(1, count - 1)) * 2
        guard rawStep.isFinite, rawStep > 0 else { return [lower, upper] }
        var exponent = Int(log10(rawStep).rounded(.down))
        let scaled = rawStep / pow(10, Double(exponent))
        let mantissa: Int
        switch scaled {
        case ..<1.5: mantissa = 1
        case ..<3: mantissa = 2
        case ..<7: mantissa = 5
        default: mantissa = 1; exponent += 1
        }
        guard (-300...300).contains(exponent) else { return [lower, upper] }
        let step = Double(mantissa) * pow(10, Double(exponent))
        let first = expand ? (lower / step).rounded(.down) : (lower / step - 1e-9).rounded(.up)
        let last = expand ? (upper / step).rounded(.up) : (upper / step + 1e-9).rounded(.down)
        guard abs(first) < 1e15, abs(last) < 1e15, first <= last else { return [] }
        return (Int(first)...Int(last)).map { decimalValue(digits: $0 * mantissa, exponent: exponent) }.filter(\.isFinite)
    }

    /// The powers of ten from `lower` to `upper` (both > 0): every decade, or every few decades so
    /// that there are at most about `count`. Returns `[]` if the range is not positive and finite.
    ///
    /// ```swift
    /// Chart.logTicks(from: 2e-6, to: 3)                // [1e-5, 1e-4, 0.001, 0.01, 0.1, 1]
    /// Chart.logTicks(from: 1e-9, to: 1e9, count: 5)    // [1e-9, 1e-4, 10, 1e6]: every 5 decades
    /// ```
    ///
    /// - Parameters:
    ///   - lower: The start of the range, positive.
    ///   - upper: The end of the range, positive.
    ///   - count: About the most ticks to make; decades are skipped evenly to stay under it.
    /// - Returns: Powers of ten in increasing order.
    public static func logTicks(from lower: Double, to upper: Double, count: Int = 8) -> [Double] {
        guard lower > 0, lower <= upper, upper.isFinite else { return [] }
        let first = Int((log10(lower) - 1e-9).rounded(.up)), last = Int((log10(upper) + 1e-9).rounded(.down))
        guard first <= last else { return [] }
        let intervals = max(1, count - 1)
        let stride = max(1, (last - first + intervals - 1) / intervals)
        return Swift.stride(from: first, through: last, by: stride).map { decimalValue(digits: 1, exponent: $0) }
    }

    // MARK: - Tick labels

    /// Readable labels for tick values: plain decimals (`0.25`, `1500`) when every non-zero tick lies
    /// in `0.001 ..< 1_000_000`, otherwise `2.5e6`-style. With `uniformDecimals`, plain labels share
    /// one number of decimals (`0.5`, `1.0`, `1.5`); use `false` for log axes.
    ///
    /// ```swift
    /// Chart.tickLabels(for: [0, 0.5, 1])                          // ["0.0", "0.5", "1.0"]
    /// Chart.tickLabels(for: [1e-7, 1e-6], uniformDecimals: false) // ["1e-7", "1e-6"]
    /// ```
    ///
    /// - Parameters:
    ///   - ticks: The tick values, as from `niceTicks` or `logTicks`.
    ///   - uniformDecimals: Whether plain labels share one number of decimals (`true` for linear axes).
    /// - Returns: One label per tick, in the same order.
    public static func tickLabels(for ticks: [Double], uniformDecimals: Bool = true) -> [String] {
        let scientific = ticks.contains { tick in
            let magnitude = abs(tick)
            return magnitude.isFinite && magnitude > 0 && (magnitude >= 1e6 || magnitude < 1e-3)
        }
        if scientific { return ticks.map(scientificLabel) }
        let decimals = ticks.map(decimalsNeeded)
        let shared = decimals.max() ?? 0
        return zip(ticks, decimals).map { tick, own in
            tick.isFinite ? String(format: "%.\(uniformDecimals ? shared : own)f", tick + 0) : "\(tick)"
        }
    }

    /// The fewest decimals (at most 12) that show `value` to within a relative 1e-9.
    private static func decimalsNeeded(_ value: Double) -> Int {
        guard value.isFinite else { return 0 }
        return (0...12).first { decimals in
            let scale = pow(10, Double(decimals))
            return abs((value * scale).rounded() / scale - value) <= 1e-9 * abs(value)
        } ?? 12
    }

    /// `value` as `<mantissa>e<exponent>`, e.g. `2.5e6`, `1e-7`.
    private static func scientificLabel(_ value: Double) -> String {
        guard value.isFinite, value != 0 else { return value == 0 ? "0" : "\(value)" }
        var exponent = Int(log10(abs(value)).rounded(.down))
        let scaled = exponent < -300
            ? value * 1e300 / pow(10, Double(exponent + 300))
            : value / pow(10, Double(exponent))
        var mantissa = (scaled * 1e6).rounded() / 1e6
        if abs(mantissa) >= 10 {
            mantissa /= 10
            exponent += 1
        }
        let digits = "\(mantissa)"
        return (digits.hasSuffix(".0") ? String(digits.dropLast(2)) : digits) + "e\(exponent)"
    }

    /// `digits × 10^exponent`, rounded once where 10^|exponent| is exact, so that `3 × 10^-1` is
    /// exactly the `Double` nearest 0.3.
    private static func decimalValue(digits: Int, exponent: Int) -> Double {
        (-22..<0).contains(exponent)
            ? Double(digits) / pow(10, Double(-exponent))
            : Double(digits) * pow(10, Double(exponent))
    }
}
