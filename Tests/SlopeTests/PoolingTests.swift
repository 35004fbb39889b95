import Testing
@testable import Slope

// Pooling: hand-derived values, a direct reference on random shapes, finite-difference
// gradients (distinct values for max pooling, so no window has a tie within h) and messages.

// MARK: - Reference

/// Direct max or average pooling (PyTorch semantics: -inf padding for max, zero padding
/// counted in the divisor for average unless `countIncludePad` is false).
private func naivePool(
    _ input: Tensor, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), max: Bool,
    countIncludePad: Bool = true
) -> (shape: [Int], values: [Float]) {
    let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let oh = (h + 2 * padding.0 - kernel.0) / stride.0 + 1, ow = (w + 2 * padding.1 - kernel.1) / stride.1 + 1
    let x = input.scalars
    var out: [Float] = []
    for plane in 0..<(n * c) {
        for y in 0..<oh {
            for xo in 0..<ow {
                var best = -Float.infinity, total = 0.0, inside = 0
                for i in 0..<kernel.0 {
                    for j in 0..<kernel.1 {
                        let iy = y * stride.0 - padding.0 + i, ix = xo * stride.1 - padding.1 + j
                        guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                        let v = x[(plane * h + iy) * w + ix]
                        best = Swift.max(best, v)
                        total += Double(v)
                        inside += 1
                    }
                }
                out.append(max ? best : Float(total / Double(countIncludePad ? kernel.0 * kernel.1 : inside)))
            }
        }
    }
    return ([n, c, oh, ow], out)
}

private func distinct(_ shape: [Int], _ seed: Int) -> Tensor { GradInput.distinct(shape, seed: UInt64(seed)) }
private func random(_ shape: [Int], _ seed: Int) -> Tensor { GradInput.uniform(shape, -1, 1, seed: UInt64(seed)) }

/// Window configurations: kernel, stride, padding.
private let windows: [((Int, Int), (Int, Int), (Int, Int))] = [
    ((2, 2), (2, 2), (0, 0)),
    ((3, 3), (1, 1), (1, 1)),
    ((3, 2), (2, 1), (1, 0)),
    ((2, 3), (1, 2), (1, 1)),
    ((3, 3), (2, 2), (0, 0)),
]

// MARK: - Max pooling

@Suite("Max pooling")
struct MaxPoolingTests {
    @Test func handComputed2x2() {
        let x = Tensor(shape: [1, 1, 4, 4], scalars: (1...16).map(Float.init)).requiresGrad()
        let y = x.maxPool2d(kernelSize: 2)
        #expect(y.shape == [1, 1, 2, 2])
        #expect(y.scalars == [6, 8, 14, 16])
        y.backward(gradient: Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]))
        // Each window's gradient lands on its maximum, the bottom-right corner.
        #expect(x.grad!.scalars == [0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4])
    }

    @Test func tiesSendTheGradientToTheFirstMaximum() {
        for (kernel, stride, padding) in windows {
            let x = Tensor.ones([1, 1, 5, 5]).requiresGrad()
            x.maxPool2d(kernelSize: kernel, stride: stride, padding: padding).sum().backward()
            // The first in-image position of each window, in row-major order.
            var expected = [Float](repeating: 0, count: 25)
            let oh = (5 + 2 * padding.0 - kernel.0) / stride.0 + 1, ow = (5 + 2 * padding.1 - kernel.1) / stride.1 + 1
            for y in 0..<oh {
                for xo in 0..<ow {
                    expected[max(0, y * stride.0 - padding.0) * 5 + max(0, xo * stride.1 - padding.1)] += 1
                }
            }
            #expect(x.grad!.scalars == expected, "kernel \(kernel) stride \(stride) padding \(padding)")
        }
    }

    @Test func overlappingWindowsAddTheirGradients() {
        // 1x1x1x3 row [1, 3, 2], kernel (1, 2), stride 1: both windows pick the 3.
        let x = Tensor(shape: [1, 1, 1, 3], scalars: [1, 3, 2]).requiresGrad()
        let y = x.maxPool2d(kernelSize: [1, 2], stride: 1)
        #expect(y.scalars == [3, 3])
        y.sum().backward()
        #expect(x.grad!.scalars == [0, 2, 0])
    }

    @Test func matchesDirectPooling() {
        for (i, (kernel, stride, padding)) in windows.enumerated() {
            let x = random([2, 3, 7, 6], 10 + i)
            let y = x.maxPool2d(kernelSize: kernel, stride: stride, padding: padding)
            let reference = naivePool(x, kernel: kernel, stride: stride, padding: padding, max: true)
            #expect(y.shape == reference.shape)
            #expect(y.scalars == reference.values, "kernel \(kernel) stride \(stride) padding \(padding)")
        }
    }

    @Test func largeInputSplitOverThreads() {
        let x = random([64, 16, 28, 28], 30)
        let y = x.maxPool2d(kernelSize: 2)
        #expect(y.scalars == naivePool(x, kernel: (2, 2), stride: (2, 2), padding: (0, 0), max: true).values)
    }

    @Test func propagatesNaN() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, .nan, 3, 2])
        #expect(x.maxPool2d(kernelSize: 2).item().isNaN)
        #expect(x.maxPool2d(kernelSize: 2, stride: 1, padding: 1).scalars.filter(\.isNaN).count == 4)
    }

    @Test func gradients() {
        for (i, (kernel, stride, padding)) in windows.enumerated() {
            checkGradients("maxPool2d kernel \(kernel) stride \(stride) padding \(padding)", [distinct([2, 2, 6, 5], 40 + i)], h: 1e-2) {
                $0[0].maxPool2d(kernelSize: kernel, stride: stride, padding: padding)
            }
        }
        checkGradients("maxPool2d unbatched", [distinct([2, 4, 4], 50)], h: 1e-2) { $0[0].maxPool2d(kernelSize: 2) }
    }
}

// MARK: - Average pooling

@Suite("Average pooling")
struct AveragePoolingTests {
    @Test func handComputedWithPadding() {
        // [[1, 2], [3, 4]] padded by 1, 2x2 windows at stride 1: every sum is divided by 4.
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]).requiresGrad()
        let y = x.avgPool2d(kernelSize: 2, stride: 1, padding: 1)
        #expect(y.shape == [1, 1, 3, 3])
        #expect(y.scalars == [0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1])
        y.sum().backward()
        // Each input lies in 4 windows, each passing on 1/4.
        #expect(x.grad!.scalars == [1, 1, 1, 1])
        // Without counting the padding, the divisor is the number of values inside.
        let z = x.avgPool2d(kernelSize: 2, stride: 1, padding: 1, countIncludePad: false)
        #expect(z.scalars == [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4])
    }

    @Test func matchesDirectPooling() {
        for (i, (kernel, stride, padding)) in windows.enumerated() {
            for include in [true, false] {
                let x = random([2, 3, 7, 6], 60 + i)
                let y = x.avgPool2d(kernelSize: kernel, stride: stride, padding: padding, countIncludePad: include)
                let reference = naivePool(x, kernel: kernel, stride: stride, padding: padding, max: false, countIncludePad: include)
                #expect(y.shape == reference.shape)
                #expect(approximatelyEqual(y.scalars, reference.values), "kernel \(kernel) stride \(stride) padding \(padding)")
            }
        }
    }

    @Test func gradients() {
        for (i, (kernel, stride, padding)) in windows.enumerated() {
            for include in [true, false] {
                checkGradients(
                    "avgPool2d kernel \(kernel) stride \(stride) padding \(padding) countIncludePad \(include)",
                    [random([2, 2, 6, 5], 70 + i)], h: 1e-2
                ) { $0[0].avgPool2d(kernelSize: kernel, stride: stride, padding: padding, countIncludePad: include) }
            }
        }
    }
}

// MARK: - Adaptive average pooling

@Suite("Adaptive average pooling")
struct AdaptivePoolingTests {
    @Test func windowsFollowPyTorch() {
        // 7 -> 3: rows 0..<3, 2..<5, 4..<7 (⌊i·7/3⌋ ..< ⌈(i+1)·7/3⌉), overlapping.
        #expect((0..<3).map { PoolingKernels.adaptiveRange($0, size: 7, output: 3) } == [0..<3, 2..<5, 4..<7])
        // 3 -> 5: windows of one or two rows.
        #expect((0..<5).map { PoolingKernels.adaptiveRange($0, size: 3, output: 5) } == [0..<1, 0..<2, 1..<2, 1..<3, 2..<3])
    }

    @Test func handComputed7To3() {
        let x = Tensor(shape: [1, 1, 1, 7], scalars: [0, 1, 2, 3, 4, 5, 6]).requiresGrad()
        let y = x.adaptiveAvgPool2d(outputSize: (1, 3))
        #expect(y.scalars == [1, 3, 5])
        y.sum().backward()
        // Positions 2 and 4 are in two windows of 3.
        let third: Float = 1.0 / 3.0
        #expect(approximatelyEqual(x.grad!.scalars, [third, third, 2 * third, third, 2 * third, third, third]))
    }

    @Test func globalAverage() {
        let x = random([2, 3, 5, 4], 80)
        let y = x.adaptiveAvgPool2d(outputSize: 1)
        #expect(y.shape == [2, 3, 1, 1])
        #expect(approximatelyEqual(y.scalars, x.mean(axes: [2, 3]).scalars))
    }

    @Test func divisibleSizesMatchAveragePooling() {
        let x = random([2, 2, 8, 6], 81)
        #expect(approximatelyEqual(x.adaptiveAvgPool2d(outputSize: [4, 3]).scalars, x.avgPool2d(kernelSize: 2).scalars))
    }

    @Test func gradients() {
        for (i, (input, output)) in [([7, 5], (3, 2)), ([4, 6], (4, 4)), ([3, 3], (5, 2)), ([5, 5], (1, 1))].enumerated() {
            checkGradients("adaptiveAvgPool2d \(input) -> \(output)", [random([2, 2] + input, 90 + i)], h: 1e-2) {
                $0[0].adaptiveAvgPool2d(outputSize: output)
            }
        }
    }
}

// MARK: - Messages

@Suite("Pooling shape messages")
struct PoolingMessageTests {
    @Test func tooMuchPaddingStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 1, 4, 4]).maxPool2d(kernelSize: 2, padding: 2)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("maxPool2d: padding (2, 2) must be between 0 and half the kernel size (2, 2)"), "message was: \(message)")
    }

    @Test func wrongRankStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([4, 4]).avgPool2d(kernelSize: 2)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("avgPool2d: input must have shape [N, C, H, W] or [C, H, W], got [4, 4]"), "message was: \(message)")
    }
}
