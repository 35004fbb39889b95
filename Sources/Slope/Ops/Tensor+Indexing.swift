/// One entry of a subscript: an index (drops the axis), a range with an optional step, the
/// whole axis, or a new axis of size 1.
///
/// ```swift
/// let column = table[.all, 2]
/// let everyOther = x[.range(0, nil, step: 2)]
/// ```
public enum TensorIndex: Sendable {
    /// One position (negative counts from the end); the axis is removed.
    case index(Int)
    /// Positions `start ..< end` by `step`, clamped to the axis as in NumPy; `nil` means the edge.
    case range(Int?, Int?, step: Int)
    /// The whole axis.
    case all
    /// A new axis of size 1 (NumPy's `None`).
    case newAxis
}

/// Anything that can stand in a tensor subscript: `Int`, Swift ranges, or a `TensorIndex`.
///
/// ```swift
/// x[1..<3]; x[..<2, 0]; x[TensorIndex.all, 1...]
/// ```
public protocol TensorIndexConvertible {
    /// This value as a subscript entry.
    var tensorIndex: TensorIndex { get }
}

extension TensorIndex: TensorIndexConvertible {
    /// Itself.
    public var tensorIndex: TensorIndex { self }
}
extension Int: TensorIndexConvertible {
    /// A single position.
    public var tensorIndex: TensorIndex { .index(self) }
}
extension Range: TensorIndexConvertible where Bound == Int {
    /// `lower ..< upper`.
    public var tensorIndex: TensorIndex { .range(lowerBound, upperBound, step: 1) }
}
extension ClosedRange: TensorIndexConvertible where Bound == Int {
    /// `lower ... upper`.
    public var tensorIndex: TensorIndex { .range(lowerBound, upperBound == -1 ? nil : upperBound + 1, step: 1) }
}
extension PartialRangeFrom: TensorIndexConvertible where Bound == Int {
    /// `lower...` to the end.
    public var tensorIndex: TensorIndex { .range(lowerBound, nil, step: 1) }
}
extension PartialRangeUpTo: TensorIndexConvertible where Bound == Int {
    /// From the start `..< upper`.
    public var tensorIndex: TensorIndex { .range(nil, upperBound, step: 1) }
}
extension PartialRangeThrough: TensorIndexConvertible where Bound == Int {
    /// From the start `... upper`.
    public var tensorIndex: TensorIndex { .range(nil, upperBound == -1 ? nil : upperBound + 1, step: 1) }
}

extension Tensor {
    // MARK: - Subscripts

    /// The slice at position `index` of the first axis (negative counts from the end); the
    /// gradient flows back into that slice.
    ///
    /// ```swift
    /// let c = abc[2]   // a scalar tensor
    /// ```
    ///
    /// - Parameter index: A position on the first axis, in `-shape[0] ..< shape[0]`.
    /// - Returns: A tensor of rank one less (a copy of that slice).
    public subscript(_ index: Int) -> Tensor {
        require(rank > 0, "subscript: cannot index a scalar tensor")
        let length = shape[0]
        let position = index < 0 ? index + length : index
        require(position >= 0 && position < length, "subscript: index \(index) is out of range for axis 0 of size \(length)")
        let rowShape = Array(shape.dropFirst())
        let rowSize = length == 0 ? 0 : count / length
        let start = position * rowSize
        let values = rowSize == 1 ? [storage[start]] : Array(storage[start..<(start + rowSize)])
        let result = Tensor(unchecked: rowShape, values)
        if Tensor.recording(self) {
            let total = count
            result.record("select", self) { g in
                var full = [Float](repeating: 0, count: total)
                for i in 0..<rowSize { full[start + i] = g.storage[i] }
                return Tensor(unchecked: self.shape, full)
            }
        }
        return result
    }

    /// NumPy-style basic indexing: one entry per leading axis (missing trailing axes are taken
    /// whole); integers drop their axis, ranges keep it.
    ///
    /// ```swift
    /// let m = Tensor([[1, 2, 3], [4, 5, 6]])
    /// m[1, 1...]        // tensor([5., 6.])
    /// m[.all, 0]        // tensor([1., 4.])
    /// ```
    ///
    /// - Parameter indices: At most `rank` entries (`Int`, a Swift range, or a ``TensorIndex``), plus any `.newAxis`.
    /// - Returns: A copy of the selected values; an `Int` entry removes its axis, a range keeps it, `.newAxis` adds one.
    public subscript(_ indices: any TensorIndexConvertible...) -> Tensor {
        slice(indices.map(\.tensorIndex))
    }

    /// The strided view described by `indices`, copied out.
    func slice(_ indices: [TensorIndex]) -> Tensor {
        let consumed = indices.filter { if case .newAxis = $0 { return false } else { return true } }.count
        require(consumed <= rank, "subscript: \(consumed) indices for a tensor of rank \(rank)")
        let strides = Shape.contiguousStrides(shape)
        var outShape: [Int] = [], outStrides: [Int] = [], offset = 0, axis = 0
        for entry in indices + [TensorIndex](repeating: .all, count: rank - consumed) {
            switch entry {
            case .newAxis:
                outShape.append(1); outStrides.append(0)
                continue
            case .index(let index):
                let position = index < 0 ? index + shape[axis] : index
                require(
                    position >= 0 && position < shape[axis],
                    "subscript: index \(index) is out of range for axis \(axis) of size \(shape[axis])")
                offset += position * strides[axis]
            case .all:
                outShape.append(shape[axis]); outStrides.append(strides[axis])
            case .range(let lower, let upper, let step):
                let (start, length) = Tensor.resolveRange(lower, upper, step: step, size: shape[axis])
                offset += start * strides[axis]
                outShape.append(length); outStrides.append(strides[axis] * step)
            }
            axis += 1
        }
        let values = Kernels.stridedCopy(storage, offset: offset, shape: outShape, strides: outStrides)
        let result = Tensor(unchecked: outShape, values)
        if Tensor.recording(self) {
            let inputShape = shape, total = count
            result.record("slice", self) { g in
                Tensor(unchecked: inputShape, Kernels.stridedScatterAdd(
                    g.storage, count: total, offset: offset, shape: outShape, strides: outStrides))
            }
        }
        return result
    }

    /// Python's slice rules: negative bounds count from the end, bounds are clamped, a negative
    /// step walks backwards. Returns the first position and the number of positions.
    static func resolveRange(_ lower: Int?, _ upper: Int?, step: Int, size: Int) -> (start: Int, length: Int) {
        require(step != 0, "subscript: slice step cannot be zero")
        func resolve(_ bound: Int?, _ fallback: Int, _ low: Int, _ high: Int) -> Int {
            guard var value = bound else { return fallback }
            if value < 0 { value += size }
            return Swift.min(Swift.max(value, low), high)
        }
        if step > 0 {
            let start = resolve(lower, 0, 0, size), end = resolve(upper, size, 0, size)
            return (start, end > start ? (end - start + step - 1) / step : 0)
        }
        let start = resolve(lower, size - 1, -1, size - 1), end = resolve(upper, -1, -1, size - 1)
        return (start, start > end ? (start - end - step - 1) / -step : 0)
    }

    // MARK: - Joining

    /// Joins tensors along an existing axis; all other sizes must match.
    ///
    /// ```swift
    /// Tensor.concatenate([Tensor([1, 2]), Tensor([3])])   // tensor([1., 2., 3.])
    /// ```
    ///
    /// - Parameters:
    ///   - tensors: The tensors to join, at least one, all of one rank with equal sizes except along `axis`.
    ///   - axis: The axis to join along (negative counts from the end).
    /// - Returns: A tensor whose size along `axis` is the sum of the inputs'; each input gets its slice of the gradient.
    public static func concatenate(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        require(!tensors.isEmpty, "concatenate: needs at least one tensor")
        let first = tensors[0]
        require(first.rank > 0, "concatenate: cannot join scalar tensors; use stack")
        let resolved = Shape.normalize(axis: axis, rank: first.rank, op: "concatenate")
        for tensor in tensors {
            var a = tensor.shape, b = first.shape
            if a.count == b.count { a[resolved] = 0; b[resolved] = 0 }
            require(a == b, "concatenate: shapes \(first.shape) and \(tensor.shape) differ outside axis \(resolved)")
        }
        let outer = first.shape[..<resolved].reduce(1, *)
        let inner = first.shape[(resolved + 1)...].reduce(1, *)
        let chunks = tensors.map { $0.shape[resolved] * inner }
        let rowLength = chunks.reduce(0, +)
        var values = [Float](repeating: 0, count: outer * rowLength)
        var column = 0
        for (tensor, chunk) in Swift.zip(tensors, chunks) {
            tensor.storage.withUnsafeBufferPointer { source in
                for o in 0..<outer {
                    for j in 0..<chunk { values[o * rowLength + column + j] = source[o * chunk + j] }
                }
            }
            column += chunk
        }
        var shape = first.shape
        shape[resolved] = tensors.map { $0.shape[resolved] }.reduce(0, +)
        let result = Tensor(unchecked: shape, values)
        if tensors.contains(where: \.requiresGrad) && isGradEnabled {
            result.record("concatenate", tensors) { g in
                var start = 0
                return tensors.map { tensor in
                    defer { start += tensor.shape[resolved] }
                    guard tensor.requiresGrad else { return nil }
                    var entries = [TensorIndex](repeating: .all, count: resolved)
                    entries.append(.range(start, start + tensor.shape[resolved], step: 1))
                    return g.slice(entries)
                }
            }
        }
        return result
    }

    /// Joins tensors of the same shape along a new axis.
    ///
    /// ```swift
    /// Tensor.stack([Tensor([1, 2]), Tensor([3, 4])])   // shape [2, 2]
    /// ```
    ///
    /// - Parameters:
    ///   - tensors: The tensors to stack, at least one, all of one shape.
    ///   - axis: Where the new axis goes, in `-(rank + 1)...rank`.
    /// - Returns: A tensor of rank one more, of size `tensors.count` along `axis`.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        require(!tensors.isEmpty, "stack: needs at least one tensor")
        require(
            tensors.allSatisfy { $0.shape == tensors[0].shape },
            "stack: all tensors must have the same shape, got \(tensors.map(\.shape))")
        let resolved = Shape.normalize(axis: axis, rank: tensors[0].rank + 1, op: "stack")
        return concatenate(tensors.map { $0.unsqueezed(axis: resolved) }, axis: resolved)
    }

    // MARK: - Gathering by integer indices

    /// Picks whole slices along `axis` by position (PyTorch's `index_select`); positions may
    /// repeat, and their gradients add up.
    ///
    /// ```swift
    /// let batch = table.indexSelect(axis: 0, indices: [4, 0, 7])
    /// ```
    ///
    /// - Parameters:
    ///   - axis: The axis to pick along (negative counts from the end).
    ///   - indices: Positions on that axis, each in `0 ..< shape[axis]`.
    /// - Returns: A tensor of this tensor's shape with `indices.count` along `axis`.
    public func indexSelect(axis: Int, indices: [Int]) -> Tensor {
        let resolved = Shape.normalize(axis: axis, rank: rank, op: "indexSelect")
        let length = shape[resolved]
        let outer = shape[..<resolved].reduce(1, *)
        let inner = shape[(resolved + 1)...].reduce(1, *)
        for index in indices {
            require(index >= 0 && index < length, "indexSelect: index \(index) is out of range for axis \(resolved) of size \(length)")
        }
        var values = [Float](repeating: 0, count: outer * indices.count * inner)
        storage.withUnsafeBufferPointer { source in
            values.withUnsafeMutableBufferPointer { out in
                for o in 0..<outer {
                    for (k, index) in indices.enumerated() {
                        let from = (o * length + index) * inner, to = (o * indices.count + k) * inner
                        for i in 0..<inner { out[to + i] = source[from + i] }
                    }
                }
            }
        }
        var outShape = shape
        outShape[resolved] = indices.count
        let result = Tensor(unchecked: outShape, values)
        if Tensor.recording(self) {
            let inputShape = shape, total = count
            result.record("indexSelect", self) { g in
                var full = [Float](repeating: 0, count: total)
                for o in 0..<outer {
                    for (k, index) in indices.enumerated() {
                        let to = (o * length + index) * inner, from = (o * indices.count + k) * inner
                        for i in 0..<inner { full[to + i] += g.storage[from + i] }
                    }
                }
                return Tensor(unchecked: inputShape, full)
            }
        }
        return result
    }

    /// Picks one value per position along `axis` (PyTorch's `gather`):
    /// `out[i][j] = self[i][indices[i][j]]` for `axis: 1`. `indices` holds whole numbers and has
    /// this tensor's shape except along `axis`.
    ///
    /// ```swift
    /// let targetLogits = logits.gather(axis: 1, indices: targets.unsqueezed(axis: 1))
    /// ```
    ///
    /// - Parameters:
    ///   - axis: The axis that `indices` point into (negative counts from the end).
    ///   - indices: Whole-number positions, this tensor's shape except along `axis`; it gets no gradient.
    /// - Returns: A tensor of `indices`'s shape; the gradient scatters back (adding where positions repeat).
    public func gather(axis: Int, indices: Tensor) -> Tensor {
        let resolved = Shape.normalize(axis: axis, rank: rank, op: "gather")
        var expected = shape, given = indices.shape
        require(given.count == rank, "gather: indices of shape \(given) for a tensor of shape \(shape)")
        expected[resolved] = 0; given[resolved] = 0
        require(expected == given, "gather: indices of shape \(indices.shape) do not match shape \(shape) outside axis \(resolved)")
        let length = shape[resolved], picks = indices.shape[resolved]
        let inner = shape[(resolved + 1)...].reduce(1, *)
        var positions = [Int](repeating: 0, count: indices.count)
        for (n, raw) in indices.storage.enumerated() {
            let index = Int(raw)
            require(Float(index) == raw && index >= 0 && index < length, "gather: index \(raw) is out of range for axis \(resolved) of size \(length)")
            let o = n / (picks * inner), i = n % inner
            positions[n] = (o * length + index) * inner + i
        }
        let values = positions.map { storage[$0] }
        let result = Tensor(unchecked: indices.shape, values)
        if Tensor.recording(self) {
            let inputShape = shape, total = count
            result.record("gather", self) { g in
                var full = [Float](repeating: 0, count: total)
                for (n, position) in positions.enumerated() { full[position] += g.storage[n] }
                return Tensor(unchecked: inputShape, full)
            }
        }
        return result
    }
}
