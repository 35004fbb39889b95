/// Shape arithmetic shared by the ops: strides, broadcasting, axis normalisation.
enum Shape {
    /// Row-major strides of a contiguous tensor: `strides[i] = shape[i+1] * ... * shape[last]`.
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// NumPy's broadcast of two shapes: aligned on the right, each pair of sizes equal or one
    /// of them 1. Stops with `op: shapes [2, 5] and [3, 5] cannot be broadcast` otherwise.
    static func broadcast(_ lhs: [Int], _ rhs: [Int], op: StaticString) -> [Int] {
        if lhs == rhs { return lhs }
        if lhs.isEmpty { return rhs }
        if rhs.isEmpty { return lhs }
        let rank = max(lhs.count, rhs.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let l = i < rank - lhs.count ? 1 : lhs[i - (rank - lhs.count)]
            let r = i < rank - rhs.count ? 1 : rhs[i - (rank - rhs.count)]
            if l == r || r == 1 {
                result[i] = l
            } else if l == 1 {
                result[i] = r
            } else {
                requireFailure("\(op): shapes \(lhs) and \(rhs) cannot be broadcast")
            }
        }
        return result
    }

    /// Strides that read a contiguous tensor of `shape` as if it had `target` shape (stride 0
    /// on broadcast dimensions). `shape` must broadcast to `target`.
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = contiguousStrides(shape)
        let offset = target.count - shape.count
        var strides = [Int](repeating: 0, count: target.count)
        for i in 0..<shape.count where shape[i] != 1 || target[i + offset] == 1 {
            strides[i + offset] = shape[i] == 1 ? 0 : own[i]
        }
        return strides
    }

    /// Turns a possibly negative axis into `0..<rank`, stopping with a message when out of range.
    static func normalize(axis: Int, rank: Int, op: StaticString) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        require(
            resolved >= 0 && resolved < max(rank, 1) && (rank > 0 || resolved == 0),
            "\(op): axis \(axis) is out of range for a tensor of rank \(rank)")
        return resolved
    }

    /// Normalises a list of axes, sorted and without duplicates; `nil` means every axis.
    static func normalize(axes: [Int]?, rank: Int, op: StaticString) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        let resolved = Set(axes.map { normalize(axis: $0, rank: rank, op: op) }).sorted()
        require(resolved.count == axes.count, "\(op): axes \(axes) name the same axis twice")
        return resolved
    }
}
