import Foundation
import Testing
@testable import Slope

// Optimizers: N-step correctness against the update rules of PyTorch's torch.optim docs,
// implemented again here in Double; state keyed by dotted path; convergence on small
// problems; the one-cycle schedule against fastai's formulas.

// MARK: - Reference rules (torch.optim docs), in Double

/// torch.optim.SGD:
///   g ← ∇ + λp
///   if μ ≠ 0: b ← g (first step) or μb + (1-τ)g;  g ← g + μb (Nesterov) or b
///   p ← p - lr·g
private struct SGDReference {
    var lr: Double, momentum = 0.0, dampening = 0.0, weightDecay = 0.0, nesterov = false
    var buffer: [Double]?

    mutating func step(_ p: inout [Double], _ gradient: [Double]) {
        var g = zip(gradient, p).map { $0 + weightDecay * $1 }
        if momentum != 0 {
            if let b = buffer {
                buffer = zip(b, g).map { momentum * $0 + (1 - dampening) * $1 }
            } else {
                buffer = g
            }
            g = nesterov ? zip(g, buffer!).map { $0 + momentum * $1 } : buffer!
        }
        p = zip(p, g).map { $0 - lr * $1 }
    }
}

/// torch.optim.Adam / AdamW:
///   AdamW: p ← p - lr·λ·p;   Adam: g ← ∇ + λp
///   m ← β₁m + (1-β₁)g;  v ← β₂v + (1-β₂)g²
///   m̂ = m/(1-β₁ᵗ);  v̂ = v/(1-β₂ᵗ);  p ← p - lr·m̂/(√v̂ + ε)
private struct AdamReference {
    var lr: Double, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0.0, decoupled = false
    var m: [Double] = [], v: [Double] = [], t = 0

    mutating func step(_ p: inout [Double], _ gradient: [Double]) {
        if m.isEmpty { m = Array(repeating: 0, count: p.count); v = m }
        t += 1
        var g = gradient
        if decoupled {
            p = p.map { $0 - lr * weightDecay * $0 }
        } else {
            g = zip(g, p).map { $0 + weightDecay * $1 }
        }
        m = zip(m, g).map { beta1 * $0 + (1 - beta1) * $1 }
        v = zip(v, g).map { beta2 * $0 + (1 - beta2) * $1 * $1 }
        let c1 = 1 - Foundation.pow(beta1, Double(t)), c2 = 1 - Foundation.pow(beta2, Double(t))
        for i in p.indices { p[i] -= lr * (m[i] / c1) / ((v[i] / c2).squareRoot() + epsilon) }
    }
}

private let startValues: [Double] = [0.5, -1.2, 2.0, 0.1]
/// Different gradients each step, with mixed signs and magnitudes.
private let stepGradients: [[Double]] = [
    [0.3, -0.8, 1.5, -0.05],
    [-0.2, -0.6, 1.1, 0.4],
    [0.25, 0.9, -0.7, 0.01],
]

/// Runs `optimizer` for three steps on `stepGradients` (set by hand on `.grad`) and compares
/// each step with the reference.
private func compareThreeSteps(
    _ name: String, _ makeOptimizer: ([Tensor]) -> Optimizer, reference: (inout [Double], [Double], Int) -> Void,
    tolerance: Float = 2e-6, sourceLocation: SourceLocation = #_sourceLocation
) {
    let parameter = Tensor(startValues.map(Float.init)).requiresGrad()
    let optimizer = makeOptimizer([parameter])
    var expected = startValues
    for (step, gradient) in stepGradients.enumerated() {
        parameter.grad = Tensor(gradient.map(Float.init))
        optimizer.step()
        reference(&expected, gradient, step)
        let got = parameter.scalars, want = expected.map(Float.init)
        #expect(approximatelyEqual(got, want, tolerance: tolerance),
                "\(name) step \(step + 1): got \(got), expected \(want)", sourceLocation: sourceLocation)
    }
    #expect(optimizer.stepCount == 3, sourceLocation: sourceLocation)
}

@Suite("Optimizers: update rules")
struct OptimUpdateRuleTests {
    @Test func plainSGD() {
        var reference = SGDReference(lr: 0.1)
        compareThreeSteps("SGD", { SGD($0, lr: 0.1) }) { p, g, _ in reference.step(&p, g) }
        // By hand, step 1: p - 0.1·g.
        let p = Tensor([1, 2]).requiresGrad()
        p.grad = Tensor([0.5, -1])
        SGD([p], lr: 0.1).step()
        #expect(approximatelyEqual(p.scalars, [0.95, 2.1]))
    }

    @Test func sgdWithMomentum() {
        var reference = SGDReference(lr: 0.05, momentum: 0.9)
        compareThreeSteps("SGD momentum", { SGD($0, lr: 0.05, momentum: 0.9) }) { p, g, _ in reference.step(&p, g) }
    }

    @Test func sgdWithDampening() {
        var reference = SGDReference(lr: 0.05, momentum: 0.8, dampening: 0.3)
        compareThreeSteps("SGD dampening", {
            SGD(parameters: Optimizer.numbered($0), lr: 0.05, momentum: 0.8, dampening: 0.3)
        }) { p, g, _ in reference.step(&p, g) }
    }

    @Test func sgdWithNesterov() {
        var reference = SGDReference(lr: 0.05, momentum: 0.9, nesterov: true)
        compareThreeSteps("SGD Nesterov", {
            SGD(parameters: Optimizer.numbered($0), lr: 0.05, momentum: 0.9, nesterov: true)
        }) { p, g, _ in reference.step(&p, g) }
    }

    @Test func sgdWithWeightDecay() {
        var plain = SGDReference(lr: 0.1, weightDecay: 0.2)
        compareThreeSteps("SGD weight decay", { SGD($0, lr: 0.1, weightDecay: 0.2) }) { p, g, _ in plain.step(&p, g) }
        var all = SGDReference(lr: 0.03, momentum: 0.7, dampening: 0.1, weightDecay: 0.05)
        compareThreeSteps("SGD momentum + dampening + weight decay", {
            SGD(parameters: Optimizer.numbered($0), lr: 0.03, momentum: 0.7, dampening: 0.1, weightDecay: 0.05)
        }) { p, g, _ in all.step(&p, g) }
        var nesterov = SGDReference(lr: 0.03, momentum: 0.7, weightDecay: 0.05, nesterov: true)
        compareThreeSteps("SGD Nesterov + weight decay", {
            SGD(parameters: Optimizer.numbered($0), lr: 0.03, momentum: 0.7, weightDecay: 0.05, nesterov: true)
        }) { p, g, _ in nesterov.step(&p, g) }
    }

    @Test func adam() {
        var reference = AdamReference(lr: 0.01)
        compareThreeSteps("Adam", { Adam($0, lr: 0.01) }) { p, g, _ in reference.step(&p, g) }
        var tuned = AdamReference(lr: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-6)
        compareThreeSteps("Adam β₁ 0.8 β₂ 0.99 ε 1e-6", {
            Adam(parameters: Optimizer.numbered($0), lr: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-6)
        }) { p, g, _ in tuned.step(&p, g) }
        // By hand, step 1: m̂ = g, v̂ = g², so p moves by lr·g/(|g| + ε) ≈ lr·sign(g).
        let p = Tensor([1, 2]).requiresGrad()
        p.grad = Tensor([0.5, -3])
        Adam([p], lr: 0.1).step()
        #expect(approximatelyEqual(p.scalars, [0.9, 2.1], tolerance: 1e-6))
    }

    @Test func adamWithL2WeightDecay() {
        var reference = AdamReference(lr: 0.01, weightDecay: 0.1)
        compareThreeSteps("Adam weight decay", {
            Adam(parameters: Optimizer.numbered($0), lr: 0.01, weightDecay: 0.1)
        }) { p, g, _ in reference.step(&p, g) }
    }

    @Test func adamW() {
        var reference = AdamReference(lr: 0.01, weightDecay: 0.1, decoupled: true)
        compareThreeSteps("AdamW", {
            AdamW(parameters: Optimizer.numbered($0), lr: 0.01, weightDecay: 0.1)
        }) { p, g, _ in reference.step(&p, g) }
        // The default λ is 0.01, as torch.optim.AdamW.
        var defaults = AdamReference(lr: 0.001, weightDecay: 0.01, decoupled: true)
        compareThreeSteps("AdamW defaults", { AdamW(parameters: Optimizer.numbered($0)) }) { p, g, _ in defaults.step(&p, g) }
        let parameter = Tensor([1]).requiresGrad()
        #expect(AdamW(parameters: [("w", parameter)]).weightDecay == 0.01)
        #expect(AdamW(parameters: [("w", parameter)]).decoupledWeightDecay)
        // Decoupled decay with a zero gradient still shrinks the weight: p(1 - lr·λ).
        let p = Tensor([2, -4]).requiresGrad()
        p.grad = Tensor([0, 0])
        AdamW(parameters: [("p", p)], lr: 0.1, weightDecay: 0.5).step()
        #expect(approximatelyEqual(p.scalars, [1.9, -3.8]))
    }

    @Test func parametersWithoutGradientAreSkipped() {
        // PyTorch skips a parameter whose grad is None, and Adam's per-parameter step count
        // does not advance for it.
        let a = Tensor(startValues.map(Float.init)).requiresGrad()
        let b = Tensor(startValues.map(Float.init)).requiresGrad()
        let frozen = Tensor([5, 6]).requiresGrad(false)
        frozen.grad = Tensor([1, 1])
        let optimizer = Adam(parameters: [("a", a), ("b", b), ("frozen", frozen)], lr: 0.01)
        var refA = AdamReference(lr: 0.01), refB = AdamReference(lr: 0.01)
        var expectedA = startValues, expectedB = startValues
        for (step, gradient) in stepGradients.enumerated() {
            a.grad = Tensor(gradient.map(Float.init))
            b.grad = step == 1 ? nil : Tensor(gradient.reversed().map(Float.init))
            optimizer.step()
            refA.step(&expectedA, gradient)
            if step != 1 { refB.step(&expectedB, gradient.reversed()) }
        }
        #expect(approximatelyEqual(a.scalars, expectedA.map(Float.init), tolerance: 2e-6))
        #expect(approximatelyEqual(b.scalars, expectedB.map(Float.init), tolerance: 2e-6))
        #expect(frozen.scalars == [5, 6], "a parameter that does not require grad is not stepped")
        #expect(!optimizer.state().keys.contains { $0.hasPrefix("frozen") })
    }

    /// A tied layer (the same Linear twice in a Sequential) must be stepped once per step:
    /// p ← p - lr·∇, where ∇ already sums both uses (PyTorch de-duplicates parameters).
    @Test func tiedParameterIsSteppedOnce() {
        var rng = SeededGenerator(seed: 111)
        let layer = Linear(inputFeatures: 2, outputFeatures: 2, generator: &rng)
        let model = Sequential(layer, Tanh(), layer)
        let optimizer = SGD(model, lr: 0.1)
        model(Tensor([[1, -1], [0.5, 2]])).sum().backward()
        let before = layer.weight.scalars, gradient = layer.weight.grad!.scalars
        optimizer.step()
        let expected = zip(before, gradient).map { $0 - 0.1 * $1 }
        #expect(approximatelyEqual(layer.weight.scalars, expected, tolerance: 1e-6),
                "got \(layer.weight.scalars), expected one step \(expected)")
    }

    @Test func zeroGradClearsOptimizerParameters() {
        let a = Tensor([1, 2]).requiresGrad(), b = Tensor([3]).requiresGrad()
        (a.sum() + b.sum()).backward()
        let optimizer = SGD([a, b], lr: 0.1)
        optimizer.zeroGrad()
        #expect(a.grad == nil && b.grad == nil)
        optimizer.step()   // nothing to do without gradients
        #expect(a.scalars == [1, 2] && b.scalars == [3])
    }
}

@Suite("Optimizers: state")
struct OptimStateTests {
    private static func model() -> Sequential {
        var rng = SeededGenerator(seed: 110)
        return Sequential(
            Linear(inputFeatures: 2, outputFeatures: 2, generator: &rng), ReLU(),
            Linear(inputFeatures: 2, outputFeatures: 1, generator: &rng))
    }

    private static func backward(_ model: Module) {
        mse(model(Tensor([[1, -1], [0.5, 2], [-1, 0.3]])), Tensor(shape: [3, 1], scalars: [1, 0, -1])).backward()
    }

    @Test func adamStateIsKeyedByDottedPath() {
        let model = Self.model()
        let optimizer = Adam(model, lr: 0.01)
        #expect(optimizer.parameters.map(\.key) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(optimizer.state().isEmpty)
        Self.backward(model)
        let gradients = model.parameters().map { $0.grad!.scalars }
        optimizer.step()
        let state = optimizer.state()
        #expect(Set(state.keys) == [
            "0.weight.exp_avg", "0.weight.exp_avg_sq", "0.bias.exp_avg", "0.bias.exp_avg_sq",
            "2.weight.exp_avg", "2.weight.exp_avg_sq", "2.bias.exp_avg", "2.bias.exp_avg_sq",
        ])
        // After one step: m = (1-β₁)g, v = (1-β₂)g², shaped like the parameter.
        for (index, key) in ["0.weight", "0.bias", "2.weight", "2.bias"].enumerated() {
            let g = gradients[index]
            #expect(state[key + ".exp_avg"]?.shape == model.parameters()[index].shape)
            #expect(approximatelyEqual(state[key + ".exp_avg"]?.scalars ?? [], g.map { 0.1 * $0 }, tolerance: 1e-6), "\(key)")
            #expect(approximatelyEqual(state[key + ".exp_avg_sq"]?.scalars ?? [], g.map { 0.001 * $0 * $0 }, tolerance: 1e-6), "\(key)")
        }
    }

    @Test func sgdMomentumBufferIsKeyedByDottedPath() {
        let model = Self.model()
        let optimizer = SGD(model, lr: 0.1, momentum: 0.9)
        Self.backward(model)
        let firstGradient = (model[0] as! Linear).weight.grad!.scalars
        optimizer.step()
        let state = optimizer.state()
        #expect(Set(state.keys) == ["0.weight.momentum_buffer", "0.bias.momentum_buffer", "2.weight.momentum_buffer", "2.bias.momentum_buffer"])
        // The first buffer is the gradient itself (PyTorch: b ← g on the first step).
        #expect(state["0.weight.momentum_buffer"]?.scalars == firstGradient)
        #expect(state["0.weight.momentum_buffer"]?.shape == [2, 2])

        // A module with a frozen layer keeps no state for it.
        let frozen = Self.model()
        try? frozen.getSubmodule("0").freeze()
        let sgd = SGD(frozen, lr: 0.1, momentum: 0.9)
        Self.backward(frozen)
        sgd.step()
        #expect(Set(sgd.state().keys) == ["2.weight.momentum_buffer", "2.bias.momentum_buffer"])

        // Plain SGD keeps none.
        let plain = SGD(Self.model(), lr: 0.1)
        plain.parameters.forEach { $0.tensor.grad = Tensor.ones($0.tensor.shape) }
        plain.step()
        #expect(plain.state().isEmpty)
    }

    @Test func plainTensorsAreNumbered() {
        let optimizer = Adam([Tensor([1]).requiresGrad(), Tensor([2, 3]).requiresGrad()], lr: 0.1)
        #expect(optimizer.parameters.map(\.key) == ["0", "1"])
        optimizer.parameters.forEach { $0.tensor.grad = Tensor.ones($0.tensor.shape) }
        optimizer.step()
        #expect(Set(optimizer.state().keys) == ["0.exp_avg", "0.exp_avg_sq", "1.exp_avg", "1.exp_avg_sq"])
    }
}

@Suite("Optimizers: convergence")
struct OptimConvergenceTests {
    /// Minimises Σ sᵢ(pᵢ - cᵢ)² from a fixed start; returns the final loss.
    private static func quadratic(_ makeOptimizer: (Tensor) -> Optimizer, steps: Int) -> Float {
        let p = Tensor([3, -2, 0.5]).requiresGrad()
        let center = Tensor([1, 2, -1]), scales = Tensor([1, 2, 0.5])
        let optimizer = makeOptimizer(p)
        func loss() -> Tensor { ((p - center).squared() * scales).sum() }
        for _ in 0..<steps {
            optimizer.zeroGrad()
            loss().backward()
            optimizer.step()
        }
        return noGrad { loss().item() }
    }

    /// Fits y = 2x₁ - 3x₂ + 0.5 with a Linear(2, 1); returns the final mse.
    private static func regression(_ makeOptimizer: (Module) -> Optimizer, steps: Int) -> Float {
        var rng = SeededGenerator(seed: 120)
        let x = Tensor.uniform([32, 2], low: -1, high: 1, generator: &rng)
        let xs = x.scalars
        let y = Tensor(shape: [32, 1], scalars: (0..<32).map { 2 * xs[2 * $0] - 3 * xs[2 * $0 + 1] + 0.5 })
        let model = Linear(inputFeatures: 2, outputFeatures: 1, generator: &rng)
        let optimizer = makeOptimizer(model)
        for _ in 0..<steps {
            optimizer.zeroGrad()
            mse(model(x), y).backward()
            optimizer.step()
        }
        return noGrad { mse(model(x), y).item() }
    }

    @Test func quadraticIsMinimised() {
        let start: Float = 4 + 2 * 16 + 0.5 * 2.25
        let results: [(String, Float)] = [
            ("SGD", Self.quadratic({ SGD([$0], lr: 0.1) }, steps: 100)),
            ("SGD momentum", Self.quadratic({ SGD([$0], lr: 0.05, momentum: 0.9) }, steps: 200)),
            ("SGD Nesterov", Self.quadratic({ SGD(parameters: Optimizer.numbered([$0]), lr: 0.05, momentum: 0.9, nesterov: true) }, steps: 200)),
            ("Adam", Self.quadratic({ Adam([$0], lr: 0.1) }, steps: 300)),
            ("AdamW", Self.quadratic({ AdamW(parameters: Optimizer.numbered([$0]), lr: 0.1, weightDecay: 1e-4) }, steps: 300)),
        ]
        for (name, loss) in results {
            #expect(loss < 1e-4 * start, "\(name): final loss \(loss)")
        }
    }

    @Test func linearRegressionIsFitted() {
        let results: [(String, Float)] = [
            ("SGD", Self.regression({ SGD($0, lr: 0.3) }, steps: 150)),
            ("SGD momentum", Self.regression({ SGD($0, lr: 0.1, momentum: 0.9) }, steps: 150)),
            ("Adam", Self.regression({ Adam($0, lr: 0.05) }, steps: 300)),
            ("AdamW", Self.regression({ AdamW($0, lr: 0.05, weightDecay: 1e-4) }, steps: 300)),
        ]
        for (name, loss) in results {
            #expect(loss < 1e-4, "\(name): final mse \(loss)")
        }
    }
}

@Suite("Optimizers: one-cycle schedule")
struct OptimOneCycleTests {
    /// fastai's combined cosine: `start + (1 + cos(π·(1 - pos)))·(end - start)/2` over each phase.
    private static func cosine(_ start: Double, _ end: Double, _ position: Double) -> Double {
        start + (1 + Foundation.cos(Double.pi * (1 - position))) * (end - start) / 2
    }

    @Test func learningRateFollowsFastai() {
        let schedule = OneCycleSchedule(maxLR: 0.01)
        #expect(close(schedule.learningRate(at: 0), 0.01 / 25))
        #expect(close(schedule.learningRate(at: 0.25), 0.01))
        #expect(close(schedule.learningRate(at: 1), 0.01 / 1e5))
        // Halfway through warm-up: the average of start and peak.
        #expect(close(schedule.learningRate(at: 0.125), (0.01 / 25 + 0.01) / 2))
        for progress in stride(from: 0.0, through: 1.0, by: 0.05) {
            let expected = progress < 0.25
                ? Self.cosine(0.01 / 25, 0.01, progress / 0.25)
                : Self.cosine(0.01, 0.01 / 1e5, (progress - 0.25) / 0.75)
            #expect(close(schedule.learningRate(at: Float(progress)), expected), "progress \(progress)")
        }
        // It rises to the peak, then falls.
        let values = stride(from: 0.0, through: 1.0, by: 0.01).map { schedule.learningRate(at: Float($0)) }
        let peak = values.firstIndex(of: values.max()!)!
        #expect(peak == 25)
        #expect(zip(values[..<peak], values[1...peak]).allSatisfy { $0 <= $1 })
        #expect(zip(values[peak...], values[(peak + 1)...]).allSatisfy { $0 >= $1 })
    }

    @Test func momentumFollowsFastai() {
        let schedule = OneCycleSchedule(maxLR: 0.1)
        #expect(close(schedule.momentum(at: 0), 0.95))
        #expect(close(schedule.momentum(at: 0.25), 0.85))
        #expect(close(schedule.momentum(at: 1), 0.95))
        for progress in stride(from: 0.0, through: 1.0, by: 0.05) {
            let expected = progress < 0.25
                ? Self.cosine(0.95, 0.85, progress / 0.25)
                : Self.cosine(0.85, 0.95, (progress - 0.25) / 0.75)
            #expect(close(schedule.momentum(at: Float(progress)), expected), "progress \(progress)")
        }
    }

    @Test func customSettings() {
        let schedule = OneCycleSchedule(maxLR: 1, warmupFraction: 0.5, divFactor: 10, finalDivFactor: 100,
                                        maxMomentum: 0.9, minMomentum: 0.8)
        #expect(close(schedule.learningRate(at: 0), 0.1))
        #expect(close(schedule.learningRate(at: 0.5), 1))
        #expect(close(schedule.learningRate(at: 0.75), Self.cosine(1, 0.01, 0.5)))
        #expect(close(schedule.learningRate(at: 1), 0.01))
        #expect(close(schedule.momentum(at: 0.5), 0.8))
        #expect(close(schedule.momentum(at: 1), 0.9))
    }

    @Test func cycledMomentumDrivesSGDMomentumAndAdamBeta1() {
        let p = Tensor([1]).requiresGrad()
        let sgd = SGD([p], lr: 0.1, momentum: 0.9)
        #expect(sgd.cycledMomentum == 0.9)
        sgd.cycledMomentum = 0.85
        #expect(sgd.momentum == 0.85)
        sgd.cycledMomentum = nil
        #expect(sgd.momentum == 0.85)

        let adam = Adam([p], lr: 0.1)
        #expect(adam.cycledMomentum == 0.9)
        adam.cycledMomentum = 0.95
        #expect(adam.beta1 == 0.95)
        let adamW = AdamW(parameters: [("p", p)])
        adamW.cycledMomentum = 0.8
        #expect(adamW.beta1 == 0.8)

        // A schedule applied step by step changes what the update uses: with β₁ = 0.5 the
        // first Adam step is still lr·sign(g), the second uses the new β₁.
        let q = Tensor(startValues.map(Float.init)).requiresGrad()
        let optimizer = Adam([q], lr: 0.01)
        let schedule = OneCycleSchedule(maxLR: 0.01)
        var reference = AdamReference(lr: 0.01)
        var expected = startValues
        for (step, gradient) in stepGradients.enumerated() {
            let progress = Float(step) / 3
            optimizer.lr = schedule.learningRate(at: progress)
            optimizer.cycledMomentum = schedule.momentum(at: progress)
            reference.lr = Double(optimizer.lr)
            reference.beta1 = Double(optimizer.beta1)
            q.grad = Tensor(gradient.map(Float.init))
            optimizer.step()
            reference.step(&expected, gradient)
        }
        #expect(approximatelyEqual(q.scalars, expected.map(Float.init), tolerance: 2e-6))
    }

    private func close(_ value: Float, _ expected: Double) -> Bool {
        abs(Double(value) - expected) <= 1e-5 * max(abs(expected), 1e-6) + 1e-9
    }
}

@Suite("Optimizers: hyper-parameter validation")
struct OptimValidationTests {
    @Test func sgdRejectsNegativeLearningRate() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SGD([Tensor([1]).requiresGrad()], lr: -0.1)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("lr must be finite and not negative"), "message was: \(message)")
    }

    @Test func nesterovNeedsMomentum() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SGD(parameters: [("w", Tensor([1]).requiresGrad())], lr: 0.1, nesterov: true)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Nesterov momentum needs momentum > 0"), "message was: \(message)")
    }

    @Test func adamRejectsBeta1OfOne() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Adam(parameters: [("w", Tensor([1]).requiresGrad())], beta1: 1)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("beta1 must be in [0, 1)"), "message was: \(message)")
    }

    @Test func oneCycleRejectsAWarmupOfTheWholeRun() async {
        await #expect(processExitsWith: .failure) {
            _ = OneCycleSchedule(maxLR: 0.1, warmupFraction: 1)
        }
    }
}
