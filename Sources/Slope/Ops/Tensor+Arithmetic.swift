/// Element-wise arithmetic with NumPy broadcasting, each with its pullback beside it.
extension Tensor {
    // MARK: - Tensor with tensor

    /// Element-wise sum with broadcasting: `(a + b)[i] = a[i] + b[i]`.
    ///
    /// ```swift
    /// Tensor([1, 2]) + Tensor([[10], [20]])   // shape [2, 2]
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The first addend.
    ///   - rhs: The second addend; its shape and `lhs`'s must broadcast.
    /// - Returns: A tensor of the broadcast shape; recorded for `backward()` when either input requires grad.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        let (shape, values) = Kernels.broadcastZip(lhs, rhs, op: "add", +)
        let result = Tensor(unchecked: shape, values)
        if recording(lhs, rhs) { result.record("add", lhs, rhs) { g in (g, g) } }
        return result
    }

    /// Element-wise difference with broadcasting: `(a - b)[i] = a[i] - b[i]`.
    ///
    /// ```swift
    /// let residual = prediction - target
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The minuend.
    ///   - rhs: The subtrahend; its shape and `lhs`'s must broadcast.
    /// - Returns: A tensor of the broadcast shape; recorded for `backward()` when either input requires grad.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        let (shape, values) = Kernels.broadcastZip(lhs, rhs, op: "sub", -)
        let result = Tensor(unchecked: shape, values)
        if recording(lhs, rhs) { result.record("sub", lhs, rhs) { g in (g, rhs.requiresGrad ? -g : nil) } }
        return result
    }

    /// Element-wise product with broadcasting: `(a * b)[i] = a[i] * b[i]`;
    /// `d/da = b`, `d/db = a`.
    ///
    /// ```swift
    /// let y = m * x
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The first factor.
    ///   - rhs: The second factor; its shape and `lhs`'s must broadcast.
    /// - Returns: A tensor of the broadcast shape; recorded for `backward()` when either input requires grad.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        let (shape, values) = Kernels.broadcastZip(lhs, rhs, op: "mul", *)
        let result = Tensor(unchecked: shape, values)
        if recording(lhs, rhs) {
            result.record("mul", lhs, rhs) { g in
                (lhs.requiresGrad ? Tensor.scaledGradient(g, by: rhs, for: lhs) : nil,
                 rhs.requiresGrad ? Tensor.scaledGradient(g, by: lhs, for: rhs) : nil)
            }
        }
        return result
    }

    /// `g * other` as the gradient of `input`; when `input` is a single value broadcast over
    /// `other`'s shape (a coefficient times a tensor), its gradient is the dot product `Σ g·other`,
    /// computed directly instead of as a full product that the engine would then sum.
    private static func scaledGradient(_ g: Tensor, by other: Tensor, for input: Tensor) -> Tensor {
        guard input.count == 1, other.shape == g.shape, g.count > 1 else { return g * other }
        let dot = g.storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                var total: Float = 0
                for i in 0..<a.count { total += a[i] * b[i] }
                return total
            }
        }
        return Tensor(unchecked: input.shape, [dot])
    }

    /// Element-wise quotient with broadcasting: `(a / b)[i] = a[i] / b[i]`;
    /// `d/da = 1/b`, `d/db = -a/b²`.
    ///
    /// ```swift
    /// let normalized = x / std
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The dividend.
    ///   - rhs: The divisor; its shape and `lhs`'s must broadcast (division by 0 gives ±inf or NaN, as in IEEE 754).
    /// - Returns: A tensor of the broadcast shape; recorded for `backward()` when either input requires grad.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
        let (shape, values) = Kernels.broadcastZip(lhs, rhs, op: "div", /)
        let result = Tensor(unchecked: shape, values)
        if recording(lhs, rhs) {
            result.record("div", lhs, rhs) { g in
                (lhs.requiresGrad ? g / rhs : nil, rhs.requiresGrad ? -(g * lhs) / (rhs * rhs) : nil)
            }
        }
        return result
    }

    /// Negation: `(-a)[i] = -a[i]`.
    ///
    /// ```swift
    /// let flipped = -x
    /// ```
    ///
    /// - Parameter operand: The tensor to negate.
    /// - Returns: A tensor of `operand`'s shape; its gradient is `-g`.
    public static prefix func - (operand: Tensor) -> Tensor {
        let result = Tensor(unchecked: operand.shape, Kernels.map(operand.storage) { -$0 })
        if recording(operand) { result.record("neg", operand) { g in -g } }
        return result
    }

    // MARK: - Tensor with scalar

    /// Adds a scalar to every value.
    ///
    /// ```swift
    /// let shifted = x + 1
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The tensor.
    ///   - rhs: The scalar added to each value.
    /// - Returns: A tensor of `lhs`'s shape; the gradient passes through unchanged.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor {
        let result = Tensor(unchecked: lhs.shape, Kernels.map(lhs.storage) { $0 + rhs })
        if recording(lhs) { result.record("add", lhs) { g in g } }
        return result
    }

    /// Adds a tensor to a scalar.
    ///
    /// - Parameters:
    ///   - lhs: The scalar added to each value.
    ///   - rhs: The tensor.
    /// - Returns: `rhs + lhs`, a tensor of `rhs`'s shape.
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { rhs + lhs }

    /// Subtracts a scalar from every value.
    ///
    /// ```swift
    /// let centred = x - 0.5
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The tensor.
    ///   - rhs: The scalar subtracted from each value.
    /// - Returns: `lhs + (-rhs)`, a tensor of `lhs`'s shape.
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs + (-rhs) }

    /// Subtracts every value from a scalar: `(s - a)[i] = s - a[i]`.
    ///
    /// ```swift
    /// let complement = 1 - probability
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The scalar `s`.
    ///   - rhs: The tensor subtracted from it.
    /// - Returns: A tensor of `rhs`'s shape; its gradient is `-g`.
    public static func - (lhs: Float, rhs: Tensor) -> Tensor {
        let result = Tensor(unchecked: rhs.shape, Kernels.map(rhs.storage) { lhs - $0 })
        if recording(rhs) { result.record("rsub", rhs) { g in -g } }
        return result
    }

    /// Multiplies every value by a scalar.
    ///
    /// ```swift
    /// let step = lr * grad
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The tensor.
    ///   - rhs: The scalar factor `s`.
    /// - Returns: A tensor of `lhs`'s shape; its gradient is `s · g`.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor {
        let result = Tensor(unchecked: lhs.shape, Kernels.map(lhs.storage) { $0 * rhs })
        if recording(lhs) { result.record("mul", lhs) { g in g * rhs } }
        return result
    }

    /// Multiplies a scalar by every value.
    ///
    /// - Parameters:
    ///   - lhs: The scalar factor.
    ///   - rhs: The tensor.
    /// - Returns: `rhs * lhs`, a tensor of `rhs`'s shape.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs * lhs }

    /// Divides every value by a scalar.
    ///
    /// ```swift
    /// let half = x / 2
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The tensor.
    ///   - rhs: The scalar divisor `s`.
    /// - Returns: A tensor of `lhs`'s shape; its gradient is `g / s`.
    public static func / (lhs: Tensor, rhs: Float) -> Tensor {
        let result = Tensor(unchecked: lhs.shape, Kernels.map(lhs.storage) { $0 / rhs })
        if recording(lhs) { result.record("div", lhs) { g in g / rhs } }
        return result
    }

    /// Divides a scalar by every value: `(s / a)[i] = s / a[i]`; `d/da = -s/a²`.
    ///
    /// ```swift
    /// let inverse = 1 / x
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The scalar dividend `s`.
    ///   - rhs: The tensor of divisors.
    /// - Returns: A tensor of `rhs`'s shape.
    public static func / (lhs: Float, rhs: Tensor) -> Tensor {
        let result = Tensor(unchecked: rhs.shape, Kernels.map(rhs.storage) { lhs / $0 })
        if recording(rhs) { result.record("rdiv", rhs) { g in -lhs * g / (rhs * rhs) } }
        return result
    }

    // MARK: - In place

    /// Updates the values in place: `a[i] = f(a[i], b[i])` with `b` broadcast to `a`'s shape.
    /// Allowed on tensors that require grad only inside `noGrad { }`, as in PyTorch.
    private func updateInPlace(_ op: StaticString, _ other: Tensor, _ f: (Float, Float) -> Float) {
        require(
            !(requiresGrad && isGradEnabled),
            "\(op): a tensor that requires grad cannot be changed in place while recording; wrap the update in noGrad { }")
        let (shape, values) = Kernels.broadcastZip(self, other, op: op, f)
        require(shape == self.shape, "\(op): shapes \(self.shape) and \(other.shape) cannot be broadcast in place")
        storage = values
    }

    /// Adds `rhs` into `lhs` in place (`rhs` broadcast to `lhs`'s shape).
    ///
    /// ```swift
    /// noGrad { w += update }
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The tensor updated in place; when it requires grad, only inside `noGrad { }`.
    ///   - rhs: The values added; broadcast to `lhs`'s shape (it may not grow `lhs`).
    public static func += (lhs: Tensor, rhs: Tensor) { lhs.updateInPlace("+=", rhs, +) }

    /// Subtracts `rhs` from `lhs` in place: the gradient-descent step.
    ///
    /// ```swift
    /// noGrad { abc -= 0.01 * abc.grad! }
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The tensor updated in place; when it requires grad, only inside `noGrad { }`.
    ///   - rhs: The values subtracted; broadcast to `lhs`'s shape (it may not grow `lhs`).
    public static func -= (lhs: Tensor, rhs: Tensor) { lhs.updateInPlace("-=", rhs, -) }

    /// Multiplies `lhs` by `rhs` in place.
    ///
    /// ```swift
    /// noGrad { w *= mask }
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The tensor updated in place; when it requires grad, only inside `noGrad { }`.
    ///   - rhs: The factors; broadcast to `lhs`'s shape (it may not grow `lhs`).
    public static func *= (lhs: Tensor, rhs: Tensor) { lhs.updateInPlace("*=", rhs, *) }

    /// Divides `lhs` by `rhs` in place.
    ///
    /// ```swift
    /// noGrad { w /= norm }
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The tensor updated in place; when it requires grad, only inside `noGrad { }`.
    ///   - rhs: The divisors; broadcast to `lhs`'s shape (it may not grow `lhs`).
    public static func /= (lhs: Tensor, rhs: Tensor) { lhs.updateInPlace("/=", rhs, /) }

    /// Adds a scalar in place.
    ///
    /// - Parameters:
    ///   - lhs: The tensor updated in place (inside `noGrad { }` when it requires grad).
    ///   - rhs: The scalar added to each value.
    public static func += (lhs: Tensor, rhs: Float) { lhs.updateInPlace("+=", Tensor(rhs), +) }
    /// Subtracts a scalar in place.
    ///
    /// - Parameters:
    ///   - lhs: The tensor updated in place (inside `noGrad { }` when it requires grad).
    ///   - rhs: The scalar subtracted from each value.
    public static func -= (lhs: Tensor, rhs: Float) { lhs.updateInPlace("-=", Tensor(rhs), -) }
    /// Multiplies by a scalar in place.
    ///
    /// - Parameters:
    ///   - lhs: The tensor updated in place (inside `noGrad { }` when it requires grad).
    ///   - rhs: The scalar each value is multiplied by.
    public static func *= (lhs: Tensor, rhs: Float) { lhs.updateInPlace("*=", Tensor(rhs), *) }
    /// Divides by a scalar in place.
    ///
    /// - Parameters:
    ///   - lhs: The tensor updated in place (inside `noGrad { }` when it requires grad).
    ///   - rhs: The scalar each value is divided by.
    public static func /= (lhs: Tensor, rhs: Float) { lhs.updateInPlace("/=", Tensor(rhs), /) }

    /// Overwrites the values with `other`'s (same shape), in place; `noGrad` rules as for `-=`.
    ///
    /// ```swift
    /// noGrad { abc.assign(Tensor([1.5, 1.5, 1.5])) }
    /// ```
    ///
    /// - Parameter other: The tensor whose values are copied; it must have exactly this tensor's shape.
    public func assign(_ other: Tensor) {
        updateInPlace("assign", other) { _, new in new }
    }
}
