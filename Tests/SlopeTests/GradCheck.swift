import Testing
@testable import Slope

// MARK: - Finite-difference gradient checker
//
// tinygrad's gradcheck, adapted to Float32 tensors: the scalar
//
//     L(inputs) = Σₖ f(inputs)ₖ · Rₖ
//
// with a fixed random weight tensor R (so every output position matters and a wrong
// pullback cannot hide behind a symmetric sum) is differentiated by `backward()` and by
// central differences
//
//     ∂L/∂xⱼ ≈ (L(x + h·eⱼ) − L(x − h·eⱼ)) / (x⁺ⱼ − x⁻ⱼ)
//
// where the L evaluations read the Float outputs and accumulate them in Double, and the
// denominator is the difference actually representable in Float (x ± h rounded).
//
// Tolerance: |analytic − numeric| ≤ tolerance · max(1, |numeric|), 1e-2 by default. Float32
// rounding in a forward pass moves L by ~1e-7·Σ|fₖRₖ|, i.e. the numeric derivative by ~1e-4
// with h = 1e-3: far below 1e-2. A factor-2 or sign error in a pullback moves the gradient
// by |gradient|, far above it (the checks keep gradients away from 0 by construction).

/// Weights for the scalar `L = sum(f * R)`: magnitudes in [0.5, 1.5) with random signs, so
/// every output position carries a distinct, non-negligible weight.
func gradCheckWeights(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    let count = shape.reduce(1, *)
    let values = (0..<count).map { _ -> Float in
        let magnitude = 0.5 + rng.nextUnitFloat()
        return rng.nextUnitFloat() < 0.5 ? -magnitude : magnitude
    }
    return Tensor(shape: shape, scalars: values)
}

/// `Σₖ outputₖ · weightsₖ` in Double.
private func weightedSum(_ output: Tensor, _ weights: Tensor) -> Double {
    var total = 0.0
    for (value, weight) in zip(output.scalars, weights.scalars) { total += Double(value) * Double(weight) }
    return total
}

/// Checks the gradients `backward()` gives for every input of `f` against central finite
/// differences, recording one issue per mismatching element (op, input index, element
/// position, analytic and numeric values).
///
/// Every input becomes a leaf that requires grad (its `.grad` is cleared first). Constants
/// that should not be differentiated are captured by `f` instead of passed as inputs.
///
/// ```swift
/// checkGradients("mul", [a, b]) { $0[0] * $0[1] }
/// ```
func checkGradients(
    _ name: String,
    _ inputs: [Tensor],
    h: Float = 1e-3,
    tolerance: Double = 1e-2,
    seed: UInt64 = 0x5EED,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ f: ([Tensor]) -> Tensor
) {
    for input in inputs {
        input.requiresGrad()
        input.zeroGrad()
    }

    // Analytic: backward through L = sum(f * R).
    let output = f(inputs)
    let weights = gradCheckWeights(output.shape, seed: seed)
    #expect(output.requiresGrad, "\(name): result does not require grad", sourceLocation: sourceLocation)
    guard output.requiresGrad else { return }
    let loss = (output * weights).sum()
    loss.backward()

    // The reference value of L, to make sure evaluating without recording gives the same.
    let recorded = weightedSum(output, weights)
    let replayed = noGrad { weightedSum(f(inputs), weights) }
    #expect(
        abs(recorded - replayed) <= 1e-6 * max(1, abs(recorded)), "\(name): forward differs between recording (\(recorded)) and noGrad (\(replayed))",
        sourceLocation: sourceLocation)

    for (index, input) in inputs.enumerated() {
        guard let grad = input.grad else {
            Issue.record("\(name): input \(index) (shape \(input.shape)) got no gradient", sourceLocation: sourceLocation)
            continue
        }
        #expect(
            grad.shape == input.shape,
            "\(name): gradient of input \(index) has shape \(grad.shape), input has \(input.shape)",
            sourceLocation: sourceLocation)
        guard grad.shape == input.shape else { continue }
        var failures = 0
        for element in 0..<input.count {
            let original = input.storage[element]
            let plus = original + h, minus = original - h
            input.storage[element] = plus
            let high = noGrad { weightedSum(f(inputs), weights) }
            input.storage[element] = minus
            let low = noGrad { weightedSum(f(inputs), weights) }
            input.storage[element] = original
            let numeric = (high - low) / (Double(plus) - Double(minus))
            let analytic = Double(grad.storage[element])
            if !(abs(analytic - numeric) <= tolerance * max(1, abs(numeric))) {
                failures += 1
                if failures <= 5 {
                    Issue.record(
                        "\(name): input \(index) (shape \(input.shape)) element \(element) [\(position(element, in: input.shape))]: analytic \(analytic), numeric \(numeric)",
                        sourceLocation: sourceLocation)
                }
            }
        }
        if failures > 5 {
            Issue.record("\(name): input \(index): \(failures - 5) more mismatching elements", sourceLocation: sourceLocation)
        }
    }
}

/// The multi-index of a flat row-major position, for messages.
private func position(_ flat: Int, in shape: [Int]) -> String {
    var rest = flat
    var index = [Int](repeating: 0, count: shape.count)
    for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
        index[axis] = rest % shape[axis]
        rest /= shape[axis]
    }
    return index.map(String.init).joined(separator: ", ")
}

// MARK: - Inputs built to stay away from kinks

/// Deterministic test inputs. Each helper takes a seed so every check has its own stream.
enum GradInput {
    /// Uniform values in `[low, high)`.
    static func uniform(_ shape: [Int], _ low: Float, _ high: Float, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        return Tensor.uniform(shape, low: low, high: high, generator: &rng)
    }

    /// Values in `[-2, 2]` with `|x| >= 0.2`, so relu/abs/sign-dependent ops have no kink
    /// within `h` of any value.
    static func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let count = shape.reduce(1, *)
        let values = (0..<count).map { _ -> Float in
            let magnitude = 0.2 + 1.8 * rng.nextUnitFloat()
            return rng.nextUnitFloat() < 0.5 ? -magnitude : magnitude
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// Uniform values in `[low, high)` at least `margin` from every one of `points` (the kinks
    /// of clamp, for example).
    static func avoiding(
        _ shape: [Int], _ low: Float, _ high: Float, points: [Float], margin: Float = 0.2, seed: UInt64
    ) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let count = shape.reduce(1, *)
        let values = (0..<count).map { _ -> Float in
            while true {
                let value = low + (high - low) * rng.nextUnitFloat()
                if points.allSatisfy({ abs(value - $0) >= margin }) { return value }
            }
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// Positive values in `[low, high)` (for log, sqrt, pow with fractional exponents).
    static func positive(_ shape: [Int], low: Float = 0.5, high: Float = 2, seed: UInt64) -> Tensor {
        uniform(shape, low, high, seed: seed)
    }

    /// Distinct values `0.3·k − offset` for k = 0..<count in shuffled order: no two within
    /// 0.3 of each other, so max/min have no ties within `h`.
    static func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let count = shape.reduce(1, *)
        var values = (0..<count).map { Float($0) * 0.3 - Float(count) * 0.15 }
        values.shuffle(using: &rng)
        return Tensor(shape: shape, scalars: values)
    }

    /// A pair `(a, b)` of the given shapes whose broadcast values differ by at least 0.2
    /// everywhere (for maximum/minimum): `b` is `a`-independent and `a` avoids `b ± 0.2`.
    static func separatedPair(_ lhsShape: [Int], _ rhsShape: [Int], seed: UInt64) -> (Tensor, Tensor) {
        // a takes values in ±[1.2, 2], b in (-0.8, 0.8): |a - b| >= 0.4 always.
        let a = awayFromZero(lhsShape, seed: seed).scalars.map { $0 > 0 ? 1.2 + ($0 - 0.2) * 0.4 : -1.2 + ($0 + 0.2) * 0.4 }
        let b = uniform(rhsShape, -0.8, 0.8, seed: seed &+ 1)
        return (Tensor(shape: lhsShape, scalars: a), b)
    }
}

/// Whether two Float arrays agree within `tolerance` (absolute) element by element.
func approximatelyEqual(_ lhs: [Float], _ rhs: [Float], tolerance: Float = 1e-5) -> Bool {
    lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
}
