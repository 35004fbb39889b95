import Slope

/// T7: the cost of one small op with autograd: `(x * w + b).relu().sum().backward()` on
/// 4-element tensors, and the same forward alone under `noGrad`.
enum OpOverheadBenchmark {
    static func run(iterations: Int = 20_000) -> JSON {
        var rng = SeededGenerator(seed: 0)
        let x = Tensor.randn([4], generator: &rng)
        let w = Tensor.randn([4], generator: &rng).requiresGrad()
        let b = Tensor.randn([4], generator: &rng).requiresGrad()
        let (median, runs) = medianTime {
            for _ in 0..<iterations { (x * w + b).relu().sum().backward() }
        }
        let (forward, _) = medianTime {
            noGrad { for _ in 0..<iterations { _ = (x * w + b).relu().sum() } }
        }
        let perIteration = 1e6 / Double(iterations)
        return .object(benchHeader("t7_op_overhead") + [
            ("iters", .int(iterations)), ("us_per_iter", .number(rounded(median * perIteration, 3))),
            ("runs_us", .array(runs.map { .number(rounded($0 * perIteration, 2)) })),
            ("us_per_iter_forward_no_grad", .number(rounded(forward * perIteration, 3))),
        ])
    }
}
