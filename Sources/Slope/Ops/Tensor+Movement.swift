/// Movement ops: change the shape or the order of values, never the values themselves.
extension Tensor {
    // MARK: - Reshape

    /// The same values with a new shape of the same size; one size may be `-1` (inferred).
    /// The values are shared, not copied.
    ///
    /// ```swift
    /// Tensor(shape: [6], scalars: [1, 2, 3, 4, 5, 6]).reshaped([2, -1])   // shape [2, 3]
    /// ```
    ///
    /// - Parameter newShape: The new sizes; their product must equal `count`, and at most one
    ///   may be `-1`, which takes the size that makes it so.
    /// - Returns: A tensor of `newShape` with the same row-major values; its gradient is reshaped back.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        require(inferred.count <= 1, "reshape: only one size may be -1 in \(newShape)")
        require(newShape.allSatisfy { $0 >= -1 }, "reshape: invalid shape \(newShape)")
        if let axis = inferred.first {
            let known = newShape.filter { $0 != -1 }.reduce(1, *)
            require(known > 0 && count % known == 0, "reshape: shape \(shape) cannot be reshaped to \(newShape)")
            resolved[axis] = count / known
        }
        require(
            resolved.reduce(1, *) == count,
            "reshape: shape \(shape) (\(count) values) cannot be reshaped to \(newShape)")
        if resolved == shape { return self }
        let result = Tensor(unchecked: resolved, storage)
        if Tensor.recording(self) {
            let original = shape
            result.record("reshape", self) { g in Tensor(unchecked: original, g.storage) }
            if let session = CaptureSession.current { session.note(.reshape, [self], result) }
        }
        return result
    }

    /// Flattens the axes from `startAxis` through `endAxis` into one (PyTorch's `flatten`).
    ///
    /// ```swift
    /// images.flattened(startAxis: 1)   // [64, 1, 28, 28] -> [64, 784]
    /// ```
    ///
    /// - Parameters:
    ///   - startAxis: The first axis merged (negative counts from the end).
    ///   - endAxis: The last axis merged, included; not before `startAxis`.
    /// - Returns: A tensor whose axes `startAxis...endAxis` are one axis of their product's size
    ///   (a rank-0 tensor becomes shape `[1]`).
    public func flattened(startAxis: Int = 0, endAxis: Int = -1) -> Tensor {
        if rank == 0 { return reshaped([1]) }
        let start = Shape.normalize(axis: startAxis, rank: rank, op: "flatten")
        let end = Shape.normalize(axis: endAxis, rank: rank, op: "flatten")
        require(start <= end, "flatten: startAxis \(startAxis) comes after endAxis \(endAxis)")
        let merged = shape[start...end].reduce(1, *)
        return reshaped(Array(shape[..<start]) + [merged] + Array(shape[(end + 1)...]))
    }

    /// Removes an axis of size 1.
    ///
    /// ```swift
    /// Tensor(shape: [3, 1], scalars: [1, 2, 3]).squeezed(axis: 1)   // shape [3]
    /// ```
    ///
    /// - Parameter axis: The axis to remove (negative counts from the end); its size must be 1.
    /// - Returns: A tensor of rank one less with the same values (a rank-0 tensor is returned unchanged).
    public func squeezed(axis: Int) -> Tensor {
        let resolved = Shape.normalize(axis: axis, rank: rank, op: "squeeze")
        if rank == 0 { return self }
        require(shape[resolved] == 1, "squeeze: axis \(axis) has size \(shape[resolved]), not 1, in shape \(shape)")
        var newShape = shape
        newShape.remove(at: resolved)
        return reshaped(newShape)
    }

    /// Removes every axis of size 1.
    ///
    /// ```swift
    /// Tensor(shape: [1, 3, 1], scalars: [1, 2, 3]).squeezed()   // shape [3]
    /// ```
    ///
    /// - Returns: A tensor with the same values and the shape without its 1s (`[1, 1]` becomes `[]`).
    public func squeezed() -> Tensor { reshaped(shape.filter { $0 != 1 }) }

    /// Inserts an axis of size 1 at `axis` (which may be `rank`, or negative from the end).
    ///
    /// ```swift
    /// Tensor([1, 2, 3]).unsqueezed(axis: 1)   // shape [3, 1]
    /// ```
    ///
    /// - Parameter axis: Where the new axis goes, in `-(rank + 1)...rank`.
    /// - Returns: A tensor of rank one more with the same values.
    public func unsqueezed(axis: Int) -> Tensor {
        let resolved = Shape.normalize(axis: axis, rank: rank + 1, op: "unsqueeze")
        var newShape = shape
        newShape.insert(1, at: resolved)
        return reshaped(newShape)
    }

    // MARK: - Permute

    /// Reorders the axes: axis `i` of the result is axis `axes[i]` of this tensor.
    ///
    /// ```swift
    /// images.permuted([0, 2, 3, 1])   // NCHW -> NHWC
    /// ```
    ///
    /// - Parameter axes: A permutation of `0..<rank` (negative axes count from the end).
    /// - Returns: A tensor of the permuted shape (values copied into the new order); its gradient
    ///   is permuted back by the inverse permutation.
    public func permuted(_ axes: [Int]) -> Tensor {
        let resolved = axes.map { Shape.normalize(axis: $0, rank: rank, op: "permute") }
        require(
            resolved.count == rank && Set(resolved).count == rank,
            "permute: \(axes) is not a permutation of the \(rank) axes of shape \(shape)")
        if resolved == Array(0..<rank) { return self }
        let strides = Shape.contiguousStrides(shape)
        let newShape = resolved.map { shape[$0] }
        let values = Kernels.stridedCopy(storage, offset: 0, shape: newShape, strides: resolved.map { strides[$0] })
        let result = Tensor(unchecked: newShape, values)
        if Tensor.recording(self) {
            var inverse = [Int](repeating: 0, count: rank)
            for (i, axis) in resolved.enumerated() { inverse[axis] = i }
            result.record("permute", self) { g in g.permuted(inverse) }
        }
        return result
    }

    /// Swaps two axes (by default the last two: the matrix transpose).
    ///
    /// ```swift
    /// let wT = w.transposed()   // [out, in] -> [in, out]
    /// ```
    ///
    /// - Parameters:
    ///   - first: One axis (negative counts from the end).
    ///   - second: The other axis.
    /// - Returns: The tensor with the two axes swapped (itself when its rank is below 2).
    public func transposed(_ first: Int = -2, _ second: Int = -1) -> Tensor {
        if rank < 2 { return self }
        var axes = Array(0..<rank)
        axes.swapAt(
            Shape.normalize(axis: first, rank: rank, op: "transpose"),
            Shape.normalize(axis: second, rank: rank, op: "transpose"))
        return permuted(axes)
    }

    // MARK: - Expand

    /// Broadcasts to a larger shape (sizes of 1 repeated, new leading axes added); the gradient
    /// sums back. `-1` keeps a size.
    ///
    /// ```swift
    /// Tensor([1, 2, 3]).expanded(to: [2, 3])   // two copies of the row
    /// ```
    ///
    /// - Parameter target: The shape to broadcast to: at least this tensor's rank, each trailing
    ///   size equal to this tensor's or where this tensor has 1; `-1` keeps this tensor's size.
    /// - Returns: A tensor of the target shape (this tensor itself when it already has that shape).
    public func expanded(to target: [Int]) -> Tensor {
        require(target.count >= rank, "expand: shape \(shape) cannot be expanded to \(target)")
        let offset = target.count - rank
        let resolved = target.enumerated().map { i, size in size == -1 && i >= offset ? shape[i - offset] : size }
        require(
            Shape.broadcast(shape, resolved, op: "expand") == resolved,
            "expand: shape \(shape) cannot be expanded to \(target)")
        if resolved == shape { return self }
        let result = Tensor(unchecked: resolved, broadcastValues(to: resolved))
        if Tensor.recording(self) { result.record("expand", self) { g in g } }
        return result
    }
}
