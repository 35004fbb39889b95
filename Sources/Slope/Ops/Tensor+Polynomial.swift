/// Polynomial evaluation as one op: `p(x) = a₀ + a₁x + a₂x² + ...` with the coefficients in a
/// rank-1 tensor, lowest power first (so `[a, b, c]` is the lesson's `c*x² + b*x + a`).
extension Tensor {
    /// Evaluates the polynomial with `coefficients` (lowest power first) at every value of `x`
    /// by Horner's rule. Pullbacks: `dp/daᵢ = xⁱ`, `dp/dx = Σ i·aᵢ·xⁱ⁻¹`.
    ///
    /// ```swift
    /// Tensor.polynomial(Tensor([1, 2, 3]), at: Tensor([0, 1, 2]))   // tensor([ 1.,  6., 17.])
    /// ```
    ///
    /// - Parameters:
    ///   - coefficients: A non-empty rank-1 tensor `[a₀, a₁, ...]`, lowest power first.
    ///   - x: The points, any shape.
    /// - Returns: `p(x)` at every point, a tensor of `x`'s shape.
    public static func polynomial(_ coefficients: Tensor, at x: Tensor) -> Tensor {
        require(coefficients.rank == 1 && coefficients.count > 0, "polynomial: coefficients must be a non-empty rank-1 tensor, got shape \(coefficients.shape)")
        let a = coefficients.storage
        let degree = a.count - 1
        let values = Kernels.map(x.storage) { value in
            var result = a[degree]
            var power = degree - 1
            while power >= 0 { result = result * value + a[power]; power -= 1 }
            return result
        }
        let result = Tensor(unchecked: x.shape, values)
        if recording(coefficients, x) {
            result.record("polynomial", coefficients, x) { g in
                var coefficientGrad: Tensor?
                if coefficients.requiresGrad {
                    var sums = [Float](repeating: 0, count: a.count)
                    g.storage.withUnsafeBufferPointer { grad in
                        x.storage.withUnsafeBufferPointer { points in
                            for j in 0..<points.count {
                                var power: Float = 1
                                for i in 0...degree { sums[i] += grad[j] * power; power *= points[j] }
                            }
                        }
                    }
                    coefficientGrad = Tensor(unchecked: [a.count], sums)
                }
                var xGrad: Tensor?
                if x.requiresGrad {
                    xGrad = g.sameShape(Kernels.zip(g.storage, x.storage) { grad, value in
                        var slope: Float = 0
                        var power = degree
                        while power >= 1 { slope = slope * value + Float(power) * a[power]; power -= 1 }
                        return grad * slope
                    })
                }
                return (coefficientGrad, xGrad)
            }
            if let session = CaptureSession.current { session.note(.polynomial, [coefficients, x], result) }
        }
        return result
    }
}
