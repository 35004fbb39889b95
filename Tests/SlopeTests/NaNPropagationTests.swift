import Testing
@testable import Slope

// NaN through relu, clamp, maximum/minimum and max/min reductions, values and gradients, as
// PyTorch 2 gives them (checked with torch: relu(nan) = nan with gradient 1; clamp(nan) = nan
// with gradient 0; maximum/minimum(nan, x) = nan with the whole gradient to both inputs;
// max() over a NaN is NaN with the gradient on the NaN). Finite inputs keep the rules the
// gradient checks in GradCheckTests verify.

@Suite("NaN propagation")
struct NaNPropagationTests {
    private let nan = Float.nan

    /// Equal as bit-level values, NaN matching NaN.
    private func same(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }

    @Test func reluKeepsNaNAndPassesItsGradient() {
        let x = Tensor([nan, 1, -1, 0]).requiresGrad()
        let y = x.relu()
        #expect(same(y.scalars, [nan, 1, 0, 0]))
        y.sum().backward()
        #expect(x.grad!.scalars == [1, 1, 0, 0])
        #expect(same(Tensor([Float.infinity, -Float.infinity]).relu().scalars, [.infinity, 0]))
    }

    @Test func clampKeepsNaNWithZeroGradient() {
        let x = Tensor([nan, 1, -1, 0.25]).requiresGrad()
        let y = x.clamp(min: 0, max: 0.5)
        #expect(same(y.scalars, [nan, 0.5, 0, 0.25]))
        y.sum().backward()
        #expect(x.grad!.scalars == [0, 0, 0, 1])
        #expect(same(Tensor([nan]).clamp(min: 0).scalars, [nan]))
        #expect(same(Tensor([nan]).clamp(max: 0).scalars, [nan]))
    }

    @Test func maximumAndMinimumPropagateNaN() {
        let a = Tensor([nan, 1, -1, 2]).requiresGrad()
        let b = Tensor([0, nan, 1, 2]).requiresGrad()
        let high = maximum(a, b)
        #expect(same(high.scalars, [nan, nan, 1, 2]))
        high.sum().backward()
        #expect(a.grad!.scalars == [1, 1, 0, 0.5])
        #expect(b.grad!.scalars == [1, 1, 1, 0.5])
        a.zeroGrad()
        b.zeroGrad()
        let low = minimum(a, b)
        #expect(same(low.scalars, [nan, nan, -1, 2]))
        low.sum().backward()
        #expect(a.grad!.scalars == [1, 1, 1, 0.5])
        #expect(b.grad!.scalars == [1, 1, 0, 0.5])
        // Either order, with broadcasting.
        #expect(same(maximum(Tensor(0), Tensor([nan, 3])).scalars, [nan, 3]))
        #expect(same(minimum(Tensor([nan, 3]), Tensor(0)).scalars, [nan, 0]))
    }

    @Test func maxAndMinReductionsPropagateNaN() {
        let x = Tensor([nan, 1, -1]).requiresGrad()
        let top = x.max()
        #expect(top.item().isNaN)
        top.backward()
        #expect(x.grad!.scalars == [1, 0, 0])
        #expect(Tensor([1, nan, 3]).min().item().isNaN)
        // Per row: only the row holding NaN becomes NaN.
        let rows = Tensor([[1, nan], [2, 5]]).max(axis: 1)
        #expect(same(rows.scalars, [nan, 5]))
        let rowsMin = Tensor([[1, nan], [2, 5]]).min(axis: 1)
        #expect(same(rowsMin.scalars, [nan, 2]))
    }

    @Test func aModelWithANaNWeightPredictsNaN() {
        var rng = SeededGenerator(seed: 1)
        let model = Sequential(Linear(inputFeatures: 2, outputFeatures: 3, generator: &rng), ReLU(),
                               Linear(inputFeatures: 3, outputFeatures: 2, generator: &rng))
        noGrad { (model[0] as! Linear).weight.storage[0] = .nan }
        let output = noGrad { model(Tensor([[1, 1]])) }
        let allNaN = output.scalars.allSatisfy { $0.isNaN }
        #expect(allNaN, "relu must not turn NaN into 0: \(output.scalars)")
    }
}
