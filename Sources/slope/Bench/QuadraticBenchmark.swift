import Slope

/// T1: the lesson's quadratic fit, 10,000 steps of gradient descent on the notebook's 20 points,
/// written as a user writes it (`loss.backward()`, `abc -= lr * abc.grad!` under `noGrad`).
/// `us_per_step` uses the library's `quadratic(abc)` and `mse` (one op each, as PyTorch's
/// `mse_loss` is one op); `us_per_step_written_out` writes the prediction out in element-wise
/// ops exactly as the PyTorch script does (`F.mse_loss(abc[2] * x**2 + abc[1] * x + abc[0], y)`).
enum QuadraticBenchmark {
    static func run(steps: Int = 10_000, lr: Float = 0.01) -> JSON {
        let (x, y) = Lesson.noisyQuadratic()
        func train(_ n: Int, writtenOut: Bool = false) -> Tensor {
            let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
            for _ in 0..<n {
                let loss = writtenOut
                    ? mse(abc[2] * x.pow(2) + abc[1] * x + abc[0], y)
                    : mse(quadratic(abc)(x), y)
                loss.backward()
                noGrad { abc -= lr * abc.grad! }
                abc.zeroGrad()
            }
            return abc
        }
        /// The same training as one captured step replayed (`CapturedStep`, SGD with the same
        /// rule `abc -= lr * grad`).
        func trainCaptured(_ n: Int) -> Tensor {
            let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
            let optimizer = SGD([abc], lr: lr)
            let step = try! CapturedStep(optimizer: optimizer, example: []) { _ in mse(quadratic(abc)(x), y) }
            for _ in 0..<n { try! step([]) }
            return abc
        }
        let (median, runs) = medianTime { _ = train(steps) }
        let (captured, _) = medianTime { _ = trainCaptured(steps) }
        let (writtenOut, _) = medianTime { _ = train(steps, writtenOut: true) }
        let abc = train(steps).detach()
        let loss = mse(quadratic(abc)(x), y).item()
        return .object(benchHeader("t1_quadratic") + [
            ("steps", .int(steps)), ("us_per_step", .number(rounded(median / Double(steps) * 1e6, 3))),
            ("us_per_step_written_out", .number(rounded(writtenOut / Double(steps) * 1e6, 3))),
            ("us_per_step_captured", .number(rounded(captured / Double(steps) * 1e6, 3))),
            ("captured_bit_identical", .bool(trainCaptured(steps).scalars == abc.scalars)),
            ("runs_s", .array(runs.map { .number(rounded($0, 4)) })),
            ("final_abc", .floats(abc.scalars)), ("final_mse", .float(loss)),
        ])
    }
}
