import Slope

/// T1: the lesson's quadratic fit, 10,000 steps of gradient descent on the notebook's 20 points,
/// written as a user writes it (`loss.backward()`, `abc -= lr * abc.grad!` under `noGrad`).
enum QuadraticBenchmark {
    static func run(steps: Int = 10_000, lr: Float = 0.01) -> JSON {
        let (x, y) = Lesson.noisyQuadratic()
        func train(_ n: Int) -> Tensor {
            let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
            for _ in 0..<n {
                let loss = mse(quadratic(abc)(x), y)
                loss.backward()
                noGrad { abc -= lr * abc.grad! }
                abc.zeroGrad()
            }
            return abc
        }
        let (median, runs) = medianTime { _ = train(steps) }
        let abc = train(steps).detach()
        let loss = mse(quadratic(abc)(x), y).item()
        return .object(benchHeader("t1_quadratic") + [
            ("steps", .int(steps)), ("us_per_step", .number(rounded(median / Double(steps) * 1e6, 3))),
            ("runs_s", .array(runs.map { .number(rounded($0, 4)) })),
            ("final_abc", .floats(abc.scalars)), ("final_mse", .float(loss)),
        ])
    }
}
