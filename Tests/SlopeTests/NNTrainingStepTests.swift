import Testing
@testable import Slope

// One full training step: forward through a 2-layer MLP, a loss, backward into every
// parameter (checked against finite differences), an optimizer step that lowers the loss.

private struct MLPProblem {
    let model: Sequential
    let x: Tensor
    let classes: Tensor
    let values: Tensor

    init(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        model = Sequential(
            Linear(inputFeatures: 3, outputFeatures: 6, generator: &rng),
            ReLU(),
            Linear(inputFeatures: 6, outputFeatures: 4, generator: &rng))
        x = Tensor.uniform([8, 3], low: -2, high: 2, generator: &rng)
        classes = Tensor((0..<8).map { Float($0 % 4) })
        values = Tensor.uniform([8, 4], low: -1, high: 1, generator: &rng)
    }

    func classificationLoss() -> Tensor { crossEntropy(logits: model(x), targets: classes) }
    func regressionLoss() -> Tensor { mse(model(x), values) }
}

@Suite("NN training step")
struct NNTrainingStepTests {
    @Test func mlpLossGradientsWithRespectToEveryParameter() {
        let problem = MLPProblem(seed: 130)
        checkGradients("MLP crossEntropy", problem.model.parameters()) { _ in problem.classificationLoss() }
        checkGradients("MLP mse", problem.model.parameters()) { _ in problem.regressionLoss() }
        // With the input as well.
        checkGradients("MLP crossEntropy (input too)", [problem.x] + problem.model.parameters()) { inputs in
            crossEntropy(logits: problem.model(inputs[0]), targets: problem.classes, labelSmoothing: 0.1)
        }
    }

    @Test func mlpWithNormalisationAndDropoutInEvaluation() {
        var rng = SeededGenerator(seed: 131)
        let model = Sequential(
            Linear(inputFeatures: 3, outputFeatures: 5, bias: false, generator: &rng),
            BatchNorm1d(features: 5),
            Tanh(),
            Dropout(probability: 0.5, generator: &rng),
            Linear(inputFeatures: 5, outputFeatures: 2, generator: &rng))
        let x = Tensor.uniform([6, 3], low: -1, high: 1, generator: &rng)
        let targets = Tensor([0, 1, 1, 0, 1, 0])
        // Training mode without dropout randomness is not possible, so check BN in training
        // through a model without the dropout, and the whole model in evaluation.
        let trainable = Sequential(model[0], model[1], model[2], model[4])
        checkGradients("Linear-BN-Tanh-Linear train", trainable.parameters()) { _ in crossEntropy(logits: trainable(x), targets: targets) }
        model.eval()
        checkGradients("Linear-BN-Tanh-Dropout-Linear eval", model.parameters()) { _ in crossEntropy(logits: model(x), targets: targets) }
    }

    @Test func sgdStepLowersTheLoss() {
        let problem = MLPProblem(seed: 132)
        let optimizer = SGD(problem.model, lr: 0.1)
        let before = problem.classificationLoss()
        before.backward()
        let gradients = problem.model.parameters().map { $0.grad!.scalars }
        let old = problem.model.parameters().map(\.scalars)
        optimizer.step()
        // p ← p - lr·∇ exactly.
        for (index, parameter) in problem.model.parameters().enumerated() {
            let expected = zip(old[index], gradients[index]).map { $0 - 0.1 * $1 }
            #expect(approximatelyEqual(parameter.scalars, expected, tolerance: 1e-6))
        }
        let after = noGrad { problem.classificationLoss() }
        #expect(after.item() < before.item(), "loss \(before.item()) -> \(after.item())")
        // First-order prediction: the drop is about lr·|∇|².
        let squaredNorm = gradients.flatMap { $0 }.map { $0 * $0 }.reduce(0, +)
        let drop = before.item() - after.item()
        #expect(abs(drop - 0.1 * squaredNorm) < 0.5 * 0.1 * squaredNorm, "drop \(drop), first-order \(0.1 * squaredNorm)")
    }

    @Test func repeatedStepsKeepLoweringTheLoss() {
        let optimizers: [(String, (Module) -> Optimizer)] = [
            ("SGD momentum", { SGD($0, lr: 0.05, momentum: 0.9) }),
            ("Adam", { Adam($0, lr: 0.01) }),
            ("AdamW", { AdamW($0, lr: 0.01) }),
        ]
        for (name, make) in optimizers {
            let problem = MLPProblem(seed: 133)
            let optimizer = make(problem.model)
            var losses: [Float] = []
            for _ in 0..<30 {
                optimizer.zeroGrad()
                let loss = problem.classificationLoss()
                losses.append(loss.item())
                loss.backward()
                optimizer.step()
            }
            let final = noGrad { problem.classificationLoss().item() }
            #expect(final < 0.7 * losses[0], "\(name): \(losses[0]) -> \(final)")
            #expect(losses[1] < losses[0], "\(name): the first step lowered the loss")
        }
    }

    @Test func gradientsDoNotLeakBetweenSteps() {
        // Without zeroGrad, gradients accumulate (PyTorch semantics); with it, each step sees
        // only its own.
        let problem = MLPProblem(seed: 134)
        problem.classificationLoss().backward()
        let once = problem.model.parameters().map { $0.grad!.scalars }
        problem.classificationLoss().backward()
        for (parameter, first) in zip(problem.model.parameters(), once) {
            #expect(approximatelyEqual(parameter.grad!.scalars, first.map { 2 * $0 }))
        }
        problem.model.zeroGrad()
        problem.classificationLoss().backward()
        for (parameter, first) in zip(problem.model.parameters(), once) {
            #expect(approximatelyEqual(parameter.grad!.scalars, first))
        }
    }
}
