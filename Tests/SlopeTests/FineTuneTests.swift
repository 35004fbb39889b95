import Foundation
import Testing
@testable import Slope

// Fine-tuning as fastai's `fine_tune`: per-parameter learning-rate scales in the optimizers,
// the parameter groups, the frozen body (batch norm still training), and the discriminative
// rates after unfreezing.

/// 48 samples of `y = 2 x0 - 3 x1 + 1` (regression), 16 to validate.
private func tinyRegression(seed: UInt64 = 0) -> DataLoaders {
    var rng = SeededGenerator(seed: seed)
    func samples(_ count: Int) -> TensorDataset {
        let x = Tensor.randn([count, 2], generator: &rng), v = x.scalars
        let y: [Float] = (0..<count).map { (i: Int) -> Float in
            let a: Float = 2 * v[2 * i], b: Float = 3 * v[2 * i + 1]
            return a - b + 1
        }
        return TensorDataset(inputs: x, targets: Tensor(y))
    }
    return DataLoaders(train: DataLoader(samples(48), batchSize: 8, shuffle: true, seed: seed), valid: DataLoader(samples(16), batchSize: 16),
                       task: .regression)
}

/// Linear-BN-ReLU, Linear-BN-ReLU, Linear: a body of two blocks and a head.
private func smallModel() -> Sequential {
    var rng = SeededGenerator(seed: 3)
    return Sequential(Sequential(Linear(inputFeatures: 2, outputFeatures: 8, generator: &rng), BatchNorm1d(features: 8), ReLU()),
                      Sequential(Linear(inputFeatures: 8, outputFeatures: 8, generator: &rng), BatchNorm1d(features: 8), ReLU()),
                      Linear(inputFeatures: 8, outputFeatures: 1, generator: &rng))
}

private func snapshot(_ model: Module) -> [String: [Float]] {
    Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.key, $0.tensor.scalars) })
}

/// Keeps the optimizer's learning-rate scales seen at the start of each fit; being a callback,
/// it also turns the captured step off, so the eager path is the one tested.
private final class ScaleLog: LearnerCallback {
    var scales: [[String: Float]] = []
    func beforeFit(_ learner: Learner) {
        guard let optimizer = learner.optimizer else { return }
        scales.append(Dictionary(uniqueKeysWithValues: zip(optimizer.parameters.map(\.key), optimizer.lrScales)))
    }
}

@Suite struct FineTuneTests {
    @Test func aFrozenParameterIsNeitherUpdatedNorDecayed() {
        let frozen = Tensor([1.0, 2.0]).requiresGrad(), live = Tensor([1.0, 2.0]).requiresGrad()
        let optimizer = AdamW(parameters: [("0", frozen), ("1", live)], lr: 0.1, weightDecay: 0.5)
        ((frozen * frozen).sum() + (live * live).sum()).backward()
        frozen.requiresGrad(false)
        optimizer.step()
        #expect(frozen.scalars == [1, 2])
        #expect(live.scalars != [1, 2])
        #expect(optimizer.state().keys.allSatisfy { $0.hasPrefix("1.") }, "no state for the frozen parameter")
    }

    @Test func theFrozenPhaseGivesTheBodyATenthAsSliceBaseLRDoes() throws {
        let model = smallModel(), log = ScaleLog()
        let learner = Learner(data: tinyRegression(), model: model, loss: { mse($0.reshaped([-1]), $1) }, callbacks: [log],
                              optimizer: fastaiAdam(weightDecay: 0.1))
        learner.progress = ProgressDisplay(style: .silent)
        let before = snapshot(model)
        learner.fineTune(epochs: 1, baseLR: 1e-2, freezeEpochs: 1)
        #expect(log.scales.count == 2)
        let frozenPhase = try #require(log.scales.first)
        #expect(frozenPhase["0.1.weight"] == 0.1 && frozenPhase["1.0.weight"] == 0.1, "body groups (their batch norms) at base_lr/10")
        #expect(frozenPhase["2.weight"] == 1 && frozenPhase["2.bias"] == 1, "the head at base_lr")
        let unfrozenPhase = try #require(log.scales.last)
        #expect(abs(try #require(unfrozenPhase["0.0.weight"]) - 0.01) < 1e-6)
        #expect(snapshot(model)["0.0.weight"] != before["0.0.weight"])
    }

    @Test func theEagerFrozenEpochLeavesTheBodyUnchangedUnderWeightDecay() {
        let model = smallModel()
        let learner = Learner(data: tinyRegression(), model: model, loss: { mse($0.reshaped([-1]), $1) }, callbacks: [ScaleLog()],
                              optimizer: fastaiAdam(weightDecay: 0.5))
        learner.progress = ProgressDisplay(style: .silent)
        let before = snapshot(model)
        learner.fineTune(epochs: 0, baseLR: 1e-2, freezeEpochs: 1)
        let after = snapshot(model)
        for key in ["0.0.weight", "0.0.bias", "1.0.weight", "1.0.bias"] { #expect(after[key] == before[key], "\(key) is frozen") }
        for key in ["0.1.weight", "1.1.bias", "2.weight"] { #expect(after[key] != before[key], "\(key) trains") }
    }

    @Test func evenMultiplesAreGeometric() {
        let rates = ParameterGroups.evenMultiples(1e-5, 1e-3, count: 3)
        #expect(rates.count == 3)
        for (rate, expected) in zip(rates, [Float(1e-5), 1e-4, 1e-3]) { #expect(abs(rate - expected) <= 1e-6 * expected) }
        #expect(ParameterGroups.evenMultiples(1e-5, 1e-3, count: 1) == [1e-3])
    }

    @Test func groupsFollowFastaisSplitters() {
        #expect(ParameterGroups.split(ResNet.resnet18(classes: 3)) == [["conv1", "bn1", "relu", "maxpool", "layer1", "layer2"],
                                                                        ["layer3", "layer4"], ["avgpool", "fc"]])
        #expect(ParameterGroups.split(smallModel()) == [["0"], ["1"], ["2"]])
        var rng = SeededGenerator(seed: 0)
        let resnet = VisionModels.smallResNet(channels: 1, classes: 4, generator: &rng)
        // Stem and pool, the first residual block; the other three blocks and the pooling; the head.
        #expect(ParameterGroups.split(resnet) == [["0", "1", "2"], ["3", "4", "5", "6", "7"], ["8"]])
        #expect(ParameterGroups.split(Linear(inputFeatures: 2, outputFeatures: 1, generator: &rng)) == [[]])
    }

    @Test func learningRateScalesMultiplyEachParametersStep() {
        let a = Tensor([1.0, 2.0]).requiresGrad(), b = Tensor([1.0, 2.0]).requiresGrad()
        for makeOptimizer in [{ SGD([a, b], lr: 0.1) as Optimizer }, { Adam([a, b], lr: 0.1) as Optimizer }] {
            a.storage = [1, 2]; b.storage = [1, 2]
            let optimizer = makeOptimizer()
            optimizer.setLearningRateScales { $0 == "0" ? 1 : 0.25 }
            #expect(optimizer.lrScales == [1, 0.25])
            ((a * a).sum() + (b * b).sum()).backward()
            optimizer.step()
            // Both see the same gradient; b moves a quarter as far as a.
            for i in 0..<2 {
                let movedA = Double([1, 2][i] - a.scalars[i]), movedB = Double([1, 2][i] - b.scalars[i])
                #expect(abs(movedB - 0.25 * movedA) <= 1e-6, "\(type(of: optimizer)) element \(i): \(movedA) \(movedB)")
            }
            optimizer.zeroGrad()
        }
    }

    @Test func theFrozenEpochTrainsOnlyTheHeadAndBatchNorm() throws {
        let model = smallModel()
        let learner = Learner(data: tinyRegression(), model: model, loss: { mse($0.reshaped([-1]), $1) })
        learner.progress = ProgressDisplay(style: .silent)
        let before = snapshot(model)
        learner.fineTune(epochs: 0, baseLR: 1e-2, freezeEpochs: 1)
        let after = snapshot(model)
        for key in ["0.0.weight", "0.0.bias", "1.0.weight", "1.0.bias"] {
            #expect(after[key] == before[key], "\(key) is in the frozen body")
        }
        for key in ["0.1.weight", "0.1.bias", "1.1.weight", "2.weight", "2.bias"] {
            #expect(after[key] != before[key], "\(key) (batch norm or the head) trains")
        }
        let trainable = model.parameters().allSatisfy { $0.requiresGrad }
        #expect(trainable, "unfrozen afterwards")
    }

    @Test func afterUnfreezingTheBodyLearnsAtDiscriminativeRates() throws {
        let model = smallModel()
        let learner = Learner(data: tinyRegression(), model: model, loss: { mse($0.reshaped([-1]), $1) })
        learner.progress = ProgressDisplay(style: .silent)
        let before = snapshot(model)
        learner.fineTune(epochs: 1, baseLR: 1e-2, freezeEpochs: 1, lrMultiplier: 100)
        let optimizer = try #require(learner.optimizer)
        let scale = Dictionary(uniqueKeysWithValues: zip(optimizer.parameters.map(\.key), optimizer.lrScales))
        // Three groups: 1/100, 1/10, 1 of the head's rate.
        #expect(abs(try #require(scale["0.0.weight"]) - 0.01) < 1e-6)
        #expect(abs(try #require(scale["1.0.weight"]) - 0.1) < 1e-6)
        #expect(scale["2.weight"] == 1)
        #expect(snapshot(model)["0.0.weight"] != before["0.0.weight"], "the body trains after unfreezing")
        #expect(learner.recorder.epochs.count == 1 && learner.recorder.epochs[0].validLoss.isFinite)
    }
}
