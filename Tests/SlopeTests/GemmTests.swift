import Testing

@testable import Slope

/// One product's inputs, stored with padded row strides so stride handling is exercised.
private struct GemmCase: CustomStringConvertible {
    var transposeA: Bool, transposeB: Bool
    var m: Int, n: Int, k: Int
    var alpha: Float = 1, beta: Float = 0
    var pad = 0  // extra floats at the end of every stored row

    var description: String {
        "\(transposeA ? "T" : "N")\(transposeB ? "T" : "N") m=\(m) n=\(n) k=\(k) "
            + "alpha=\(alpha) beta=\(beta) pad=\(pad)"
    }

    // Stored shapes: op(A) is m x k, so A is k x m when transposed; likewise B.
    var lda: Int { (transposeA ? m : k) + pad }
    var ldb: Int { (transposeB ? k : n) + pad }
    var ldc: Int { n + pad }
}

/// Deterministic values in [-1, 1) from a linear congruential generator (plenty for test data).
private func values(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 23) - 1
    }
}

/// Runs the case on every backend, with C pre-filled by `initialC` (random when nil), and checks
/// each C against a Double triple loop on every `rowStep`-th row (and the last): within
/// `(k + 2) * 2 eps * (|alpha| sum |a b| + |beta c|)`, the standard bound for a k-term float dot
/// product. Padding in C must stay untouched.
private func check(_ g: GemmCase, backends: [GemmBackend], initialC: Float? = nil, rowStep: Int = 1) {
    let a = values((g.transposeA ? g.k : g.m) * g.lda, seed: 1)
    let b = values((g.transposeB ? g.n : g.k) * g.ldb, seed: 2)
    let c0 = initialC.map { [Float](repeating: $0, count: g.m * g.ldc) } ?? values(g.m * g.ldc, seed: 3)
    let rows = Array(stride(from: 0, to: g.m, by: rowStep)) + (g.m > 0 && (g.m - 1) % rowStep != 0 ? [g.m - 1] : [])

    // Reference value and error bound for each checked element, computed once for all backends.
    var expected: [(i: Int, j: Int, value: Double, tolerance: Double)] = []
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            for i in rows {
                for j in 0..<g.n {
                    var sum = 0.0, magnitude = 0.0
                    for p in 0..<g.k {
                        let av = Double(g.transposeA ? a[p * g.lda + i] : a[i * g.lda + p])
                        let bv = Double(g.transposeB ? b[j * g.ldb + p] : b[p * g.ldb + j])
                        sum += av * bv
                        magnitude += abs(av * bv)
                    }
                    let old = g.beta == 0 ? 0 : Double(g.beta) * Double(c0[i * g.ldc + j])
                    let bound = abs(Double(g.alpha)) * magnitude + abs(old)
                    let tolerance = Double(g.k + 2) * 2 * Double(Float.ulpOfOne) * bound
                    expected.append((i, j, Double(g.alpha) * sum + old, tolerance))
                }
            }
        }
    }

    for backend in backends {
        var c = c0
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    // Empty arrays may have no storage; the kernels never read them then.
                    let dummy = UnsafeMutablePointer<Float>.allocate(capacity: 1)
                    defer { dummy.deallocate() }
                    Gemm.multiply(
                        transposeA: g.transposeA, transposeB: g.transposeB, m: g.m, n: g.n, k: g.k,
                        alpha: g.alpha, a: a.baseAddress ?? UnsafePointer(dummy), lda: g.lda,
                        b: b.baseAddress ?? UnsafePointer(dummy), ldb: g.ldb, beta: g.beta,
                        c: c.baseAddress ?? dummy, ldc: g.ldc, backend: backend)
                }
            }
        }
        var failures = 0
        for e in expected where !(abs(Double(c[e.i * g.ldc + e.j]) - e.value) <= e.tolerance) {
            failures += 1
            if failures <= 3 {
                Issue.record("\(backend) \(g): C[\(e.i), \(e.j)] = \(c[e.i * g.ldc + e.j]), expected \(e.value)")
            }
        }
        #expect(failures == 0, "\(backend) \(g): \(failures) wrong elements")
        for i in 0..<g.m {
            for j in g.n..<g.ldc where c[i * g.ldc + j].bitPattern != c0[i * g.ldc + j].bitPattern {
                Issue.record("\(backend) \(g): padding C[\(i), \(j)] was overwritten")
            }
        }
    }
}

/// The backends to compare with the reference: always built-in and automatic, BLAS when loaded.
private let backends: [GemmBackend] = BLAS.isLoaded ? [.builtIn, .automatic, .blas] : [.builtIn, .automatic]

private let transposes = [(false, false), (false, true), (true, false), (true, true)]

@Suite struct GemmTests {
    @Test(arguments: [
        (1, 1, 1), (1, 1, 4), (4, 1, 1), (1, 7, 1), (2, 3, 4), (4, 4, 4), (32, 200, 1), (7, 13, 29),
        (12, 32, 256), (13, 33, 257), (16, 17, 15), (65, 33, 130), (300, 200, 100), (1, 300, 300),
        (300, 1, 300),
    ])
    func matchesReference(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        for (ta, tb) in transposes {
            check(GemmCase(transposeA: ta, transposeB: tb, m: m, n: n, k: k), backends: backends)
        }
    }

    @Test func stridesAlphaAndBeta() {
        for (ta, tb) in transposes {
            for (alpha, beta): (Float, Float) in [(1, 1), (0.5, -2), (-1.5, 0), (0, 0.25), (2, 1)] {
                for (m, n, k) in [(5, 3, 2), (29, 47, 61), (70, 45, 33), (1, 20, 9), (20, 1, 9)] {
                    let g = GemmCase(
                        transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: alpha, beta: beta, pad: 3)
                    check(g, backends: backends)
                }
            }
        }
    }

    @Test func betaZeroIgnoresNaN() {
        for (ta, tb) in transposes {
            for (m, n, k) in [(3, 4, 5), (40, 70, 20), (2, 2, 0), (33, 65, 1), (1, 9, 5), (9, 1, 5)] {
                let g = GemmCase(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1.5, pad: 2)
                check(g, backends: backends, initialC: .nan)
            }
        }
    }

    @Test func emptyProducts() {
        // k = 0: C = beta * C, with or without beta; m = 0 or n = 0: nothing to write.
        check(GemmCase(transposeA: false, transposeB: false, m: 3, n: 4, k: 0, beta: 0.5), backends: backends)
        check(GemmCase(transposeA: true, transposeB: true, m: 3, n: 4, k: 0), backends: backends)
        check(GemmCase(transposeA: false, transposeB: true, m: 0, n: 5, k: 3), backends: backends)
        check(GemmCase(transposeA: true, transposeB: false, m: 5, n: 0, k: 3), backends: backends)
        check(GemmCase(transposeA: false, transposeB: false, m: 0, n: 0, k: 0), backends: backends)
    }

    @Test func largeProductsSplitOverThreads() {
        // Over the built-in kernel's threading threshold; tall splits rows of C, wide splits
        // columns. Every 17th row is checked to keep the Double reference quick in debug builds.
        for (m, n, k) in [(413, 150, 520), (40, 1100, 600)] {
            for (ta, tb) in [(false, false), (true, true)] {
                let g = GemmCase(transposeA: ta, transposeB: tb, m: m, n: n, k: k, beta: 1, pad: 1)
                check(g, backends: [.builtIn], rowStep: 17)
            }
        }
    }

    @Test func backendInformation() {
        #expect(BLAS.threadCount >= 1)
        #expect(BLAS.builtInName.hasPrefix("built-in blocked kernel ("))
        #expect(BLAS.isLoaded ? BLAS.name.contains("(") : BLAS.name == BLAS.builtInName)
    }
}
