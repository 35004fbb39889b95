import Foundation
import Testing
@testable import Slope

// Forward values of the ops, worked out by hand (NumPy's answers for the same calls).

@Suite("Op values")
struct OpsValueTests {
    // MARK: - Arithmetic and broadcasting

    @Test func broadcastingArithmetic() {
        let m = Tensor([[1, 2, 3], [4, 5, 6]])
        let sum = m + Tensor([10, 20, 30])
        #expect(sum.shape == [2, 3])
        #expect(sum.scalars == [11, 22, 33, 14, 25, 36])
        let outer = Tensor(shape: [2, 1], scalars: [1, 2]) * Tensor(shape: [1, 3], scalars: [1, 10, 100])
        #expect(outer.shape == [2, 3])
        #expect(outer.scalars == [1, 10, 100, 2, 20, 200])
        let deep = Tensor(shape: [2, 1, 2], scalars: [1, 2, 3, 4]) - Tensor([[0, 1], [10, 11], [20, 21]])
        #expect(deep.shape == [2, 3, 2])
        #expect(deep.scalars == [1, 1, -9, -9, -19, -19, 3, 3, -7, -7, -17, -17])
        #expect((Tensor(6) / Tensor([1, 2, 3])).scalars == [6, 3, 2])
        #expect((Tensor(6) / Tensor(4)).shape == [])
        #expect((1 - Tensor([0.25, 1])).scalars == [0.75, 0])
        #expect((2 / Tensor([4, -1])).scalars == [0.5, -2])
        #expect((-Tensor([1, -2])).scalars == [-1, 2])
    }

    @Test func elementwiseMath() {
        let x = Tensor([-2, -0.5, 0, 0.5, 2])
        #expect(x.relu().scalars == [0, 0, 0, 0.5, 2])
        #expect(x.abs().scalars == [2, 0.5, 0, 0.5, 2])
        #expect(x.clamp(min: -1, max: 1).scalars == [-1, -0.5, 0, 0.5, 1])
        #expect(x.squared().scalars == [4, 0.25, 0, 0.25, 4])
        #expect(x.pow(3).scalars == [-8, -0.125, 0, 0.125, 8])
        #expect(Tensor([4, 9]).sqrt().scalars == [2, 3])
        #expect(Tensor([4, 9]).pow(0.5).scalars == [2, 3])
        #expect(Tensor([4]).pow(-1.5).scalars == [0.125])
        #expect(Tensor([0]).exp().scalars == [1])
        #expect(Tensor([1]).log().scalars == [0])
        #expect(Tensor([0]).sigmoid().scalars == [0.5])
        // The stable sigmoid saturates without NaN.
        let extreme = Tensor([-200, 200]).sigmoid().scalars
        #expect(extreme == [0, 1])
        #expect(approximatelyEqual(Tensor([1]).tanh().scalars, [Float(Foundation.tanh(1.0))], tolerance: 1e-6))
        #expect(maximum(Tensor([1, 5]), Tensor([3, 2])).scalars == [3, 5])
        #expect(minimum(Tensor([1, 5]), Tensor(2)).scalars == [1, 2])
        #expect(Tensor.where(Tensor([1, 0, 2]), Tensor([1, 2, 3]), Tensor(-1)).scalars == [1, -1, 3])
    }

    // MARK: - Reductions

    @Test func reductions() {
        let m = Tensor([[1, 5, 2], [4, 3, 0]])
        #expect(m.sum().shape == [])
        #expect(m.sum().item() == 15)
        #expect(m.sum(axes: [0]).scalars == [5, 8, 2])
        #expect(m.sum(axes: [1], keepDims: true).shape == [2, 1])
        #expect(m.sum(axes: [1], keepDims: true).scalars == [8, 7])
        #expect(m.sum(axes: [-1]).scalars == [8, 7])
        #expect(m.mean().item() == 2.5)
        #expect(m.mean(axes: [0]).scalars == [2.5, 4, 1])
        #expect(m.max().item() == 5)
        #expect(m.min().item() == 0)
        #expect(m.max(axes: [1]).scalars == [5, 4])
        #expect(m.min(axes: [0], keepDims: true).shape == [1, 3])
        #expect(m.min(axes: [0], keepDims: true).scalars == [1, 3, 0])
        #expect(m.max(keepDims: true).shape == [1, 1])
        #expect(m.argmax(axis: 1).scalars == [1, 0])
        #expect(m.argmin().scalars == [5])
        #expect(Tensor(3).sum().item() == 3)
        #expect(Tensor(3).max().item() == 3)
        let cube = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        #expect(cube.sum(axes: [0, 2]).scalars == [60, 92, 124])
        #expect(cube.sum(axes: [0, 2], keepDims: true).shape == [1, 3, 1])
    }

    @Test func softmaxFamily() {
        // softmax([0, ln 3]) = [1, 3] / 4; rows shifted by a constant give the same result.
        let logits = Tensor([[0, Float(Foundation.log(3.0))], [10, 10 + Float(Foundation.log(3.0))]])
        let s = logits.softmax(axis: 1)
        #expect(approximatelyEqual(s.scalars, [0.25, 0.75, 0.25, 0.75], tolerance: 1e-6))
        // logSoftmax = [ln ¼, ln ¾].
        let logS = logits.logSoftmax(axis: 1)
        let expected = [-Float(Foundation.log(4.0)), -Float(Foundation.log(4.0 / 3.0))]
        #expect(approximatelyEqual(logS.scalars, expected + expected, tolerance: 1e-6))
        // logSumExp = ln 4 and 10 + ln 4; the stable form does not overflow at 1000.
        let lse = logits.logSumExp(axis: 1)
        #expect(approximatelyEqual(lse.scalars, [Float(Foundation.log(4.0)), 10 + Float(Foundation.log(4.0))], tolerance: 1e-6))
        #expect(logits.logSumExp(axis: 1, keepDims: true).shape == [2, 1])
        let large = Tensor([1000, 1000]).logSumExp(axis: 0)
        #expect(Swift.abs(large.item() - (1000 + Float(Foundation.log(2.0)))) <= 1e-4)
        // Along axis 0: columns [0, 10] and [ln 3, 10 + ln 3], both [1, e¹⁰] / (1 + e¹⁰).
        let columns = logits.softmax(axis: 0)
        let low = Float(1 / (1 + Foundation.exp(10.0)))
        #expect(approximatelyEqual(columns.scalars, [low, low, 1 - low, 1 - low], tolerance: 1e-6))
        // -inf entries get probability 0.
        #expect(Tensor([0, -.infinity]).softmax().scalars == [1, 0])
    }

    @Test func softmaxOfLargeLogitsKeepsFullPrecision() {
        // PyTorch computes exp(x - max) / Σ exp(x - max) and (x - max) - log Σ exp(x - max):
        // equal logits give exactly 1/n and -ln n, however large they are. Subtracting a
        // rounded logSumExp (1000.6931 has an ulp of 6e-5) loses that.
        let p = Tensor([1000, 1000]).softmax()
        #expect(approximatelyEqual(p.scalars, [0.5, 0.5], tolerance: 1e-6))
        let q = Tensor([100, 100, 100]).softmax()
        #expect(approximatelyEqual(q.scalars, [Float](repeating: 1.0 / 3.0, count: 3), tolerance: 1e-6))
        let logP = Tensor([1000, 1000]).logSoftmax()
        #expect(approximatelyEqual(logP.scalars, [Float](repeating: -Float(Foundation.log(2.0)), count: 2), tolerance: 1e-6))
    }

    // MARK: - Matmul

    @Test func matmulValues() {
        let a = Tensor([[1, 2], [3, 4]]), b = Tensor([[5, 6], [7, 8]])
        #expect(a.matmul(b).scalars == [19, 22, 43, 50])
        #expect(Tensor([1, 2]).matmul(b).scalars == [19, 22])
        #expect(a.matmul(Tensor([1, 1])).scalars == [3, 7])
        let batch = Tensor(shape: [2, 2, 2], scalars: [1, 0, 0, 1, 2, 0, 0, 2])
        let product = batch.matmul(b)
        #expect(product.shape == [2, 2, 2])
        #expect(product.scalars == [5, 6, 7, 8, 10, 12, 14, 16])
        let broadcast = Tensor(shape: [2, 1, 1, 2], scalars: [1, 0, 0, 1]).matmul(Tensor(shape: [3, 2, 1], scalars: [1, 2, 3, 4, 5, 6]))
        #expect(broadcast.shape == [2, 3, 1, 1])
        #expect(broadcast.scalars == [1, 3, 5, 2, 4, 6])
    }

    // MARK: - Movement

    @Test func movement() {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.reshaped([3, -1]).shape == [3, 2])
        #expect(t.transposed().scalars == [1, 4, 2, 5, 3, 6])
        let cube = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        let permuted = cube.permuted([2, 0, 1])
        #expect(permuted.shape == [4, 2, 3])
        #expect(permuted.scalars.prefix(6) == [0, 4, 8, 12, 16, 20])
        #expect(cube.flattened(startAxis: 1).shape == [2, 12])
        #expect(Tensor(2).flattened().shape == [1])
        #expect(Tensor(shape: [1, 3, 1], scalars: [1, 2, 3]).squeezed().shape == [3])
        #expect(Tensor([1, 2]).unsqueezed(axis: -1).shape == [2, 1])
        let expanded = Tensor(shape: [2, 1], scalars: [1, 2]).expanded(to: [3, 2, 2])
        #expect(expanded.shape == [3, 2, 2])
        #expect(expanded.scalars == [1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2])
    }

    // MARK: - Indexing

    @Test func subscripts() {
        let m = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect(m[1].scalars == [4, 5, 6])
        #expect(m[-1].scalars == [4, 5, 6])
        #expect(m[0][2].shape == [])
        #expect(m[0, 2].item() == 3)
        #expect(m[1, 1...].scalars == [5, 6])
        #expect(m[TensorIndex.all, 0].scalars == [1, 4])
        #expect(m[TensorIndex.all, -1].scalars == [3, 6])
        #expect(m[..<1].shape == [1, 3])
        #expect(m[0...].shape == [2, 3])
        #expect(m[TensorIndex.all, (-2)...(-1)].scalars == [2, 3, 5, 6])   // `...-1` reaches the end
        #expect(m[TensorIndex.newAxis].shape == [1, 2, 3])
        #expect(m[TensorIndex.all, TensorIndex.newAxis, 1].shape == [2, 1])
        let x = Tensor([0, 1, 2, 3, 4, 5])
        #expect(x[TensorIndex.range(0, nil, step: 2)].scalars == [0, 2, 4])
        #expect(x[TensorIndex.range(nil, nil, step: -1)].scalars == [5, 4, 3, 2, 1, 0])
        #expect(x[TensorIndex.range(4, 0, step: -2)].scalars == [4, 2])
        #expect(x[TensorIndex.range(-1, nil, step: -4)].scalars == [5, 1])
        #expect(x[TensorIndex.range(-2, nil, step: 1)].scalars == [4, 5])
        #expect(x[TensorIndex.range(2, 100, step: 1)].scalars == [2, 3, 4, 5])   // clamped
        #expect(x[TensorIndex.range(4, 2, step: 1)].shape == [0])               // empty
        #expect(x[TensorIndex.range(1, -1, step: -1)].shape == [0])            // NumPy: x[1:-1:-1] is empty
    }

    @Test func joiningAndGathering() {
        let joined = Tensor.concatenate([Tensor([[1, 2]]), Tensor([[3, 4], [5, 6]])])
        #expect(joined.shape == [3, 2])
        #expect(joined.scalars == [1, 2, 3, 4, 5, 6])
        let side = Tensor.concatenate([Tensor([[1], [2]]), Tensor([[3, 4], [5, 6]])], axis: 1)
        #expect(side.scalars == [1, 3, 4, 2, 5, 6])
        let stacked = Tensor.stack([Tensor([1, 2]), Tensor([3, 4])], axis: 1)
        #expect(stacked.shape == [2, 2])
        #expect(stacked.scalars == [1, 3, 2, 4])
        #expect(Tensor.stack([Tensor(1), Tensor(2)]).scalars == [1, 2])
        let table = Tensor([[1, 2], [3, 4], [5, 6]])
        #expect(table.indexSelect(axis: 0, indices: [2, 0, 2]).scalars == [5, 6, 1, 2, 5, 6])
        #expect(table.indexSelect(axis: 1, indices: [1]).scalars == [2, 4, 6])
        #expect(table.gather(axis: 1, indices: Tensor([[1], [0], [1]])).scalars == [2, 3, 6])
        #expect(table.gather(axis: 0, indices: Tensor([[2, 0]])).scalars == [5, 2])
    }

    @Test func losses() {
        let p = Tensor([1, 2, 3]), t = Tensor([2, 2, 5])
        #expect(mse(p, t).item() == Float(5) / 3)   // (1 + 0 + 4) / 3
        #expect(mae(p, t).item() == 1)           // (1 + 0 + 2) / 3
        #expect(l1(p, t).item() == 1)
    }

    @Test func lessonFunctions() {
        #expect(quadratic(a: 1, b: 2, c: 3)(Tensor([0, 1, -1])).scalars == [1, 6, 2])
        #expect(quadratic(Tensor([1, 2, 3]))(Tensor([0, 1, -1])).scalars == [1, 6, 2])
        #expect(rectifiedLinear(m: 1, b: 0.5, x: Tensor([-2, -1, 0, 1])).scalars == [0, 0, 0.5, 1.5])
        #expect(rectifiedLinear(m: Tensor(2), b: Tensor(-1), x: Tensor([0, 1, 2])).scalars == [0, 1, 3])
        #expect(Tensor.linspace(-2, 2, count: 5).scalars == [-2, -1, 0, 1, 2])
    }
}
