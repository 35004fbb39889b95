import Slope

/// T5: `C = A @ B` for n x n Float32 matrices, GFLOP/s = 2n³ / median seconds, on the loaded
/// BLAS and on the built-in kernel.
enum MatmulTask {
    static func run(sizes: [Int] = [256, 512, 1024, 2048]) -> JSON {
        func measure(_ useBLAS: Bool) -> JSON {
            .object(sizes.map { n in
                (String(n), MatmulBenchmark.gflops(n: n, useBLAS: useBLAS).map { .number(rounded($0, 1)) } ?? .null)
            })
        }
        return .object(benchHeader("t5_matmul") + [
            ("blas", .string(BLAS.name)), ("gflops", measure(true)), ("gflops_builtin", measure(false)),
        ])
    }
}
