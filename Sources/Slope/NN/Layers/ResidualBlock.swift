/// A residual block (ResNet's basic block): `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`,
/// where the shortcut is the identity, or a 1x1 convolution with batch norm when the stride or
/// the channel count changes.
///
/// ```swift
/// let block = ResidualBlock(inputChannels: 16, outputChannels: 32, stride: 2, generator: &rng)
/// ```
public final class ResidualBlock: Module, ModuleArchitecture, @unchecked Sendable {
    /// What a residual block is made from.
    public struct Settings: ModuleSettings {
        /// Channels of the input.
        public var inputChannels: Int
        /// Channels of the output.
        public var outputChannels: Int
        /// The first convolution's (and the shortcut's) stride.
        public var stride: Int

        /// The settings.
        ///
        /// - Parameters:
        ///   - inputChannels: Channels of the input, in `1...65536`.
        ///   - outputChannels: Channels of the output, in `1...65536`.
        ///   - stride: The first convolution's (and the shortcut's) stride, in `1...64`.
        public init(inputChannels: Int, outputChannels: Int, stride: Int = 1) {
            self.inputChannels = inputChannels
            self.outputChannels = outputChannels
            self.stride = stride
        }

        /// Channels in 1...65536, stride in 1...64.
        ///
        /// - Throws: ``SettingError`` for a channel count or stride out of range.
        public func validate() throws(SettingError) {
            for (name, value) in [("inputChannels", inputChannels), ("outputChannels", outputChannels)] where !(1...65_536).contains(value) {
                throw SettingError(name, expected: "a count in 1...65536", found: value)
            }
            guard (1...64).contains(stride) else { throw SettingError("stride", expected: "a stride in 1...64", found: stride) }
        }

        /// Whether the block projects its input (the stride or channel count changes).
        var projects: Bool { stride != 1 || inputChannels != outputChannels }

        /// Two 3x3 convolutions without bias, two batch norms, and the projection if any.
        public var valueCount: Int {
            let (input, output) = (inputChannels, outputChannels)
            return 9 * output * (input + output) + 2 * (4 * output + 1) + (projects ? input * output + 4 * output + 1 : 0)
        }
    }

    /// The name in model files.
    public static var typeName: String { "ResidualBlock" }
    /// The settings the block was made with.
    public let settings: Settings
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
    ///
    /// - Parameters:
    ///   - settings: the block's settings (must validate).
    ///   - generator: the source of the convolutions' initial values.
    public init(settings: Settings, generator: inout some RandomNumberGenerator) {
        self.settings = settings.required(by: "ResidualBlock")
        let (input, output, stride) = (settings.inputChannels, settings.outputChannels, IntOrPair(settings.stride))
        conv1 = Conv2d(inputChannels: input, outputChannels: output, kernelSize: 3, stride: stride, padding: 1, bias: false, generator: &generator)
        bn1 = BatchNorm2d(features: output)
        conv2 = Conv2d(inputChannels: output, outputChannels: output, kernelSize: 3, padding: 1, bias: false, generator: &generator)
        bn2 = BatchNorm2d(features: output)
        downsample = settings.projects
            ? Sequential(Conv2d(inputChannels: input, outputChannels: output, kernelSize: 1, stride: stride, bias: false, generator: &generator),
                         BatchNorm2d(features: output))
            : nil
    }

    /// Makes the block.
    ///
    /// - Parameters:
    ///   - inputChannels: channels of the input.
    ///   - outputChannels: channels of the output.
    ///   - stride: the first convolution's stride.
    ///   - generator: the source of the convolutions' initial values.
    public convenience init(inputChannels: Int, outputChannels: Int, stride: Int = 1, generator: inout some RandomNumberGenerator) {
        self.init(settings: Settings(inputChannels: inputChannels, outputChannels: outputChannels, stride: stride), generator: &generator)
    }

    /// Makes the block with seed-0 initial parameters, as a rebuild from a file does.
    ///
    /// - Parameter settings: the block's settings.
    public convenience init(settings: Settings) {
        var rng = SeededGenerator(seed: 0)
        self.init(settings: settings, generator: &rng)
    }

    /// The block's output.
    ///
    /// - Parameter input: `[N, inputChannels, H, W]`.
    /// - Returns: `[N, outputChannels, H', W']` with `H' = ⌊(H - 1) / stride⌋ + 1` (and `W'` alike).
    public override func forward(_ input: Tensor) -> Tensor {
        let residual = bn2(conv2(bn1(conv1(input)).relu()))
        return (residual + (downsample?(input) ?? input)).relu()
    }

    /// The main path's shape (its children's rules in turn), which must equal the shortcut's.
    ///
    /// - Parameter input: The input's shape.
    /// - Returns: The output's shape.
    /// - Throws: ``ShapeError`` from a child that cannot take its input, or when the main path and the shortcut disagree.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        var main = input
        for (name, layer) in [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2)] as [(String, Module)] {
            main = try childOutputShape(layer, named: name, for: main)
        }
        let shortcut = try downsample.map { (projection) throws(ShapeError) in try childOutputShape(projection, named: "downsample", for: input) } ?? input
        guard main == shortcut else {
            throw ShapeError(self, input: input, needs: "a shortcut of the main path's shape \(main), not \(shortcut)")
        }
        return main
    }
}
