/// The affine map of a linear layer as one op: `y = x Wᵀ + b`, with `x` of shape
/// `[..., in]`, `W` of shape `[out, in]` (PyTorch's layout) and `b` of shape `[out]`.
extension Tensor {
    /// `x Wᵀ + b` on the last axis; pullbacks `dx = g W`, `dW = gᵀ x`, `db = Σ g`, all through
    /// the matrix kernel's transpose flags (no transposed copies).
    ///
    /// ```swift
    /// let y = x.linear(weight: w, bias: b)   // [64, 784] -> [64, 10]
    /// ```
    ///
    /// - Parameters:
    ///   - weight: The weight `W`, shape `[out, in]` with `in` equal to this tensor's last axis.
    ///   - bias: The bias `b`, shape `[out]`, or `nil` for none.
    /// - Returns: A tensor of shape `[..., out]`: this tensor's leading axes with the last replaced.
    public func linear(weight: Tensor, bias: Tensor? = nil) -> Tensor {
        require(weight.rank == 2, "linear: weight must be [out, in], got shape \(weight.shape)")
        require(rank >= 1 && shape[rank - 1] == weight.shape[1],
                "linear: shapes \(shape) and \(weight.shape) cannot be multiplied (input features \(shape.last ?? 0) != \(weight.shape[1]))")
        let (outputs, inputs) = (weight.shape[0], weight.shape[1])
        if let bias { require(bias.shape == [outputs], "linear: bias of shape \(bias.shape) does not match \(outputs) outputs") }
        let rows = inputs == 0 ? 0 : count / inputs
        var values = Tensor.product(storage, weight.storage, m: rows, k: inputs, n: outputs, transposeA: false, transposeB: true)
        if let bias {
            values.withUnsafeMutableBufferPointer { out in
                bias.storage.withUnsafeBufferPointer { b in
                    for r in 0..<rows { for j in 0..<outputs { out[r * outputs + j] += b[j] } }
                }
            }
        }
        let result = Tensor(unchecked: Array(shape.dropLast()) + [outputs], values)
        let input = self
        let needsGrad = input.requiresGrad || weight.requiresGrad || (bias?.requiresGrad ?? false)
        if needsGrad && isGradEnabled {
            result.record("linear", [input, weight] + (bias.map { [$0] } ?? [])) { g in
                let dx = input.requiresGrad
                    ? Tensor(unchecked: input.shape, Tensor.product(g.storage, weight.storage, m: rows, k: outputs, n: inputs, transposeA: false, transposeB: false))
                    : nil
                let dw = weight.requiresGrad
                    ? Tensor(unchecked: weight.shape, Tensor.product(g.storage, input.storage, m: outputs, k: rows, n: inputs, transposeA: true, transposeB: false))
                    : nil
                var gradients: [Tensor?] = [dx, dw]
                if let bias {
                    gradients.append(bias.requiresGrad
                        ? Tensor(unchecked: [outputs], Kernels.reduce(g.storage, shape: [rows, outputs], axis: 0, initial: 0, +))
                        : nil)
                }
                return gradients
            }
            if let session = CaptureSession.current { session.note(.linear, [input, weight] + (bias.map { [$0] } ?? []), result) }
        }
        return result
    }
}
