import Foundation

/// Element-wise math functions, each with its pullback beside it.
extension Tensor {
    /// Makes a tensor of this tensor's shape from values (internal shorthand for the ops).
    @inline(__always)
    func sameShape(_ values: [Float]) -> Tensor { Tensor(unchecked: shape, values) }

    /// Raises every value to a scalar power: `a[i]^p`; `d/da = p * a^(p-1)`.
    ///
    /// ```swift
    /// let squares = x.pow(2)
    /// ```
    ///
    /// - Parameter exponent: The power `p`; any Float (negative values of `a` with a non-integer
    ///   `p` give NaN, as `powf` does).
    /// - Returns: A tensor of this tensor's shape.
    public func pow(_ exponent: Float) -> Tensor {
        let input = self
        let values: [Float]
        switch exponent {
        case 2: values = Kernels.map(storage) { $0 * $0 }
        case 1: values = storage
        case 0.5: values = Kernels.map(storage) { $0.squareRoot() }
        default: values = Kernels.map(storage) { Foundation.pow($0, exponent) }
        }
        let result = sameShape(values)
        if Tensor.recording(self) {
            result.record("pow", self) { g in
                if exponent == 2 { return g.sameShape(Kernels.zip(g.storage, input.storage) { $0 * 2 * $1 }) }
                if exponent == 0 { return g.sameShape([Float](repeating: 0, count: g.count)) }
                return g.sameShape(
                    Kernels.zip(g.storage, input.storage) { $0 * exponent * Foundation.pow($1, exponent - 1) })
            }
        }
        return result
    }

    /// Every value squared: `a[i]²` (the same as `pow(2)`).
    ///
    /// ```swift
    /// let squaredError = (prediction - target).squared()
    /// ```
    ///
    /// - Returns: A tensor of this tensor's shape; its gradient is `2a · g`.
    public func squared() -> Tensor { pow(2) }

    /// The natural exponential: `e^a[i]`; `d/da = e^a`.
    ///
    /// ```swift
    /// Tensor([0, 1]).exp()   // tensor([1.0000, 2.7183])
    /// ```
    ///
    /// - Returns: A tensor of this tensor's shape.
    public func exp() -> Tensor {
        let values = Kernels.map(storage) { Foundation.exp($0) }
        let result = sameShape(values)
        if Tensor.recording(self) {
            result.record("exp", self) { g in g.sameShape(Kernels.zip(g.storage, values, *)) }
        }
        return result
    }

    /// The natural logarithm: `ln a[i]`; `d/da = 1/a`.
    ///
    /// ```swift
    /// let logProbabilities = probabilities.log()
    /// ```
    ///
    /// - Returns: A tensor of this tensor's shape (`-inf` at 0, NaN below 0).
    public func log() -> Tensor {
        let input = self
        let result = sameShape(Kernels.map(storage) { Foundation.log($0) })
        if Tensor.recording(self) {
            result.record("log", self) { g in g.sameShape(Kernels.zip(g.storage, input.storage, /)) }
        }
        return result
    }

    /// The square root: `√a[i]`; `d/da = 1/(2√a)`.
    ///
    /// ```swift
    /// let rmse = mse(prediction, target).sqrt()
    /// ```
    ///
    /// - Returns: A tensor of this tensor's shape (NaN below 0).
    public func sqrt() -> Tensor {
        let values = Kernels.map(storage) { $0.squareRoot() }
        let result = sameShape(values)
        if Tensor.recording(self) {
            result.record("sqrt", self) { g in g.sameShape(Kernels.zip(g.storage, values) { $0 * 0.5 / $1 }) }
        }
        return result
    }

    /// The absolute value: `|a[i]|`; `d/da = sign(a)` (0 at 0, as in PyTorch).
    ///
    /// ```swift
    /// let mae = (prediction - target).abs().mean()
    /// ```
    ///
    /// - Returns: A tensor of this tensor's shape.
    public func abs() -> Tensor {
        let input = self
        let result = sameShape(Kernels.map(storage) { Swift.abs($0) })
        if Tensor.recording(self) {
            result.record("abs", self) { g in
                g.sameShape(Kernels.zip(g.storage, input.storage) { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) })
            }
        }
        return result
    }

    /// Clips values into `[min, max]` (the lesson's `clip`); the gradient passes where
    /// `min <= a <= max` and is 0 outside. Either bound may be omitted. NaN stays NaN (its
    /// gradient is 0), as in PyTorch.
    ///
    /// ```swift
    /// let clipped = x.clamp(min: 0, max: 1)
    /// ```
    ///
    /// - Parameters:
    ///   - lower: The smallest value kept (`min:`); values below become `lower`.
    ///   - upper: The largest value kept (`max:`); values above become `upper`.
    /// - Returns: A tensor of this tensor's shape.
    public func clamp(min lower: Float = -.infinity, max upper: Float = .infinity) -> Tensor {
        let input = self
        let result = sameShape(Kernels.map(storage) { $0.isNaN ? $0 : Swift.min(Swift.max($0, lower), upper) })
        if Tensor.recording(self) {
            result.record("clamp", self) { g in
                g.sameShape(Kernels.zip(g.storage, input.storage) { $1 >= lower && $1 <= upper ? $0 : 0 })
            }
        }
        return result
    }

    /// The rectified linear unit: `max(a[i], 0)`; `d/da = 1` where `a > 0`, else 0. NaN stays
    /// NaN and passes its gradient, as in PyTorch (`relu(nan) = nan`, its backward is
    /// `a <= 0 ? 0 : g`), so a broken model shows NaN instead of a confident 0.
    ///
    /// ```swift
    /// let hidden = (x * m + b).relu()
    /// ```
    ///
    /// - Returns: A tensor of this tensor's shape.
    public func relu() -> Tensor {
        let input = self
        let result = sameShape(Kernels.relu(storage))
        if Tensor.recording(self) {
            result.record("relu", self) { g in g.sameShape(Kernels.reluGradient(g.storage, input.storage)) }
            if let session = CaptureSession.current { session.note(.relu, [self], result) }
        }
        return result
    }

    /// The logistic function: `1 / (1 + e^-a)`; `d/da = s(1 - s)`.
    ///
    /// ```swift
    /// let probability = logit.sigmoid()
    /// ```
    ///
    /// - Returns: A tensor of this tensor's shape, values in `(0, 1)`.
    public func sigmoid() -> Tensor {
        let values = Kernels.map(storage) { x in
            x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
        }
        let result = sameShape(values)
        if Tensor.recording(self) {
            result.record("sigmoid", self) { g in g.sameShape(Kernels.zip(g.storage, values) { $0 * $1 * (1 - $1) }) }
        }
        return result
    }

    /// The hyperbolic tangent; `d/da = 1 - tanh²`.
    ///
    /// ```swift
    /// let squashed = x.tanh()
    /// ```
    ///
    /// - Returns: A tensor of this tensor's shape, values in `(-1, 1)`.
    public func tanh() -> Tensor {
        let values = Kernels.map(storage) { Foundation.tanh($0) }
        let result = sameShape(values)
        if Tensor.recording(self) {
            result.record("tanh", self) { g in g.sameShape(Kernels.zip(g.storage, values) { $0 * (1 - $1 * $1) }) }
        }
        return result
    }

    /// The sine; `d/da = cos a`.
    ///
    /// ```swift
    /// let y = Tensor.linspace(-3, 3, count: 200).sin()
    /// ```
    ///
    /// - Returns: A tensor of this tensor's shape (radians in, values in `[-1, 1]` out).
    public func sin() -> Tensor {
        let input = self
        let result = sameShape(Kernels.map(storage) { Foundation.sin($0) })
        if Tensor.recording(self) {
            result.record("sin", self) { g in g.sameShape(Kernels.zip(g.storage, input.storage) { $0 * Foundation.cos($1) }) }
        }
        return result
    }

    /// The cosine; `d/da = -sin a`.
    ///
    /// ```swift
    /// let y = x.cos()
    /// ```
    ///
    /// - Returns: A tensor of this tensor's shape (radians in, values in `[-1, 1]` out).
    public func cos() -> Tensor {
        let input = self
        let result = sameShape(Kernels.map(storage) { Foundation.cos($0) })
        if Tensor.recording(self) {
            result.record("cos", self) { g in g.sameShape(Kernels.zip(g.storage, input.storage) { -$0 * Foundation.sin($1) }) }
        }
        return result
    }

    /// The element-wise larger of two tensors, with broadcasting; the gradient goes to the
    /// larger input, split evenly on ties. Where either input is NaN the result is NaN and both
    /// inputs get the whole gradient, as in PyTorch's `maximum`.
    ///
    /// ```swift
    /// let y = maximum(m * x + b, Tensor(0))   // the lesson's rectified linear
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: One input.
    ///   - rhs: The other; its shape and `lhs`'s must broadcast.
    /// - Returns: A tensor of the broadcast shape.
    public static func maximum(_ lhs: Tensor, _ rhs: Tensor) -> Tensor {
        selectBetween(lhs, rhs, op: "maximum") { $0 > $1 }
    }

    /// The element-wise smaller of two tensors, with broadcasting; the gradient goes to the
    /// smaller input, split evenly on ties. NaN propagates as in ``maximum(_:_:)``.
    ///
    /// ```swift
    /// let capped = Tensor.minimum(x, limit)
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: One input.
    ///   - rhs: The other; its shape and `lhs`'s must broadcast.
    /// - Returns: A tensor of the broadcast shape.
    public static func minimum(_ lhs: Tensor, _ rhs: Tensor) -> Tensor {
        selectBetween(lhs, rhs, op: "minimum") { $0 < $1 }
    }

    /// Shared body of `maximum` and `minimum`: picks `lhs` where `prefersLeft`, `rhs` where the
    /// reverse holds, either on ties (gradient halved to each), and NaN where either is NaN
    /// (gradient whole to each).
    private static func selectBetween(
        _ lhs: Tensor, _ rhs: Tensor, op: StaticString, _ prefersLeft: @escaping (Float, Float) -> Bool
    ) -> Tensor {
        let (shape, values) = Kernels.broadcastZip(lhs, rhs, op: op) { a, b in
            a.isNaN || b.isNaN ? a + b : (prefersLeft(a, b) || a == b ? a : b)
        }
        let result = Tensor(unchecked: shape, values)
        if recording(lhs, rhs) {
            result.record(op, lhs, rhs) { g in
                func share(_ picks: @escaping (Float, Float) -> Bool) -> Tensor {
                    let (_, values) = Kernels.broadcastZip(lhs, rhs, op: op) { a, b in
                        a.isNaN || b.isNaN ? 1 : (a == b ? 0.5 : (picks(a, b) ? 1 : 0))
                    }
                    return Tensor(unchecked: shape, values)
                }
                return (lhs.requiresGrad ? g * share(prefersLeft) : nil, rhs.requiresGrad ? g * share { prefersLeft($1, $0) } : nil)
            }
        }
        return result
    }
}

/// The element-wise larger of two tensors (`Tensor.maximum`).
///
/// ```swift
/// let y = maximum(m * x + b, Tensor(0))
/// ```
///
/// - Parameters:
///   - lhs: One input.
///   - rhs: The other; its shape and `lhs`'s must broadcast.
/// - Returns: `Tensor.maximum(lhs, rhs)`.
public func maximum(_ lhs: Tensor, _ rhs: Tensor) -> Tensor { Tensor.maximum(lhs, rhs) }

/// The element-wise smaller of two tensors (`Tensor.minimum`).
///
/// ```swift
/// let y = minimum(x, Tensor(1))
/// ```
///
/// - Parameters:
///   - lhs: One input.
///   - rhs: The other; its shape and `lhs`'s must broadcast.
/// - Returns: `Tensor.minimum(lhs, rhs)`.
public func minimum(_ lhs: Tensor, _ rhs: Tensor) -> Tensor { Tensor.minimum(lhs, rhs) }
