/// A flexible function made of `count` rectified linear pieces, as in the lesson:
/// `f(x) = bias + Σᵢ wᵢ · max(mᵢ·x + bᵢ, 0)`. With enough pieces it can bend to any curve
/// (each piece adds one kink); the output weights let pieces point down as well as up.
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// let relus = ReLUSum(count: 8, over: -3...3, generator: &rng)
/// let y = relus(Tensor.linspace(-3, 3, count: 100))
/// ```
public struct ReLUSum {
    /// The slopes `m`, shape `[count]`.
    public let slopes: Tensor
    /// The intercepts `b`, shape `[count]`.
    public let intercepts: Tensor
    /// The output weights `w`, shape `[count]`.
    public let weights: Tensor
    /// The constant added to the sum, shape `[]`.
    public let bias: Tensor

    /// Makes `count` pieces whose kinks are spread evenly over `range`, each rising to the
    /// right or the left at random, with small random output weights; all require grad.
    ///
    /// ```swift
    /// let relus = ReLUSum(count: 4, over: -2...2, generator: &rng)
    /// ```
    ///
    /// - Parameters:
    ///   - count: The number of pieces, at least 1.
    ///   - range: Where the kinks go: piece `i`'s kink is at `lower + (i + ½) · width / count`.
    ///   - generator: The random stream for each piece's direction and the output weights (`N(0, 0.1²)`).
    public init(count: Int, over range: ClosedRange<Float>, generator: inout some RandomNumberGenerator) {
        require(count >= 1, "ReLUSum: count must be at least 1, got \(count)")
        let width = range.upperBound - range.lowerBound
        let kinks = (0..<count).map { range.lowerBound + (Float($0) + 0.5) * width / Float(count) }
        let slopes = (0..<count).map { _ in generator.nextUnitFloat() < 0.5 ? Float(-1) : 1 }
        self.slopes = Tensor(slopes).requiresGrad()
        self.intercepts = Tensor(zip(slopes, kinks).map { -$0 * $1 }).requiresGrad()
        self.weights = Tensor.randn([count], std: 0.1, generator: &generator).requiresGrad()
        self.bias = Tensor(0).requiresGrad()
    }

    /// The tensors gradient descent adjusts.
    public var parameters: [Tensor] { [slopes, intercepts, weights, bias] }

    /// The number of pieces.
    public var count: Int { slopes.count }

    /// Evaluates the function at each value of a rank-1 `x`.
    ///
    /// ```swift
    /// let prediction = relus(x)
    /// ```
    ///
    /// - Parameter x: The inputs, rank 1 (`[n]`).
    /// - Returns: `f(x)`, shape `[n]`, recorded for `backward()` through the four parameters.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        require(x.rank == 1, "ReLUSum: x must be rank 1, got shape \(x.shape)")
        let pieces = rectifiedLinear(m: slopes, b: intercepts, x: x.unsqueezed(axis: 1))
        return pieces.matmul(weights) + bias
    }
}
