import Testing
@testable import Slope

// Each layer's shape rule (`outputShape(for:)`) is the rule its forward applies: over grids of
// settings and inputs, every shape the rule accepts is exactly the shape forward produces, and
// shapes the rule refuses make forward stop (exit tests); `windowedSize` is PyTorch's formula with
// its guards; composite modules name the child that refuses.

/// Every pair of a list with itself.
private func pairs(_ values: [Int]) -> [IntOrPair] { values.flatMap { h in values.map { IntOrPair(h, $0) } } }

@Suite("Layer shape rules")
struct LayerShapeRuleTests {
    @Test func windowedSizeIsPyTorchsFormulaWithItsGuards() {
        // ⌊(size + 2p − d(k − 1) − 1)/s⌋ + 1 where the window fits.
        for size in 0...9 {
            for kernel in 1...4 {
                for stride in 1...3 {
                    for padding in 0...2 {
                        for dilation in 1...3 {
                            let span = size + 2 * padding - dilation * (kernel - 1) - 1
                            let expected = span < 0 ? 0 : span / stride + 1
                            #expect(windowedSize(size, kernel: kernel, stride: stride, padding: padding, dilation: dilation) == expected,
                                    "size \(size) kernel \(kernel) stride \(stride) padding \(padding) dilation \(dilation)")
                        }
                    }
                }
            }
        }
        // Out of domain or overflowing arguments give 0 (the window does not fit), never a trap.
        #expect(windowedSize(5, kernel: 0, stride: 1) == 0)
        #expect(windowedSize(5, kernel: 2, stride: 0) == 0)
        #expect(windowedSize(-1, kernel: 1, stride: 1) == 0)
        #expect(windowedSize(5, kernel: 1, stride: 1, padding: -1) == 0)
        #expect(windowedSize(Int.max, kernel: 1, stride: 1, padding: 1) == 0)
        #expect(windowedSize(1, kernel: 1, stride: 1, padding: Int.max / 2 + 1) == 0)
        #expect(windowedSize(8, kernel: Int.max, stride: 1, dilation: 3) == 0)
        // A large valid case stays exact.
        #expect(windowedSize(1 << 40, kernel: 3, stride: 2, padding: 1) == (1 << 39))
    }

    @Test func convolutionRuleMatchesForwardOverAGrid() {
        var rng = SeededGenerator(seed: 1)
        var checked = 0
        for kernel in pairs([1, 2, 3]) {
            for stride in pairs([1, 2]) {
                for padding in [IntOrPair(0), IntOrPair(1), IntOrPair(0, 2)] {
                    for dilation in [IntOrPair(1), IntOrPair(2, 1)] {
                        let conv = Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: kernel, stride: stride, padding: padding,
                                          dilation: dilation, generator: &rng)
                        for (height, width) in [(1, 1), (2, 3), (4, 4), (5, 2)] {
                            for input in [[2, 2, height, width], [2, height, width]] {
                                guard let shape = try? conv.outputShape(for: input) else { continue }
                                #expect(conv(Tensor.zeros(input)).shape == shape, "\(conv) on \(input)")
                                checked += 1
                            }
                        }
                    }
                }
            }
        }
        #expect(checked > 100)
    }

    @Test func poolingRulesMatchForwardOverAGrid() throws {
        var checked = 0
        for kernel in pairs([1, 2, 3]) {
            for stride in pairs([1, 2, 3]) {
                for padding in [IntOrPair(0), IntOrPair(1), IntOrPair(1, 0)] {
                    guard 2 * padding.height <= kernel.height, 2 * padding.width <= kernel.width else { continue }
                    for pool in [MaxPool2d(kernelSize: kernel, stride: stride, padding: padding) as Pool2d,
                                 AvgPool2d(kernelSize: kernel, stride: stride, padding: padding)] {
                        for (height, width) in [(1, 1), (1, 4), (3, 3), (5, 4)] {
                            for input in [[2, 3, height, width], [3, height, width]] {
                                guard let shape = try? pool.outputShape(for: input) else { continue }
                                #expect(pool(Tensor.zeros(input)).shape == shape, "\(pool) on \(input)")
                                checked += 1
                            }
                        }
                    }
                }
            }
        }
        #expect(checked > 200)
        let adaptive = AdaptiveAvgPool2d(outputSize: IntOrPair(2, 3))
        for input in [[2, 4, 5, 7], [4, 1, 1]] {
            #expect(try adaptive(Tensor.zeros(input)).shape == adaptive.outputShape(for: input))
        }
    }

    @Test func otherLayersMatchForward() throws {
        var rng = SeededGenerator(seed: 2)
        let cases: [(Module, [Int])] = [
            (Linear(inputFeatures: 3, outputFeatures: 5, generator: &rng), [4, 3]),
            (Linear(inputFeatures: 3, outputFeatures: 5, generator: &rng), [2, 4, 3]),
            (Flatten(), [2, 3, 4, 5]),
            (Flatten(startAxis: 0, endAxis: 1), [2, 3, 4]),
            (Flatten(startAxis: -2), [2, 3, 4]),
            (Embedding(count: 5, dimension: 3, generator: &rng), [2, 4]),
            (BatchNorm1d(features: 3), [4, 3]),
            (BatchNorm1d(features: 3), [4, 3, 2]),
            (BatchNorm2d(features: 3), [2, 3, 4, 4]),
            (LayerNorm(normalizedShape: [3, 4]), [2, 3, 4]),
            (Dropout(probability: 0.5, generator: &rng), [3, 2]),
            (ReLU(), [2, 2]), (Sigmoid(), [3]), (Tanh(), [1, 1, 1]),
            (ResidualBlock(inputChannels: 2, outputChannels: 4, stride: 2, generator: &rng), [2, 2, 5, 5]),
            (ResidualBlock(inputChannels: 3, outputChannels: 3, generator: &rng), [1, 3, 4, 4]),
            (TabularModel(cardinalities: [3, 4], continuousCount: 2, outputCount: 3, hiddenSizes: [5], generator: &rng), [6, 4]),
            (Sequential(Conv2d(inputChannels: 1, outputChannels: 2, kernelSize: 3, padding: 1, generator: &rng), MaxPool2d(kernelSize: 2),
                        Flatten(), Linear(inputFeatures: 2 * 3 * 3, outputFeatures: 4, generator: &rng)), [5, 1, 7, 6]),
        ]
        for (module, input) in cases {
            let expected = try module.outputShape(for: input)
            #expect(noGrad { module(Tensor.zeros(input)) }.shape == expected, "\(module) on \(input)")
        }
    }

    @Test func refusalsNameTheChildAndWhatItNeeds() throws {
        var rng = SeededGenerator(seed: 3)
        let model = Sequential(Flatten(), Sequential(Linear(inputFeatures: 4, outputFeatures: 2, generator: &rng), ReLU()))
        #expect(try model.outputShape(for: [3, 2, 2]) == [3, 2])
        do {
            _ = try model.outputShape(for: [3, 5])
            Issue.record("a [3, 5] input was accepted")
        } catch {
            #expect(error.path == "1.0")
            #expect(error.module == "Linear")
            #expect(error.input == [3, 5])
            #expect(error.description == "`1.0` (Linear) cannot take an input of shape [3, 5]: it needs a last axis of 4")
        }
        let pool = MaxPool2d(kernelSize: 3)
        #expect(throws: ShapeError.self) { try pool.outputShape(for: [1, 1, 2, 2]) }
        #expect(throws: ShapeError.self) { try pool.outputShape(for: [1, 1, 0, 4]) }
        #expect(throws: ShapeError.self) { try BatchNorm1d(features: 3).outputShape(for: [1, 3]) }   // training: one value per channel
        #expect(try BatchNorm1d(features: 3).eval().outputShape(for: [1, 3]) == [1, 3])
        #expect(throws: ShapeError.self) { try LayerNorm(normalizedShape: [4]).outputShape(for: [2, 3]) }
        #expect(throws: ShapeError.self) { try Flatten(startAxis: 2).outputShape(for: [2, 3]) }
        // A module type that states no rule says so (loading skips the check for it).
        final class Custom: Module, @unchecked Sendable {}
        do {
            _ = try Sequential(ReLU(), Custom()).outputShape(for: [2])
            Issue.record("a module without a rule gave a shape")
        } catch {
            #expect(error.hasNoRule && error.path == "1")
        }
    }

    @Test func refusedShapesStopForward() async {
        // What the rule refuses, forward refuses too (a kernel larger than the image; an empty
        // image axis; a wrong width).
        #expect(throws: ShapeError.self) { try MaxPool2d(kernelSize: 2).outputShape(for: [1, 1, 1, 1]) }
        await #expect(processExitsWith: .failure) { _ = MaxPool2d(kernelSize: 2)(Tensor.zeros([1, 1, 1, 1])) }
        var rng = SeededGenerator(seed: 4)
        let conv = Conv2d(inputChannels: 1, outputChannels: 1, kernelSize: 3, dilation: 2, generator: &rng)
        #expect(throws: ShapeError.self) { try conv.outputShape(for: [1, 1, 4, 9]) }
        await #expect(processExitsWith: .failure) {
            var rng = SeededGenerator(seed: 4)
            _ = Conv2d(inputChannels: 1, outputChannels: 1, kernelSize: 3, dilation: 2, generator: &rng)(Tensor.zeros([1, 1, 4, 9]))
        }
    }
}
