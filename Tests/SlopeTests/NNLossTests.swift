import Foundation
import Testing
@testable import Slope

// Losses: values against formulas evaluated independently in Double, and gradients through
// `checkGradients`.

/// log p[i][c] = x[i][c] - log Σ_k e^{x[i][k]}, computed stably in Double.
private func logSoftmaxRows(_ rows: [[Double]]) -> [[Double]] {
    rows.map { row in
        let top = row.max()!
        let logSum = top + Foundation.log(row.map { Foundation.exp($0 - top) }.reduce(0, +))
        return row.map { $0 - logSum }
    }
}

/// ℓᵢ = -(1-ε)·log pᵢ[tᵢ] - (ε/C)·Σ_c log pᵢ[c] (PyTorch's cross_entropy with label_smoothing).
private func crossEntropyReference(_ logits: [[Double]], _ targets: [Int], smoothing: Double = 0) -> [Double] {
    let logP = logSoftmaxRows(logits)
    return zip(logP, targets).map { row, t in
        -(1 - smoothing) * row[t] - smoothing / Double(row.count) * row.reduce(0, +)
    }
}

private func rows(_ tensor: Tensor) -> [[Double]] {
    let columns = tensor.shape[1]
    return (0..<tensor.shape[0]).map { r in (0..<columns).map { Double(tensor.scalars[r * columns + $0]) } }
}

@Suite("NN losses: values")
struct NNLossValueTests {
    @Test func crossEntropyByHand() {
        // Row [1, 2, 3]: log Σ e^x = 3 + log(1 + e⁻¹ + e⁻²) = 3.4076059644;
        // log p = [-2.4076, -1.4076, -0.4076]. Row [1, 0, -1]: log Σ e^x = 1.4076059644,
        // log p = [-0.4076, -1.4076, -2.4076]. Targets [2, 1]: ℓ = [0.4076059644, 1.4076059644].
        let logits = Tensor([[1, 2, 3], [1, 0, -1]])
        let targets = Tensor([2, 1])
        let perSample = crossEntropy(logits: logits, targets: targets, reduction: .none)
        #expect(perSample.shape == [2])
        #expect(isClose(perSample.scalars[0], 0.4076059644))
        #expect(isClose(perSample.scalars[1], 1.4076059644))
        #expect(isClose(crossEntropy(logits: logits, targets: targets).item(), 0.9076059644))
        #expect(crossEntropy(logits: logits, targets: targets).shape == [])
        #expect(isClose(crossEntropy(logits: logits, targets: targets, reduction: .sum).item(), 1.8152119288))
    }

    @Test func crossEntropyMatchesLogSoftmaxFormula() {
        let logits = GradInput.uniform([5, 4], -3, 3, seed: 80)
        let targets = Tensor([0, 3, 1, 1, 2])
        let expected = crossEntropyReference(rows(logits), [0, 3, 1, 1, 2])
        let none = crossEntropy(logits: logits, targets: targets, reduction: .none).scalars
        for (value, reference) in zip(none, expected) { #expect(isClose(value, reference)) }
        #expect(isClose(crossEntropy(logits: logits, targets: targets, reduction: .mean).item(), expected.reduce(0, +) / 5))
        #expect(isClose(crossEntropy(logits: logits, targets: targets, reduction: .sum).item(), expected.reduce(0, +)))
        // The same as nll of logSoftmax.
        let viaNLL = nll(logProbabilities: logits.logSoftmax(axis: 1), targets: targets)
        #expect(isClose(viaNLL.item(), expected.reduce(0, +) / 5))
    }

    @Test func crossEntropyWithLabelSmoothing() {
        // ℓ = -(1-ε)·log p[t] - ε/C·Σ_c log p[c]; for [1, 2, 3], t = 2, ε = 0.1:
        // 0.9·0.4076059644 + (0.1/3)·(2.4076 + 1.4076 + 0.4076) = 0.5076059644.
        let single = crossEntropy(logits: Tensor([[1, 2, 3]]), targets: Tensor([2]), labelSmoothing: 0.1)
        #expect(isClose(single.item(), 0.5076059644))

        let logits = GradInput.uniform([4, 5], -2, 2, seed: 81)
        let targets = Tensor([4, 0, 2, 2])
        for epsilon in [0.05, 0.3, 1.0] {
            let expected = crossEntropyReference(rows(logits), [4, 0, 2, 2], smoothing: epsilon)
            let none = crossEntropy(logits: logits, targets: targets, labelSmoothing: Float(epsilon), reduction: .none).scalars
            for (value, reference) in zip(none, expected) { #expect(isClose(value, reference), "ε = \(epsilon)") }
            let mean = crossEntropy(logits: logits, targets: targets, labelSmoothing: Float(epsilon)).item()
            #expect(isClose(mean, expected.reduce(0, +) / 4), "ε = \(epsilon)")
        }
    }

    @Test func crossEntropyIsStableForLargeLogits() {
        // log-softmax of [1000, 0]: [0, -1000]; a naive softmax overflows.
        let loss = crossEntropy(logits: Tensor([[1000, 0], [0, 1000]]), targets: Tensor([1, 1]), reduction: .none)
        #expect(loss.scalars.allSatisfy { $0.isFinite })
        #expect(isClose(loss.scalars[0], 1000))
        #expect(isClose(loss.scalars[1], 0))
    }

    @Test func nllValues() {
        // ℓᵢ = -logpᵢ[tᵢ]
        let logP = Tensor([[-0.5, -1.5, -2], [-3, -0.1, -4]])
        let targets = Tensor([2, 1])
        #expect(nll(logProbabilities: logP, targets: targets, reduction: .none).scalars == [2, 0.1])
        #expect(isClose(nll(logProbabilities: logP, targets: targets).item(), 1.05))
        #expect(isClose(nll(logProbabilities: logP, targets: targets, reduction: .sum).item(), 2.1))
    }

    @Test func binaryCrossEntropyValues() {
        // ℓ = -(t·log σ(x) + (1-t)·log(1-σ(x))) = max(x, 0) - x·t + log(1 + e^{-|x|}).
        let xs: [Double] = [-2, -0.5, 0, 0.7, 3]
        let ts: [Double] = [0, 1, 0.5, 1, 0.25]
        let expected = zip(xs, ts).map { x, t -> Double in
            let s = 1 / (1 + Foundation.exp(-x))
            return -(t * Foundation.log(s) + (1 - t) * Foundation.log(1 - s))
        }
        let logits = Tensor(xs.map(Float.init)), targets = Tensor(ts.map(Float.init))
        let none = binaryCrossEntropy(logits: logits, targets: targets, reduction: .none)
        for (value, reference) in zip(none.scalars, expected) { #expect(isClose(value, reference)) }
        #expect(isClose(binaryCrossEntropy(logits: logits, targets: targets).item(), expected.reduce(0, +) / 5))
        #expect(isClose(binaryCrossEntropy(logits: logits, targets: targets, reduction: .sum).item(), expected.reduce(0, +)))
        // Any shape: one value per element for .none.
        let grid = binaryCrossEntropy(logits: Tensor([[0, 1], [2, 3]]), targets: Tensor([[0, 1], [1, 0]]), reduction: .none)
        #expect(grid.shape == [2, 2])
    }

    @Test func binaryCrossEntropyIsStableAtLargeLogits() {
        // PyTorch: BCEWithLogits([100, -100, 100, -100], [1, 1, 0, 0]) = [0, 100, 100, 0].
        let logits = Tensor([100, -100, 100, -100]).requiresGrad()
        let targets = Tensor([1, 1, 0, 0])
        let loss = binaryCrossEntropy(logits: logits, targets: targets, reduction: .none)
        #expect(loss.scalars.allSatisfy { $0.isFinite })
        #expect(approximatelyEqual(loss.scalars, [0, 100, 100, 0]))
        // ∂ℓ/∂x = σ(x) - t: [0, -1, 1, 0].
        loss.sum().backward()
        let grad = logits.grad?.scalars ?? []
        #expect(grad.allSatisfy { $0.isFinite })
        #expect(approximatelyEqual(grad, [0, -1, 1, 0]))
        let mean = binaryCrossEntropy(logits: Tensor([1000, -1000]), targets: Tensor([0.5, 0.5]))
        #expect(mean.item().isFinite)
        #expect(isClose(mean.item(), 500))
    }

    @Test func regressionLossValues() {
        let p = Tensor([1, 2, 3, 4]), t = Tensor([1.5, 1, 3, 6])
        // mse = (0.25 + 1 + 0 + 4)/4; mae = (0.5 + 1 + 0 + 2)/4
        #expect(isClose(mse(p, t).item(), 1.3125))
        #expect(isClose(mae(p, t).item(), 0.875))
        #expect(isClose(l1(p, t).item(), 0.875))
        #expect(mse(p, t).shape == [])
        // Broadcast: [2, 1] against [3] is [2, 3]: differences [[0, -1, -2], [2, 1, 0]].
        let column = Tensor(shape: [2, 1], scalars: [1, 3]), row = Tensor([1, 2, 3])
        #expect(isClose(mse(column, row).item(), 10.0 / 6))
        #expect(isClose(mae(column, row).item(), 1))
    }
}

@Suite("NN losses: gradients")
struct NNLossGradientTests {
    @Test func crossEntropyGradients() {
        let targets = Tensor([1, 0, 3, 3, 2])
        for reduction in [Reduction.mean, .sum, .none] {
            checkGradients("crossEntropy \(reduction)", [GradInput.uniform([5, 4], -2, 2, seed: 90)]) {
                crossEntropy(logits: $0[0], targets: targets, reduction: reduction)
            }
            checkGradients("crossEntropy \(reduction) smoothing 0.2", [GradInput.uniform([5, 4], -2, 2, seed: 91)]) {
                crossEntropy(logits: $0[0], targets: targets, labelSmoothing: 0.2, reduction: reduction)
            }
        }
        // Through a product, so the upstream gradient is not 1.
        checkGradients("crossEntropy of x·W", [GradInput.uniform([3, 2], -2, 2, seed: 92), GradInput.uniform([2, 4], -1, 1, seed: 93)]) {
            crossEntropy(logits: $0[0].matmul($0[1]), targets: Tensor([3, 0, 1]), labelSmoothing: 0.1) * 3
        }
    }

    @Test func crossEntropyGradientIsSoftmaxMinusTarget() {
        // ∂ℓ/∂x = (softmax(x) - onehot(t)) / N for the mean.
        let logits = Tensor([[1, 2, 3], [1, 0, -1]]).requiresGrad()
        crossEntropy(logits: logits, targets: Tensor([2, 1])).backward()
        let logP = logSoftmaxRows([[1, 2, 3], [1, 0, -1]])
        let expected = [logP[0].map { Foundation.exp($0) } - [0, 0, 1], logP[1].map { Foundation.exp($0) } - [0, 1, 0]]
            .flatMap { $0 }.map { Float($0 / 2) }
        #expect(approximatelyEqual(logits.grad?.scalars ?? [], expected, tolerance: 1e-6))
    }

    @Test func nllGradients() {
        let targets = Tensor([2, 0, 2, 1])
        for reduction in [Reduction.mean, .sum, .none] {
            checkGradients("nll \(reduction)", [GradInput.uniform([4, 3], -3, -0.1, seed: 94)]) {
                nll(logProbabilities: $0[0], targets: targets, reduction: reduction)
            }
        }
        checkGradients("nll of logSoftmax", [GradInput.uniform([4, 3], -2, 2, seed: 95)]) {
            nll(logProbabilities: $0[0].logSoftmax(axis: 1), targets: targets)
        }
    }

    @Test func binaryCrossEntropyGradients() {
        let targets = GradInput.uniform([2, 3], 0, 1, seed: 96)
        for reduction in [Reduction.mean, .sum, .none] {
            checkGradients("binaryCrossEntropy \(reduction)", [GradInput.uniform([2, 3], -4, 4, seed: 97)]) {
                binaryCrossEntropy(logits: $0[0], targets: targets, reduction: reduction)
            }
        }
        checkGradients("binaryCrossEntropy hard targets", [GradInput.uniform([6], -3, 3, seed: 98)]) {
            binaryCrossEntropy(logits: $0[0], targets: Tensor([0, 1, 1, 0, 1, 0]))
        }
    }

    @Test func regressionLossGradientsOnEqualShapes() {
        // The fused path: both inputs differentiable.
        let (p, t) = GradInput.separatedPair([3, 4], [3, 4], seed: 99)
        checkGradients("mse equal shapes", [p, t]) { mse($0[0], $0[1]) }
        let (p2, t2) = GradInput.separatedPair([3, 4], [3, 4], seed: 100)
        checkGradients("mae equal shapes", [p2, t2]) { mae($0[0], $0[1]) }
        let (p3, t3) = GradInput.separatedPair([5], [5], seed: 101)
        checkGradients("l1 equal shapes", [p3, t3]) { l1($0[0], $0[1]) * 2 }
        // Only the prediction differentiable.
        let target = GradInput.uniform([4], -0.5, 0.5, seed: 102)
        checkGradients("mse prediction only", [GradInput.awayFromZero([4], seed: 103)]) { mse($0[0] * 2, target) }
    }

    @Test func regressionLossGradientsOnBroadcastShapes() {
        let (p, t) = GradInput.separatedPair([3, 1], [4], seed: 104)
        checkGradients("mse broadcast", [p, t]) { mse($0[0], $0[1]) }
        let (p2, t2) = GradInput.separatedPair([2, 3], [3], seed: 105)
        checkGradients("mae broadcast", [p2, t2]) { mae($0[0], $0[1]) }
        let (p3, t3) = GradInput.separatedPair([2, 1, 3], [2, 3], seed: 106)
        checkGradients("l1 broadcast", [p3, t3]) { l1($0[0], $0[1]) }
    }

    @Test func fusedAndBroadcastPathsAgree() {
        // [4] vs [1, 4] goes through the composite path; [4] vs [4] through the fused one.
        let p = GradInput.uniform([4], -2, 2, seed: 107), t = GradInput.uniform([4], -2, 2, seed: 108)
        let tRow = t.reshaped([1, 4])
        #expect(isClose(mse(p, t).item(), Double(mse(p, tRow).item())))
        #expect(isClose(mae(p, t).item(), Double(mae(p, tRow).item())))
        let a = p.detach().requiresGrad(), b = p.detach().requiresGrad()
        mse(a, t).backward()
        mse(b, tRow).backward()
        #expect(approximatelyEqual(a.grad?.scalars ?? [], b.grad?.scalars ?? []))
    }
}

@Suite("NN losses: misuse stops")
struct NNLossProcessTests {
    @Test func crossEntropyRejectsATargetOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(logits: Tensor([[1, 2, 3]]), targets: Tensor([3]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("crossEntropy: target 3.0 is not a class index in 0..<3"), "message was: \(message)")
    }
}

private func - (lhs: [Double], rhs: [Double]) -> [Double] { zip(lhs, rhs).map { $0 - $1 } }
