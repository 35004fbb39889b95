/// A 2-D convolution layer over `[N, C, H, W]` inputs (PyTorch's `nn.Conv2d`): weight
/// `[outputChannels, inputChannels / groups, kernel, kernel]`, bias `[outputChannels]`, both
/// initialised `U(-1/√fanIn, 1/√fanIn)` with `fanIn = inputChannels / groups · kH · kW`.
///
/// ```swift
/// let conv = Conv2d(inputChannels: 1, outputChannels: 16, kernelSize: 3, padding: 1, generator: &rng)
/// let features = conv(images)   // [64, 16, 28, 28]
/// ```
public final class Conv2d: Module, @unchecked Sendable {
    /// The filters, `[outputChannels, inputChannels / groups, kH, kW]`.
    public let weight: Tensor
    /// The bias, or `nil` when made with `bias: false`.
    public let bias: Tensor?
    /// The step between windows.
    public let stride: IntOrPair
    /// Zeros added on each side.
    public let padding: IntOrPair
    /// Spacing between kernel taps.
    public let dilation: IntOrPair
    /// Channel groups (1: every output sees every input channel).
    public let groups: Int

    /// Makes the layer with freshly initialised parameters.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: IntOrPair, stride: IntOrPair = 1, padding: IntOrPair = 0,
                dilation: IntOrPair = 1, groups: Int = 1, bias: Bool = true, generator: inout some RandomNumberGenerator) {
        require(inputChannels > 0 && outputChannels > 0 && groups > 0 && inputChannels % groups == 0 && outputChannels % groups == 0,
                "Conv2d: channels \(inputChannels) -> \(outputChannels) must be positive and divisible by groups \(groups)")
        let fanIn = inputChannels / groups * kernelSize.height * kernelSize.width
        let bound = 1 / Float(fanIn).squareRoot()
        weight = Tensor.uniform([outputChannels, inputChannels / groups, kernelSize.height, kernelSize.width],
                                low: -bound, high: bound, generator: &generator).requiresGrad()
        self.bias = bias ? Tensor.uniform([outputChannels], low: -bound, high: bound, generator: &generator).requiresGrad() : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    /// The number of input channels.
    public var inputChannels: Int { weight.shape[1] * groups }
    /// The number of output channels.
    public var outputChannels: Int { weight.shape[0] }
    /// The kernel's height and width.
    public var kernelSize: IntOrPair { IntOrPair(weight.shape[2], weight.shape[3]) }

    /// The convolution of the input with the filters, plus the bias.
    public override func forward(_ input: Tensor) -> Tensor {
        input.conv2d(weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    public override var extraDescription: String {
        "inputChannels: \(inputChannels), outputChannels: \(outputChannels), kernelSize: \(kernelSize), stride: \(stride), padding: \(padding)"
            + (groups > 1 ? ", groups: \(groups)" : "") + (bias == nil ? ", bias: false" : "")
    }
}

/// What max and average pooling layers share: a window size, a stride (the window size by
/// default) and padding.
public class Pool2d: Module, @unchecked Sendable {
    /// The window size.
    public let kernelSize: IntOrPair
    /// The step between windows.
    public let stride: IntOrPair
    /// Padding on each side.
    public let padding: IntOrPair

    init(kernelSize: IntOrPair, stride: IntOrPair?, padding: IntOrPair) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    public override var extraDescription: String { "kernelSize: \(kernelSize), stride: \(stride), padding: \(padding)" }

    /// The settings written into model files.
    public var configuration: [(String, JSON)] { [("kernelSize", kernelSize.json), ("stride", stride.json), ("padding", padding.json)] }

    /// Reads the window settings of a pooling layer from a model file.
    static func window(_ spec: ModuleSpec) throws(ModelFileError) -> (kernelSize: IntOrPair, stride: IntOrPair, padding: IntOrPair) {
        (try IntOrPair.read(spec, "kernelSize", minimum: 1), try IntOrPair.read(spec, "stride", minimum: 1),
         try IntOrPair.read(spec, "padding", minimum: 0))
    }
}

/// Max pooling as a layer (PyTorch's `nn.MaxPool2d`; the stride defaults to the kernel size).
///
/// ```swift
/// let pool = MaxPool2d(kernelSize: 2)
/// ```
public final class MaxPool2d: Pool2d, @unchecked Sendable {
    /// Makes the layer.
    public override init(kernelSize: IntOrPair, stride: IntOrPair? = nil, padding: IntOrPair = 0) {
        super.init(kernelSize: kernelSize, stride: stride, padding: padding)
    }

    /// The largest value in each window.
    public override func forward(_ input: Tensor) -> Tensor { input.maxPool2d(kernelSize: kernelSize, stride: stride, padding: padding) }
}

/// Average pooling as a layer (PyTorch's `nn.AvgPool2d`, padding counted in the average).
///
/// ```swift
/// let pool = AvgPool2d(kernelSize: 2)
/// ```
public final class AvgPool2d: Pool2d, @unchecked Sendable {
    /// Makes the layer.
    public override init(kernelSize: IntOrPair, stride: IntOrPair? = nil, padding: IntOrPair = 0) {
        super.init(kernelSize: kernelSize, stride: stride, padding: padding)
    }

    /// The mean of each window.
    public override func forward(_ input: Tensor) -> Tensor { input.avgPool2d(kernelSize: kernelSize, stride: stride, padding: padding) }
}

/// Average pooling to a fixed output size whatever the input size (PyTorch's
/// `nn.AdaptiveAvgPool2d`); `outputSize: 1` is global average pooling.
///
/// ```swift
/// let pool = AdaptiveAvgPool2d(outputSize: 1)
/// ```
public final class AdaptiveAvgPool2d: Module, @unchecked Sendable {
    /// The output's height and width.
    public let outputSize: IntOrPair

    /// Makes the layer.
    public init(outputSize: IntOrPair) { self.outputSize = outputSize }

    /// The input averaged over a grid of `outputSize` regions.
    public override func forward(_ input: Tensor) -> Tensor { input.adaptiveAvgPool2d(outputSize: outputSize) }

    public override var extraDescription: String { "outputSize: \(outputSize)" }
}

// MARK: - Files

extension IntOrPair {
    /// `[height, width]` for manifests.
    var json: JSON { .array([.int(height), .int(width)]) }

    /// Reads `[height, width]` from a module spec.
    static func read(_ spec: ModuleSpec, _ key: String, minimum: Int) throws(ModelFileError) -> IntOrPair {
        let values = try spec.ints(key)
        guard values.count == 2, values.allSatisfy({ $0 >= minimum && $0 <= 4096 }) else {
            throw .manifest(file: spec.file, field: "architecture.\(spec.path).config.\(key)", expected: "[height, width] in \(minimum)...4096")
        }
        return IntOrPair(values[0], values[1])
    }
}

extension Conv2d: ModuleArchitecture {
    public static var typeName: String { "Conv2d" }
    public var configuration: [(String, JSON)] {
        [("inputChannels", .int(inputChannels)), ("outputChannels", .int(outputChannels)), ("kernelSize", kernelSize.json),
         ("stride", stride.json), ("padding", padding.json), ("dilation", dilation.json), ("groups", .int(groups)),
         ("bias", .bool(bias != nil))]
    }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module {
        let input = try spec.size("inputChannels", in: 1...65_536), output = try spec.size("outputChannels", in: 1...65_536)
        let groups = try spec.size("groups", in: 1...65_536)
        guard input % groups == 0, output % groups == 0 else {
            throw .manifest(file: spec.file, field: "architecture.\(spec.path).config.groups", expected: "a divisor of both channel counts")
        }
        let kernel = try IntOrPair.read(spec, "kernelSize", minimum: 1)
        let bias = try spec.bool("bias")
        try spec.reserve(output * input / groups * kernel.height * kernel.width + (bias ? output : 0))
        var rng = SeededGenerator(seed: 0)
        return Conv2d(inputChannels: input, outputChannels: output, kernelSize: kernel,
                      stride: try IntOrPair.read(spec, "stride", minimum: 1), padding: try IntOrPair.read(spec, "padding", minimum: 0),
                      dilation: try IntOrPair.read(spec, "dilation", minimum: 1), groups: groups, bias: bias,
                      generator: &rng)
    }
}

extension MaxPool2d: ModuleArchitecture {
    public static var typeName: String { "MaxPool2d" }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module {
        let window = try window(spec)
        return MaxPool2d(kernelSize: window.kernelSize, stride: window.stride, padding: window.padding)
    }
}

extension AvgPool2d: ModuleArchitecture {
    public static var typeName: String { "AvgPool2d" }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module {
        let window = try window(spec)
        return AvgPool2d(kernelSize: window.kernelSize, stride: window.stride, padding: window.padding)
    }
}

extension AdaptiveAvgPool2d: ModuleArchitecture {
    public static var typeName: String { "AdaptiveAvgPool2d" }
    public var configuration: [(String, JSON)] { [("outputSize", outputSize.json)] }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module {
        AdaptiveAvgPool2d(outputSize: try IntOrPair.read(spec, "outputSize", minimum: 1))
    }
}
