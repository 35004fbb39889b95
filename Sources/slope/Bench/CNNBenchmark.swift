import Slope

/// T6: conv(1→16, 3, p1)-ReLU-maxpool2-conv(16→32, 3, p1)-ReLU-maxpool2-flatten-Linear(1568→10)
/// on 10,000 standard-normal 1x28x28 inputs with random labels, batch 64, one epoch of Adam (1e-3).
enum CNNBenchmark {
    static func run(count: Int = 10_000, batch: Int = 64) -> JSON {
        var rng = SeededGenerator(seed: 0)
        let dataset = TensorDataset(inputs: Tensor.randn([count, 1, 28, 28], generator: &rng),
                                    targets: Tensor((0..<count).map { _ in Float(rng.next() % 10) }))
        func run(_ samples: Int, captured: Bool = false) -> Double {
            var generator = SeededGenerator(seed: 0)
            let model = Sequential(
                Conv2d(inputChannels: 1, outputChannels: 16, kernelSize: 3, padding: 1, generator: &generator), ReLU(), MaxPool2d(kernelSize: 2),
                Conv2d(inputChannels: 16, outputChannels: 32, kernelSize: 3, padding: 1, generator: &generator), ReLU(), MaxPool2d(kernelSize: 2),
                Flatten(), Linear(inputFeatures: 1568, outputFeatures: 10, generator: &generator))
            let part = samples == count ? dataset : dataset.subset(Array(0..<samples))
            return MLPBenchmarks.train(model, Adam(model, lr: 1e-3), DataLoader(part, batchSize: batch, shuffle: true, seed: 0), epochs: 1, captured: captured)
        }
        _ = run(batch * 20)
        let runs = (0..<5).map { _ in run(count) }
        let seconds = runs.sorted()[2]
        _ = run(batch * 20, captured: true)
        let capturedRuns = (0..<5).map { _ in run(count, captured: true) }
        let capturedSeconds = capturedRuns.sorted()[2]
        return .object(benchHeader("t6_cnn") + [
            ("n", .int(count)), ("batch", .int(batch)), ("samples_per_s", .number(rounded(Double(count) / seconds, 0))),
            ("epoch_s", .number(rounded(seconds, 4))), ("runs_s", .array(runs.map { .number(rounded($0, 4)) })),
            ("samples_per_s_captured", .number(rounded(Double(count) / capturedSeconds, 0))),
            ("runs_s_captured", .array(capturedRuns.map { .number(rounded($0, 4)) })),
        ])
    }
}
