import CSlope

/// Which implementation `Gemm.multiply` uses; `.automatic` everywhere except tests and benchmarks.
enum GemmBackend: Sendable {
    /// Tiny products on the built-in kernel, the rest on the BLAS when one is loaded (unless
    /// the built-in kernel is the faster one on this CPU, see `Gemm.prefersBuiltIn`).
    case automatic
    /// The loaded BLAS (built-in when none is loaded or CBLAS can't take the arguments).
    case blas
    /// The built-in blocked kernel (`slope_sgemm` in CSlope).
    case builtIn
}

/// Single-precision matrix products, row-major: the one entry point every matmul goes through.
///
/// `C = alpha * op(A) * op(B) + beta * C`, where `op(X)` is `X` or its transpose.
/// `A` is `m x k` after `op`, `B` is `k x n` after `op`, `C` is `m x n`; `lda`, `ldb`, `ldc` are
/// the row strides of the stored matrices. `beta == 0` overwrites C, ignoring NaNs in it.
enum Gemm {
    /// Products with `m * n * k` at most this (128^3) skip the BLAS, as do matrix-vector products.
    ///
    /// Measured on the 2-core AVX-512 machine against OpenBLAS 0.3.21 (best of many runs): a
    /// 4-element dot product takes 0.01 us built-in against 0.06 us through `cblas_sgemm`,
    /// 32x1 @ 1x200 0.24 us against 0.57 us, 64^3 2.8 us against 4.5 us, 128^3 18 us against 20 us;
    /// from there on the BLAS's threads pay. Matrix-vector products (`m == 1` or `n == 1`) are
    /// memory-bound, and the built-in loop for them beat OpenBLAS's `sgemm` at every size tried
    /// (1000x784 @ 784x1: 49 us against 69 us).
    static let smallProductLimit = 1 << 21

    /// Whether large products stay on the built-in kernel even when a BLAS is loaded: where its
    /// AVX-512 micro-kernel runs, it outran OpenBLAS 0.3.21 at every size measured on the
    /// project's 2-core machine (about 435 against 245 GFLOP/s from n = 512 to 2048), so the
    /// measured-faster path is the default there; `slope bench t5` reports both.
    static let prefersBuiltIn = String(cString: slope_sgemm_kernel_name()) == "AVX-512"

    static func multiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        multiply(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, backend: .automatic)
    }

    /// The same product on a chosen backend.
    static func multiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int, backend: GemmBackend
    ) {
        require(m >= 0 && n >= 0 && k >= 0, "matmul: negative size m=\(m), n=\(n), k=\(k)")
        if m == 0 || n == 0 { return }
        let useBLAS =
            switch backend {
            case .automatic: !prefersBuiltIn && m > 1 && n > 1 && m * n * k > smallProductLimit
            case .blas: true
            case .builtIn: false
            }
        if useBLAS, let library = BLASLibrary.shared,
            library.multiply(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        {
            return
        }
        slope_sgemm(
            transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
}

extension BLAS {
    /// The implementation large matrix products use by default: the loaded BLAS, or the built-in
    /// kernel when no BLAS loaded or the built-in one is the faster on this CPU.
    ///
    /// ```swift
    /// print(BLAS.active)   // "built-in blocked kernel (AVX-512)"
    /// ```
    public static var active: String { Gemm.prefersBuiltIn || !isLoaded ? builtInName : name }
}
