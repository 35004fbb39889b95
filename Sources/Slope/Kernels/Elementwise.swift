import CSlope

/// CPU loops over contiguous Float buffers: maps, broadcast zips, strided copies and the
/// un-broadcasting sum. Closures are inlined into each call site by the optimiser.
enum Kernels {
    // MARK: - Maps

    /// `max(x[i], 0)` with NaN kept (`x <= 0 ? 0 : x`), through `slope_relu_forward` (vectorised
    /// with compare masks: with random signs a branch per value mispredicts half the time).
    static func relu(_ x: [Float]) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { out, initialized in
            x.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { slope_relu_forward(base, out.baseAddress!, source.count) }
            }
            initialized = x.count
        }
    }

    /// ReLU's pullback: `input[i] <= 0 ? 0 : gradient[i]` (a NaN input passes its gradient).
    static func reluGradient(_ gradient: [Float], _ input: [Float]) -> [Float] {
        [Float](unsafeUninitializedCapacity: input.count) { out, initialized in
            gradient.withUnsafeBufferPointer { g in
                input.withUnsafeBufferPointer { x in
                    if let base = x.baseAddress { slope_relu_backward(g.baseAddress!, base, out.baseAddress!, x.count) }
                }
            }
            initialized = input.count
        }
    }

    /// `f` applied to each value.
    @inline(__always)
    static func map(_ x: [Float], _ f: (Float) -> Float) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { out, initialized in
            x.withUnsafeBufferPointer { source in
                for i in 0..<source.count { out[i] = f(source[i]) }
            }
            initialized = x.count
        }
    }

    /// `f` applied pairwise to two buffers of equal length.
    @inline(__always)
    static func zip(_ x: [Float], _ y: [Float], _ f: (Float, Float) -> Float) -> [Float] {
        [Float](unsafeUninitializedCapacity: x.count) { out, initialized in
            x.withUnsafeBufferPointer { a in
                y.withUnsafeBufferPointer { b in
                    for i in 0..<a.count { out[i] = f(a[i], b[i]) }
                }
            }
            initialized = x.count
        }
    }

    /// `f` applied to two tensors' values under NumPy broadcasting; returns the result's shape
    /// and values.
    @inline(__always)
    static func broadcastZip(
        _ lhs: Tensor, _ rhs: Tensor, op: StaticString, _ f: (Float, Float) -> Float
    ) -> ([Int], [Float]) {
        if lhs.shape == rhs.shape { return (lhs.shape, zip(lhs.storage, rhs.storage, f)) }
        let shape = Shape.broadcast(lhs.shape, rhs.shape, op: op)
        if rhs.storage.count == 1 && shape.count == lhs.shape.count {
            let r = rhs.storage[0]
            return (shape, map(lhs.storage) { f($0, r) })
        }
        if lhs.storage.count == 1 && shape.count == rhs.shape.count {
            let l = lhs.storage[0]
            return (shape, map(rhs.storage) { f(l, $0) })
        }
        let total = shape.reduce(1, *)
        let lhsStrides = Shape.broadcastStrides(lhs.shape, to: shape)
        let rhsStrides = Shape.broadcastStrides(rhs.shape, to: shape)
        let values = [Float](unsafeUninitializedCapacity: total) { out, initialized in
            lhs.storage.withUnsafeBufferPointer { a in
                rhs.storage.withUnsafeBufferPointer { b in
                    forEachRow(shape: shape, lhsStrides, rhsStrides) { outBase, aBase, bBase, inner, aStep, bStep in
                        for j in 0..<inner { out[outBase + j] = f(a[aBase + j * aStep], b[bBase + j * bStep]) }
                    }
                }
            }
            initialized = total
        }
        return (shape, values)
    }

    /// Walks the rows (last dimension) of `shape`, giving for each the output offset, the two
    /// source offsets under their strides, the row length and the two inner strides.
    @inline(__always)
    static func forEachRow(
        shape: [Int], _ first: [Int], _ second: [Int],
        _ body: (Int, Int, Int, Int, Int, Int) -> Void
    ) {
        let rank = shape.count
        if rank == 0 { body(0, 0, 0, 1, 0, 0); return }
        let inner = shape[rank - 1]
        let total = shape.reduce(1, *)
        if total == 0 { return }
        let rows = total / inner
        var index = [Int](repeating: 0, count: rank)
        var firstOffset = 0, secondOffset = 0
        for row in 0..<rows {
            body(row * inner, firstOffset, secondOffset, inner, first[rank - 1], second[rank - 1])
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                firstOffset += first[axis]
                secondOffset += second[axis]
                if index[axis] < shape[axis] { break }
                firstOffset -= first[axis] * shape[axis]
                secondOffset -= second[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    // MARK: - Strided copies

    /// Gathers a contiguous tensor of `shape` from `source`, reading element `i` of each axis at
    /// `offset + sum(index[axis] * strides[axis])`. The heart of permute, expand and slicing.
    static func stridedCopy(_ source: [Float], offset: Int, shape: [Int], strides: [Int]) -> [Float] {
        let total = shape.reduce(1, *)
        let zeros = [Int](repeating: 0, count: shape.count)
        return [Float](unsafeUninitializedCapacity: total) { out, initialized in
            source.withUnsafeBufferPointer { src in
                forEachRow(shape: shape, strides, zeros) { outBase, srcBase, _, inner, step, _ in
                    let start = offset + srcBase
                    if step == 1 {
                        for j in 0..<inner { out[outBase + j] = src[start + j] }
                    } else {
                        for j in 0..<inner { out[outBase + j] = src[start + j * step] }
                    }
                }
            }
            initialized = total
        }
    }

    /// The adjoint of `stridedCopy`: adds the contiguous `values` of `shape` into a zero buffer
    /// of `count` elements at the strided positions (positions read twice receive both).
    static func stridedScatterAdd(
        _ values: [Float], count: Int, offset: Int, shape: [Int], strides: [Int]
    ) -> [Float] {
        var result = [Float](repeating: 0, count: count)
        let zeros = [Int](repeating: 0, count: shape.count)
        result.withUnsafeMutableBufferPointer { out in
            values.withUnsafeBufferPointer { src in
                forEachRow(shape: shape, strides, zeros) { srcBase, outBase, _, inner, step, _ in
                    let start = offset + outBase
                    for j in 0..<inner { out[start + j * step] += src[srcBase + j] }
                }
            }
        }
        return result
    }

    /// The rows at `indices` of a buffer of rows of `rowSize` values, one block copy per row.
    static func gatherRows(_ values: [Float], rowSize: Int, indices: [Int]) -> [Float] {
        var result = [Float](repeating: 0, count: indices.count * rowSize)
        values.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { out in
                for (k, index) in indices.enumerated() {
                    (out.baseAddress! + k * rowSize).update(from: source.baseAddress! + index * rowSize, count: rowSize)
                }
            }
        }
        return result
    }

    // MARK: - Accumulation

    /// Sums a gradient of broadcast shape `from` down to the input's shape `to` (the adjoint of
    /// broadcasting): leading extra axes and axes where `to` has size 1 are summed.
    static func sumToShape(_ values: [Float], from: [Int], to target: [Int]) -> [Float] {
        let targetCount = target.reduce(1, *)
        if targetCount == 1 {
            return [values.withUnsafeBufferPointer { $0.reduce(0, +) }]
        }
        let strides = Shape.broadcastStrides(target, to: from)
        return stridedScatterAdd(values, count: targetCount, offset: 0, shape: from, strides: strides)
    }

    /// `target[i] += values[i]` for every `i`.
    @inline(__always)
    static func addInPlace(_ target: inout [Float], _ values: [Float]) {
        target.withUnsafeMutableBufferPointer { t in
            values.withUnsafeBufferPointer { v in
                for i in 0..<t.count { t[i] += v[i] }
            }
        }
    }
}
