import Foundation

/// NumPy's legacy random stream (`np.random.seed(n)` followed by `np.random.normal`), bit for
/// bit: the Mersenne Twister MT19937 with NumPy's seeding and its polar Box–Muller normals.
/// With it, `Lesson.noisyQuadratic(seed: 42)` makes exactly the lesson notebook's points.
///
/// ```swift
/// var numpy = NumPyRandomState(seed: 42)
/// numpy.normal(scale: 0.15, count: 3)   // same values as np.random.normal(scale=0.15, size=3)
/// ```
public struct NumPyRandomState: Sendable {
    private var key = [UInt32](repeating: 0, count: 624)
    private var position = 624
    private var cachedGauss: Double?

    /// Seeds the stream as `np.random.seed(seed)` does.
    ///
    /// ```swift
    /// var numpy = NumPyRandomState(seed: 42)
    /// ```
    ///
    /// - Parameter seed: The 32-bit seed, as passed to `np.random.seed`.
    public init(seed: UInt32) {
        var value = seed
        for i in 0..<624 {
            key[i] = value
            value = 1_812_433_253 &* (value ^ (value >> 30)) &+ UInt32(i + 1)
        }
    }

    /// The next 32 random bits (MT19937's tempered output).
    ///
    /// - Returns: 32 uniformly distributed bits.
    public mutating func nextUInt32() -> UInt32 {
        if position >= 624 { twist() }
        var y = key[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// A uniform Double in `[0, 1)` with 53 random bits, as `np.random.random_sample`.
    ///
    /// - Returns: `(a · 2²⁶ + b) / 2⁵³` for `a` the top 27 bits of one draw and `b` the top 26 of the next.
    public mutating func nextDouble() -> Double {
        let a = Double(nextUInt32() >> 5), b = Double(nextUInt32() >> 6)
        return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// A standard normal sample, as NumPy's legacy `gauss` (values come in cached pairs).
    ///
    /// - Returns: One sample of `N(0, 1)`; every second call returns the cached partner of the pair.
    public mutating func nextGauss() -> Double {
        if let cached = cachedGauss {
            cachedGauss = nil
            return cached
        }
        var x1 = 0.0, x2 = 0.0, r2 = 0.0
        repeat {
            x1 = 2 * nextDouble() - 1
            x2 = 2 * nextDouble() - 1
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1 || r2 == 0
        let f = (-2 * Foundation.log(r2) / r2).squareRoot()
        cachedGauss = f * x1
        return f * x2
    }

    /// `count` samples of `N(mean, scale²)`, as `np.random.normal(mean, scale, count)`.
    ///
    /// ```swift
    /// let noise = numpy.normal(scale: 1.5, count: 20)
    /// ```
    ///
    /// - Parameters:
    ///   - mean: The mean of the distribution.
    ///   - scale: The standard deviation.
    ///   - count: How many samples.
    /// - Returns: `count` values `mean + scale · nextGauss()`.
    public mutating func normal(mean: Double = 0, scale: Double = 1, count: Int) -> [Double] {
        (0..<count).map { _ in mean + scale * nextGauss() }
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (key[i] & 0x8000_0000) | (key[(i + 1) % 624] & 0x7FFF_FFFF)
            var next = key[(i + 397) % 624] ^ (y >> 1)
            if y & 1 != 0 { next ^= 0x9908_B0DF }
            key[i] = next
        }
        position = 0
    }
}
