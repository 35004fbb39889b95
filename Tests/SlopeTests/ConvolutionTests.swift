import Testing
@testable import Slope

// conv2d: hand-derived values, a naive direct convolution on random shapes (through the op and
// through the kernel with forced work splits), finite-difference gradients and shape messages.

// MARK: - Reference

/// The direct 7-loop convolution (PyTorch semantics), in Double: the reference for `conv2d`.
private func naiveConv2d(
    _ input: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: (Int, Int), padding: (Int, Int),
    dilation: (Int, Int), groups: Int
) -> (shape: [Int], values: [Float]) {
    let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let (o, cg, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
    let oh = (h + 2 * padding.0 - dilation.0 * (kh - 1) - 1) / stride.0 + 1
    let ow = (w + 2 * padding.1 - dilation.1 * (kw - 1) - 1) / stride.1 + 1
    let og = o / groups
    let x = input.scalars, k = weight.scalars, b = bias?.scalars
    var out = [Float](repeating: 0, count: n * o * oh * ow)
    for image in 0..<n {
        for channel in 0..<o {
            let group = channel / og
            for y in 0..<oh {
                for xo in 0..<ow {
                    var total = Double(b?[channel] ?? 0)
                    for ci in 0..<cg {
                        for i in 0..<kh {
                            for j in 0..<kw {
                                let iy = y * stride.0 - padding.0 + i * dilation.0
                                let ix = xo * stride.1 - padding.1 + j * dilation.1
                                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                let inputChannel = group * cg + ci
                                total += Double(x[((image * c + inputChannel) * h + iy) * w + ix])
                                    * Double(k[((channel * cg + ci) * kh + i) * kw + j])
                            }
                        }
                    }
                    out[((image * o + channel) * oh + y) * ow + xo] = Float(total)
                }
            }
        }
    }
    return ([n, o, oh, ow], out)
}

/// One convolution configuration: input and weight shapes and window parameters.
private struct ConvCase: CustomStringConvertible {
    var input: [Int]
    var weight: [Int]
    var stride = (1, 1)
    var padding = (0, 0)
    var dilation = (1, 1)
    var groups = 1
    var bias = true

    var description: String {
        "input \(input) weight \(weight) stride \(stride) padding \(padding) dilation \(dilation) groups \(groups)"
    }

    func run(_ x: Tensor, _ w: Tensor, _ b: Tensor?) -> Tensor {
        x.conv2d(weight: w, bias: b, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}

private let referenceCases: [ConvCase] = [
    ConvCase(input: [2, 3, 5, 5], weight: [4, 3, 3, 3]),
    ConvCase(input: [2, 3, 6, 5], weight: [4, 3, 3, 3], stride: (2, 2), padding: (1, 1)),
    ConvCase(input: [1, 2, 4, 5], weight: [3, 2, 2, 3], padding: (2, 2)),
    ConvCase(input: [2, 4, 5, 5], weight: [6, 2, 3, 3], stride: (2, 1), padding: (1, 1), groups: 2),
    ConvCase(input: [1, 2, 7, 6], weight: [3, 2, 3, 2], padding: (1, 0), dilation: (2, 2)),
    ConvCase(input: [2, 3, 5, 4], weight: [3, 1, 3, 3], padding: (1, 1), groups: 3),
    ConvCase(input: [3, 4, 3, 3], weight: [5, 4, 1, 1], bias: false),
    ConvCase(input: [1, 1, 9, 8], weight: [2, 1, 4, 3], stride: (3, 2), padding: (2, 1), dilation: (1, 2)),
    // Stride 1 with an output as wide as the input: the shifted-copy path of im2col/col2im,
    // including kernel rows that fall entirely on padding.
    ConvCase(input: [2, 2, 4, 5], weight: [3, 2, 2, 3], padding: (1, 1)),
    ConvCase(input: [1, 2, 3, 6], weight: [2, 2, 5, 5], padding: (2, 2)),
    ConvCase(input: [2, 1, 1, 4], weight: [2, 1, 5, 3], padding: (2, 1)),
    ConvCase(input: [2, 1, 28, 28], weight: [16, 1, 3, 3], padding: (1, 1)),
]

private func random(_ shape: [Int], _ seed: Int) -> Tensor { GradInput.uniform(shape, -1, 1, seed: UInt64(seed)) }

// MARK: - Values

@Suite("Convolution values")
struct ConvolutionValueTests {
    @Test func handComputed2x2KernelOn3x3Image() {
        let x = Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9]).requiresGrad()
        let w = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]).requiresGrad()
        let b = Tensor([1]).requiresGrad()
        let y = x.conv2d(weight: w, bias: b)
        // out[0,0] = 1·1 + 2·2 + 4·3 + 5·4 + 1 = 38, then each window one step on.
        #expect(y.shape == [1, 1, 2, 2])
        #expect(y.scalars == [38, 48, 68, 78])
        y.sum().backward()
        // d/dw[i,j] = Σ of the inputs that w[i,j] touches: 1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9.
        #expect(w.grad!.scalars == [12, 16, 24, 28])
        // d/dx[y,x] = Σ of the weights that touch x[y,x].
        #expect(x.grad!.scalars == [1, 3, 2, 4, 10, 6, 3, 7, 4])
        #expect(b.grad!.scalars == [4])
    }

    @Test func handComputedStrideAndPadding() {
        // A 2x2 kernel of ones, stride 2, padding 1 over 1...9: each window sums what is inside.
        let x = Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let y = x.conv2d(weight: Tensor.ones([1, 1, 2, 2]), stride: 2, padding: 1)
        #expect(y.shape == [1, 1, 2, 2])
        let expected: [Float] = [1, 2 + 3, 4 + 7, 5 + 6 + 8 + 9]
        #expect(y.scalars == expected)
    }

    @Test func twoOutputChannelsAndBias() {
        // Channel 0 copies the image (1x1 kernel 1), channel 1 doubles it and adds 10.
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        let w = Tensor(shape: [2, 1, 1, 1], scalars: [1, 2])
        let y = x.conv2d(weight: w, bias: Tensor([0, 10]))
        #expect(y.scalars == [1, 2, 3, 4, 12, 14, 16, 18])
    }

    @Test func matchesDirectConvolution() {
        for (i, c) in referenceCases.enumerated() {
            let x = random(c.input, 100 + i), w = random(c.weight, 200 + i)
            let b = c.bias ? random([c.weight[0]], 300 + i) : nil
            let y = c.run(x, w, b)
            let reference = naiveConv2d(
                x, w, b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
            #expect(y.shape == reference.shape, "\(c)")
            #expect(approximatelyEqual(y.scalars, reference.values, tolerance: 1e-5), "\(c)")
        }
    }

    @Test func unbatchedInputAndPairOverloads() {
        let x = random([3, 6, 5], 1), w = random([2, 3, 3, 2], 2)
        let batched = x.reshaped([1, 3, 6, 5]).conv2d(weight: w, stride: [2, 1], padding: [1, 0])
        let single = x.conv2d(weight: w, stride: (2, 1), padding: (1, 0))
        #expect(single.shape == [2, 3, 4])
        #expect(single.scalars == batched.scalars)
        #expect(x.conv2d(weight: w, stride: IntOrPair(2, 1), padding: IntOrPair((1, 0))).scalars == batched.scalars)
    }

    @Test func outputSizeFormula() {
        // ⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1
        let x = Tensor.zeros([1, 1, 10, 7])
        #expect(x.conv2d(weight: Tensor.zeros([1, 1, 3, 3])).shape == [1, 1, 8, 5])
        #expect(x.conv2d(weight: Tensor.zeros([1, 1, 3, 3]), stride: 2).shape == [1, 1, 4, 3])
        #expect(x.conv2d(weight: Tensor.zeros([1, 1, 3, 3]), stride: 3, padding: 2).shape == [1, 1, 4, 3])
        #expect(x.conv2d(weight: Tensor.zeros([1, 1, 3, 2]), dilation: [2, 3]).shape == [1, 1, 6, 4])
    }

    @Test func emptyBatch() {
        let x = Tensor.zeros([0, 2, 4, 4]).requiresGrad()
        let w = random([3, 2, 3, 3], 5).requiresGrad()
        let y = x.conv2d(weight: w, padding: 1)
        #expect(y.shape == [0, 3, 4, 4])
        y.sum().backward()
        #expect(w.grad!.scalars == [Float](repeating: 0, count: w.count))
    }
}

// MARK: - Work splits

@Suite("Convolution kernel work splits")
struct ConvolutionKernelTests {
    /// Runs the kernels with a forced plan and compares with the op's default (which the
    /// direct convolution checks) for the output and all three gradients.
    private func compare(_ c: ConvCase, plans: [ConvolutionKernels.Plan], seed: Int) {
        let x = random(c.input, seed).requiresGrad(), w = random(c.weight, seed + 1).requiresGrad()
        let b = random([c.weight[0]], seed + 2).requiresGrad()
        let y = c.run(x, w, b)
        let upstream = random(y.shape, seed + 3)
        y.backward(gradient: upstream)
        let geometry = ConvolutionKernels.Geometry(
            channels: c.input[1], height: c.input[2], width: c.input[3],
            kernelHeight: c.weight[2], kernelWidth: c.weight[3], strideHeight: c.stride.0, strideWidth: c.stride.1,
            paddingHeight: c.padding.0, paddingWidth: c.padding.1,
            dilationHeight: c.dilation.0, dilationWidth: c.dilation.1)
        let reference = naiveConv2d(x, w, b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
        for plan in plans {
            var out = [Float](repeating: .nan, count: y.count)
            var dx = [Float](repeating: .nan, count: x.count), dw = [Float](repeating: .nan, count: w.count)
            var db = [Float](repeating: .nan, count: b.count)
            x.storage.withUnsafeBufferPointer { xp in
                w.storage.withUnsafeBufferPointer { wp in
                    b.storage.withUnsafeBufferPointer { bp in
                        upstream.storage.withUnsafeBufferPointer { gp in
                            out.withUnsafeMutableBufferPointer { op in
                                ConvolutionKernels.forward(
                                    input: xp.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress,
                                    output: op.baseAddress!, batch: c.input[0], outputChannels: c.weight[0],
                                    groups: c.groups, geometry: geometry, plan: plan)
                            }
                            dx.withUnsafeMutableBufferPointer { dxp in
                                dw.withUnsafeMutableBufferPointer { dwp in
                                    db.withUnsafeMutableBufferPointer { dbp in
                                        ConvolutionKernels.backward(
                                            gradient: gp.baseAddress!, input: xp.baseAddress!, weight: wp.baseAddress!,
                                            batch: c.input[0], outputChannels: c.weight[0], groups: c.groups,
                                            geometry: geometry, gradInput: dxp.baseAddress, gradWeight: dwp.baseAddress,
                                            gradBias: dbp.baseAddress, plan: plan)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            let label = "\(c) plan \(plan)"
            #expect(approximatelyEqual(out, reference.values, tolerance: 1e-5), "\(label): output")
            #expect(approximatelyEqual(dx, x.grad!.scalars, tolerance: 1e-5), "\(label): input gradient")
            #expect(approximatelyEqual(dw, w.grad!.scalars, tolerance: 1e-5), "\(label): weight gradient")
            #expect(approximatelyEqual(db, b.grad!.scalars, tolerance: 1e-5), "\(label): bias gradient")
        }
    }

    @Test func chunksAndThreadsGiveTheSameResults() {
        let plans = [
            ConvolutionKernels.Plan(threads: 1, imagesPerThread: 5, imagesPerChunk: 1),
            ConvolutionKernels.Plan(threads: 1, imagesPerThread: 5, imagesPerChunk: 2),
            ConvolutionKernels.Plan(threads: 1, imagesPerThread: 5, imagesPerChunk: 5),
            ConvolutionKernels.Plan(threads: 2, imagesPerThread: 3, imagesPerChunk: 2),
            ConvolutionKernels.Plan(threads: 3, imagesPerThread: 2, imagesPerChunk: 1),
            // More threads than work: the last thread has no images.
            ConvolutionKernels.Plan(threads: 4, imagesPerThread: 2, imagesPerChunk: 2),
        ]
        compare(ConvCase(input: [5, 4, 6, 5], weight: [6, 2, 3, 2], stride: (2, 1), padding: (1, 1), groups: 2), plans: plans, seed: 10)
        compare(ConvCase(input: [5, 3, 7, 7], weight: [4, 3, 3, 3], padding: (2, 1), dilation: (2, 1)), plans: plans, seed: 20)
    }

    /// Forward and all gradients from the kernels, with or without the direct kernels.
    private func kernels(_ c: ConvCase, x: Tensor, w: Tensor, b: Tensor, upstream: Tensor, direct: Bool)
        -> (out: [Float], dx: [Float], dw: [Float], db: [Float])
    {
        let geometry = ConvolutionKernels.Geometry(
            channels: c.input[1], height: c.input[2], width: c.input[3],
            kernelHeight: c.weight[2], kernelWidth: c.weight[3], strideHeight: c.stride.0, strideWidth: c.stride.1,
            paddingHeight: c.padding.0, paddingWidth: c.padding.1,
            dilationHeight: c.dilation.0, dilationWidth: c.dilation.1)
        var out = [Float](repeating: .nan, count: upstream.count)
        var dx = [Float](repeating: .nan, count: x.count), dw = [Float](repeating: .nan, count: w.count)
        var db = [Float](repeating: .nan, count: b.count)
        x.storage.withUnsafeBufferPointer { xp in
            w.storage.withUnsafeBufferPointer { wp in
                b.storage.withUnsafeBufferPointer { bp in
                    upstream.storage.withUnsafeBufferPointer { gp in
                        out.withUnsafeMutableBufferPointer { op in
                            ConvolutionKernels.forward(
                                input: xp.baseAddress!, weight: wp.baseAddress!, bias: bp.baseAddress,
                                output: op.baseAddress!, batch: c.input[0], outputChannels: c.weight[0],
                                groups: c.groups, geometry: geometry, allowDirect: direct)
                        }
                        dx.withUnsafeMutableBufferPointer { dxp in
                            dw.withUnsafeMutableBufferPointer { dwp in
                                db.withUnsafeMutableBufferPointer { dbp in
                                    ConvolutionKernels.backward(
                                        gradient: gp.baseAddress!, input: xp.baseAddress!, weight: wp.baseAddress!,
                                        batch: c.input[0], outputChannels: c.weight[0], groups: c.groups,
                                        geometry: geometry, gradInput: dxp.baseAddress, gradWeight: dwp.baseAddress,
                                        gradBias: dbp.baseAddress, allowDirect: direct)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (out, dx, dw, db)
    }

    @Test func directKernelsMatchTheColumnPath() {
        // Stride-1 shapes the direct kernels take: odd sizes, rows wider than one vector, padding
        // 0 to full, dilation, kernels of 1 to 5 taps per row, more and fewer than 64 column rows
        // (the weight gradient switches kernels there), output channels not a multiple of 8 or 4.
        let cases = [
            ConvCase(input: [3, 1, 28, 28], weight: [16, 1, 3, 3], padding: (1, 1)),
            ConvCase(input: [2, 16, 14, 14], weight: [32, 16, 3, 3], padding: (1, 1)),
            ConvCase(input: [3, 3, 9, 21], weight: [5, 3, 3, 3], padding: (1, 1)),
            ConvCase(input: [2, 2, 7, 37], weight: [9, 2, 3, 2], padding: (2, 1)),
            ConvCase(input: [2, 5, 8, 6], weight: [3, 5, 1, 1]),
            ConvCase(input: [1, 2, 11, 13], weight: [7, 2, 5, 5], padding: (2, 3)),
            ConvCase(input: [2, 3, 12, 10], weight: [6, 3, 3, 3], padding: (2, 1), dilation: (2, 1)),
            ConvCase(input: [2, 8, 9, 9], weight: [10, 8, 3, 3]),
            ConvCase(input: [1, 4, 6, 17], weight: [13, 4, 2, 4], padding: (1, 3), dilation: (1, 2)),
        ]
        for (index, c) in cases.enumerated() {
            let x = random(c.input, 500 + index), w = random(c.weight, 600 + index), b = random([c.weight[0]], 700 + index)
            let y = c.run(x, w, b)
            let upstream = random(y.shape, 800 + index)
            let direct = kernels(c, x: x, w: w, b: b, upstream: upstream, direct: true)
            let columns = kernels(c, x: x, w: w, b: b, upstream: upstream, direct: false)
            #expect(approximatelyEqual(direct.out, columns.out, tolerance: 1e-4), "\(c): output")
            #expect(approximatelyEqual(direct.dx, columns.dx, tolerance: 1e-4), "\(c): input gradient")
            #expect(approximatelyEqual(direct.dw, columns.dw, tolerance: 1e-4), "\(c): weight gradient")
            #expect(approximatelyEqual(direct.db, columns.db, tolerance: 1e-4), "\(c): bias gradient")
        }
    }

    @Test func defaultPlanSplitsLargeBatches() {
        let plan = ConvolutionKernels.makePlan(batch: 64, multiplyAdds: 32 * 144 * 196, columnBytes: 144 * 196 * 4)
        #expect(plan.threads == min(ConvolutionKernels.maximumThreads, 64))
        #expect(plan.imagesPerChunk >= 1 && plan.imagesPerChunk <= plan.imagesPerThread)
        #expect(plan.threads * plan.imagesPerThread >= 64)
        let tiny = ConvolutionKernels.makePlan(batch: 2, multiplyAdds: 100, columnBytes: 400)
        #expect(tiny.threads == 1)
    }
}

// MARK: - Gradients

@Suite("Convolution gradient checks")
struct ConvolutionGradientTests {
    @Test func inputWeightAndBias() {
        for (i, c) in referenceCases.enumerated() where c.input.reduce(1, *) <= 400 {
            let x = random(c.input, 400 + i), w = random(c.weight, 500 + i)
            if c.bias {
                checkGradients("conv2d \(c)", [x, w, random([c.weight[0]], 600 + i)], h: 1e-2) { c.run($0[0], $0[1], $0[2]) }
            } else {
                checkGradients("conv2d \(c)", [x, w], h: 1e-2) { c.run($0[0], $0[1], nil) }
            }
        }
    }

    @Test func onlyWeightNeedsGradient() {
        // The first layer of a network: the images need no gradient, so none is computed.
        let x = random([2, 1, 6, 6], 700)
        let w = random([3, 1, 3, 3], 701), b = random([3], 702)
        checkGradients("conv2d constant input", [w, b], h: 1e-2) { x.conv2d(weight: $0[0], bias: $0[1], padding: 1) }
    }

    @Test func onlyInputNeedsGradient() {
        let x = random([2, 2, 5, 5], 710), w = random([3, 2, 2, 2], 711)
        checkGradients("conv2d constant weight", [x], h: 1e-2) { $0[0].conv2d(weight: w, stride: 2, padding: 1) }
    }

    @Test func convolutionInsideANetwork() {
        // conv → relu → maxPool → conv, with all parameters checked together.
        let x = random([2, 1, 8, 8], 720)
        let w1 = random([3, 1, 3, 3], 721), b1 = random([3], 722), w2 = random([2, 3, 2, 2], 723)
        checkGradients("conv2d network", [w1, b1, w2], h: 1e-2) { p in
            x.conv2d(weight: p[0], bias: p[1], padding: 1).tanh().avgPool2d(kernelSize: 2).conv2d(weight: p[2])
        }
    }
}

// MARK: - Messages

@Suite("Convolution shape messages")
struct ConvolutionMessageTests {
    @Test func channelMismatchNamesBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3, 8, 8]).conv2d(weight: Tensor.zeros([5, 4, 3, 3]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("conv2d: input of shape [2, 3, 8, 8] has 3 channels, weight expects 4"), "message was: \(message)")
    }

    @Test func kernelLargerThanInputStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 1, 2, 2]).conv2d(weight: Tensor.zeros([1, 1, 3, 3]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("conv2d: kernel 3x3"), "message was: \(message)")
    }

    @Test func badBiasStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 2, 4, 4]).conv2d(weight: Tensor.zeros([3, 2, 3, 3]), bias: Tensor.zeros([2]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("conv2d: bias must have shape [3]"), "message was: \(message)")
    }
}
