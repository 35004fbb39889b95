/// A fast, seeded random number generator (xoshiro256**, seeded through SplitMix64): the
/// explicit generator every random stream in Slope takes, so results reproduce.
///
/// ```swift
/// var rng = SeededGenerator(seed: 42)
/// let w = Tensor.randn([3, 2], generator: &rng)
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// The seed this generator started from.
    public let seed: UInt64

    /// Makes a generator whose stream is fixed by `seed`.
    ///
    /// ```swift
    /// var rng = SeededGenerator(seed: 0)
    /// ```
    ///
    /// - Parameter seed: Any 64-bit value; it is expanded into the 256-bit state with SplitMix64,
    ///   so nearby seeds (0, 1, 2) still give unrelated streams.
    public init(seed: UInt64) {
        self.seed = seed
        var mixer = seed
        func splitMix() -> UInt64 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// The next 64 random bits.
    ///
    /// - Returns: 64 uniformly distributed bits (the xoshiro256** output `rotl(s1 * 5, 7) * 9`).
    public mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

extension RandomNumberGenerator {
    /// A uniform Float in `[0, 1)` with 24 random bits.
    ///
    /// - Returns: `Float(bits >> 40) / 2²⁴`, from the top 24 bits of one `next()`.
    @inlinable
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A standard normal sample (Box–Muller on two uniform doubles).
    ///
    /// ```swift
    /// var rng = SeededGenerator(seed: 1)
    /// let z = rng.nextNormal()
    /// ```
    ///
    /// - Returns: `sqrt(-2 ln u) · cos(2π v)` for uniform `u` in `(0, 1)` and `v` in `[0, 1)`,
    ///   each from the top 53 bits of one `next()`.
    public mutating func nextNormal() -> Double {
        var u = 0.0
        repeat { u = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) } while u == 0
        let v = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return (-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v)
    }
}

@inline(__always) private func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }

import Foundation
