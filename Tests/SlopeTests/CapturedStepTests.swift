import Testing
@testable import Slope

// CapturedStep: replays must match the eager step bit for bit (parameters, optimizer state and
// losses, over several steps on new data), and the capture must refuse what it cannot replay.

/// One eager step: `zeroGrad; loss.backward(); step`; returns the loss.
private func eagerStep(_ optimizer: Optimizer, _ loss: () -> Tensor) -> Float {
    let value = loss()
    optimizer.zeroGrad()
    value.backward()
    optimizer.step()
    return value.item()
}

/// The bit patterns of every parameter.
private func bits(_ model: Module) -> [[UInt32]] {
    model.namedParameters().map { $0.tensor.scalars.map(\.bitPattern) }
}

/// Trains two copies of a model (same seed) for `steps` steps on new batches, one eagerly and
/// one through a captured step, and expects identical losses, parameters and optimizer state.
private func expectIdentical(
    steps: Int = 4, inputShape: [Int], classes: Int?, makeModel: (inout SeededGenerator) -> Module,
    makeOptimizer: (Module) -> Optimizer, loss: @escaping (Module, Tensor, Tensor) -> Tensor
) throws {
    var first = SeededGenerator(seed: 7), second = SeededGenerator(seed: 7)
    let eagerModel = makeModel(&first), capturedModel = makeModel(&second)
    let eagerOptimizer = makeOptimizer(eagerModel), capturedOptimizer = makeOptimizer(capturedModel)
    var data = SeededGenerator(seed: 11)
    func batch() -> (Tensor, Tensor) {
        let x = Tensor.randn(inputShape, generator: &data)
        let y = classes.map { c in Tensor((0..<inputShape[0]).map { _ in Float(data.next() % UInt64(c)) }) }
            ?? Tensor.randn([inputShape[0], 1], generator: &data)
        return (x, y)
    }
    let (x0, y0) = batch()
    let step = try CapturedStep(optimizer: capturedOptimizer, example: [x0, y0]) { loss(capturedModel, $0[0], $0[1]) }
    #expect(bits(eagerModel) == bits(capturedModel), "capturing must not change the parameters")
    for index in 0..<steps {
        let (x, y) = index == 0 ? (x0, y0) : batch()
        let eager = eagerStep(eagerOptimizer) { loss(eagerModel, x, y) }
        let replayed = try step([x, y])
        #expect(eager.bitPattern == replayed.bitPattern, "step \(index): loss \(eager) vs \(replayed)")
        #expect(bits(eagerModel) == bits(capturedModel), "step \(index): parameters differ")
        let eagerState = eagerOptimizer.state(), capturedState = capturedOptimizer.state()
        #expect(eagerState.keys.sorted() == capturedState.keys.sorted())
        for (key, value) in eagerState {
            #expect(value.scalars.map(\.bitPattern) == capturedState[key]?.scalars.map(\.bitPattern), "step \(index): \(key)")
        }
    }
}

@Suite("Captured training step")
struct CapturedStepTests {
    @Test func quadraticWithSGDMatchesEagerBitForBit() throws {
        let (x, y) = Lesson.noisyQuadratic()
        let eager = Tensor([1.5, 1.5, 1.5]).requiresGrad(), captured = Tensor([1.5, 1.5, 1.5]).requiresGrad()
        let eagerOptimizer = SGD([eager], lr: 0.01), capturedOptimizer = SGD([captured], lr: 0.01)
        let step = try CapturedStep(optimizer: capturedOptimizer, example: []) { _ in mse(quadratic(captured)(x), y) }
        for index in 0..<20 {
            let a = eagerStep(eagerOptimizer) { mse(quadratic(eager)(x), y) }
            let b = try step([])
            #expect(a.bitPattern == b.bitPattern, "step \(index)")
            #expect(eager.scalars.map(\.bitPattern) == captured.scalars.map(\.bitPattern), "step \(index)")
        }
        #expect(capturedOptimizer.stepCount == 20)
    }

    @Test func reluNetworkWithAdamMatchesEagerBitForBit() throws {
        try expectIdentical(
            inputShape: [9, 3], classes: nil,
            makeModel: { rng in
                Sequential(Linear(inputFeatures: 3, outputFeatures: 17, generator: &rng), ReLU(),
                           Linear(inputFeatures: 17, outputFeatures: 1, generator: &rng))
            },
            makeOptimizer: { Adam($0, lr: 0.01) },
            loss: { model, x, y in mse(model(x), y) })
    }

    @Test func classifierWithMomentumAndSmoothingMatchesEagerBitForBit() throws {
        try expectIdentical(
            inputShape: [13, 6], classes: 5,
            makeModel: { rng in
                Sequential(Linear(inputFeatures: 6, outputFeatures: 11, generator: &rng), ReLU(),
                           Linear(inputFeatures: 11, outputFeatures: 5, generator: &rng))
            },
            makeOptimizer: { SGD($0, lr: 0.05, momentum: 0.9, weightDecay: 1e-3) },
            loss: { model, x, y in crossEntropy(logits: model(x), targets: y, labelSmoothing: 0.1) })
    }

    @Test func convolutionalNetworkWithAdamWMatchesEagerBitForBit() throws {
        try expectIdentical(
            steps: 3, inputShape: [4, 2, 9, 11], classes: 3,
            makeModel: { rng in
                Sequential(
                    Conv2d(inputChannels: 2, outputChannels: 5, kernelSize: 3, padding: 1, generator: &rng), ReLU(),
                    MaxPool2d(kernelSize: 2),
                    Conv2d(inputChannels: 5, outputChannels: 4, kernelSize: 3, stride: 2, padding: 1, generator: &rng),
                    Flatten(), Linear(inputFeatures: 4 * 2 * 3, outputFeatures: 3, generator: &rng))
            },
            makeOptimizer: { AdamW($0, lr: 0.01) },
            loss: { model, x, y in crossEntropy(logits: model(x), targets: y, reduction: .sum) })
    }

    @Test func aTensorUsedTwiceAccumulatesInTheEagerOrder() throws {
        // `h` feeds both the ReLU and the loss's target: its two gradients add in eager order.
        try expectIdentical(
            inputShape: [5, 4], classes: nil,
            makeModel: { rng in Linear(inputFeatures: 4, outputFeatures: 3, generator: &rng) },
            makeOptimizer: { SGD($0, lr: 0.1) },
            loss: { model, x, _ in
                let h = model(x)
                return mse(h.relu(), h)
            })
    }

    @Test func refusesOpsWithoutACapturedForm() {
        var rng = SeededGenerator(seed: 1)
        let model = Linear(inputFeatures: 2, outputFeatures: 1, generator: &rng)
        let x = Tensor.randn([3, 2], generator: &rng), y = Tensor.randn([3, 1], generator: &rng)
        #expect(throws: CaptureError.unsupportedOperation("tanh")) {
            _ = try CapturedStep(optimizer: SGD(model, lr: 0.1), example: [x, y]) { mse(model($0[0]).tanh(), $0[1]) }
        }
        // An op on the data alone (no parameter involved) is still seen: inputs are traced too.
        #expect(throws: CaptureError.unsupportedOperation("exp")) {
            _ = try CapturedStep(optimizer: SGD(model, lr: 0.1), example: [x, y]) { mse(model($0[0].exp()), $0[1]) }
        }
    }

    @Test func refusesDataDependentControlFlow() {
        var rng = SeededGenerator(seed: 2)
        let model = Linear(inputFeatures: 2, outputFeatures: 1, generator: &rng)
        let x = Tensor.randn([3, 2], generator: &rng), y = Tensor.randn([3, 1], generator: &rng)
        #expect(throws: CaptureError.valueRead) {
            _ = try CapturedStep(optimizer: SGD(model, lr: 0.1), example: [x, y]) { inputs in
                let loss = mse(model(inputs[0]), inputs[1])
                return loss.item() > 100 ? mse(model(inputs[0]), inputs[1]) : loss
            }
        }
    }

    @Test func refusesShapeChangesAndLossesWithoutParameters() throws {
        var rng = SeededGenerator(seed: 3)
        let model = Linear(inputFeatures: 2, outputFeatures: 1, generator: &rng)
        let x = Tensor.randn([3, 2], generator: &rng), y = Tensor.randn([3, 1], generator: &rng)
        let step = try CapturedStep(optimizer: SGD(model, lr: 0.1), example: [x, y]) { mse(model($0[0]), $0[1]) }
        #expect(throws: CaptureError.shapeChanged(input: 0, expected: [3, 2], found: [4, 2])) {
            try step([Tensor.zeros([4, 2]), Tensor.zeros([4, 1])])
        }
        #expect(throws: CaptureError.inputCountChanged(expected: 2, found: 1)) { try step([x]) }
        let other = Linear(inputFeatures: 2, outputFeatures: 1, generator: &rng)
        #expect(throws: CaptureError.noTrainableParameters) {
            _ = try CapturedStep(optimizer: SGD(other, lr: 0.1), example: [x, y]) { mse(model($0[0]), $0[1]) }
        }
        #expect(CaptureError.valueRead.description.contains("data-dependent control flow"))
    }

    @Test func learnerTrainsTheSameWithCapturedSteps() {
        // A callback keeps the learner eager; without one it captures. Both must end equal.
        final class Watcher: LearnerCallback {}
        func learner(callbacks: [LearnerCallback]) -> Learner {
            var rng = SeededGenerator(seed: 5)
            let x = Tensor.randn([40, 4], generator: &rng)
            let y = Tensor((0..<40).map { _ in Float(rng.next() % 3) })
            let data = DataLoaders(
                train: DataLoader(TensorDataset(inputs: x, targets: y), batchSize: 16, shuffle: true, seed: 1),
                valid: DataLoader(TensorDataset(inputs: x, targets: y), batchSize: 16), task: .classification,
                classes: ["a", "b", "c"])
            let model = Sequential(Linear(inputFeatures: 4, outputFeatures: 8, generator: &rng), ReLU(),
                                   Linear(inputFeatures: 8, outputFeatures: 3, generator: &rng))
            let learner = Learner(data: data, model: model, loss: { crossEntropy(logits: $0, targets: $1) }, callbacks: callbacks)
            learner.progress = ProgressDisplay(style: .silent)
            learner.fit(epochs: 2, lr: 0.01)
            return learner
        }
        let eager = learner(callbacks: [Watcher()]), captured = learner(callbacks: [])
        #expect(CapturedTraining.canCapture(captured.model))
        #expect(bits(eager.model) == bits(captured.model))
        #expect(eager.recorder.batchLosses.map(\.bitPattern) == captured.recorder.batchLosses.map(\.bitPattern))
        var rng = SeededGenerator(seed: 0)
        #expect(!CapturedTraining.canCapture(VisionModels.smallCNN(channels: 1, height: 8, width: 8, classes: 2, generator: &rng)))
    }
}
