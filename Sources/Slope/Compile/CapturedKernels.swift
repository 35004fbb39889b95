import Foundation

/// The arithmetic of each captured op on raw buffers, written to match the eager op value for
/// value (same operations, same order), so a replay is bit-identical to the eager step. Each
/// function names the eager code it mirrors.
enum CapturedKernels {
    // MARK: - Polynomial (`Tensor.polynomial`)

    /// Horner's rule at every point: `out[j] = (…(a[d]·x + a[d−1])·x + …) + a[0]`.
    static func polynomial(
        _ a: UnsafePointer<Float>, degree: Int, at x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int
    ) {
        for j in 0..<count {
            let value = x[j]
            var result = a[degree]
            var power = degree - 1
            while power >= 0 { result = result * value + a[power]; power -= 1 }
            out[j] = result
        }
    }

    /// `d/da_i = Σ_j g_j·x_jⁱ`, accumulated point by point as the eager pullback does.
    static func polynomialCoefficientGradient(
        _ g: UnsafePointer<Float>, at x: UnsafePointer<Float>, degree: Int, count: Int, into sums: UnsafeMutablePointer<Float>
    ) {
        sums.update(repeating: 0, count: degree + 1)
        for j in 0..<count {
            var power: Float = 1
            for i in 0...degree { sums[i] += g[j] * power; power *= x[j] }
        }
    }

    /// `d/dx_j = g_j · Σ i·a_i·x_jⁱ⁻¹` by Horner's rule.
    static func polynomialInputGradient(
        _ g: UnsafePointer<Float>, _ a: UnsafePointer<Float>, degree: Int, at x: UnsafePointer<Float>, count: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        for j in 0..<count {
            let value = x[j]
            var slope: Float = 0
            var power = degree
            while power >= 1 { slope = slope * value + Float(power) * a[power]; power -= 1 }
            out[j] = g[j] * slope
        }
    }

    // MARK: - Linear (`Tensor.linear`, `Tensor.product`)

    /// `out = x Wᵀ + b` for `rows` rows.
    static func linear(
        _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<Float>,
        rows: Int, outputs: Int, features: Int
    ) {
        if rows * outputs > 0 {
            if features == 0 {
                out.update(repeating: 0, count: rows * outputs)
            } else {
                Gemm.multiply(
                    transposeA: false, transposeB: true, m: rows, n: outputs, k: features,
                    a: x, lda: features, b: weight, ldb: features, c: out, ldc: outputs)
            }
        }
        if let bias {
            for r in 0..<rows { for j in 0..<outputs { out[r * outputs + j] += bias[j] } }
        }
    }

    /// `Tensor.product(a, b, m:k:n:transposeA:transposeB: false)` into `out`.
    static func product(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, m: Int, k: Int, n: Int, transposeA: Bool,
        into out: UnsafeMutablePointer<Float>
    ) {
        guard m * n > 0 else { return }
        if k == 0 {
            out.update(repeating: 0, count: m * n)
            return
        }
        Gemm.multiply(
            transposeA: transposeA, transposeB: false, m: m, n: n, k: k,
            a: a, lda: transposeA ? m : k, b: b, ldb: n, c: out, ldc: n)
    }

    /// Column sums of a `[rows, columns]` matrix, row after row (`Kernels.reduce` over axis 0).
    static func columnSums(_ g: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
        out.update(repeating: 0, count: columns)
        for r in 0..<rows {
            let row = g + r * columns
            for i in 0..<columns { out[i] = out[i] + row[i] }
        }
    }

    // MARK: - Mean squared error (`mse`)

    /// `Σ (p − t)² / n`, keeping the differences for the pullback.
    static func mse(
        _ p: UnsafePointer<Float>, _ t: UnsafePointer<Float>, difference: UnsafeMutablePointer<Float>, count: Int
    ) -> Float {
        for i in 0..<count { difference[i] = p[i] - t[i] }
        var sum: Float = 0
        for i in 0..<count { sum += difference[i] * difference[i] }
        return sum / Float(count)
    }

    /// `d/dp = 2(p − t)·g/n`, `d/dt = −d/dp`.
    static func mseGradient(
        _ g: Float, difference: UnsafePointer<Float>, count: Int,
        prediction: UnsafeMutablePointer<Float>?, target: UnsafeMutablePointer<Float>?
    ) {
        let scale = g / Float(count)
        if let prediction {
            for i in 0..<count { prediction[i] = 2 * difference[i] * scale }
            if let target { for i in 0..<count { target[i] = -prediction[i] } }
        } else if let target {
            for i in 0..<count { target[i] = -(2 * difference[i] * scale) }
        }
    }

    // MARK: - Cross-entropy (`crossEntropy`, `logSoftmax`)

    /// The class index stored in a target, checked as `classIndices` checks it.
    @inline(__always)
    private static func classIndex(_ value: Float, classes: Int) -> Int {
        let index = Int(value)
        require(Float(index) == value && index >= 0 && index < classes,
                "crossEntropy: target \(value) is not a class index in 0..<\(classes)")
        return index
    }

    /// The log-softmax of each row (`logSoftmax(axis: 1)`: the row maximum, made 0 when not
    /// finite, subtracted; then the log of the sum of exponentials), the per-sample losses, and
    /// their mean or sum (`Kernels.sum`).
    static func crossEntropy(
        _ logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, logProbabilities: UnsafeMutablePointer<Float>,
        perSample: UnsafeMutablePointer<Float>, rows: Int, classes: Int, labelSmoothing smoothing: Float, mean: Bool
    ) -> Float {
        for r in 0..<rows {
            let x = logits + r * classes, out = logProbabilities + r * classes
            var largest = -Float.infinity
            for c in 0..<classes { largest = Swift.max(largest, x[c]) }
            if !largest.isFinite { largest = 0 }
            var total: Float = 0
            for c in 0..<classes {
                out[c] = x[c] - largest
                total = total + Foundation.exp(out[c])
            }
            let logTotal = Foundation.log(total)
            for c in 0..<classes { out[c] = out[c] - logTotal }
        }
        for i in 0..<rows {
            let row = logProbabilities + i * classes
            var total: Float = 0
            if smoothing > 0 { for c in 0..<classes { total += row[c] } }
            let index = classIndex(targets[i], classes: classes)
            perSample[i] = -(1 - smoothing) * row[index] - smoothing / Float(classes) * total
        }
        let sum = Kernels.sum(UnsafeBufferPointer(start: perSample, count: rows))
        return mean ? sum / Float(Swift.max(rows, 1)) : sum
    }

    /// `d/dlogits = (softmax − q)·w` per sample, `q = (1−ε)·onehot + ε/C`, `w = g/n` (mean) or `g`.
    static func crossEntropyGradient(
        _ g: Float, logProbabilities: UnsafePointer<Float>, targets: UnsafePointer<Float>, rows: Int, classes: Int,
        labelSmoothing smoothing: Float, mean: Bool, into out: UnsafeMutablePointer<Float>
    ) {
        let weight = mean ? g / Float(Swift.max(rows, 1)) : g
        for i in 0..<(rows * classes) { out[i] = Foundation.exp(logProbabilities[i]) }
        for i in 0..<rows {
            let row = i * classes
            let index = classIndex(targets[i], classes: classes)
            for c in 0..<classes {
                let target = (c == index ? 1 - smoothing : 0) + smoothing / Float(classes)
                out[row + c] = (out[row + c] - target) * weight
            }
        }
    }
}
