/// Matrix products, as NumPy's `matmul`: 1-D operands are promoted (and the added axis removed
/// after), 2-D is the matrix product, higher ranks are stacks of matrices whose batch axes
/// broadcast.
extension Tensor {
    /// The matrix product `self @ other`; `d/dA = G Bᵀ`, `d/dB = Aᵀ G`.
    ///
    /// ```swift
    /// let y = x.matmul(w.transposed())   // [batch, in] @ [in, out]
    /// ```
    ///
    /// - Parameter other: The right operand; its second-to-last axis (its only axis when rank 1)
    ///   must equal this tensor's last axis, and batch axes must broadcast.
    /// - Returns: For `[..., m, k] @ [..., k, n]`, a tensor of shape `[batch..., m, n]`; a scalar when
    ///   both are rank 1 (the dot product).
    public func matmul(_ other: Tensor) -> Tensor {
        require(rank > 0 && other.rank > 0, "matmul: shapes \(shape) and \(other.shape) cannot be multiplied; scalars are not matrices")
        if rank == 1 && other.rank == 1 {
            require(shape == other.shape, "matmul: shapes \(shape) and \(other.shape) cannot be multiplied")
            return (self * other).sum()
        }
        if rank == 1 { return unsqueezed(axis: 0).matmul(other).squeezed(axis: -2) }
        if other.rank == 1 { return matmul(other.unsqueezed(axis: 1)).squeezed(axis: -1) }
        let (m, k) = (shape[rank - 2], shape[rank - 1])
        let (k2, n) = (other.shape[other.rank - 2], other.shape[other.rank - 1])
        require(k == k2, "matmul: shapes \(shape) and \(other.shape) cannot be multiplied (\(k) != \(k2))")
        if rank == 2 && other.rank == 2 { return Tensor.matmul2D(self, other, m: m, k: k, n: n) }
        return Tensor.batchedMatmul(self, other, m: m, k: k, n: n)
    }

    /// The `[m, k] @ [k, n]` product with a pullback that uses the kernel's transpose flags
    /// instead of copying transposes.
    private static func matmul2D(_ a: Tensor, _ b: Tensor, m: Int, k: Int, n: Int) -> Tensor {
        let result = Tensor(unchecked: [m, n], product(a.storage, b.storage, m: m, k: k, n: n, transposeA: false, transposeB: false))
        if recording(a, b) {
            result.record("matmul", a, b) { g in
                let da = a.requiresGrad
                    ? Tensor(unchecked: [m, k], product(g.storage, b.storage, m: m, k: n, n: k, transposeA: false, transposeB: true))
                    : nil
                let db = b.requiresGrad
                    ? Tensor(unchecked: [k, n], product(a.storage, g.storage, m: k, k: m, n: n, transposeA: true, transposeB: false))
                    : nil
                return (da, db)
            }
        }
        return result
    }

    /// `op(A) @ op(B)` for contiguous row-major buffers, where `op(A)` is `m x k` and `op(B)` is
    /// `k x n`.
    static func product(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int, transposeA: Bool, transposeB: Bool) -> [Float] {
        [Float](unsafeUninitializedCapacity: m * n) { out, initialized in
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    if m * n > 0 {
                        if k == 0 {
                            out.initialize(repeating: 0)
                        } else {
                            Gemm.multiply(
                                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                a: pa.baseAddress!, lda: transposeA ? m : k,
                                b: pb.baseAddress!, ldb: transposeB ? k : n,
                                c: out.baseAddress!, ldc: n)
                        }
                    }
                }
            }
            initialized = m * n
        }
    }

    /// Stacks of matrices with broadcast batch axes; the gradients are batched products too
    /// (the engine sums them over broadcast batch axes).
    private static func batchedMatmul(_ a: Tensor, _ b: Tensor, m: Int, k: Int, n: Int) -> Tensor {
        let batch = Shape.broadcast(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)), op: "matmul")
        let left = a.broadcastValues(to: batch + [m, k])
        let right = b.broadcastValues(to: batch + [k, n])
        let count = batch.reduce(1, *)
        var values = [Float](repeating: 0, count: count * m * n)
        for i in 0..<count {
            let piece = product(
                Array(left[(i * m * k)..<((i + 1) * m * k)]), Array(right[(i * k * n)..<((i + 1) * k * n)]),
                m: m, k: k, n: n, transposeA: false, transposeB: false)
            values.replaceSubrange((i * m * n)..<((i + 1) * m * n), with: piece)
        }
        let result = Tensor(unchecked: batch + [m, n], values)
        if recording(a, b) {
            result.record("matmul", a, b) { g in
                (a.requiresGrad ? g.matmul(b.transposed()) : nil, b.requiresGrad ? a.transposed().matmul(g) : nil)
            }
        }
        return result
    }
}

/// The matrix product of two tensors (`a.matmul(b)`).
///
/// ```swift
/// let y = matmul(x, w)
/// ```
///
/// - Parameters:
///   - lhs: The left operand, `[..., m, k]`.
///   - rhs: The right operand, `[..., k, n]`.
/// - Returns: `lhs.matmul(rhs)`.
public func matmul(_ lhs: Tensor, _ rhs: Tensor) -> Tensor { lhs.matmul(rhs) }
