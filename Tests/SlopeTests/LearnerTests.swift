import Foundation
import Testing
@testable import Slope

// MARK: - Helpers

/// `count` samples of `y = 2 x0 - 3 x1 + 1` with `x ~ N(0, 1)`.
private func linearSamples(_ count: Int, generator: inout SeededGenerator) -> TensorDataset {
    let x = Tensor.randn([count, 2], generator: &generator)
    let values = x.scalars
    let y: [Float] = (0..<count).map { (i: Int) -> Float in
        let a: Float = 2 * values[2 * i], b: Float = 3 * values[2 * i + 1]
        return a - b + 1
    }
    return TensorDataset(inputs: x, targets: Tensor(y))
}

/// A small regression problem: 64 training samples in batches of 16, 32 validation samples.
private func regressionData(trainCount: Int = 64, batchSize: Int = 16, seed: UInt64 = 0) -> DataLoaders {
    var rng = SeededGenerator(seed: seed)
    let train = linearSamples(trainCount, generator: &rng)
    let valid = linearSamples(32, generator: &rng)
    return DataLoaders(train: DataLoader(train, batchSize: batchSize, shuffle: true, seed: seed),
                       valid: DataLoader(valid, batchSize: 32), task: .regression)
}

private func linearModel(seed: UInt64 = 1) -> Linear {
    var rng = SeededGenerator(seed: seed)
    return Linear(inputFeatures: 2, outputFeatures: 1, generator: &rng)
}

/// A learner for `regressionData` with a `Linear(2, 1)`, MSE, RMSE and R², silent.
private func regressionLearner(
    data: DataLoaders = regressionData(), model: Module = linearModel(),
    loss: ((Tensor, Tensor) -> Tensor)? = nil, callbacks: [LearnerCallback] = [],
    optimizer: ((Module, Float) -> Optimizer)? = nil
) -> Learner {
    let learner = Learner(data: data, model: model, loss: loss ?? { mse($0.reshaped([-1]), $1) },
                          metrics: [.rmse, .r2], callbacks: callbacks, optimizer: optimizer)
    learner.progress = ProgressDisplay(style: .silent)
    return learner
}

/// Every parameter and buffer value of `model`, in `stateDict()` order.
private func weights(_ model: Module) -> [[Float]] { model.stateDict().map { $0.tensor.scalars } }

private func meanLoss(_ losses: ArraySlice<Float>) -> Float { losses.reduce(0, +) / Float(losses.count) }

/// Records the name of every callback event, in order.
private final class EventLog: LearnerCallback {
    var events: [String] = []
    var problems: [String] = []
    private var weightBeforeStep: [Float] = []

    func beforeFit(_ learner: Learner) { events.append("beforeFit") }
    func beforeEpoch(_ learner: Learner) { events.append("beforeEpoch") }
    func beforeBatch(_ learner: Learner) {
        events.append("beforeBatch")
        if learner.currentBatch == nil { problems.append("beforeBatch without currentBatch") }
    }
    func beforeBackward(_ learner: Learner) {
        events.append("beforeBackward")
        if learner.currentLoss == nil { problems.append("beforeBackward without currentLoss") }
    }
    func afterBackward(_ learner: Learner) {
        events.append("afterBackward")
        if learner.model.parameters().contains(where: { $0.grad == nil }) { problems.append("afterBackward without gradients") }
    }
    func beforeStep(_ learner: Learner) {
        events.append("beforeStep")
        weightBeforeStep = learner.model.parameters().flatMap(\.scalars)
    }
    func afterStep(_ learner: Learner) {
        events.append("afterStep")
        if learner.model.parameters().flatMap(\.scalars) == weightBeforeStep { problems.append("the step changed nothing") }
    }
    func afterBatch(_ learner: Learner) { events.append("afterBatch") }
    func afterEpoch(_ learner: Learner) {
        events.append("afterEpoch")
        if learner.recorder.epochs.count != learner.epoch + 1 { problems.append("afterEpoch before the epoch's row") }
    }
    func afterFit(_ learner: Learner) { events.append("afterFit") }
}

/// Copies the weights after every epoch.
private final class WeightHistory: LearnerCallback {
    var snapshots: [[[Float]]] = []
    func beforeFit(_ learner: Learner) { snapshots = [] }
    func afterEpoch(_ learner: Learner) { snapshots.append(weights(learner.model)) }
}

/// Ruins the weights at the start of one epoch, so that epoch's validation loss is the worst.
private final class RuinWeights: LearnerCallback {
    let epoch: Int
    init(atEpoch epoch: Int) { self.epoch = epoch }
    func beforeEpoch(_ learner: Learner) {
        guard learner.epoch == epoch else { return }
        for parameter in learner.model.parameters() {
            parameter.storage = parameter.storage.map { -10 * $0 - 5 }
        }
    }
}

/// Counts loss calls and returns NaN on call number `nanAt`.
private final class NaNAfter: @unchecked Sendable {
    let nanAt: Int
    var calls = 0
    init(_ nanAt: Int) { self.nanAt = nanAt }
    func loss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        calls += 1
        let value = mse(prediction.reshaped([-1]), target)
        return calls == nanAt ? value * Tensor(Float.nan) : value
    }
}

// MARK: - Fitting

@Suite struct LearnerFitTests {
    @Test func fitReducesTheLossAndRecordsEveryBatchAndEpoch() {
        let learner = regressionLearner()
        let before = learner.validate().loss
        learner.fit(epochs: 5, lr: 0.05)
        let recorder = learner.recorder
        #expect(learner.stopReason == nil)
        #expect(recorder.epochs.count == 5)
        #expect(recorder.epochs.map(\.epoch) == [0, 1, 2, 3, 4])
        #expect(recorder.batchLosses.count == 5 * 4)
        #expect(recorder.learningRates == Array(repeating: 0.05, count: 20))
        #expect(recorder.validationPoints.map(\.batch) == [4, 8, 12, 16, 20])
        #expect(recorder.epochs.allSatisfy { $0.trainLoss.isFinite && $0.validLoss.isFinite && $0.seconds >= 0 })
        #expect(recorder.epochs.allSatisfy { $0.metrics.map(\.name) == ["rmse", "r2"] })

        let after = recorder.epochs.last!.validLoss
        #expect(after < 0.5 * before, "valid loss \(before) -> \(after)")
        #expect(meanLoss(recorder.batchLosses.suffix(4)) < meanLoss(recorder.batchLosses.prefix(4)))
        #expect(recorder.epochs.last!.trainLoss < recorder.epochs.first!.trainLoss)
        #expect(recorder.epochs.last!.value(of: "r2")! > recorder.epochs.first!.value(of: "r2")!)
        #expect(recorder.epochs.last!.value(of: "valid_loss") == after)
        #expect(recorder.epochs.last!.value(of: "nope") == nil)
    }

    @Test func fitOneCycleReducesTheLossWithAWarmupAndAnneal() {
        let learner = regressionLearner()
        let before = learner.validate().loss
        learner.fitOneCycle(epochs: 6, maxLR: 0.1)
        let recorder = learner.recorder
        #expect(recorder.epochs.count == 6)
        #expect(recorder.batchLosses.count == 24)
        #expect(recorder.epochs.last!.validLoss < 0.5 * before)
        #expect(meanLoss(recorder.batchLosses.suffix(4)) < meanLoss(recorder.batchLosses.prefix(4)))

        let rates = recorder.learningRates
        let peak = rates.max()!
        let peakIndex = rates.firstIndex(of: peak)!
        #expect(peak <= 0.1 * (1 + 1e-5))
        #expect(peak > 0.09)
        #expect(abs(rates[0] - 0.1 / 25) < 1e-6, "starts at maxLR / 25")
        #expect(peakIndex >= 4 && peakIndex <= 8, "peak near a quarter of the 24 batches, at \(peakIndex)")
        #expect(rates.last! < 0.1 / 100)
        #expect(zip(rates, rates.dropFirst()).prefix(peakIndex).allSatisfy { $0 <= $1 })
        #expect(zip(rates, rates.dropFirst()).dropFirst(peakIndex).allSatisfy { $0 >= $1 })
    }

    @Test func eachFitStartsAFreshRecordAndKeepsTheOptimizer() {
        let learner = regressionLearner()
        learner.fit(epochs: 2, lr: 0.01)
        let optimizer = learner.optimizer
        #expect(optimizer != nil)
        learner.fit(epochs: 1, lr: 0.01)
        #expect(learner.recorder.epochs.count == 1)
        #expect(learner.recorder.batchLosses.count == 4)
        #expect(learner.optimizer === optimizer)
    }

    @Test func fitIsReproducible() {
        let first = regressionLearner()
        let second = regressionLearner()
        first.fitOneCycle(epochs: 3, maxLR: 0.05)
        second.fitOneCycle(epochs: 3, maxLR: 0.05)
        #expect(first.recorder.batchLosses == second.recorder.batchLosses)
        #expect(weights(first.model) == weights(second.model))
    }

    @Test func tabularLearnerTrainsOnASyntheticTable() throws {
        // label = 1 when x > 0 or colour is red; learnable.
        var rng = SeededGenerator(seed: 3)
        let n = 200
        let x = Tensor.randn([n], generator: &rng).scalars
        let colours = (0..<n).map { ["red", "green", "blue"][($0 * 7) % 3] }
        let labels = (0..<n).map { x[$0] > 0 || colours[$0] == "red" ? "yes" : "no" }
        let table = try DataTable(columnNames: ["x", "colour", "label"],
                                  rows: (0..<n).map { [String(x[$0]), colours[$0], labels[$0]] })
        let data = try TabularData.fromTable(table, target: "label", seed: 1)
        let learner = tabularLearner(data: data, seed: 1)
        learner.progress = ProgressDisplay(style: .silent)
        learner.fitOneCycle(epochs: 5, maxLR: 1e-2)
        let last = try #require(learner.recorder.epochs.last)
        #expect(learner.recorder.epochs.count == 5)
        #expect(last.metrics.map(\.name) == ["accuracy"])
        #expect(last.value(of: "accuracy")! >= 0.8, "accuracy \(last.value(of: "accuracy")!)")
        #expect(!learner.model.isTraining, "fit leaves the model in evaluation mode")
    }
}

// MARK: - Callbacks

@Suite struct LearnerCallbackTests {
    @Test func callbacksRunInLoopOrder() {
        var rng = SeededGenerator(seed: 0)
        let data = DataLoaders(train: DataLoader(linearSamples(8, generator: &rng), batchSize: 4, shuffle: true),
                               valid: DataLoader(linearSamples(4, generator: &rng), batchSize: 4), task: .regression)
        let log = EventLog()
        let learner = regressionLearner(data: data, callbacks: [log])
        learner.fit(epochs: 2, lr: 0.01)
        let batch = ["beforeBatch", "beforeBackward", "afterBackward", "beforeStep", "afterStep", "afterBatch"]
        let epoch = ["beforeEpoch"] + batch + batch + ["afterEpoch"]
        #expect(log.events == ["beforeFit"] + epoch + epoch + ["afterFit"])
        #expect(log.problems.isEmpty, "\(log.problems)")
        #expect(learner.currentBatch == nil && learner.currentLoss == nil)
    }

    @Test func callbacksRunInTheOrderTheyAreListed() {
        final class Tagged: LearnerCallback {
            let tag: String
            let sink: EventLog
            init(_ tag: String, _ sink: EventLog) { self.tag = tag; self.sink = sink }
            func afterEpoch(_ learner: Learner) { sink.events.append(tag) }
        }
        let sink = EventLog()
        let learner = regressionLearner(callbacks: [Tagged("a", sink), Tagged("b", sink), Tagged("c", sink)])
        learner.fit(epochs: 2, lr: 0.01)
        #expect(sink.events == ["a", "b", "c", "a", "b", "c"])
    }

    @Test func callbackCanStopTraining() {
        final class StopAfterThreeBatches: LearnerCallback {
            var batches = 0
            func afterBatch(_ learner: Learner) {
                batches += 1
                if batches == 3 { learner.stopRequested = true }
            }
        }
        let log = EventLog()
        let learner = regressionLearner(callbacks: [StopAfterThreeBatches(), log])
        learner.fit(epochs: 5, lr: 0.01)
        #expect(learner.recorder.batchLosses.count == 3)
        #expect(learner.recorder.epochs.count == 1, "the interrupted epoch is still validated")
        #expect(log.events.last == "afterFit")
    }

    @Test func earlyStoppingStopsWhenTheLossDoesNotImprove() {
        // lr 0: nothing changes, so the validation loss never improves after epoch 0.
        let stopper = EarlyStopping(monitor: "valid_loss", patience: 2)
        let learner = regressionLearner(callbacks: [stopper])
        learner.fit(epochs: 10, lr: 0)
        #expect(learner.recorder.epochs.count == 3)
        #expect(learner.stopReason?.contains("early stopping") == true)
        #expect(learner.stopReason?.contains("valid_loss") == true)
    }

    @Test func earlyStoppingOnAHigherIsBetterMetric() {
        let stopper = EarlyStopping(monitor: "r2", patience: 1)
        let learner = regressionLearner(callbacks: [stopper])
        learner.fit(epochs: 10, lr: 0)
        #expect(learner.recorder.epochs.count == 2)
        #expect(learner.stopReason?.contains("r2") == true)
        // A fresh fit resets the stopper.
        learner.fit(epochs: 10, lr: 0)
        #expect(learner.recorder.epochs.count == 2)
    }

    @Test func earlyStoppingDoesNotStopWhileImproving() {
        let stopper = EarlyStopping(monitor: "valid_loss", patience: 1)
        let learner = regressionLearner(callbacks: [stopper])
        learner.fit(epochs: 3, lr: 0.05)
        let losses = learner.recorder.epochs.map(\.validLoss)
        if zip(losses, losses.dropFirst()).allSatisfy({ $0 > $1 }) {
            #expect(learner.recorder.epochs.count == 3)
            #expect(learner.stopReason == nil)
        }
    }

    @Test func keepBestModelRestoresTheWeightsOfTheBestEpoch() throws {
        let keep = KeepBestModel(monitor: "valid_loss")
        let history = WeightHistory()
        let learner = regressionLearner(callbacks: [keep, history, RuinWeights(atEpoch: 3)])
        learner.fit(epochs: 4, lr: 0.05)
        let losses = learner.recorder.epochs.map(\.validLoss)
        #expect(losses.count == 4)
        let bestEpoch = losses.indices.min { losses[$0] < losses[$1] }!
        #expect(bestEpoch != 3, "the ruined last epoch must not be the best: \(losses)")
        let best = try #require(keep.best)
        #expect(best.epoch == bestEpoch)
        #expect(best.value == losses[bestEpoch])
        #expect(history.snapshots.count == 4)
        #expect(weights(learner.model) == history.snapshots[bestEpoch])
        #expect(weights(learner.model) != history.snapshots[3])
        // The restored model gives the best epoch's validation loss again.
        #expect(abs(learner.validate().loss - losses[bestEpoch]) < 1e-9)
    }

    @Test func keepBestModelOnAHigherIsBetterMetric() throws {
        let keep = KeepBestModel(monitor: "r2")
        let history = WeightHistory()
        let learner = regressionLearner(callbacks: [keep, history, RuinWeights(atEpoch: 2)])
        learner.fit(epochs: 3, lr: 0.05)
        let r2 = learner.recorder.epochs.map { $0.value(of: "r2")! }
        let bestEpoch = r2.indices.max { r2[$0] < r2[$1] }!
        #expect(bestEpoch != 2)
        #expect(try #require(keep.best).epoch == bestEpoch)
        #expect(weights(learner.model) == history.snapshots[bestEpoch])
    }
}

// MARK: - Divergence

@Suite struct LearnerDivergenceTests {
    @Test func nanLossStopsTrainingWithAReason() throws {
        let counter = NaNAfter(3)
        let log = EventLog()
        let learner = regressionLearner(loss: counter.loss, callbacks: [log])
        learner.fit(epochs: 3, lr: 0.01)
        let reason = try #require(learner.stopReason)
        #expect(reason.contains("nan"))
        #expect(reason.contains("epoch 0, batch 2"))
        #expect(reason.contains("smaller learning rate"))
        #expect(learner.recorder.batchLosses.count == 3)
        #expect(learner.recorder.batchLosses.last!.isNaN)
        #expect(learner.recorder.epochs.isEmpty, "the diverged epoch gets no row")
        #expect(log.events.last == "afterFit")
        #expect(log.events.filter { $0 == "afterStep" }.count == 2, "no step is taken with a NaN loss")
        #expect(weights(learner.model).allSatisfy { $0.allSatisfy { $0.isFinite } })
    }

    @Test func hugeLearningRateStopsTrainingWithAReason() throws {
        let learner = regressionLearner(optimizer: { model, lr in SGD(model, lr: lr) })
        learner.fit(epochs: 5, lr: 1e6)
        let reason = try #require(learner.stopReason)
        #expect(reason.contains("smaller learning rate"))
        // Stopped when the loss left the finite numbers, or earlier, when it passed 100 times the first batch's.
        let last = learner.recorder.batchLosses.last!
        #expect(!last.isFinite || (reason.contains("exploded") && last > Learner.explosionFactor * learner.recorder.batchLosses[0]))
        #expect(learner.recorder.batchLosses.count < 20, "stopped before the end")
    }

    @Test func keepBestModelRecoversFromDivergence() throws {
        // Adam at a sane rate for two epochs, then a NaN loss in the third. Loss calls: epoch 0
        // trains on 1...4 and validates on 5, epoch 1 on 6...9 and 10, epoch 2's second batch is 12.
        let counter = NaNAfter(12)
        let keep = KeepBestModel()
        let history = WeightHistory()
        let learner = regressionLearner(loss: counter.loss, callbacks: [keep, history])
        learner.fit(epochs: 4, lr: 0.05)
        #expect(learner.stopReason?.contains("epoch 2, batch 1") == true)
        #expect(learner.recorder.epochs.count == 2)
        let best = try #require(keep.best)
        #expect(weights(learner.model) == history.snapshots[best.epoch])
    }
}

// MARK: - Learning-rate finder

@Suite struct LearnerLRFindTests {
    @Test func lrFindGivesARisingCurveAndLeavesTheModelAlone() {
        let learner = regressionLearner()
        let before = weights(learner.model)
        let found = learner.lrFind()
        let rates = found.learningRates
        #expect(rates.count >= 10 && rates.count <= 100)
        #expect(found.losses.count == rates.count)
        #expect(abs(rates[0] - 1e-7) < 1e-12)
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 < $1 }, "rates rise")
        #expect(rates.last! <= 10 * (1 + 1e-5))
        #expect(found.suggestion >= rates.first! && found.suggestion <= rates.last!)
        #expect(found.suggestion > 1e-6 && found.suggestion < 10)
        #expect(found.losses.allSatisfy { $0.isFinite })
        #expect(found.losses.min()! < found.losses.first!, "the loss falls somewhere along the way")
        #expect(weights(learner.model) == before, "lrFind puts the weights back")
        #expect(learner.optimizer == nil, "lrFind does not make the learner's optimizer")
        #expect(learner.recorder.batchLosses.isEmpty)
        #expect(learner.model.parameters().allSatisfy { $0.grad == nil || $0.grad!.scalars.allSatisfy { $0 == 0 } })
    }

    @Test func lrFindRestoresBatchNormBuffersOfATabularModel() throws {
        var rng = SeededGenerator(seed: 9)
        let n = 120
        let x = Tensor.randn([n], generator: &rng).scalars
        let table = try DataTable(columnNames: ["x", "kind", "y"],
                                  rows: (0..<n).map { [String(x[$0]), ["a", "b"][$0 % 2], x[$0] > 0 ? "1" : "0"] })
        let data = try TabularData.fromTable(table, target: "y")
        let learner = tabularLearner(data: data, seed: 2)
        learner.progress = ProgressDisplay(style: .silent)
        let keys = learner.model.stateDict().map(\.key)
        #expect(keys.contains { $0.contains("running_mean") })
        let before = weights(learner.model)
        let found = learner.lrFind(iterations: 40)
        #expect(found.learningRates.count >= 2)
        #expect(weights(learner.model) == before, "parameters and buffers are put back")
        // And training afterwards still works.
        learner.fitOneCycle(epochs: 2, maxLR: found.suggestion)
        #expect(learner.recorder.epochs.count == 2)
    }

    @Test func lrFindStopsWhenTheLossExplodes() {
        // Plain SGD on this problem diverges once lr passes about 1, long before 10.
        let learner = regressionLearner(optimizer: { model, lr in SGD(model, lr: lr) })
        let before = weights(learner.model)
        let found = learner.lrFind()
        let rates = found.learningRates
        #expect(rates.count < 100, "stopped early")
        #expect(rates.last! < 10)
        #expect(found.losses.allSatisfy { $0.isFinite })
        #expect(found.suggestion >= rates.first! && found.suggestion <= rates.last!)
        #expect(found.suggestion < 1, "the suggestion sits before the explosion: \(found.suggestion)")
        #expect(weights(learner.model) == before, "the diverged weights are put back")
    }

    @Test func lrFindIsReproducible() {
        let a = regressionLearner().lrFind()
        let b = regressionLearner().lrFind()
        #expect(a.learningRates == b.learningRates && a.losses == b.losses && a.suggestion == b.suggestion)
    }

    @Test func valleyPicksInsideTheLongestFall() {
        // fastai's `valley`: with the longest decreasing sequence ending at `end` of length
        // `len`, start = end - len (fastai's formula, one before the sequence's first index) and
        // index = max(0, start + ⌊(end - start)/3⌋ + ⌊(end - start)/6⌋).
        let rates: [Float] = [1, 2, 3, 4, 5, 6, 7]
        // end 4, len 5: start -1, index -1 + 1 + 0 = 0.
        #expect(LRFindResult.valley(rates, [5, 4, 3, 2, 1, 2, 3]) == 1)
        // end 8 (9, 8, ..., 3), len 7: start 1, index 1 + 2 + 1 = 4.
        let tenRates: [Float] = (1...10).map { Float($0) }
        #expect(LRFindResult.valley(tenRates, [1, 2, 9, 8, 7, 6, 5, 4, 3, 10]) == 5)
        // A long slow fall then a rise: end 19, len 20, start -1, index -1 + 6 + 3 = 8.
        let falling: [Float] = (0..<20).map { Float(20 - $0) } + [50, 60]
        #expect(LRFindResult.valley((0..<22).map { Float($0) }, falling) == 8)
        #expect(LRFindResult.valley([0.5], [1]) == 0.5)
    }

    @Test func chartMarksTheSuggestion() {
        let found = regressionLearner().lrFind()
        let chart = found.chart()
        #expect(chart.title == "Learning rate finder")
    }
}

// MARK: - Validation and metrics

@Suite struct LearnerValidateTests {
    @Test func validateAveragesTheLossOverAllSamplesAndComputesMetrics() {
        // 7 validation samples in batches of 3: the last batch is smaller and must weigh less.
        var rng = SeededGenerator(seed: 4)
        let inputs = Tensor.randn([7, 2], generator: &rng)
        let targets = Tensor([0, 1, 2, 2, 1, 0, 1])
        let valid = TensorDataset(inputs: inputs, targets: targets)
        let data = DataLoaders(train: DataLoader(valid, batchSize: 3), valid: DataLoader(valid, batchSize: 3),
                               task: .classification, classes: ["a", "b", "c"])
        let model = Linear(inputFeatures: 2, outputFeatures: 3, generator: &rng)
        let learner = Learner(data: data, model: model, loss: { crossEntropy(logits: $0, targets: $1) },
                              metrics: [.accuracy, .errorRate])
        let (loss, metrics) = learner.validate()
        let logits = noGrad { model(inputs) }
        let expectedLoss = Double(crossEntropy(logits: logits, targets: targets).item())
        #expect(abs(loss - expectedLoss) < 1e-5)
        let predicted = logits.argmax(axis: 1).scalars
        let hits = zip(predicted, targets.scalars).filter { $0 == $1 }.count
        #expect(metrics.map(\.name) == ["accuracy", "error_rate"])
        #expect(abs(metrics[0].value - Double(hits) / 7) < 1e-12)
        #expect(abs(metrics[0].value + metrics[1].value - 1) < 1e-12)
    }

    @Test func validateReportsRegressionMetricsInTheTargetsUnits() {
        var rng = SeededGenerator(seed: 5)
        let valid = linearSamples(10, generator: &rng)
        let data = DataLoaders(train: DataLoader(valid, batchSize: 4), valid: DataLoader(valid, batchSize: 4),
                               task: .regression, targetScale: (mean: 10, std: 2))
        let model = linearModel(seed: 6)
        let learner = Learner(data: data, model: model, loss: { mse($0.reshaped([-1]), $1) }, metrics: [.rmse, .mae, .r2])
        let (loss, metrics) = learner.validate()
        let p: [Double] = noGrad { model(valid.inputs) }.scalars.map { Double($0) }
        let t: [Double] = valid.targets.scalars.map { Double($0) }
        let squared: [Double] = zip(p, t).map { (a: Double, b: Double) -> Double in (a - b) * (a - b) }
        let sumSquared: Double = squared.reduce(0, +)
        #expect(abs(loss - sumSquared / 10) < 1e-4, "the loss stays in standardised units")
        let rmse: Double = 2 * (sumSquared / 10).squareRoot()
        let absolute: [Double] = zip(p, t).map { (a: Double, b: Double) -> Double in abs(a - b) }
        let mae: Double = 2 * absolute.reduce(0, +) / 10
        #expect(abs(metrics[0].value - rmse) < 1e-4)
        #expect(abs(metrics[1].value - mae) < 1e-4)
        let tMean: Double = t.reduce(0, +) / 10
        let total: Double = t.map { (v: Double) -> Double in (v - tMean) * (v - tMean) }.reduce(0, +)
        let r2: Double = 1 - sumSquared / total
        #expect(abs(metrics[2].value - r2) < 1e-4, "R² does not depend on the scale")
    }

    @Test func validateRestoresTheTrainingMode() {
        let learner = regressionLearner()
        learner.model.train()
        _ = learner.validate()
        #expect(learner.model.isTraining, "validate() should put the model back in training mode")
        learner.model.eval()
        _ = learner.validate()
        #expect(!learner.model.isTraining)
    }

    @Test func validateWithNoValidationRowsIsNaN() {
        var rng = SeededGenerator(seed: 0)
        let train = linearSamples(8, generator: &rng)
        let empty = TensorDataset(inputs: Tensor(shape: [0, 2], scalars: []), targets: Tensor(shape: [0], scalars: []))
        let data = DataLoaders(train: DataLoader(train, batchSize: 4), valid: DataLoader(empty, batchSize: 4), task: .regression)
        let learner = regressionLearner(data: data)
        let (loss, metrics) = learner.validate()
        #expect(loss.isNaN)
        #expect(metrics.allSatisfy { $0.value.isNaN })
    }

    @Test func metricValues() {
        let logits = Tensor([[2, 1], [0, 3], [1, 0]])
        let classes = Tensor([0, 1, 1])
        #expect(abs(Metric.accuracy.compute(logits, classes) - 2.0 / 3) < 1e-12)
        #expect(abs(Metric.errorRate.compute(logits, classes) - 1.0 / 3) < 1e-12)
        let p = Tensor([1, 2, 3]), t = Tensor([1, 2, 5])
        #expect(abs(Metric.rmse.compute(p, t) - (4.0 / 3).squareRoot()) < 1e-12)
        #expect(abs(Metric.mae.compute(p, t) - 2.0 / 3) < 1e-12)
        // Σ(t - 8/3)² = 26/3, residual 4: R² = 1 - 12/26.
        #expect(abs(Metric.r2.compute(p, t) - (1 - 12.0 / 26)) < 1e-9)
        #expect(Metric.r2.compute(p, Tensor([2, 2, 2])) == 0, "constant targets give 0, not a division by zero")
        #expect(Metric.accuracy.higherIsBetter && Metric.r2.higherIsBetter)
        #expect(!Metric.rmse.higherIsBetter && !Metric.mae.higherIsBetter && !Metric.errorRate.higherIsBetter)
    }

    @Test func progressClockFormat() {
        #expect(ProgressDisplay.clock(0) == "00:00")
        #expect(ProgressDisplay.clock(65.4) == "01:05")
        #expect(ProgressDisplay.clock(3599.6) == "60:00")
        #expect(ProgressDisplay(style: .plain).style == .plain)
    }
}
