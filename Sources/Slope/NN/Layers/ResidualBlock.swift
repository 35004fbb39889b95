/// A residual block (ResNet's basic block): `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`,
/// where the shortcut is the identity, or a 1x1 convolution with batch norm when the stride or
/// the channel count changes.
///
/// ```swift
/// let block = ResidualBlock(inputChannels: 16, outputChannels: 32, stride: 2, generator: &rng)
/// ```
public final class ResidualBlock: Module, @unchecked Sendable {
    /// The first 3x3 convolution (carries the stride).
    public let conv1: Conv2d
    /// Batch norm after the first convolution.
    public let bn1: BatchNorm2d
    /// The second 3x3 convolution.
    public let conv2: Conv2d
    /// Batch norm after the second convolution.
    public let bn2: BatchNorm2d
    /// The projection of the input when its shape changes, else `nil` (the identity).
    public let downsample: Sequential?

    /// Makes the block.
    public init(inputChannels: Int, outputChannels: Int, stride: Int = 1, generator: inout some RandomNumberGenerator) {
        conv1 = Conv2d(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 3, stride: IntOrPair(stride),
                       padding: 1, bias: false, generator: &generator)
        bn1 = BatchNorm2d(features: outputChannels)
        conv2 = Conv2d(inputChannels: outputChannels, outputChannels: outputChannels, kernelSize: 3, padding: 1, bias: false,
                       generator: &generator)
        bn2 = BatchNorm2d(features: outputChannels)
        downsample = stride != 1 || inputChannels != outputChannels
            ? Sequential(Conv2d(inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: 1, stride: IntOrPair(stride),
                                bias: false, generator: &generator), BatchNorm2d(features: outputChannels))
            : nil
    }

    /// The block's output.
    public override func forward(_ input: Tensor) -> Tensor {
        let residual = bn2(conv2(bn1(conv1(input)).relu()))
        return (residual + (downsample?(input) ?? input)).relu()
    }
}

extension ResidualBlock: ModuleArchitecture {
    public static var typeName: String { "ResidualBlock" }
    public var configuration: [(String, JSON)] {
        [("inputChannels", .int(conv1.inputChannels)), ("outputChannels", .int(conv1.outputChannels)), ("stride", .int(conv1.stride.height))]
    }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module {
        let input = try spec.size("inputChannels", in: 1...65_536), output = try spec.size("outputChannels", in: 1...65_536)
        let stride = try spec.size("stride", in: 1...64)
        let projects = stride != 1 || input != output
        try spec.reserve(9 * output * (input + output) + 2 * (4 * output + 1) + (projects ? input * output + 4 * output + 1 : 0))
        var rng = SeededGenerator(seed: 0)
        return ResidualBlock(inputChannels: input, outputChannels: output, stride: stride, generator: &rng)
    }
}
