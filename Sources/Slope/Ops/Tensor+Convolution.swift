// MARK: - Window sizes

/// A size or step along the two spatial axes of an image, `(height, width)`: one number used
/// for both, or a pair (mlx-swift's `IntOrPair`).
///
/// `2` means `(2, 2)`; `[3, 1]` means height 3 and width 1.
///
/// ```swift
/// let y = x.conv2d(weight: w, stride: 2, padding: [1, 0])
/// ```
public struct IntOrPair: Equatable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral,
    CustomStringConvertible
{
    /// The size along the height axis.
    public let height: Int
    /// The size along the width axis.
    public let width: Int

    /// The same size along both axes.
    ///
    /// ```swift
    /// let stride = IntOrPair(2)   // (2, 2)
    /// ```
    ///
    /// - Parameter size: The height and the width.
    public init(_ size: Int) {
        height = size
        width = size
    }

    /// A height and a width.
    ///
    /// ```swift
    /// let kernel = IntOrPair(3, 1)
    /// ```
    ///
    /// - Parameters:
    ///   - height: The size along the height axis.
    ///   - width: The size along the width axis.
    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    /// A `(height, width)` pair.
    ///
    /// ```swift
    /// let padding = IntOrPair((1, 0))
    /// ```
    ///
    /// - Parameter pair: `(height, width)`.
    public init(_ pair: (Int, Int)) {
        self.init(pair.0, pair.1)
    }

    /// The same size along both axes, from a literal: `stride: 2`.
    ///
    /// - Parameter value: The height and the width.
    public init(integerLiteral value: Int) {
        self.init(value)
    }

    /// `[height, width]` (or `[size]` for both), from a literal: `padding: [1, 0]`.
    ///
    /// - Parameter elements: One value (both axes) or two (`height`, `width`); any other count is a programmer error.
    public init(arrayLiteral elements: Int...) {
        require(
            elements.count == 1 || elements.count == 2,
            "IntOrPair: expected [size] or [height, width], got \(elements)")
        self.init(elements[0], elements[elements.count - 1])
    }

    /// `(height, width)`.
    public var description: String { "(\(height), \(width))" }
}

// MARK: - Convolution

/// 2-D convolution over `[N, C, H, W]` images (PyTorch's `conv2d`), lowered to `im2col` and one
/// matrix product per group and chunk of images (see `ConvolutionKernels`).
extension Tensor {
    /// The 2-D convolution (cross-correlation, as in every deep-learning library) of this
    /// `[N, C, H, W]` batch of images with `weight` `[O, C/groups, kH, kW]`, plus `bias` `[O]`.
    ///
    /// `out[n, o, y, x] = bias[o] + Σ_{c, i, j} weight[o, c, i, j] ·
    /// in[n, g·C/groups + c, y·sh − ph + i·dh, x·sw − pw + j·dw]`, where `g = o / (O/groups)`
    /// and positions outside the image read as 0. The output is `[N, O, H', W']` with
    /// `H' = ⌊(H + 2·ph − dh·(kH − 1) − 1) / sh⌋ + 1` (and `W'` alike). A `[C, H, W]` input is
    /// treated as a batch of one and gives `[O, H', W']`.
    ///
    /// Gradients: `d/dinput = col2im(weightᵀ @ g)`, `d/dweight = Σ_n g @ im2col(input)ᵀ`,
    /// `d/dbias = Σ_{n, y, x} g`.
    ///
    /// ```swift
    /// let images = Tensor.randn([64, 1, 28, 28], generator: &rng)
    /// let weight = Tensor.randn([16, 1, 3, 3], generator: &rng).requiresGrad()
    /// let features = images.conv2d(weight: weight, bias: bias, padding: 1)   // [64, 16, 28, 28]
    /// ```
    ///
    /// - Parameters:
    ///   - weight: The filters, `[O, C/groups, kH, kW]`.
    ///   - bias: One value per output channel, `[O]`, or `nil` for none.
    ///   - stride: The step between windows `(sh, sw)`, at least 1.
    ///   - padding: Zeros added on each side `(ph, pw)`, not negative.
    ///   - dilation: The spacing between kernel taps `(dh, dw)`, at least 1.
    ///   - groups: How many groups the channels split into; `C` and `O` must both divide by it
    ///     (`groups == C` is a depthwise convolution).
    /// - Returns: The feature maps, `[N, O, H', W']` (or `[O, H', W']` for a `[C, H, W]` input).
    public func conv2d(
        weight: Tensor, bias: Tensor? = nil, stride: IntOrPair = 1, padding: IntOrPair = 0,
        dilation: IntOrPair = 1, groups: Int = 1
    ) -> Tensor {
        require(
            rank == 4 || rank == 3,
            "conv2d: input must have shape [N, C, H, W] or [C, H, W], got \(shape)")
        if rank == 3 {
            return unsqueezed(axis: 0)
                .conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
                .squeezed(axis: 0)
        }
        require(
            weight.rank == 4,
            "conv2d: weight must have shape [outputChannels, inputChannels / groups, kernelHeight, kernelWidth], got \(weight.shape)")
        require(groups >= 1, "conv2d: groups must be at least 1, got \(groups)")
        let (batch, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let outputChannels = weight.shape[0]
        require(
            channels >= 1 && height >= 1 && width >= 1 && outputChannels >= 1,
            "conv2d: input of shape \(shape) and weight of shape \(weight.shape) must have non-empty channel and image axes")
        require(
            weight.shape[1] * groups == channels,
            "conv2d: input of shape \(shape) has \(channels) channels, weight expects \(weight.shape[1] * groups)"
                + (groups > 1 ? " (weight shape \(weight.shape) with groups \(groups))" : ""))
        require(
            channels % groups == 0 && outputChannels % groups == 0,
            "conv2d: groups \(groups) must divide the input channels \(channels) and the output channels \(outputChannels)")
        if let bias {
            require(
                bias.shape == [outputChannels],
                "conv2d: bias must have shape [\(outputChannels)] (one value per output channel), got \(bias.shape)")
        }
        require(
            stride.height >= 1 && stride.width >= 1, "conv2d: stride must be positive, got \(stride)")
        require(
            padding.height >= 0 && padding.width >= 0, "conv2d: padding must not be negative, got \(padding)")
        require(
            dilation.height >= 1 && dilation.width >= 1, "conv2d: dilation must be positive, got \(dilation)")
        let geometry = ConvolutionKernels.Geometry(
            channels: channels, height: height, width: width,
            kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
            strideHeight: stride.height, strideWidth: stride.width,
            paddingHeight: padding.height, paddingWidth: padding.width,
            dilationHeight: dilation.height, dilationWidth: dilation.width)
        require(
            geometry.kernelHeight >= 1 && geometry.kernelWidth >= 1
                && geometry.outputHeight >= 1 && geometry.outputWidth >= 1,
            "conv2d: kernel \(weight.shape[2])x\(weight.shape[3]) (dilation \(dilation)) does not fit the input "
                + "\(height)x\(width) padded by \(padding)")

        let outputShape = [batch, outputChannels, geometry.outputHeight, geometry.outputWidth]
        let outputCount = batch * outputChannels * geometry.outputArea
        let values = [Float](unsafeUninitializedCapacity: outputCount) { out, initialized in
            if outputCount > 0 {
                storage.withUnsafeBufferPointer { input in
                    weight.storage.withUnsafeBufferPointer { kernel in
                        Tensor.withValues(of: bias) { shift in
                            ConvolutionKernels.forward(
                                input: input.baseAddress!, weight: kernel.baseAddress!, bias: shift,
                                output: out.baseAddress!, batch: batch, outputChannels: outputChannels,
                                groups: groups, geometry: geometry)
                        }
                    }
                }
            }
            initialized = outputCount
        }
        let result = Tensor(unchecked: outputShape, values)
        let records = (requiresGrad || weight.requiresGrad || bias?.requiresGrad == true) && isGradEnabled
        if records {
            let input = self
            let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
            result.record("conv2d", inputs) { g in
                Tensor.conv2dPullback(
                    g, input: input, weight: weight, bias: bias, groups: groups, geometry: geometry)
            }
            if let session = CaptureSession.current { session.note(.conv2d(groups: groups, geometry: geometry), inputs, result) }
        }
        return result
    }

    /// The 2-D convolution with `(height, width)` pairs for the stride, padding and dilation
    /// (see `conv2d(weight:bias:stride:padding:dilation:groups:)`).
    ///
    /// ```swift
    /// let y = x.conv2d(weight: w, stride: (2, 1), padding: (1, 0))
    /// ```
    ///
    /// - Parameters:
    ///   - weight: The filters, `[O, C/groups, kH, kW]`.
    ///   - bias: One value per output channel, `[O]`, or `nil` for none.
    ///   - stride: The step between windows `(sh, sw)` as a tuple, at least 1.
    ///   - padding: Zeros added on each side `(ph, pw)` as a tuple, not negative.
    ///   - dilation: The spacing between kernel taps `(dh, dw)` as a tuple, at least 1.
    ///   - groups: How many groups the channels split into; `C` and `O` must both divide by it
    ///     (`groups == C` is a depthwise convolution).
    /// - Returns: The feature maps, `[N, O, H', W']` (or `[O, H', W']` for a `[C, H, W]` input).
    public func conv2d(
        weight: Tensor, bias: Tensor? = nil, stride: (Int, Int), padding: (Int, Int) = (0, 0),
        dilation: (Int, Int) = (1, 1), groups: Int = 1
    ) -> Tensor {
        conv2d(
            weight: weight, bias: bias, stride: IntOrPair(stride), padding: IntOrPair(padding),
            dilation: IntOrPair(dilation), groups: groups)
    }

    /// The pullback of `conv2d`: gradients for the input, the weight and the bias (in that
    /// order, `nil` for those that need none).
    private static func conv2dPullback(
        _ g: Tensor, input: Tensor, weight: Tensor, bias: Tensor?, groups: Int,
        geometry: ConvolutionKernels.Geometry
    ) -> [Tensor?] {
        let batch = input.shape[0], outputChannels = weight.shape[0]
        let wantsInput = input.requiresGrad, wantsWeight = weight.requiresGrad
        let wantsBias = bias?.requiresGrad == true
        if batch == 0 {
            return [
                wantsInput ? Tensor.zeros(input.shape) : nil, wantsWeight ? Tensor.zeros(weight.shape) : nil,
            ] + (bias.map { [wantsBias ? Tensor.zeros($0.shape) : nil] } ?? [])
        }
        // The kernel overwrites every value of the buffers it is given.
        var gradWeight: [Float] = [], gradBias: [Float] = []
        let gradInput = uninitializedBuffer(count: wantsInput ? input.count : 0) { dInput in
            gradWeight = uninitializedBuffer(count: wantsWeight ? weight.count : 0) { dWeight in
                gradBias = uninitializedBuffer(count: wantsBias ? outputChannels : 0) { dBias in
                    g.storage.withUnsafeBufferPointer { upstream in
                        input.storage.withUnsafeBufferPointer { images in
                            weight.storage.withUnsafeBufferPointer { kernel in
                                ConvolutionKernels.backward(
                                    gradient: upstream.baseAddress!, input: images.baseAddress!,
                                    weight: kernel.baseAddress!, batch: batch,
                                    outputChannels: outputChannels, groups: groups, geometry: geometry,
                                    gradInput: dInput, gradWeight: dWeight, gradBias: dBias)
                            }
                        }
                    }
                }
            }
        }
        var gradients: [Tensor?] = [
            wantsInput ? Tensor(unchecked: input.shape, gradInput) : nil,
            wantsWeight ? Tensor(unchecked: weight.shape, gradWeight) : nil,
        ]
        if let bias { gradients.append(wantsBias ? Tensor(unchecked: bias.shape, gradBias) : nil) }
        return gradients
    }

    /// A buffer of `count` values that `body` fills completely; `body` gets `nil` when `count`
    /// is 0.
    @inline(__always)
    private static func uninitializedBuffer(count: Int, _ body: (UnsafeMutablePointer<Float>?) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            body(count > 0 ? buffer.baseAddress : nil)
            initialized = count
        }
    }

    /// Calls `body` with a pointer to the values of `tensor`, or `nil` when there is none.
    @inline(__always)
    private static func withValues<Result>(
        of tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> Result
    ) -> Result {
        guard let tensor else { return body(nil) }
        return tensor.storage.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
