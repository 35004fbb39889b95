import Slope

/// T2: Linear(1,32)-ReLU-Linear(32,1) fitted to `sin x` at 200 points on [-3, 3] with Adam
/// (lr 0.01), 5,000 full-batch steps.
enum ReLUFitBenchmark {
    static func run(steps: Int = 5_000) -> JSON {
        let x = Tensor.linspace(-3, 3, count: 200).unsqueezed(axis: 1)
        let y = x.sin()
        func train(_ n: Int, captured: Bool = false) -> Float {
            var rng = SeededGenerator(seed: 0)
            let model = Sequential(
                Linear(inputFeatures: 1, outputFeatures: 32, generator: &rng), ReLU(),
                Linear(inputFeatures: 32, outputFeatures: 1, generator: &rng))
            let optimizer = Adam(model, lr: 0.01)
            if captured {
                let step = try! CapturedStep(optimizer: optimizer, example: [x, y]) { mse(model($0[0]), $0[1]) }
                for _ in 0..<n { try! step([x, y]) }
                return noGrad { mse(model(x), y).item() }
            }
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
        let (captured, _) = medianTime(warmup: 0) { _ = train(steps, captured: true) }
        let eagerLoss = train(steps), capturedLoss = train(steps, captured: true)
        return .object(benchHeader("t2_relu_fit") + [
            ("steps", .int(steps)), ("us_per_step", .number(rounded(median / Double(steps) * 1e6, 3))),
            ("us_per_step_captured", .number(rounded(captured / Double(steps) * 1e6, 3))),
            ("captured_bit_identical", .bool(eagerLoss.bitPattern == capturedLoss.bitPattern)),
            ("runs_s", .array(runs.map { .number(rounded($0, 4)) })), ("final_mse", .float(eagerLoss)),
        ])
    }
}
