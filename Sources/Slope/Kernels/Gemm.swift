/// Single-precision matrix products, row-major: the one entry point every matmul goes through.
///
/// `C = alpha * op(A) * op(B) + beta * C`, where `op(X)` is `X` or its transpose.
/// `A` is `m x k` after `op`, `B` is `k x n` after `op`, `C` is `m x n`; `lda`, `ldb`, `ldc` are
/// the row strides of the stored matrices.
enum Gemm {
    static func multiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        // Naive reference path; replaced by the BLAS bridge and blocked fallback.
        for i in 0..<m {
            for j in 0..<n {
                var acc: Float = 0
                for p in 0..<k {
                    let av = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    acc += av * bv
                }
                c[i * ldc + j] = alpha * acc + (beta == 0 ? 0 : beta * c[i * ldc + j])
            }
        }
    }
}
