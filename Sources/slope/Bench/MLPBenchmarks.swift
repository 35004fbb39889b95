import Foundation
import Slope

/// T3 and T4: multi-layer perceptrons trained with SGD (momentum 0.9) and cross-entropy on
/// shuffled mini-batches, as the peer scripts do.
enum MLPBenchmarks {
    /// `Linear`-`ReLU` layers of the given sizes (no ReLU after the last).
    static func mlp(_ sizes: [Int], generator: inout SeededGenerator) -> Sequential {
        var layers: [Module] = []
        for (index, (input, output)) in zip(sizes, sizes.dropFirst()).enumerated() {
            layers.append(Linear(inputFeatures: input, outputFeatures: output, generator: &generator))
            if index < sizes.count - 2 { layers.append(ReLU()) }
        }
        return Sequential(layers)
    }

    /// One pass of shuffled mini-batch training per epoch; returns the seconds spent. With
    /// `captured`, each batch shape's step is captured once and replayed (`CapturedTraining`).
    static func train(_ model: Module, _ optimizer: Optimizer, _ loader: DataLoader, epochs: Int, captured: Bool = false) -> Double {
        let start = Date()
        if captured {
            let training = CapturedTraining(optimizer: optimizer) { crossEntropy(logits: model($0[0]), targets: $0[1]) }
            for _ in 0..<epochs {
                for batch in loader { training.step([batch.inputs, batch.targets]) }
            }
            return Date().timeIntervalSince(start)
        }
        for _ in 0..<epochs {
            for batch in loader {
                let loss = crossEntropy(logits: model(batch.inputs), targets: batch.targets)
                optimizer.zeroGrad()
                loss.backward()
                optimizer.step()
            }
        }
        return Date().timeIntervalSince(start)
    }

    /// T3: sklearn's digits (from `../shared/data/digits/digits.csv`, scaled by 1/16), an 80/20
    /// split (1437/360) from a seeded shuffle, 64-128-64-10, SGD lr 0.05 momentum 0.9, batch 32,
    /// 20 epochs; training samples per second and validation accuracy.
    static func digits(path: String, epochs: Int = 20, batch: Int = 32) throws -> JSON {
        let table: DataTable
        do { table = try CSVReader().read(contentsOfFile: path) } catch {
            throw CommandError("t3 needs the digits table: \(error) (pass --digits PATH)")
        }
        let labels = try table.numericColumn(named: "target").map { Float($0 ?? 0) }
        let pixels = try table.columnNames.filter { $0 != "target" }.map { try table.numericColumn(named: $0) }
        var values = [Float](repeating: 0, count: table.rowCount * 64)
        for row in 0..<table.rowCount { for column in 0..<64 { values[row * 64 + column] = Float(pixels[column][row] ?? 0) / 16 } }
        let all = TensorDataset(inputs: Tensor(shape: [table.rowCount, 64], scalars: values), targets: Tensor(labels))
        let (trainRows, validRows) = randomSplit(count: table.rowCount, validPercent: 0.2, seed: 0)
        let training = all.subset(trainRows), valid = all.subset(validRows)
        func run(captured: Bool = false) -> (Double, Double) {
            var rng = SeededGenerator(seed: 0)
            let model = mlp([64, 128, 64, 10], generator: &rng)
            let optimizer = SGD(model, lr: 0.05, momentum: 0.9)
            let seconds = train(model, optimizer, DataLoader(training, batchSize: batch, shuffle: true, seed: 0), epochs: epochs, captured: captured)
            let accuracy = Metric.accuracy.compute(noGrad { model(valid.inputs) }, valid.targets)
            return (seconds, accuracy)
        }
        _ = run()
        let runs = (0..<3).map { _ in run() }
        let seconds = runs.map(\.0).sorted()[1]
        _ = run(captured: true)
        let capturedRuns = (0..<3).map { _ in run(captured: true) }
        let capturedSeconds = capturedRuns.map(\.0).sorted()[1]
        return .object(benchHeader("t3_digits_mlp") + [
            ("epochs", .int(epochs)), ("batch", .int(batch)), ("n_train", .int(training.count)),
            ("samples_per_s", .number(rounded(Double(epochs * training.count) / seconds, 0))), ("train_wall_s", .number(rounded(seconds, 4))),
            ("runs_s", .array(runs.map { .number(rounded($0.0, 4)) })), ("val_acc", .array(runs.map { .number(rounded($0.1, 4)) })),
            ("samples_per_s_captured", .number(rounded(Double(epochs * training.count) / capturedSeconds, 0))),
            ("val_acc_captured", .array(capturedRuns.map { .number(rounded($0.1, 4)) })),
        ])
    }

    /// T4: 60,000 x 784 standard-normal inputs with random labels, 784-512-256-10, batch 256,
    /// one epoch of SGD (lr 0.01, momentum 0.9); samples per second and matmul GFLOP/s.
    static func large(count: Int = 60_000, batch: Int = 256) -> JSON {
        var rng = SeededGenerator(seed: 0)
        let inputs = Tensor.randn([count, 784], generator: &rng)
        let labels = Tensor((0..<count).map { _ in Float(rng.next() % 10) })
        let dataset = TensorDataset(inputs: inputs, targets: labels)
        func run(_ samples: Int) -> Double {
            var generator = SeededGenerator(seed: 0)
            let model = mlp([784, 512, 256, 10], generator: &generator)
            let optimizer = SGD(model, lr: 0.01, momentum: 0.9)
            let part = samples == count ? dataset : dataset.subset(Array(0..<samples))
            return train(model, optimizer, DataLoader(part, batchSize: batch, shuffle: true, seed: 0), epochs: 1)
        }
        _ = run(batch * 20)
        let runs = (0..<5).map { _ in run(count) }
        let seconds = runs.sorted()[2]
        let flops = 6.0 * Double(784 * 512 + 512 * 256 + 256 * 10) * Double(count)
        return .object(benchHeader("t4_mlp_large") + [
            ("n", .int(count)), ("batch", .int(batch)), ("samples_per_s", .number(rounded(Double(count) / seconds, 0))),
            ("epoch_s", .number(rounded(seconds, 4))), ("runs_s", .array(runs.map { .number(rounded($0, 4)) })),
            ("matmul_gflops", .number(rounded(flops / seconds / 1e9, 1))),
        ])
    }
}
