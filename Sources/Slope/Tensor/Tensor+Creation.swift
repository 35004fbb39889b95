import Foundation

/// Tensors made from a shape and a rule: constants, ranges and seeded random values.
extension Tensor {
    /// A tensor of zeros.
    ///
    /// ```swift
    /// let bias = Tensor.zeros([10])
    /// ```
    ///
    /// - Parameter shape: The sizes of the dimensions; `[]` gives a scalar.
    /// - Returns: A new leaf tensor of that shape, every value 0.
    public static func zeros(_ shape: [Int]) -> Tensor { full(shape, value: 0) }

    /// A tensor of ones.
    ///
    /// ```swift
    /// let weight = Tensor.ones([2, 3])
    /// ```
    ///
    /// - Parameter shape: The sizes of the dimensions; `[]` gives a scalar.
    /// - Returns: A new leaf tensor of that shape, every value 1.
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, value: 1) }

    /// A tensor with every value equal to `value`.
    ///
    /// ```swift
    /// let abc = Tensor.full([3], value: 1.5)
    /// ```
    ///
    /// - Parameters:
    ///   - shape: The sizes of the dimensions (none negative); `[]` gives a scalar.
    ///   - value: The value every element takes.
    /// - Returns: A new leaf tensor of `shape.reduce(1, *)` copies of `value`.
    public static func full(_ shape: [Int], value: Float) -> Tensor {
        require(shape.allSatisfy { $0 >= 0 }, "full: shape \(shape) has a negative size")
        return Tensor(unchecked: shape, [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// A tensor of zeros with this tensor's shape.
    ///
    /// ```swift
    /// let velocity = Tensor.zeros(like: weight)
    /// ```
    ///
    /// - Parameter other: The tensor whose shape is copied (its values are not read).
    /// - Returns: A new leaf tensor of zeros with `other.shape`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

    /// Values `start, start + step, ...` below `end` (NumPy's `arange`).
    ///
    /// ```swift
    /// Tensor.arange(0, 5)   // tensor([0., 1., 2., 3., 4.])
    /// ```
    ///
    /// - Parameters:
    ///   - start: The first value.
    ///   - end: The bound, not included.
    ///   - step: The spacing; finite and non-zero (negative counts down).
    /// - Returns: A rank-1 tensor of `ceil((end - start) / step)` values (none when that is negative).
    public static func arange(_ start: Float, _ end: Float, step: Float = 1) -> Tensor {
        require(step != 0 && step.isFinite, "arange: step must be finite and non-zero, got \(step)")
        let count = Swift.max(0, Int((Double(end - start) / Double(step)).rounded(.up)))
        return Tensor((0..<count).map { Float(Double(start) + Double($0) * Double(step)) })
    }

    /// `count` evenly spaced values from `start` to `end`, both included (NumPy's `linspace`,
    /// computed in Double then rounded, so it matches NumPy's float32 values).
    ///
    /// ```swift
    /// let x = Tensor.linspace(-2, 2, count: 20)
    /// ```
    ///
    /// - Parameters:
    ///   - start: The first value.
    ///   - end: The last value (included exactly when `count > 1`).
    ///   - count: How many values; not negative.
    /// - Returns: A rank-1 tensor of `count` values, `start + i · (end - start) / (count - 1)`.
    public static func linspace(_ start: Float, _ end: Float, count: Int) -> Tensor {
        require(count >= 0, "linspace: count must not be negative, got \(count)")
        if count == 1 { return Tensor([start]) }
        let step = (Double(end) - Double(start)) / Double(count - 1)
        return Tensor((0..<count).map { $0 == count - 1 ? end : Float(Double(start) + Double($0) * step) })
    }

    // MARK: - Random

    /// Standard normal values `N(0, 1)` from a seeded generator.
    ///
    /// ```swift
    /// var rng = SeededGenerator(seed: 42)
    /// let noise = Tensor.randn([20], generator: &rng)
    /// ```
    ///
    /// - Parameters:
    ///   - shape: The sizes of the dimensions.
    ///   - mean: The mean of the distribution.
    ///   - std: The standard deviation; each value is `mean + std · z` for a standard normal `z`.
    ///   - generator: The random stream to draw from (one `nextNormal()` per value, row-major).
    /// - Returns: A new leaf tensor of that shape.
    public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1, generator: inout some RandomNumberGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(unchecked: shape, (0..<count).map { _ in mean + std * Float(generator.nextNormal()) })
    }

    /// Uniform values in `[0, 1)` from a seeded generator.
    ///
    /// ```swift
    /// let u = Tensor.rand([4], generator: &rng)
    /// ```
    ///
    /// - Parameters:
    ///   - shape: The sizes of the dimensions.
    ///   - generator: The random stream to draw from (24 random bits per value, row-major).
    /// - Returns: A new leaf tensor of that shape.
    public static func rand(_ shape: [Int], generator: inout some RandomNumberGenerator) -> Tensor {
        uniform(shape, low: 0, high: 1, generator: &generator)
    }

    /// Uniform values in `[low, high)` from a seeded generator.
    ///
    /// ```swift
    /// let w = Tensor.uniform([32, 1], low: -1, high: 1, generator: &rng)
    /// ```
    ///
    /// - Parameters:
    ///   - shape: The sizes of the dimensions.
    ///   - low: The lower bound, included.
    ///   - high: The upper bound, excluded; each value is `low + (high - low) · u` for `u` in `[0, 1)`.
    ///   - generator: The random stream to draw from (24 random bits per value, row-major).
    /// - Returns: A new leaf tensor of that shape.
    public static func uniform(_ shape: [Int], low: Float, high: Float, generator: inout some RandomNumberGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(unchecked: shape, (0..<count).map { _ in low + (high - low) * generator.nextUnitFloat() })
    }
}
