/// Measures square matrix-multiply speed on this machine, for `slope info` and benchmarks.
///
/// ```swift
/// if let speed = MatmulBenchmark.gflops(n: 1024, useBLAS: true) {
///     print("OpenBLAS: \(speed) GFLOP/s")
/// }
/// ```
public enum MatmulBenchmark {
    /// Median speed of `C = A * B` for random `n x n` matrices, in GFLOP/s: `2 * n^3 / seconds / 1e9`.
    ///
    /// Runs one warm-up product, then repeats for about half a second (at least 3 times).
    /// `useBLAS` picks the loaded BLAS (nil when none is loaded) or the built-in kernel.
    ///
    /// ```swift
    /// MatmulBenchmark.gflops(n: 512, useBLAS: false)  // e.g. 150.0
    /// ```
    ///
    /// - Parameters:
    ///   - n: The side of the square matrices, at least 1.
    ///   - useBLAS: `true` to time the loaded BLAS library, `false` for Slope's built-in kernel.
    /// - Returns: The median GFLOP/s, or `nil` when `useBLAS` is `true` and no BLAS is loaded.
    public static func gflops(n: Int, useBLAS: Bool) -> Double? {
        require(n > 0, "MatmulBenchmark.gflops: n must be positive, got \(n)")
        if useBLAS && !BLAS.isLoaded { return nil }
        let backend: GemmBackend = useBLAS ? .blas : .builtIn
        var generator = SplitMix64(seed: 42)
        let a = (0..<n * n).map { _ in generator.nextSignedUnitFloat() }
        let b = (0..<n * n).map { _ in generator.nextSignedUnitFloat() }
        var c = [Float](repeating: 0, count: n * n)

        func seconds() -> Double {
            let clock = ContinuousClock()
            let elapsed = clock.measure {
                c.withUnsafeMutableBufferPointer { c in
                    Gemm.multiply(
                        transposeA: false, transposeB: false, m: n, n: n, k: n,
                        a: a, lda: n, b: b, ldb: n, c: c.baseAddress!, ldc: n, backend: backend)
                }
            }
            let (whole, fraction) = elapsed.components
            return Double(whole) + Double(fraction) * 1e-18
        }

        let first = seconds()  // warm-up: page faults, thread start-up, library initialisation
        let repeats = min(10_000, max(3, Int(0.5 / max(first, 1e-9))))
        let times = (0..<repeats).map { _ in seconds() }.sorted()
        return 2 * Double(n * n * n) / times[times.count / 2] / 1e9
    }
}

/// SplitMix64 (Steele et al. 2014): a tiny seeded generator, good enough for benchmark inputs.
private struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [-1, 1), from the top 24 bits.
    mutating func nextSignedUnitFloat() -> Float {
        Float(next() >> 40) / Float(1 << 23) - 1
    }
}
