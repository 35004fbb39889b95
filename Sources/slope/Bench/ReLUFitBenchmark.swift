import Slope

/// T2: Linear(1,32)-ReLU-Linear(32,1) fitted to `sin x` at 200 points on [-3, 3] with Adam
/// (lr 0.01), 5,000 full-batch steps.
enum ReLUFitBenchmark {
    static func run(steps: Int = 5_000) -> JSON {
        let x = Tensor.linspace(-3, 3, count: 200).unsqueezed(axis: 1)
        let y = x.sin()
        func train(_ n: Int) -> Float {
            var rng = SeededGenerator(seed: 0)
            let model = Sequential(
                Linear(inputFeatures: 1, outputFeatures: 32, generator: &rng), ReLU(),
                Linear(inputFeatures: 32, outputFeatures: 1, generator: &rng))
            let optimizer = Adam(model, lr: 0.01)
            for _ in 0..<n {
                let loss = mse(model(x), y)
                optimizer.zeroGrad()
                loss.backward()
                optimizer.step()
            }
            return noGrad { mse(model(x), y).item() }
        }
        _ = train(200)
        let (median, runs) = medianTime(warmup: 0) { _ = train(steps) }
        return .object(benchHeader("t2_relu_fit") + [
            ("steps", .int(steps)), ("us_per_step", .number(rounded(median / Double(steps) * 1e6, 3))),
            ("runs_s", .array(runs.map { .number(rounded($0, 4)) })), ("final_mse", .float(train(steps))),
        ])
    }
}
