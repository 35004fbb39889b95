import Foundation
import Testing
@testable import Slope

// Layers: gradient checks through `checkGradients` (central differences in Double), batch
// norm's running statistics against PyTorch's formulas, dropout's statistics, PyTorch's
// default initialisation, and the tabular model end to end.

private func uniform(_ shape: [Int], _ seed: UInt64, _ low: Float = -1, _ high: Float = 1) -> Tensor {
    GradInput.uniform(shape, low, high, seed: seed)
}

/// Sets a parameter's values (outside recording) so γ/β checks do not start from 1 and 0.
private func setValues(_ tensor: Tensor, _ values: Tensor) {
    noGrad { tensor.assign(values) }
}

@Suite("NN layers: gradients")
struct NNLayerGradientTests {
    // MARK: - Linear

    @Test func linearOpTwoDimensional() {
        checkGradients("linear 2-D with bias", [uniform([4, 3], 1), uniform([2, 3], 2), uniform([2], 3)]) {
            $0[0].linear(weight: $0[1], bias: $0[2])
        }
        checkGradients("linear 2-D without bias", [uniform([4, 3], 4), uniform([5, 3], 5)]) {
            $0[0].linear(weight: $0[1])
        }
    }

    @Test func linearOpThreeDimensional() {
        checkGradients("linear 3-D with bias", [uniform([2, 4, 3], 6), uniform([2, 3], 7), uniform([2], 8)]) {
            $0[0].linear(weight: $0[1], bias: $0[2])
        }
        checkGradients("linear 3-D without bias", [uniform([3, 2, 4], 9), uniform([3, 4], 10)]) {
            $0[0].linear(weight: $0[1], bias: nil)
        }
        // A rank-1 input is one sample.
        checkGradients("linear 1-D", [uniform([3], 11), uniform([2, 3], 12), uniform([2], 13)]) {
            $0[0].linear(weight: $0[1], bias: $0[2])
        }
    }

    @Test func linearOpValues() {
        // y[r, j] = Σ_k x[r, k]·W[j, k] + b[j]
        let x = uniform([2, 3, 4], 14), w = uniform([5, 4], 15), b = uniform([5], 16)
        let y = x.linear(weight: w, bias: b)
        #expect(y.shape == [2, 3, 5])
        var expected: [Float] = []
        for r in 0..<6 {
            for j in 0..<5 {
                var total = Double(b.scalars[j])
                for k in 0..<4 { total += Double(x.scalars[r * 4 + k]) * Double(w.scalars[j * 4 + k]) }
                expected.append(Float(total))
            }
        }
        #expect(approximatelyEqual(y.scalars, expected))
        // Only the inputs that require grad get gradients.
        let frozen = uniform([5, 4], 15), xg = uniform([3, 4], 17).requiresGrad()
        xg.linear(weight: frozen, bias: b).sum().backward()
        #expect(xg.grad != nil)
        #expect(frozen.grad == nil && b.grad == nil)
    }

    @Test func linearModule() {
        var rng = SeededGenerator(seed: 20)
        let layer = Linear(inputFeatures: 3, outputFeatures: 4, generator: &rng)
        checkGradients("Linear module", [uniform([5, 3], 21)] + layer.parameters()) { inputs in layer(inputs[0]) }
        let noBias = Linear(inputFeatures: 3, outputFeatures: 2, bias: false, generator: &rng)
        checkGradients("Linear module without bias", [uniform([2, 2, 3], 22)] + noBias.parameters()) { inputs in noBias(inputs[0]) }
    }

    // MARK: - Embedding

    @Test func embeddingGradientAccumulatesRepeatedIndices() {
        var rng = SeededGenerator(seed: 23)
        let embedding = Embedding(count: 4, dimension: 3, generator: &rng)
        let indices = Tensor([0, 2, 2, 1, 2])
        checkGradients("Embedding [5]", [embedding.weight]) { _ in embedding(indices) }
        let grid = Tensor([[3, 3], [0, 3]])
        checkGradients("Embedding [2, 2]", [embedding.weight]) { _ in embedding(grid) }

        // ∂/∂W[i] of Σ embedding(idx) is the number of times i occurs, in every column.
        embedding.weight.zeroGrad()
        let out = embedding(Tensor([1, 1, 3, 1]))
        #expect(out.shape == [4, 3])
        #expect(Array(out.scalars[0..<3]) == Array(embedding.weight.scalars[3..<6]))
        out.sum().backward()
        #expect(embedding.weight.grad?.scalars == [0, 0, 0, 3, 3, 3, 0, 0, 0, 1, 1, 1])
        #expect(embedding(grid).shape == [2, 2, 3])
    }

    // MARK: - Normalisation

    @Test func batchNorm1dTrainingTwoDimensional() {
        let norm = BatchNorm1d(features: 3)
        setValues(norm.weight, Tensor([1.5, -0.7, 0.9]))
        setValues(norm.bias, Tensor([0.2, -0.3, 0.4]))
        checkGradients("BatchNorm1d [N, C] training", [uniform([6, 3], 30, -2, 2), norm.weight, norm.bias]) { norm($0[0]) }
    }

    @Test func batchNorm1dTrainingThreeDimensional() {
        let norm = BatchNorm1d(features: 3)
        setValues(norm.weight, Tensor([0.8, 1.3, -1.1]))
        setValues(norm.bias, Tensor([0.1, 0.5, -0.2]))
        checkGradients("BatchNorm1d [N, C, L] training", [uniform([4, 3, 5], 31, -2, 2), norm.weight, norm.bias]) { norm($0[0]) }
    }

    @Test func batchNorm2dTraining() {
        let norm = BatchNorm2d(features: 3)
        setValues(norm.weight, Tensor([1.2, -0.6, 0.7]))
        setValues(norm.bias, Tensor([-0.1, 0.3, 0.6]))
        checkGradients("BatchNorm2d training", [uniform([2, 3, 2, 3], 32, -2, 2), norm.weight, norm.bias]) { norm($0[0]) }
    }

    @Test func batchNormEvaluation() {
        let norm = BatchNorm1d(features: 2)
        setValues(norm.runningMean, Tensor([0.5, -1]))
        setValues(norm.runningVar, Tensor([2, 0.25]))
        setValues(norm.weight, Tensor([1.5, -0.5]))
        norm.eval()
        checkGradients("BatchNorm1d eval", [uniform([3, 2], 33, -2, 2), norm.weight, norm.bias]) { norm($0[0]) }
    }

    @Test func layerNorm() {
        let norm = LayerNorm(normalizedShape: [4])
        setValues(norm.weight, Tensor([1.1, -0.8, 0.5, 1.6]))
        setValues(norm.bias, Tensor([0.3, -0.2, 0.1, 0]))
        checkGradients("LayerNorm [4]", [uniform([3, 4], 34, -2, 2), norm.weight, norm.bias]) { norm($0[0]) }

        let plane = LayerNorm(normalizedShape: [2, 3])
        setValues(plane.weight, uniform([2, 3], 35, 0.5, 1.5))
        setValues(plane.bias, uniform([2, 3], 36))
        checkGradients("LayerNorm [2, 3]", [uniform([2, 2, 3], 37, -2, 2), plane.weight, plane.bias]) { plane($0[0]) }
    }

    @Test func layerNormValues() {
        // Each row: (x - mean)/√(biased var + ε); with γ = 1, β = 0.
        let norm = LayerNorm(normalizedShape: [4])
        let x = Tensor([[1, 2, 3, 4], [-2, 0, 0, 2]])
        let y = norm(x)
        let rows: [[Double]] = [[1, 2, 3, 4], [-2, 0, 0, 2]]
        var expected: [Float] = []
        for row in rows {
            let mean = row.reduce(0, +) / 4
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
            expected += row.map { Float(($0 - mean) / (variance + 1e-5).squareRoot()) }
        }
        #expect(approximatelyEqual(y.scalars, expected))
    }
}

@Suite("NN layers: batch norm statistics")
struct NNBatchNormStatisticsTests {
    /// PyTorch: running_mean ← (1-m)·running_mean + m·μ_B; running_var ← (1-m)·running_var +
    /// m·σ²_B·n/(n-1) (unbiased); num_batches_tracked += 1; the output uses the biased σ²_B.
    @Test func runningStatisticsAfterTrainingSteps() {
        let norm = BatchNorm1d(features: 2)
        let x1: [[Double]] = [[1, 10], [2, 20], [3, 30], [6, 0]]
        let x2: [[Double]] = [[0, -1], [4, 1], [-2, 3], [2, 5]]
        let y = norm(Tensor(x1.map { $0.map(Float.init) }))

        var runningMean = [0.0, 0.0], runningVar = [1.0, 1.0]
        var expectedOutput = [[Double]](repeating: [0, 0], count: 4)
        func step(_ x: [[Double]], recordOutput: Bool) {
            for c in 0..<2 {
                let column = x.map { $0[c] }
                let n = Double(column.count)
                let mean = column.reduce(0, +) / n
                let biased = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n
                if recordOutput {
                    for r in 0..<4 { expectedOutput[r][c] = (column[r] - mean) / (biased + 1e-5).squareRoot() }
                }
                runningMean[c] = 0.9 * runningMean[c] + 0.1 * mean
                runningVar[c] = 0.9 * runningVar[c] + 0.1 * biased * n / (n - 1)
            }
        }
        step(x1, recordOutput: true)
        #expect(approximatelyEqual(y.scalars, expectedOutput.flatMap { $0 }.map(Float.init), tolerance: 1e-4))
        #expect(approximatelyEqual(norm.runningMean.scalars, runningMean.map(Float.init)))
        #expect(approximatelyEqual(norm.runningVar.scalars, runningVar.map(Float.init)))
        #expect(norm.numBatchesTracked.scalars == [1])
        // By hand for channel 0 of x1: μ = 3, Σ(x-μ)² = 14, unbiased 14/3:
        // running_mean = 0.3, running_var = 0.9 + 0.1·14/3.
        #expect(abs(norm.runningMean.scalars[0] - 0.3) < 1e-6)
        #expect(abs(norm.runningVar.scalars[0] - Float(0.9 + 1.4 / 3)) < 1e-6)

        _ = norm(Tensor(x2.map { $0.map(Float.init) }))
        step(x2, recordOutput: false)
        #expect(approximatelyEqual(norm.runningMean.scalars, runningMean.map(Float.init)))
        #expect(approximatelyEqual(norm.runningVar.scalars, runningVar.map(Float.init)))
        #expect(norm.numBatchesTracked.scalars == [2])

        // Evaluation uses the running statistics and leaves them alone.
        norm.eval()
        setValues(norm.weight, Tensor([2, -1]))
        setValues(norm.bias, Tensor([0.5, 0.25]))
        let probe: [[Double]] = [[1, 2], [-3, 4]]
        let out = norm(Tensor(probe.map { $0.map(Float.init) }))
        var expected: [Float] = []
        for row in probe {
            for c in 0..<2 {
                let gamma = [2.0, -1.0][c], beta = [0.5, 0.25][c]
                expected.append(Float((row[c] - runningMean[c]) / (runningVar[c] + 1e-5).squareRoot() * gamma + beta))
            }
        }
        #expect(approximatelyEqual(out.scalars, expected, tolerance: 1e-5))
        #expect(norm.numBatchesTracked.scalars == [2])
        #expect(approximatelyEqual(norm.runningMean.scalars, runningMean.map(Float.init)))
    }

    @Test func runningStatisticsOverBatchAndLength() {
        // [N, C, L]: statistics over N·L values per channel, n/(n-1) with n = N·L = 6.
        let norm = BatchNorm1d(features: 2, momentum: 0.2)
        let x = uniform([2, 2, 3], 40, -3, 3)
        _ = norm(x)
        for c in 0..<2 {
            var column: [Double] = []
            for n in 0..<2 { for l in 0..<3 { column.append(Double(x.scalars[n * 6 + c * 3 + l])) } }
            let mean = column.reduce(0, +) / 6
            let unbiased = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 5
            #expect(abs(Double(norm.runningMean.scalars[c]) - 0.2 * mean) < 1e-5)
            #expect(abs(Double(norm.runningVar.scalars[c]) - (0.8 + 0.2 * unbiased)) < 1e-5)
        }
    }

    @Test func batchNorm2dStatisticsPerChannel() {
        let norm = BatchNorm2d(features: 3)
        let x = uniform([2, 3, 2, 2], 41, -2, 4)
        let y = norm(x)
        // Training output: per channel, mean 0 and biased variance 1 (up to ε).
        for c in 0..<3 {
            var values: [Double] = []
            for n in 0..<2 { for k in 0..<4 { values.append(Double(y.scalars[n * 12 + c * 4 + k])) } }
            let mean = values.reduce(0, +) / 8
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 8
            #expect(abs(mean) < 1e-5)
            #expect(abs(variance - 1) < 1e-3)
        }
        #expect(norm.numBatchesTracked.scalars == [1])
    }

    @Test func evaluationDoesNotTrack() {
        let norm = BatchNorm1d(features: 2).eval()
        let x = Tensor([[1, 2], [3, 4]])
        let y = norm(x)
        // Fresh running statistics (0, 1): y = x/√(1+ε).
        #expect(approximatelyEqual(y.scalars, x.scalars.map { $0 / Float(1 + 1e-5).squareRoot() }))
        #expect(norm.numBatchesTracked.scalars == [0])
        #expect(norm.runningMean.scalars == [0, 0])
    }
}

@Suite("NN layers: dropout and initialisation")
struct NNDropoutAndInitTests {
    @Test func dropoutIsIdentityInEvaluation() {
        var rng = SeededGenerator(seed: 50)
        let dropout = Dropout(probability: 0.5, generator: &rng).eval()
        let x = uniform([10, 10], 51)
        #expect(dropout(x).scalars == x.scalars)
        let off = Dropout(probability: 0, generator: &rng)
        #expect(off.isTraining)
        #expect(off(x).scalars == x.scalars)
    }

    @Test func dropoutZeroesAboutPAndScalesTheRest() {
        for p: Float in [0.2, 0.5, 0.8] {
            var rng = SeededGenerator(seed: 52)
            let dropout = Dropout(probability: p, generator: &rng)
            let x = Tensor.ones([100, 100]).requiresGrad()
            let y = dropout(x)
            let zeros = y.scalars.filter { $0 == 0 }.count
            let fraction = Float(zeros) / Float(y.count)
            #expect(abs(fraction - p) < 0.02, "p = \(p): zero fraction \(fraction)")
            let scale = 1 / (1 - p)
            #expect(y.scalars.allSatisfy { $0 == 0 || abs($0 - scale) <= 1e-6 * scale }, "p = \(p)")
            // The expected value is kept: mean ≈ 1.
            let mean = y.scalars.reduce(0, +) / Float(y.count)
            #expect(abs(mean - 1) < 0.06, "p = \(p): mean \(mean)")
            // The gradient is the same mask.
            y.sum().backward()
            #expect(x.grad?.scalars == y.scalars)
        }
    }

    @Test func dropoutReproducesFromTheSeed() {
        func masks(seed: UInt64) -> [[Float]] {
            var rng = SeededGenerator(seed: seed)
            let dropout = Dropout(probability: 0.5, generator: &rng)
            let x = Tensor.ones([64])
            return [dropout(x).scalars, dropout(x).scalars]
        }
        let a = masks(seed: 53), b = masks(seed: 53), c = masks(seed: 54)
        #expect(a == b)
        #expect(a[0] != a[1], "consecutive calls draw new masks")
        #expect(a[0] != c[0], "another seed draws another mask")
    }

    @Test func linearDefaultInitialisationBounds() {
        // PyTorch: weight and bias ~ U(-1/√in, 1/√in).
        var rng = SeededGenerator(seed: 55)
        let layer = Linear(inputFeatures: 16, outputFeatures: 64, generator: &rng)
        let bound: Float = 1 / 4
        let w = layer.weight.scalars, b = layer.bias!.scalars
        #expect(w.allSatisfy { abs($0) <= bound })
        #expect(b.allSatisfy { abs($0) <= bound })
        // They fill the range: extremes near the bound, mean near 0, variance bound²/3.
        #expect(w.max()! > 0.9 * bound && w.min()! < -0.9 * bound)
        let mean = w.reduce(0, +) / Float(w.count)
        let variance = w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(w.count)
        #expect(abs(mean) < 0.02)
        #expect(abs(variance - bound * bound / 3) < 0.003)
        #expect(layer.weight.requiresGrad && layer.bias!.requiresGrad)

        let wide = Linear(inputFeatures: 400, outputFeatures: 3, generator: &rng)
        #expect(wide.weight.scalars.allSatisfy { abs($0) <= 0.05 })
        #expect(wide.bias!.scalars.allSatisfy { abs($0) <= 0.05 })

        // Same seed, same parameters.
        var a = SeededGenerator(seed: 56), c = SeededGenerator(seed: 56)
        #expect(Linear(inputFeatures: 3, outputFeatures: 2, generator: &a).weight.scalars
            == Linear(inputFeatures: 3, outputFeatures: 2, generator: &c).weight.scalars)
    }

    @Test func embeddingInitialisation() {
        // PyTorch: N(0, 1); TabularModel uses std 0.01 as fastai.
        var rng = SeededGenerator(seed: 57)
        let embedding = Embedding(count: 50, dimension: 40, generator: &rng)
        let values = embedding.weight.scalars.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        #expect(abs(mean) < 0.05)
        #expect(abs(std - 1) < 0.05)
        let small = Embedding(count: 50, dimension: 40, std: 0.01, generator: &rng)
        #expect(small.weight.scalars.allSatisfy { abs($0) < 0.06 })
    }
}

@Suite("NN layers: tabular model")
struct NNTabularModelTests {
    /// Codes for cardinalities [3, 4] in the first two columns, two continuous columns after.
    private static func batch(rows: Int, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        var values: [Float] = []
        for _ in 0..<rows {
            values.append(Float(Int.random(in: 0..<3, using: &rng)))
            values.append(Float(Int.random(in: 0..<4, using: &rng)))
            values.append(rng.nextUnitFloat() * 4 - 2)
            values.append(rng.nextUnitFloat() * 4 - 2)
        }
        return Tensor(shape: [rows, 4], scalars: values)
    }

    private static func model(seed: UInt64, dropout: Float = 0) -> TabularModel {
        var rng = SeededGenerator(seed: seed)
        return TabularModel(cardinalities: [3, 4], continuousCount: 2, outputCount: 2, hiddenSizes: [4, 3],
                            dropout: dropout, generator: &rng)
    }

    @Test func forwardShape() {
        let model = Self.model(seed: 60)
        #expect(model(Self.batch(rows: 5, seed: 61)).shape == [5, 2])
        model.eval()
        #expect(model(Self.batch(rows: 1, seed: 62)).shape == [1, 2])
        var rng = SeededGenerator(seed: 63)
        let big = TabularModel(cardinalities: [3, 4], continuousCount: 2, outputCount: 1, generator: &rng)
        #expect(big(Self.batch(rows: 7, seed: 64)).shape == [7, 1])
        #expect((try? big.getSubmodule("layers.0.0") as? Linear)?.outputFeatures == 200)
        #expect((try? big.getSubmodule("layers.1.0") as? Linear)?.outputFeatures == 100)
        let withDropout = Self.model(seed: 65, dropout: 0.3)
        #expect(withDropout.namedModules().map(\.path).contains("layers.0.3"))
        #expect((try? withDropout.getSubmodule("layers.0.3")) is Dropout)
    }

    @Test func gradientsInEvaluation() {
        let model = Self.model(seed: 66)
        let x = Self.batch(rows: 4, seed: 67)
        // Non-trivial running statistics so evaluation is not the identity.
        for norm in model.namedModules().compactMap({ $0.module as? BatchNorm }) {
            setValues(norm.runningMean, uniform([norm.features], 68, -0.2, 0.2))
            setValues(norm.runningVar, uniform([norm.features], 69, 0.5, 1.5))
        }
        model.eval()
        checkGradients("TabularModel eval", model.parameters()) { _ in model(x) }
    }

    @Test func gradientsInTraining() {
        // Batch statistics: a batch of 6 keeps every channel's variance well away from 0.
        let model = Self.model(seed: 70)
        let x = Self.batch(rows: 6, seed: 71)
        checkGradients("TabularModel train", model.parameters()) { _ in model(x) }
    }

    @Test func embeddingRowsReceiveGradientOnlyWhereUsed() {
        let model = Self.model(seed: 72).eval()
        let x = Tensor([[0, 3, 0.5, -0.5], [0, 1, 1, 1]])
        model(x).sum().backward()
        let first = model.embeds[0].weight.grad!.scalars, second = model.embeds[1].weight.grad!.scalars
        let d0 = model.embeds[0].dimension, d1 = model.embeds[1].dimension
        // Rows 1 and 2 of the first table and rows 0 and 2 of the second are not used.
        #expect(first[d0..<(3 * d0)].allSatisfy { $0 == 0 })
        #expect(first[0..<d0].contains { $0 != 0 })
        #expect(second[0..<d1].allSatisfy { $0 == 0 } && second[(2 * d1)..<(3 * d1)].allSatisfy { $0 == 0 })
        #expect(second[d1..<(2 * d1)].contains { $0 != 0 } && second[(3 * d1)...].contains { $0 != 0 })
    }
}
