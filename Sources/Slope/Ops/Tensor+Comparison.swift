/// Element-wise comparisons (1 where true, 0 where false; no gradient) and `where`.
extension Tensor {
    /// Compares with broadcasting and returns a constant mask of 1s and 0s.
    private static func compare(_ lhs: Tensor, _ rhs: Tensor, op: StaticString, _ test: (Float, Float) -> Bool) -> Tensor {
        let (shape, values) = Kernels.broadcastZip(lhs, rhs, op: op) { test($0, $1) ? 1 : 0 }
        return Tensor(unchecked: shape, values)
    }

    /// 1 where `lhs == rhs`, else 0.
    ///
    /// ```swift
    /// let correct = (predictions .== targets).mean()
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The left side of each comparison.
    ///   - rhs: The right side; its shape and `lhs`'s must broadcast.
    /// - Returns: A mask of the broadcast shape, recorded in no graph (comparisons have no gradient).
    public static func .== (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, op: ".==", ==) }
    /// 1 where `lhs != rhs`, else 0.
    ///
    /// - Parameters:
    ///   - lhs: The left side of each comparison.
    ///   - rhs: The right side; its shape and `lhs`'s must broadcast.
    /// - Returns: A mask of the broadcast shape, recorded in no graph (comparisons have no gradient).
    public static func .!= (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, op: ".!=", !=) }
    /// 1 where `lhs < rhs`, else 0.
    ///
    /// ```swift
    /// let negative = x .< Tensor(0)
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The left side of each comparison.
    ///   - rhs: The right side; its shape and `lhs`'s must broadcast.
    /// - Returns: A mask of the broadcast shape, recorded in no graph (comparisons have no gradient).
    public static func .< (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, op: ".<", <) }
    /// 1 where `lhs <= rhs`, else 0.
    ///
    /// - Parameters:
    ///   - lhs: The left side of each comparison.
    ///   - rhs: The right side; its shape and `lhs`'s must broadcast.
    /// - Returns: A mask of the broadcast shape, recorded in no graph (comparisons have no gradient).
    public static func .<= (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, op: ".<=", <=) }
    /// 1 where `lhs > rhs`, else 0.
    ///
    /// - Parameters:
    ///   - lhs: The left side of each comparison.
    ///   - rhs: The right side; its shape and `lhs`'s must broadcast.
    /// - Returns: A mask of the broadcast shape, recorded in no graph (comparisons have no gradient).
    public static func .> (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, op: ".>", >) }
    /// 1 where `lhs >= rhs`, else 0.
    ///
    /// - Parameters:
    ///   - lhs: The left side of each comparison.
    ///   - rhs: The right side; its shape and `lhs`'s must broadcast.
    /// - Returns: A mask of the broadcast shape, recorded in no graph (comparisons have no gradient).
    public static func .>= (lhs: Tensor, rhs: Tensor) -> Tensor { compare(lhs, rhs, op: ".>=", >=) }

    /// 1 where the value equals `rhs`, else 0.
    ///
    /// ```swift
    /// let isZero = x .== 0
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The tensor whose values are compared.
    ///   - rhs: The scalar each value is compared with.
    /// - Returns: A mask of `lhs`'s shape, recorded in no graph (comparisons have no gradient).
    public static func .== (lhs: Tensor, rhs: Float) -> Tensor { lhs .== Tensor(rhs) }
    /// 1 where the value differs from `rhs`, else 0.
    ///
    /// - Parameters:
    ///   - lhs: The tensor whose values are compared.
    ///   - rhs: The scalar each value is compared with.
    /// - Returns: A mask of `lhs`'s shape, recorded in no graph (comparisons have no gradient).
    public static func .!= (lhs: Tensor, rhs: Float) -> Tensor { lhs .!= Tensor(rhs) }
    /// 1 where the value is below `rhs`, else 0.
    ///
    /// - Parameters:
    ///   - lhs: The tensor whose values are compared.
    ///   - rhs: The scalar each value is compared with.
    /// - Returns: A mask of `lhs`'s shape, recorded in no graph (comparisons have no gradient).
    public static func .< (lhs: Tensor, rhs: Float) -> Tensor { lhs .< Tensor(rhs) }
    /// 1 where the value is at most `rhs`, else 0.
    ///
    /// - Parameters:
    ///   - lhs: The tensor whose values are compared.
    ///   - rhs: The scalar each value is compared with.
    /// - Returns: A mask of `lhs`'s shape, recorded in no graph (comparisons have no gradient).
    public static func .<= (lhs: Tensor, rhs: Float) -> Tensor { lhs .<= Tensor(rhs) }
    /// 1 where the value is above `rhs`, else 0.
    ///
    /// ```swift
    /// let positive = x .> 0
    /// ```
    ///
    /// - Parameters:
    ///   - lhs: The tensor whose values are compared.
    ///   - rhs: The scalar each value is compared with.
    /// - Returns: A mask of `lhs`'s shape, recorded in no graph (comparisons have no gradient).
    public static func .> (lhs: Tensor, rhs: Float) -> Tensor { lhs .> Tensor(rhs) }
    /// 1 where the value is at least `rhs`, else 0.
    ///
    /// - Parameters:
    ///   - lhs: The tensor whose values are compared.
    ///   - rhs: The scalar each value is compared with.
    /// - Returns: A mask of `lhs`'s shape, recorded in no graph (comparisons have no gradient).
    public static func .>= (lhs: Tensor, rhs: Float) -> Tensor { lhs .>= Tensor(rhs) }

    /// Picks from `lhs` where `condition` is non-zero and from `rhs` elsewhere, all three
    /// broadcast together; the gradient flows to the side that was picked.
    ///
    /// ```swift
    /// let y = Tensor.where(x .> 0, x, 0.01 * x)   // leaky ReLU
    /// ```
    ///
    /// - Parameters:
    ///   - condition: The mask; non-zero picks `lhs`. It gets no gradient.
    ///   - lhs: The values taken where `condition` is non-zero.
    ///   - rhs: The values taken where `condition` is 0.
    /// - Returns: A tensor of the shape all three broadcast to.
    public static func `where`(_ condition: Tensor, _ lhs: Tensor, _ rhs: Tensor) -> Tensor {
        let shape = Shape.broadcast(Shape.broadcast(condition.shape, lhs.shape, op: "where"), rhs.shape, op: "where")
        let mask = condition.broadcastValues(to: shape).map { $0 != 0 ? Float(1) : 0 }
        let left = lhs.broadcastValues(to: shape), right = rhs.broadcastValues(to: shape)
        let values = [Float](unsafeUninitializedCapacity: mask.count) { out, initialized in
            for i in 0..<mask.count { out[i] = mask[i] != 0 ? left[i] : right[i] }
            initialized = mask.count
        }
        let result = Tensor(unchecked: shape, values)
        if recording(lhs, rhs) {
            let picked = Tensor(unchecked: shape, mask)
            result.record("where", lhs, rhs) { g in
                (lhs.requiresGrad ? g * picked : nil, rhs.requiresGrad ? g * (1 - picked) : nil)
            }
        }
        return result
    }

    /// This tensor's values read as if broadcast to `target` (a copy when shapes differ).
    func broadcastValues(to target: [Int]) -> [Float] {
        if shape == target { return storage }
        return Kernels.stridedCopy(storage, offset: 0, shape: target, strides: Shape.broadcastStrides(shape, to: target))
    }
}

/// Picks from `lhs` where `condition` is non-zero and from `rhs` elsewhere (`Tensor.where`).
///
/// ```swift
/// let y = `where`(x .> 0, x, Tensor(0))
/// ```
///
/// - Parameters:
///   - condition: The mask; non-zero picks `lhs`. It gets no gradient.
///   - lhs: The values taken where `condition` is non-zero.
///   - rhs: The values taken where `condition` is 0.
/// - Returns: A tensor of the shape all three broadcast to.
public func `where`(_ condition: Tensor, _ lhs: Tensor, _ rhs: Tensor) -> Tensor {
    Tensor.where(condition, lhs, rhs)
}
