/// Reductions over all values or over given axes, with `keepDims` as in NumPy.
extension Tensor {
    // MARK: - Shapes

    /// The kept-dims shape and the final shape of a reduction over `axes`.
    private func reducedShapes(_ axes: [Int], keepDims: Bool) -> (kept: [Int], result: [Int]) {
        var kept = shape
        for axis in axes { kept[axis] = 1 }
        let result = keepDims ? kept : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        return (kept, result)
    }

    /// Spreads a gradient of the kept-dims shape back over this tensor's shape.
    func expandGradient(_ g: Tensor, keptShape: [Int]) -> Tensor {
        Tensor(unchecked: shape, Tensor(unchecked: keptShape, g.storage).broadcastValues(to: shape))
    }

    // MARK: - Sum and mean

    /// The sum of all values, as a scalar tensor.
    ///
    /// ```swift
    /// Tensor([1, 2, 3]).sum()   // tensor(6.)
    /// ```
    ///
    /// - Returns: A rank-0 tensor; its gradient spreads `g` to every value.
    public func sum() -> Tensor {
        let result = Tensor(unchecked: [], [Kernels.sum(storage)])
        if Tensor.recording(self) {
            let shape = self.shape, count = self.count
            result.record("sum", self) { g in Tensor(unchecked: shape, [Float](repeating: g.storage[0], count: count)) }
        }
        return result
    }

    /// The sum over the given axes (negative axes count from the end).
    ///
    /// ```swift
    /// Tensor([[1, 2], [3, 4]]).sum(axes: [0])   // tensor([4., 6.])
    /// ```
    ///
    /// - Parameters:
    ///   - axes: The axes to reduce (negative counts from the end).
    ///   - keepDims: Whether the reduced axes stay as size 1 (so the result broadcasts against this tensor) or are removed.
    /// - Returns: The sums, this tensor's shape without (or with size 1 at) `axes`.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let axes = Shape.normalize(axes: axes, rank: rank, op: "sum")
        if rank == 0 { return self }
        let (kept, values) = Kernels.reduce(storage, shape: shape, axes: axes, initial: 0, +)
        let result = Tensor(unchecked: reducedShapes(axes, keepDims: keepDims).result, values)
        if Tensor.recording(self) {
            result.record("sum", self) { [self] g in expandGradient(g, keptShape: kept) }
        }
        return result
    }

    /// The sum over one axis.
    ///
    /// ```swift
    /// let rowTotals = m.sum(axis: 1)
    /// ```
    ///
    /// - Parameters:
    ///   - axis: The axis to reduce (negative counts from the end).
    ///   - keepDims: Whether the reduced axis stays as size 1 (so the result broadcasts against this tensor) or is removed.
    /// - Returns: `sum(axes: [axis], keepDims: keepDims)`.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// The mean of all values, as a scalar tensor.
    ///
    /// ```swift
    /// let loss = ((prediction - target).squared()).mean()
    /// ```
    ///
    /// - Returns: A rank-0 tensor, the sum divided by `count` (NaN for an empty tensor); its gradient is `g / count` at every value.
    public func mean() -> Tensor {
        let n = Float(count)
        let result = Tensor(unchecked: [], [Kernels.sum(storage) / n])
        if Tensor.recording(self) {
            let shape = self.shape, count = self.count
            result.record("mean", self) { g in Tensor(unchecked: shape, [Float](repeating: g.storage[0] / n, count: count)) }
        }
        return result
    }

    /// The mean over the given axes.
    ///
    /// ```swift
    /// let columnMeans = table.mean(axes: [0])
    /// ```
    ///
    /// - Parameters:
    ///   - axes: The axes to reduce (negative counts from the end).
    ///   - keepDims: Whether the reduced axes stay as size 1 (so the result broadcasts against this tensor) or are removed.
    /// - Returns: The means, this tensor's shape without (or with size 1 at) `axes`.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let normalized = Shape.normalize(axes: axes, rank: rank, op: "mean")
        if rank == 0 { return self }
        let n = normalized.reduce(1) { $0 * shape[$1] }
        return sum(axes: normalized, keepDims: keepDims) / Float(n)
    }

    /// The mean over one axis.
    ///
    /// ```swift
    /// let perSample = losses.mean(axis: 1)
    /// ```
    ///
    /// - Parameters:
    ///   - axis: The axis to reduce (negative counts from the end).
    ///   - keepDims: Whether the reduced axis stays as size 1 (so the result broadcasts against this tensor) or is removed.
    /// - Returns: `mean(axes: [axis], keepDims: keepDims)`.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    // MARK: - Max and min

    /// Shared body of max and min: the extreme value over `axes`, with the gradient split
    /// evenly among the positions that reach it.
    private func extreme(_ axes: [Int]?, keepDims: Bool, op: StaticString, initial: Float, _ pick: @escaping (Float, Float) -> Float) -> Tensor {
        require(count > 0, "\(op): cannot reduce an empty tensor")
        let axes = Shape.normalize(axes: axes, rank: rank, op: op)
        if rank == 0 { return self }
        let (kept, values) = Kernels.reduce(storage, shape: shape, axes: axes, initial: initial, pick)
        let result = Tensor(unchecked: reducedShapes(axes, keepDims: keepDims).result, values)
        if Tensor.recording(self) {
            result.record(op, self) { [self] g in
                // Where the extreme is NaN, the NaN positions share the gradient (PyTorch's max/min).
                let extreme = Tensor(unchecked: kept, values).broadcastValues(to: shape)
                let hits = Tensor(unchecked: shape, Kernels.zip(storage, extreme) { a, m in a == m || (a.isNaN && m.isNaN) ? 1 : 0 })
                let ties = hits.sum(axes: axes, keepDims: true)
                return hits * Tensor(unchecked: kept, g.storage) / ties
            }
        }
        return result
    }

    /// The largest value over all axes (`axes: nil`) or the given ones.
    ///
    /// ```swift
    /// Tensor([[1, 5], [3, 2]]).max(axes: [1])   // tensor([5., 3.])
    /// ```
    ///
    /// - Parameters:
    ///   - axes: The axes to reduce (negative counts from the end), or `nil` for all of them.
    ///   - keepDims: Whether the reduced axes stay as size 1 (so the result broadcasts against this tensor) or are removed.
    /// - Returns: The maxima, this tensor's shape without (or with size 1 at) the reduced axes.
    public func max(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        extreme(axes, keepDims: keepDims, op: "max", initial: -.infinity) { $0.isNaN || $1.isNaN ? $0 + $1 : Swift.max($0, $1) }
    }

    /// The largest value over one axis.
    ///
    /// ```swift
    /// let best = scores.max(axis: 1)
    /// ```
    ///
    /// - Parameters:
    ///   - axis: The axis to reduce (negative counts from the end).
    ///   - keepDims: Whether the reduced axis stays as size 1 (so the result broadcasts against this tensor) or is removed.
    /// - Returns: `max(axes: [axis], keepDims: keepDims)`.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor { max(axes: [axis], keepDims: keepDims) }

    /// The smallest value over all axes (`axes: nil`) or the given ones.
    ///
    /// ```swift
    /// Tensor([3, 1, 2]).min()   // tensor(1.)
    /// ```
    ///
    /// - Parameters:
    ///   - axes: The axes to reduce (negative counts from the end), or `nil` for all of them.
    ///   - keepDims: Whether the reduced axes stay as size 1 (so the result broadcasts against this tensor) or are removed.
    /// - Returns: The minima, this tensor's shape without (or with size 1 at) the reduced axes.
    public func min(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        extreme(axes, keepDims: keepDims, op: "min", initial: .infinity) { $0.isNaN || $1.isNaN ? $0 + $1 : Swift.min($0, $1) }
    }

    /// The smallest value over one axis.
    ///
    /// - Parameters:
    ///   - axis: The axis to reduce (negative counts from the end).
    ///   - keepDims: Whether the reduced axis stays as size 1 (so the result broadcasts against this tensor) or is removed.
    /// - Returns: `min(axes: [axis], keepDims: keepDims)`.
    public func min(axis: Int, keepDims: Bool = false) -> Tensor { min(axes: [axis], keepDims: keepDims) }

    // MARK: - Arg max

    /// The index of the largest value along `axis` (the first on ties), as a constant tensor of
    /// whole numbers; `axis: nil` gives the index into the flattened values.
    ///
    /// ```swift
    /// let predictedClass = logits.argmax(axis: 1)
    /// ```
    ///
    /// - Parameters:
    ///   - axis: The axis searched (negative counts from the end), or `nil` for the flattened values.
    ///   - keepDims: Whether the reduced axis stays as size 1 (so the result broadcasts against this tensor) or is removed.
    /// - Returns: Positions as whole-number Floats, recorded in no graph.
    public func argmax(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        argExtreme(axis: axis, keepDims: keepDims, op: "argmax", >)
    }

    /// The index of the smallest value along `axis` (the first on ties).
    ///
    /// ```swift
    /// let nearest = distances.argmin(axis: 1)
    /// ```
    ///
    /// - Parameters:
    ///   - axis: The axis searched (negative counts from the end), or `nil` for the flattened values.
    ///   - keepDims: Whether the reduced axis stays as size 1 (so the result broadcasts against this tensor) or is removed.
    /// - Returns: Positions as whole-number Floats, recorded in no graph.
    public func argmin(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        argExtreme(axis: axis, keepDims: keepDims, op: "argmin", <)
    }

    private func argExtreme(axis: Int?, keepDims: Bool, op: StaticString, _ better: (Float, Float) -> Bool) -> Tensor {
        require(count > 0, "\(op): cannot reduce an empty tensor")
        guard let axis else {
            var best = 0
            for i in 1..<Swift.max(count, 1) where better(storage[i], storage[best]) { best = i }
            return Tensor(unchecked: keepDims ? [Int](repeating: 1, count: rank) : [], [Float(best)])
        }
        let resolved = Shape.normalize(axis: axis, rank: rank, op: op)
        let length = shape[resolved]
        let inner = shape[(resolved + 1)...].reduce(1, *)
        let outer = shape[..<resolved].reduce(1, *)
        var indices = [Float](repeating: 0, count: outer * inner)
        storage.withUnsafeBufferPointer { values in
            for o in 0..<outer {
                for i in 0..<inner {
                    var best = 0
                    var bestValue = values[o * length * inner + i]
                    for k in 1..<Swift.max(length, 1) {
                        let v = values[(o * length + k) * inner + i]
                        if better(v, bestValue) { best = k; bestValue = v }
                    }
                    indices[o * inner + i] = Float(best)
                }
            }
        }
        return Tensor(unchecked: reducedShapes([resolved], keepDims: keepDims).result, indices)
    }

    // MARK: - Log-sum-exp and softmax

    /// `log(sum(exp(x)))` along `axis`, computed stably as `m + log(sum(exp(x - m)))` with
    /// `m = max(x)`; `d/dx = softmax(x)`.
    ///
    /// ```swift
    /// let normalizer = logits.logSumExp(axis: 1)
    /// ```
    ///
    /// - Parameters:
    ///   - axis: The axis to reduce (negative counts from the end).
    ///   - keepDims: Whether the reduced axis stays as size 1 (so the result broadcasts against this tensor) or is removed.
    /// - Returns: The log-sum-exp, this tensor's shape without (or with size 1 at) `axis`.
    public func logSumExp(axis: Int, keepDims: Bool = false) -> Tensor {
        let resolved = Shape.normalize(axis: axis, rank: rank, op: "logSumExp")
        if rank == 0 { return self }
        let kept = logSumExpKept(axis: resolved)
        let result = keepDims ? kept : Tensor(unchecked: reducedShapes([resolved], keepDims: false).result, kept.storage)
        if Tensor.recording(self) {
            result.record("logSumExp", self) { [self] g in
                let softmax = (detach() - kept).exp()
                return softmax * Tensor(unchecked: kept.shape, g.storage)
            }
        }
        return result
    }

    /// The stable log-sum-exp along an axis with kept dims, as a constant.
    private func logSumExpKept(axis: Int) -> Tensor {
        noGrad {
            let constant = detach()
            let peak = constant.max(axes: [axis], keepDims: true).finiteOrZero()
            return (constant - peak).exp().sum(axes: [axis], keepDims: true).log() + peak
        }
    }

    /// The values with infinities and NaN replaced by 0 (a safe shift for log-sum-exp).
    private func finiteOrZero() -> Tensor {
        Tensor(unchecked: shape, storage.map { $0.isFinite ? $0 : 0 })
    }

    /// The softmax along `axis`: `exp(x_i) / sum_j exp(x_j)`; its pullback is
    /// `s * (g - sum(g * s))`.
    ///
    /// ```swift
    /// let probabilities = logits.softmax(axis: -1)
    /// ```
    ///
    /// - Parameter axis: The axis that sums to 1 (negative counts from the end).
    /// - Returns: Probabilities of this tensor's shape.
    public func softmax(axis: Int = -1) -> Tensor {
        if rank == 0 { return reshaped([1]).softmax(axis: 0).reshaped([]) }
        let resolved = Shape.normalize(axis: axis, rank: rank, op: "softmax")
        let probabilities = noGrad { () -> Tensor in
            let shifted = detach() - max(axes: [resolved], keepDims: true).finiteOrZero()
            let exponentials = shifted.exp()
            return exponentials / exponentials.sum(axes: [resolved], keepDims: true)
        }
        let result = Tensor(unchecked: shape, probabilities.storage)
        if Tensor.recording(self) {
            result.record("softmax", self) { g in
                probabilities * (g - (g * probabilities).sum(axes: [resolved], keepDims: true))
            }
        }
        return result
    }

    /// The log of the softmax along `axis`: `x_i - logSumExp(x)`; its pullback is
    /// `g - softmax * sum(g)`.
    ///
    /// ```swift
    /// let logProbabilities = logits.logSoftmax(axis: 1)
    /// ```
    ///
    /// - Parameter axis: The axis normalised over (negative counts from the end).
    /// - Returns: Log-probabilities of this tensor's shape.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        if rank == 0 { return reshaped([1]).logSoftmax(axis: 0).reshaped([]) }
        let resolved = Shape.normalize(axis: axis, rank: rank, op: "logSoftmax")
        let logProbabilities = noGrad { () -> Tensor in
            let shifted = detach() - max(axes: [resolved], keepDims: true).finiteOrZero()
            return shifted - shifted.exp().sum(axes: [resolved], keepDims: true).log()
        }
        let result = Tensor(unchecked: shape, logProbabilities.storage)
        if Tensor.recording(self) {
            result.record("logSoftmax", self) { g in
                g - logProbabilities.exp() * g.sum(axes: [resolved], keepDims: true)
            }
        }
        return result
    }
}
