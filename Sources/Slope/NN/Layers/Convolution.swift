/// A 2-D convolution layer over `[N, C, H, W]` inputs (PyTorch's `nn.Conv2d`): weight
/// `[outputChannels, inputChannels / groups, kernel, kernel]`, bias `[outputChannels]`, both
/// initialised `U(-1/√fanIn, 1/√fanIn)` with `fanIn = inputChannels / groups · kH · kW`.
///
/// ```swift
/// let conv = Conv2d(inputChannels: 1, outputChannels: 16, kernelSize: 3, padding: 1, generator: &rng)
/// let features = conv(images)   // [64, 16, 28, 28]
/// ```
public final class Conv2d: Module, ModuleArchitecture, @unchecked Sendable {
    /// What a convolution layer is made from.
    public struct Settings: ModuleSettings {
        /// Channels of the input.
        public var inputChannels: Int
        /// Channels of the output (one filter each).
        public var outputChannels: Int
        /// The filters' height and width.
        public var kernelSize: IntOrPair
        /// The step between windows.
        public var stride: IntOrPair
        /// Zeros added on each side.
        public var padding: IntOrPair
        /// Spacing between kernel taps.
        public var dilation: IntOrPair
        /// Channel groups (1: every output sees every input channel).
        public var groups: Int
        /// Whether the layer adds a bias.
        public var bias: Bool

        /// The settings.
        ///
        /// - Parameters:
        ///   - inputChannels: Channels of the input, in `1...65536`.
        ///   - outputChannels: Channels of the output (one filter each), in `1...65536`.
        ///   - kernelSize: The filters' `(kH, kW)`, in `1...4096` each.
        ///   - stride: The step between windows, in `1...4096` each.
        ///   - padding: Zeros added on each side, in `0...4096` each.
        ///   - dilation: Spacing between kernel taps, in `1...4096` each.
        ///   - groups: Channel groups, dividing both channel counts.
        ///   - bias: Whether the layer adds a bias.
        public init(inputChannels: Int, outputChannels: Int, kernelSize: IntOrPair, stride: IntOrPair = 1, padding: IntOrPair = 0,
                    dilation: IntOrPair = 1, groups: Int = 1, bias: Bool = true) {
            self.inputChannels = inputChannels
            self.outputChannels = outputChannels
            self.kernelSize = kernelSize
            self.stride = stride
            self.padding = padding
            self.dilation = dilation
            self.groups = groups
            self.bias = bias
        }

        /// Channels and groups in 1...65536 with groups dividing both channel counts; kernel,
        /// stride and dilation in 1...4096 and padding in 0...4096 on each axis.
        ///
        /// - Throws: ``SettingError`` naming the first setting out of range, or `groups` when it does not divide both channel counts.
        public func validate() throws(SettingError) {
            for (name, value) in [("inputChannels", inputChannels), ("outputChannels", outputChannels), ("groups", groups)]
            where !(1...65_536).contains(value) {
                throw SettingError(name, expected: "a count in 1...65536", found: value)
            }
            guard inputChannels % groups == 0, outputChannels % groups == 0 else {
                throw SettingError("groups", expected: "a divisor of both channel counts \(inputChannels) and \(outputChannels)", found: groups)
            }
            try IntOrPair.check("kernelSize", kernelSize, in: 1...4096)
            try IntOrPair.check("stride", stride, in: 1...4096)
            try IntOrPair.check("padding", padding, in: 0...4096)
            try IntOrPair.check("dilation", dilation, in: 1...4096)
        }

        /// The filters' and the bias's values.
        public var valueCount: Int {
            saturatingSum([checkedProduct([outputChannels, inputChannels / groups, kernelSize.height, kernelSize.width]) ?? .max,
                           bias ? outputChannels : 0])
        }
    }

    /// The name in model files.
    public static var typeName: String { "Conv2d" }
    /// The settings the layer was made with.
    public let settings: Settings
    /// The filters, `[outputChannels, inputChannels / groups, kH, kW]`.
    public let weight: Tensor
    /// The bias, or `nil` when made with `bias: false`.
    public let bias: Tensor?

    /// Makes the layer with freshly initialised parameters.
    ///
    /// - Parameters:
    ///   - settings: the layer's settings (must validate).
    ///   - generator: the source of the initial values.
    public init(settings: Settings, generator: inout some RandomNumberGenerator) {
        self.settings = settings.required(by: "Conv2d")
        let kernel = settings.kernelSize
        let fanIn = settings.inputChannels / settings.groups * kernel.height * kernel.width
        let bound = 1 / Float(fanIn).squareRoot()
        weight = Tensor.uniform([settings.outputChannels, settings.inputChannels / settings.groups, kernel.height, kernel.width],
                                low: -bound, high: bound, generator: &generator).requiresGrad()
        self.bias = settings.bias
            ? Tensor.uniform([settings.outputChannels], low: -bound, high: bound, generator: &generator).requiresGrad() : nil
    }

    /// Makes the layer with freshly initialised parameters.
    ///
    /// - Parameters:
    ///   - inputChannels: channels of the input.
    ///   - outputChannels: channels of the output.
    ///   - kernelSize: the filters' height and width.
    ///   - stride: the step between windows.
    ///   - padding: zeros added on each side.
    ///   - dilation: spacing between kernel taps.
    ///   - groups: channel groups.
    ///   - bias: whether to add a bias.
    ///   - generator: the source of the initial values.
    public convenience init(inputChannels: Int, outputChannels: Int, kernelSize: IntOrPair, stride: IntOrPair = 1, padding: IntOrPair = 0,
                            dilation: IntOrPair = 1, groups: Int = 1, bias: Bool = true, generator: inout some RandomNumberGenerator) {
        self.init(settings: Settings(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: kernelSize, stride: stride,
                                     padding: padding, dilation: dilation, groups: groups, bias: bias),
                  generator: &generator)
    }

    /// Makes the layer with seed-0 initial parameters, as a rebuild from a file does.
    ///
    /// - Parameter settings: the layer's settings.
    public convenience init(settings: Settings) {
        var rng = SeededGenerator(seed: 0)
        self.init(settings: settings, generator: &rng)
    }

    /// The number of input channels.
    public var inputChannels: Int { settings.inputChannels }
    /// The number of output channels.
    public var outputChannels: Int { settings.outputChannels }
    /// The kernel's height and width.
    public var kernelSize: IntOrPair { settings.kernelSize }
    /// The step between windows.
    public var stride: IntOrPair { settings.stride }
    /// Zeros added on each side.
    public var padding: IntOrPair { settings.padding }
    /// Spacing between kernel taps.
    public var dilation: IntOrPair { settings.dilation }
    /// Channel groups.
    public var groups: Int { settings.groups }

    /// The convolution of the input with the filters, plus the bias.
    ///
    /// - Parameter input: `[N, inputChannels, H, W]`, or one `[inputChannels, H, W]` image.
    /// - Returns: `[N, outputChannels, H', W']` (or `[outputChannels, H', W']`), as `Tensor.conv2d` computes.
    public override func forward(_ input: Tensor) -> Tensor {
        input.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    /// `[N, outputChannels, H', W']` (or `[outputChannels, H', W']` for one `[C, H, W]` image), with
    /// `windowedSize` along each image axis; the window must fit.
    ///
    /// - Parameter input: The input's shape.
    /// - Returns: The output's shape.
    /// - Throws: ``ShapeError`` when the input is not rank 3 or 4 with `inputChannels` channels, an image axis is empty, or the dilated kernel is larger than the padded image.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 4 || input.count == 3, input[input.count - 3] == inputChannels else {
            throw ShapeError(self, input: input, needs: "[N, \(inputChannels), H, W] or [\(inputChannels), H, W]")
        }
        let image = try windowedImage(input, kernel: kernelSize, stride: stride, padding: padding, dilation: dilation, module: self)
        return Array(input.dropLast(3)) + [outputChannels] + image
    }
}

/// What max and average pooling layers share: a window size, a stride (the window size by
/// default) and padding.
public class Pool2d: Module, @unchecked Sendable {
    /// What a pooling layer is made from.
    public struct Settings: ModuleSettings {
        /// The window size.
        public var kernelSize: IntOrPair
        /// The step between windows.
        public var stride: IntOrPair
        /// Padding on each side.
        public var padding: IntOrPair

        /// The settings; `stride` defaults to the kernel size.
        ///
        /// - Parameters:
        ///   - kernelSize: The window size, in `1...4096` each.
        ///   - stride: The step between windows, in `1...4096` each; `nil` uses `kernelSize`.
        ///   - padding: Padding on each side, at most half the kernel.
        public init(kernelSize: IntOrPair, stride: IntOrPair? = nil, padding: IntOrPair = 0) {
            self.kernelSize = kernelSize
            self.stride = stride ?? kernelSize
            self.padding = padding
        }

        /// Kernel and stride in 1...4096 on each axis, padding at most half the kernel (PyTorch's
        /// rule, which the pooling ops `require` too).
        ///
        /// - Throws: ``SettingError`` for a kernel or stride out of range, or padding more than half the kernel.
        public func validate() throws(SettingError) {
            try IntOrPair.check("kernelSize", kernelSize, in: 1...4096)
            try IntOrPair.check("stride", stride, in: 1...4096)
            guard padding.height >= 0, padding.width >= 0, 2 * padding.height <= kernelSize.height, 2 * padding.width <= kernelSize.width else {
                throw SettingError("padding", expected: "0 up to half the kernel size \(kernelSize)", found: padding)
            }
        }
    }

    /// The settings the layer was made with.
    public let settings: Settings

    init(settings: Settings, module: String) { self.settings = settings.required(by: module) }

    /// The window size.
    public var kernelSize: IntOrPair { settings.kernelSize }
    /// The step between windows.
    public var stride: IntOrPair { settings.stride }
    /// Padding on each side.
    public var padding: IntOrPair { settings.padding }

    /// `[N, C, H', W']` (or `[C, H', W']`) with `windowedSize` along each image axis; the window
    /// must fit.
    ///
    /// - Parameter input: The input's shape.
    /// - Returns: The output's shape.
    /// - Throws: ``ShapeError`` when the input is not rank 3 or 4, an image axis is empty, or the window is larger than the padded image.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 4 || input.count == 3 else { throw ShapeError(self, input: input, needs: "[N, C, H, W] or [C, H, W]") }
        return Array(input.dropLast(2)) + (try windowedImage(input, kernel: kernelSize, stride: stride, padding: padding, dilation: 1, module: self))
    }
}

/// Max pooling as a layer (PyTorch's `nn.MaxPool2d`; the stride defaults to the kernel size).
///
/// ```swift
/// let pool = MaxPool2d(kernelSize: 2)
/// ```
public final class MaxPool2d: Pool2d, ModuleArchitecture, @unchecked Sendable {
    /// The name in model files.
    public static var typeName: String { "MaxPool2d" }

    /// Makes the layer.
    ///
    /// - Parameter settings: the window (must validate).
    public init(settings: Settings) { super.init(settings: settings, module: "MaxPool2d") }

    /// Makes the layer.
    ///
    /// - Parameters:
    ///   - kernelSize: the window size.
    ///   - stride: the step between windows (the kernel size when `nil`).
    ///   - padding: padding on each side, at most half the kernel.
    public convenience init(kernelSize: IntOrPair, stride: IntOrPair? = nil, padding: IntOrPair = 0) {
        self.init(settings: Settings(kernelSize: kernelSize, stride: stride, padding: padding))
    }

    /// The largest value in each window.
    ///
    /// - Parameter input: `[N, C, H, W]`, or one `[C, H, W]` image.
    /// - Returns: `[N, C, H', W']` (or `[C, H', W']`): each window's maximum.
    public override func forward(_ input: Tensor) -> Tensor { input.maxPool2d(kernelSize: kernelSize, stride: stride, padding: padding) }
}

/// Average pooling as a layer (PyTorch's `nn.AvgPool2d`, padding counted in the average).
///
/// ```swift
/// let pool = AvgPool2d(kernelSize: 2)
/// ```
public final class AvgPool2d: Pool2d, ModuleArchitecture, @unchecked Sendable {
    /// The name in model files.
    public static var typeName: String { "AvgPool2d" }

    /// Makes the layer.
    ///
    /// - Parameter settings: the window (must validate).
    public init(settings: Settings) { super.init(settings: settings, module: "AvgPool2d") }

    /// Makes the layer.
    ///
    /// - Parameters:
    ///   - kernelSize: the window size.
    ///   - stride: the step between windows (the kernel size when `nil`).
    ///   - padding: padding on each side, at most half the kernel.
    public convenience init(kernelSize: IntOrPair, stride: IntOrPair? = nil, padding: IntOrPair = 0) {
        self.init(settings: Settings(kernelSize: kernelSize, stride: stride, padding: padding))
    }

    /// The mean of each window.
    ///
    /// - Parameter input: `[N, C, H, W]`, or one `[C, H, W]` image.
    /// - Returns: `[N, C, H', W']` (or `[C, H', W']`): each window's mean, padding counted.
    public override func forward(_ input: Tensor) -> Tensor { input.avgPool2d(kernelSize: kernelSize, stride: stride, padding: padding) }
}

/// Average pooling to a fixed output size whatever the input size (PyTorch's
/// `nn.AdaptiveAvgPool2d`); `outputSize: 1` is global average pooling.
///
/// ```swift
/// let pool = AdaptiveAvgPool2d(outputSize: 1)
/// ```
public final class AdaptiveAvgPool2d: Module, ModuleArchitecture, @unchecked Sendable {
    /// The output's size.
    public struct Settings: ModuleSettings {
        /// The output's height and width.
        public var outputSize: IntOrPair

        /// The settings.
        ///
        /// - Parameter outputSize: The output's `(H', W')`, in `1...4096` each.
        public init(outputSize: IntOrPair) { self.outputSize = outputSize }

        /// An output size in 1...4096 on each axis.
        ///
        /// - Throws: ``SettingError`` for an output size out of range.
        public func validate() throws(SettingError) { try IntOrPair.check("outputSize", outputSize, in: 1...4096) }
    }

    /// The name in model files.
    public static var typeName: String { "AdaptiveAvgPool2d" }
    /// The settings the layer was made with.
    public let settings: Settings

    /// Makes the layer.
    ///
    /// - Parameter settings: the output size (must validate).
    public init(settings: Settings) { self.settings = settings.required(by: "AdaptiveAvgPool2d") }

    /// Makes the layer.
    ///
    /// - Parameter outputSize: the output's height and width.
    public convenience init(outputSize: IntOrPair) { self.init(settings: Settings(outputSize: outputSize)) }

    /// The output's height and width.
    public var outputSize: IntOrPair { settings.outputSize }

    /// The input averaged over a grid of `outputSize` regions.
    ///
    /// - Parameter input: `[N, C, H, W]`, or one `[C, H, W]` image, with `H, W ≥ 1`.
    /// - Returns: `[N, C, H', W']` (or `[C, H', W']`) with `(H', W') = outputSize`.
    public override func forward(_ input: Tensor) -> Tensor { input.adaptiveAvgPool2d(outputSize: outputSize) }

    /// `[N, C, outputSize]` (or `[C, outputSize]`); the image axes must not be empty.
    ///
    /// - Parameter input: The input's shape.
    /// - Returns: The output's shape.
    /// - Throws: ``ShapeError`` when the input is not rank 3 or 4 or an image axis is empty.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 4 || input.count == 3, input[input.count - 2] >= 1, input[input.count - 1] >= 1 else {
            throw ShapeError(self, input: input, needs: "[N, C, H, W] or [C, H, W] with H, W ≥ 1")
        }
        return Array(input.dropLast(2)) + [outputSize.height, outputSize.width]
    }
}

// MARK: - Shared rules

extension IntOrPair {
    /// Throws unless both sizes lie in `range`.
    static func check(_ setting: String, _ value: IntOrPair, in range: ClosedRange<Int>) throws(SettingError) {
        guard range.contains(value.height), range.contains(value.width) else {
            throw SettingError(setting, expected: "sizes in \(range.lowerBound)...\(range.upperBound)", found: value)
        }
    }
}

/// `[H', W']` of a sliding window over the last two axes of `input` (`windowedSize` on each),
/// or a `ShapeError` when an image axis is empty or the window does not fit.
func windowedImage(_ input: [Int], kernel: IntOrPair, stride: IntOrPair, padding: IntOrPair, dilation: IntOrPair,
                   module: Module) throws(ShapeError) -> [Int] {
    let (height, width) = (input[input.count - 2], input[input.count - 1])
    guard height >= 1, width >= 1 else { throw ShapeError(module, input: input, needs: "image axes of at least 1") }
    let outputHeight = windowedSize(height, kernel: kernel.height, stride: stride.height, padding: padding.height, dilation: dilation.height)
    let outputWidth = windowedSize(width, kernel: kernel.width, stride: stride.width, padding: padding.width, dilation: dilation.width)
    guard outputHeight >= 1, outputWidth >= 1 else {
        throw ShapeError(module, input: input, needs: "an image at least as large as the kernel \(kernel) (dilation \(dilation)) once padded by \(padding)")
    }
    return [outputHeight, outputWidth]
}
