import Foundation
import Testing
@testable import Slope

// Gradients worked out by hand, the formula beside each value (candle's style), plus a
// check that the finite-difference checker itself catches wrong pullbacks.

@Suite("Gradients derived by hand")
struct GradHandDerivedTests {
    @Test func cubeAtTwo() {
        // d/dx x³ = 3x² = 12 at x = 2.
        let x = Tensor(2).requiresGrad()
        x.pow(3).backward()
        #expect(x.grad?.shape == [])
        #expect(x.grad?.item() == 12)
    }

    @Test func squareAndProduct() {
        // L = Σ xᵢ² → dL/dx = 2x.   L = Σ xᵢyᵢ → dL/dx = y, dL/dy = x.
        let x = Tensor([1, -2, 3]).requiresGrad()
        x.squared().sum().backward()
        #expect(x.grad?.scalars == [2, -4, 6])

        let a = Tensor([1, 2, 3]).requiresGrad(), b = Tensor([4, 5, 6]).requiresGrad()
        (a * b).sum().backward()
        #expect(a.grad?.scalars == [4, 5, 6])
        #expect(b.grad?.scalars == [1, 2, 3])
    }

    @Test func quotient() {
        // d(a/b)/da = 1/b = 0.25, d(a/b)/db = -a/b² = -3/16 at a = 3, b = 4.
        let a = Tensor(3).requiresGrad(), b = Tensor(4).requiresGrad()
        (a / b).backward()
        #expect(a.grad?.item() == 0.25)
        #expect(b.grad?.item() == -0.1875)
        // d(s/x)/dx = -s/x² = -2/4 at s = 2, x = 2.
        let x = Tensor(2).requiresGrad()
        (2 / x).backward()
        #expect(x.grad?.item() == -0.5)
    }

    @Test func elementwiseFunctionsAtSimplePoints() {
        func derivative(at value: Float, _ f: (Tensor) -> Tensor) -> Float {
            let x = Tensor(value).requiresGrad()
            f(x).backward()
            return x.grad!.item()
        }
        #expect(derivative(at: 0) { $0.exp() } == 1)            // e⁰ = 1
        #expect(derivative(at: 2) { $0.log() } == 0.5)          // 1/x = 1/2
        #expect(derivative(at: 4) { $0.sqrt() } == 0.25)        // 1/(2√4) = 1/4
        #expect(derivative(at: 0) { $0.sigmoid() } == 0.25)     // s(1 - s) = 0.5 · 0.5
        #expect(derivative(at: 0) { $0.tanh() } == 1)           // 1 - tanh²(0) = 1
        #expect(derivative(at: -3) { $0.abs() } == -1)          // sign(-3)
        #expect(derivative(at: 4) { $0.pow(0.5) } == 0.25)      // ½ x^(-½) = ½ · ½
        #expect(derivative(at: 4) { $0.pow(-1) } == -0.0625)    // -x⁻² = -1/16
        #expect(derivative(at: 3) { $0.squared() } == 6)        // 2x
        #expect(derivative(at: 5) { -$0 } == -1)
    }

    @Test func kinksFollowPyTorch() {
        func derivative(at value: Float, _ f: (Tensor) -> Tensor) -> Float {
            let x = Tensor(value).requiresGrad()
            f(x).backward()
            return x.grad!.item()
        }
        // PyTorch: abs'(0) = 0, relu'(0) = 0, clamp passes the gradient at its bounds.
        #expect(derivative(at: 0) { $0.abs() } == 0)
        #expect(derivative(at: 0) { $0.relu() } == 0)
        #expect(derivative(at: 1) { $0.clamp(min: 0, max: 1) } == 1)
        #expect(derivative(at: 0) { $0.clamp(min: 0, max: 1) } == 1)
        #expect(derivative(at: 1.5) { $0.clamp(min: 0, max: 1) } == 0)
        #expect(derivative(at: -0.5) { $0.clamp(min: 0, max: 1) } == 0)
        // d/dx x⁰ = 0 everywhere, also at 0 (PyTorch special-cases exponent 0; 0 · 0⁻¹ is NaN).
        #expect(derivative(at: 0) { $0.pow(0) } == 0)
        #expect(derivative(at: 2) { $0.pow(0) } == 0)
        // d/dx x¹ = 1 at 0 (0⁰ = 1).
        #expect(derivative(at: 0) { $0.pow(1) } == 1)
    }

    @Test func softmaxOfZeroAndLogThree() {
        // softmax([0, ln 3]) = [1, 3] / 4 = [0.25, 0.75].
        // ∂s₁/∂x = s₁(δ₁ⱼ - sⱼ) = 0.75 · [-0.25, 0.25] = [-0.1875, 0.1875].
        let x = Tensor([0, Float(Foundation.log(3.0))]).requiresGrad()
        let s = x.softmax()
        #expect(approximatelyEqual(s.scalars, [0.25, 0.75], tolerance: 1e-6))
        s[1].backward()
        #expect(approximatelyEqual(x.grad!.scalars, [-0.1875, 0.1875], tolerance: 1e-6))

        // logSoftmax: ∂(log s₁)/∂x = δ₁ⱼ - sⱼ = [-0.25, 0.25].
        let y = Tensor([0, Float(Foundation.log(3.0))]).requiresGrad()
        y.logSoftmax()[1].backward()
        #expect(approximatelyEqual(y.grad!.scalars, [-0.25, 0.25], tolerance: 1e-6))

        // logSumExp([0, 0]) = ln 2, gradient softmax = [0.5, 0.5].
        let z = Tensor([0, 0]).requiresGrad()
        let lse = z.logSumExp(axis: 0)
        #expect(Swift.abs(lse.item() - Float(Foundation.log(2.0))) < 1e-6)
        lse.backward()
        #expect(z.grad?.scalars == [0.5, 0.5])
    }

    @Test func matmulTwoByTwo() {
        // C = A B, L = Σ C ⊙ G with G = [[1, 0], [0, 2]]:
        // dA = G Bᵀ = [[1, 0], [0, 2]] [[5, 7], [6, 8]] = [[5, 7], [12, 16]]
        // dB = Aᵀ G = [[1, 3], [2, 4]] [[1, 0], [0, 2]] = [[1, 6], [2, 8]]
        let a = Tensor([[1, 2], [3, 4]]).requiresGrad()
        let b = Tensor([[5, 6], [7, 8]]).requiresGrad()
        let c = a.matmul(b)
        #expect(c.scalars == [19, 22, 43, 50])
        c.backward(gradient: Tensor([[1, 0], [0, 2]]))
        #expect(a.grad?.scalars == [5, 7, 12, 16])
        #expect(b.grad?.scalars == [1, 6, 2, 8])
    }

    @Test func matmulVectorCases() {
        // v · w = Σ vᵢwᵢ → d/dv = w, d/dw = v.
        let v = Tensor([1, 2, 3]).requiresGrad(), w = Tensor([4, 5, 6]).requiresGrad()
        let dot = v.matmul(w)
        #expect(dot.shape == [])
        #expect(dot.item() == 32)
        dot.backward()
        #expect(v.grad?.scalars == [4, 5, 6])
        #expect(w.grad?.scalars == [1, 2, 3])

        // y = M v, L = Σ y → dM[i][j] = v[j], dv = Mᵀ 1 = column sums.
        let m = Tensor([[1, 2], [3, 4], [5, 6]]).requiresGrad(), u = Tensor([1, -1]).requiresGrad()
        let y = m.matmul(u)
        #expect(y.shape == [3])
        #expect(y.scalars == [-1, -1, -1])
        y.sum().backward()
        #expect(m.grad?.scalars == [1, -1, 1, -1, 1, -1])
        #expect(u.grad?.scalars == [9, 12])
    }

    @Test func reuseAccumulates() {
        // c = c + c + 1 → dc = 2.
        let c = Tensor(3).requiresGrad()
        (c + c + 1).backward()
        #expect(c.grad?.item() == 2)
        // (c + c) + (c + c) → dc = 4.
        let d = Tensor(3).requiresGrad()
        ((d + d) + (d + d)).backward()
        #expect(d.grad?.item() == 4)
        // e · e · e → 3e² = 27 at e = 3.
        let e = Tensor(3).requiresGrad()
        (e * e * e).backward()
        #expect(e.grad?.item() == 27)
    }

    @Test func reductionsSpreadTheGradient() {
        // mean: 1/n each. sum(axes: [0]) of [2, 3] with upstream [1, 2, 3]: each row gets it.
        let x = Tensor([[1, 2, 3], [4, 5, 6]]).requiresGrad()
        x.mean().backward()
        #expect(x.grad?.scalars == [Float](repeating: 1 / 6, count: 6))

        let y = Tensor([[1, 2, 3], [4, 5, 6]]).requiresGrad()
        y.sum(axes: [0]).backward(gradient: Tensor([1, 2, 3]))
        #expect(y.grad?.scalars == [1, 2, 3, 1, 2, 3])

        // mean(axes: [1], keepDims: true) with upstream [[3], [6]]: 3/3 and 6/3 per row.
        let z = Tensor([[1, 2, 3], [4, 5, 6]]).requiresGrad()
        z.mean(axes: [1], keepDims: true).backward(gradient: Tensor(shape: [2, 1], scalars: [3, 6]))
        #expect(z.grad?.scalars == [1, 1, 1, 2, 2, 2])
    }

    @Test func maxSplitsTiesEvenly() {
        // As PyTorch's amax: the gradient is shared equally among the tied maxima.
        let x = Tensor([1, 3, 3]).requiresGrad()
        x.max().backward()
        #expect(x.grad?.scalars == [0, 0.5, 0.5])

        let y = Tensor([[1, 5, 2], [4, 4, 0]]).requiresGrad()
        y.max(axes: [1]).backward(gradient: Tensor([1, 2]))
        #expect(y.grad?.scalars == [0, 1, 0, 1, 1, 0])

        let z = Tensor([[1, 5, 2], [4, 4, 0]]).requiresGrad()
        z.min(axes: [0]).backward(gradient: Tensor([1, 2, 3]))
        #expect(z.grad?.scalars == [1, 0, 0, 0, 2, 3])

        // maximum with a tie: half to each side.
        let a = Tensor([2, 1]).requiresGrad(), b = Tensor([2, 3]).requiresGrad()
        maximum(a, b).sum().backward()
        #expect(a.grad?.scalars == [0.5, 0])
        #expect(b.grad?.scalars == [0.5, 1])
    }

    @Test func broadcastingSumsBack() {
        // [2, 3] + [3]: the [3] operand receives the column sums of the upstream gradient.
        let m = Tensor([[1, 2, 3], [4, 5, 6]]).requiresGrad(), v = Tensor([10, 20, 30]).requiresGrad()
        (m + v).backward(gradient: Tensor([[1, 2, 3], [4, 5, 6]]))
        #expect(m.grad?.scalars == [1, 2, 3, 4, 5, 6])
        #expect(v.grad?.scalars == [5, 7, 9])
        // [2, 1] * [1, 3]: d(col)/d = Σ over the row of g·row, and vice versa.
        let col = Tensor(shape: [2, 1], scalars: [1, 2]).requiresGrad()
        let row = Tensor(shape: [1, 3], scalars: [3, 4, 5]).requiresGrad()
        (col * row).sum().backward()
        #expect(col.grad?.shape == [2, 1])
        #expect(col.grad?.scalars == [12, 12])
        #expect(row.grad?.shape == [1, 3])
        #expect(row.grad?.scalars == [3, 3, 3])
        // 0-d * [3]: the scalar gets Σ v.
        let s = Tensor(2).requiresGrad()
        (s * Tensor([1, 2, 3])).sum().backward()
        #expect(s.grad?.shape == [])
        #expect(s.grad?.item() == 6)
    }

    @Test func indexingScattersBack() {
        // indexSelect [0, 0, 1] of [a, b] → da = 2, db = 1.
        let x = Tensor([7, 8]).requiresGrad()
        x.indexSelect(axis: 0, indices: [0, 0, 1]).sum().backward()
        #expect(x.grad?.scalars == [2, 1])
        // x[::-1] with upstream [1, 2, 3] → [3, 2, 1].
        let y = Tensor([1, 2, 3]).requiresGrad()
        y[TensorIndex.range(nil, nil, step: -1)].backward(gradient: Tensor([1, 2, 3]))
        #expect(y.grad?.scalars == [3, 2, 1])
        // gather picks [x₀₁, x₁₀, x₁₀] → gradient 1 at (0,1) and 2 at (1,0).
        let z = Tensor([[1, 2], [3, 4]]).requiresGrad()
        z.gather(axis: 1, indices: Tensor([[1], [0]])).sum().backward()
        #expect(z.grad?.scalars == [0, 1, 1, 0])
    }

    @Test func lessonQuadraticGradient() {
        // f(x) = c x² + b x + a at x = [1, 2] with abc = [0, 0, 0] and y = [1, 2]:
        // L = mean((f - y)²), dL/dθ = mean(2 (f - y) ∂f/∂θ) with ∂f/∂(a, b, c) = (1, x, x²):
        // da = mean(2·(-1), 2·(-2)) = -3, db = mean(-2·1, -4·2) = -5, dc = mean(-2·1, -4·4) = -9.
        let abc = Tensor([0, 0, 0]).requiresGrad()
        mse(quadratic(abc)(Tensor([1, 2])), Tensor([1, 2])).backward()
        #expect(abc.grad?.scalars == [-3, -5, -9])
    }
}

// MARK: - The checker catches wrong pullbacks

/// A test-only op with a deliberately chosen pullback: forward `2x`, backward `scale · g`.
private func doubled(_ x: Tensor, pullbackScale: Float) -> Tensor {
    let result = Tensor(unchecked: x.shape, x.storage.map { 2 * $0 })
    if Tensor.recording(x) { result.record("doubled", x) { g in g * pullbackScale } }
    return result
}

@Suite("The gradient checker")
struct GradCheckerSelfTests {
    @Test func acceptsACorrectPullback() {
        checkGradients("doubled (right)", [GradInput.uniform([2, 3], -2, 2, seed: 1)]) { doubled($0[0], pullbackScale: 2) }
    }

    @Test(arguments: [Float(1), 4, -2, 0, 2.05])
    func rejectsAWrongPullback(scale: Float) {
        // Half, twice, the wrong sign, nothing, and 2.5 % off.
        withKnownIssue {
            checkGradients("doubled (wrong: \(scale))", [GradInput.uniform([2, 3], -2, 2, seed: 2)]) {
                doubled($0[0], pullbackScale: scale)
            }
        }
    }

    @Test func rejectsAWrongBroadcastReduction() {
        // A pullback that forgets one of the two rows when un-broadcasting by hand.
        withKnownIssue {
            checkGradients("row sum (wrong)", [GradInput.uniform([3], -2, 2, seed: 3)]) { x in
                let result = Tensor(unchecked: [2, 3], x[0].storage + x[0].storage)
                if Tensor.recording(x[0]) { result.record("rows", x[0]) { g in g[0] } }
                return result
            }
        }
    }
}
