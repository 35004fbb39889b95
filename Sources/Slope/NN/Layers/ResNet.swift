/// torchvision's `BasicBlock` (resnet18 and resnet34), with torchvision's keys (`conv1`, `bn1`,
/// `relu`, `conv2`, `bn2`, `downsample.0`, `downsample.1`):
/// `relu(bn2(conv2(relu(bn1(conv1(x))))) + downsample(x))`, the shortcut the identity unless the
/// block projects its input.
///
/// ```swift
/// let block = BasicBlock(settings: .init(inputChannels: 64, planes: 128, stride: 2, downsample: true))
/// ```
public final class BasicBlock: Module, ModuleArchitecture, @unchecked Sendable {
    /// What a basic block is made from.
    public struct Settings: ModuleSettings {
        /// Channels of the input.
        public var inputChannels: Int
        /// Channels of both convolutions and of the output.
        public var planes: Int
        /// The first convolution's (and the projection's) stride.
        public var stride: Int
        /// Whether the shortcut is a 1x1 convolution with batch norm.
        public var downsample: Bool

        /// The settings.
        ///
        /// - Parameters:
        ///   - inputChannels: channels of the input.
        ///   - planes: channels of the convolutions and the output.
        ///   - stride: the first convolution's stride.
        ///   - downsample: whether the shortcut projects.
        public init(inputChannels: Int, planes: Int, stride: Int = 1, downsample: Bool = false) {
            self.inputChannels = inputChannels
            self.planes = planes
            self.stride = stride
            self.downsample = downsample
        }

        /// Channels in 1...65536, stride in 1...64; without a projection the shape must not change.
        ///
        /// - Throws: `SettingError` naming the setting.
        public func validate() throws(SettingError) {
            for (name, value) in [("inputChannels", inputChannels), ("planes", planes)] where !(1...65_536).contains(value) {
                throw SettingError(name, expected: "a count in 1...65536", found: value)
            }
            guard (1...64).contains(stride) else { throw SettingError("stride", expected: "a stride in 1...64", found: stride) }
            guard downsample || (stride == 1 && inputChannels == planes) else {
                throw SettingError("downsample", expected: "true when the stride or the channel count changes", found: downsample)
            }
        }

        /// Two 3x3 convolutions, two batch norms, and the projection if any.
        public var valueCount: Int {
            saturatingSum([9 * inputChannels * planes, 9 * planes * planes, 2 * (4 * planes + 1),
                           downsample ? inputChannels * planes + 4 * planes + 1 : 0])
        }
    }

    /// The name in model files.
    public static var typeName: String { "BasicBlock" }
    /// The settings the block was made with.
    public let settings: Settings
    /// The first 3x3 convolution (carries the stride).
    public let conv1: Conv2d
    /// Batch norm after it.
    public let bn1: BatchNorm2d
    /// The activation.
    public let relu: ReLU
    /// The second 3x3 convolution.
    public let conv2: Conv2d
    /// Batch norm after it.
    public let bn2: BatchNorm2d
    /// The projection of the input, or `nil` for the identity.
    public let downsample: Sequential?

    /// Makes the block.
    ///
    /// - Parameters:
    ///   - settings: the block's settings (must validate).
    ///   - generator: the source of the convolutions' initial values.
    public init(settings: Settings, generator: inout some RandomNumberGenerator) {
        self.settings = settings.required(by: "BasicBlock")
        let (input, planes, stride) = (settings.inputChannels, settings.planes, IntOrPair(settings.stride))
        conv1 = Conv2d(inputChannels: input, outputChannels: planes, kernelSize: 3, stride: stride, padding: 1, bias: false, generator: &generator)
        bn1 = BatchNorm2d(features: planes)
        relu = ReLU()
        conv2 = Conv2d(inputChannels: planes, outputChannels: planes, kernelSize: 3, padding: 1, bias: false, generator: &generator)
        bn2 = BatchNorm2d(features: planes)
        downsample = settings.downsample
            ? Sequential(Conv2d(inputChannels: input, outputChannels: planes, kernelSize: 1, stride: stride, bias: false, generator: &generator),
                         BatchNorm2d(features: planes))
            : nil
    }

    /// Makes the block with seed-0 initial parameters, as a rebuild from a file does (the file's tensors then replace them).
    ///
    /// - Parameter settings: the block's settings.
    public convenience init(settings: Settings) {
        var rng = SeededGenerator(seed: 0)
        self.init(settings: settings, generator: &rng)
    }

    /// The block's output.
    ///
    /// - Parameter input: the input.
    /// - Returns: the output.
    public override func forward(_ input: Tensor) -> Tensor {
        let main = bn2(conv2(relu(bn1(conv1(input)))))
        return relu(main + (downsample?(input) ?? input))
    }

    /// The main path's shape, which must equal the shortcut's.
    ///
    /// - Parameter input: the input's shape.
    /// - Returns: the output's shape.
    /// - Throws: `ShapeError` when the layer cannot take the input.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        var main = input
        for (name, layer) in [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2)] as [(String, Module)] {
            main = try childOutputShape(layer, named: name, for: main)
        }
        let shortcut = try downsample.map { (projection) throws(ShapeError) in try childOutputShape(projection, named: "downsample", for: input) } ?? input
        guard main == shortcut else { throw ShapeError(self, input: input, needs: "a shortcut of the main path's shape \(main), not \(shortcut)") }
        return main
    }
}

/// torchvision's `Bottleneck` (resnet50 and deeper, ResNeXt, wide ResNets), with torchvision's
/// keys: 1x1 down to `width`, 3x3 (with the stride and groups), 1x1 up to `4·planes`, each with
/// batch norm, plus the shortcut: `relu(bn3(conv3(...)) + downsample(x))`.
///
/// ```swift
/// let block = Bottleneck(settings: .init(inputChannels: 64, planes: 64, downsample: true))   // 64 -> 256 channels
/// ```
public final class Bottleneck: Module, ModuleArchitecture, @unchecked Sendable {
    /// What a bottleneck block is made from.
    public struct Settings: ModuleSettings {
        /// Channels of the input.
        public var inputChannels: Int
        /// The block's base channel count; it outputs `4·planes`.
        public var planes: Int
        /// The 3x3 convolution's (and the projection's) stride.
        public var stride: Int
        /// The 3x3 convolution's groups.
        public var groups: Int
        /// Channels per group at `planes = 64` (torchvision's `base_width`).
        public var baseWidth: Int
        /// Whether the shortcut is a 1x1 convolution with batch norm.
        public var downsample: Bool

        /// The settings.
        ///
        /// - Parameters:
        ///   - inputChannels: channels of the input.
        ///   - planes: the base channel count (the output has 4·planes).
        ///   - stride: the 3x3 convolution's stride.
        ///   - groups: the 3x3 convolution's groups.
        ///   - baseWidth: torchvision's `base_width`.
        ///   - downsample: whether the shortcut projects.
        public init(inputChannels: Int, planes: Int, stride: Int = 1, groups: Int = 1, baseWidth: Int = 64, downsample: Bool = false) {
            self.inputChannels = inputChannels
            self.planes = planes
            self.stride = stride
            self.groups = groups
            self.baseWidth = baseWidth
            self.downsample = downsample
        }

        /// The 3x3 convolution's channels: `planes · baseWidth / 64 · groups`.
        public var width: Int { planes * baseWidth / 64 * groups }
        /// The output's channels: `4 · planes`.
        public var outputChannels: Int { 4 * planes }

        /// Channels in 1...65536, stride in 1...64, groups and base width in 1...1024 giving a width
        /// in 1...65536; without a projection the shape must not change.
        ///
        /// - Throws: `SettingError` naming the setting.
        public func validate() throws(SettingError) {
            for (name, value) in [("inputChannels", inputChannels), ("planes", planes)] where !(1...16_384).contains(value) {
                throw SettingError(name, expected: "a count in 1...16384", found: value)
            }
            guard (1...64).contains(stride) else { throw SettingError("stride", expected: "a stride in 1...64", found: stride) }
            guard (1...1024).contains(groups) else { throw SettingError("groups", expected: "a count in 1...1024", found: groups) }
            guard (1...1024).contains(baseWidth), (1...65_536).contains(width) else {
                throw SettingError("baseWidth", expected: "a width in 1...1024 giving 1...65536 channels", found: baseWidth)
            }
            guard downsample || (stride == 1 && inputChannels == outputChannels) else {
                throw SettingError("downsample", expected: "true when the stride or the channel count changes", found: downsample)
            }
        }

        /// Three convolutions, three batch norms, and the projection if any.
        public var valueCount: Int {
            saturatingSum([inputChannels * width, 9 * width * (width / groups), width * outputChannels,
                           2 * (4 * width + 1) + 4 * outputChannels + 1,
                           downsample ? inputChannels * outputChannels + 4 * outputChannels + 1 : 0])
        }
    }

    /// The name in model files.
    public static var typeName: String { "Bottleneck" }
    /// The settings the block was made with.
    public let settings: Settings
    /// The 1x1 reduction.
    public let conv1: Conv2d
    /// Batch norm after it.
    public let bn1: BatchNorm2d
    /// The 3x3 convolution (carries the stride and groups).
    public let conv2: Conv2d
    /// Batch norm after it.
    public let bn2: BatchNorm2d
    /// The 1x1 expansion.
    public let conv3: Conv2d
    /// Batch norm after it.
    public let bn3: BatchNorm2d
    /// The activation.
    public let relu: ReLU
    /// The projection of the input, or `nil` for the identity.
    public let downsample: Sequential?

    /// Makes the block.
    ///
    /// - Parameters:
    ///   - settings: the block's settings (must validate).
    ///   - generator: the source of the convolutions' initial values.
    public init(settings: Settings, generator: inout some RandomNumberGenerator) {
        self.settings = settings.required(by: "Bottleneck")
        let (input, width, output, stride) = (settings.inputChannels, settings.width, settings.outputChannels, IntOrPair(settings.stride))
        conv1 = Conv2d(inputChannels: input, outputChannels: width, kernelSize: 1, bias: false, generator: &generator)
        bn1 = BatchNorm2d(features: width)
        conv2 = Conv2d(inputChannels: width, outputChannels: width, kernelSize: 3, stride: stride, padding: 1, groups: settings.groups,
                       bias: false, generator: &generator)
        bn2 = BatchNorm2d(features: width)
        conv3 = Conv2d(inputChannels: width, outputChannels: output, kernelSize: 1, bias: false, generator: &generator)
        bn3 = BatchNorm2d(features: output)
        relu = ReLU()
        downsample = settings.downsample
            ? Sequential(Conv2d(inputChannels: input, outputChannels: output, kernelSize: 1, stride: stride, bias: false, generator: &generator),
                         BatchNorm2d(features: output))
            : nil
    }

    /// Makes the block with seed-0 initial parameters, as a rebuild from a file does (the file's tensors then replace them).
    ///
    /// - Parameter settings: the block's settings.
    public convenience init(settings: Settings) {
        var rng = SeededGenerator(seed: 0)
        self.init(settings: settings, generator: &rng)
    }

    /// The block's output.
    ///
    /// - Parameter input: the input.
    /// - Returns: the output.
    public override func forward(_ input: Tensor) -> Tensor {
        let main = bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(input))))))))
        return relu(main + (downsample?(input) ?? input))
    }

    /// The main path's shape, which must equal the shortcut's.
    ///
    /// - Parameter input: the input's shape.
    /// - Returns: the output's shape.
    /// - Throws: `ShapeError` when the layer cannot take the input.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        var main = input
        for (name, layer) in [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2), ("conv3", conv3), ("bn3", bn3)] as [(String, Module)] {
            main = try childOutputShape(layer, named: name, for: main)
        }
        let shortcut = try downsample.map { (projection) throws(ShapeError) in try childOutputShape(projection, named: "downsample", for: input) } ?? input
        guard main == shortcut else { throw ShapeError(self, input: input, needs: "a shortcut of the main path's shape \(main), not \(shortcut)") }
        return main
    }
}

/// torchvision's `ResNet` with torchvision's keys (`conv1`, `bn1`, `layer1.0.conv1`, ..., `fc`), so
/// `torch.save(torchvision.models.resnet50().state_dict())` loads with `loadWeights(from:)`.
///
/// ```swift
/// let net = ResNet.resnet18(classes: 1000)
/// try net.loadWeights(from: "resnet18.pth")
/// ```
public final class ResNet: Module, ModuleArchitecture, @unchecked Sendable {
    /// What a ResNet is made from.
    public struct Settings: ModuleSettings {
        /// `basic` (resnet18/34) or `bottleneck` (resnet50/101/152).
        public var block: String
        /// Blocks per stage (`[2, 2, 2, 2]` for resnet18).
        public var layers: [Int]
        /// Outputs of `fc`.
        public var classes: Int
        /// Channels of the input images.
        public var inputChannels: Int

        /// The settings.
        ///
        /// - Parameters:
        ///   - block: `basic` or `bottleneck`.
        ///   - layers: blocks per stage.
        ///   - classes: outputs of `fc`.
        ///   - inputChannels: channels of the images.
        public init(block: String, layers: [Int], classes: Int = 1000, inputChannels: Int = 3) {
            self.block = block
            self.layers = layers
            self.classes = classes
            self.inputChannels = inputChannels
        }

        /// `basic` or `bottleneck`, four stages of 1...64 blocks, 1...1000000 classes, 1...64 channels.
        ///
        /// - Throws: `SettingError` naming the setting.
        public func validate() throws(SettingError) {
            guard block == "basic" || block == "bottleneck" else { throw SettingError("block", expected: "basic or bottleneck", found: block) }
            guard layers.count == 4, layers.allSatisfy({ (1...64).contains($0) }) else {
                throw SettingError("layers", expected: "four block counts in 1...64", found: layers)
            }
            guard (1...1_000_000).contains(classes) else { throw SettingError("classes", expected: "a count in 1...1000000", found: classes) }
            guard (1...64).contains(inputChannels) else { throw SettingError("inputChannels", expected: "a count in 1...64", found: inputChannels) }
        }

        /// The expansion of the block's output channels.
        var expansion: Int { block == "basic" ? 1 : 4 }

        /// Every block's settings, stage by stage.
        var stages: [[Any]] {
            var input = 64
            var stages: [[Any]] = []
            for (stage, count) in layers.enumerated() {
                let planes = 64 << stage
                var blocks: [Any] = []
                for index in 0..<count {
                    let stride = index == 0 && stage > 0 ? 2 : 1
                    let projects = index == 0 && (stride != 1 || input != planes * expansion)
                    blocks.append(block == "basic"
                        ? BasicBlock.Settings(inputChannels: input, planes: planes, stride: stride, downsample: projects) as Any
                        : Bottleneck.Settings(inputChannels: input, planes: planes, stride: stride, downsample: projects) as Any)
                    input = planes * expansion
                }
                stages.append(blocks)
            }
            return stages
        }

        /// The stem, every block and `fc`.
        public var valueCount: Int {
            var terms = [49 * inputChannels * 64, 4 * 64 + 1, 512 * expansion * classes + classes]
            for stage in stages {
                for settings in stage {
                    if let basic = settings as? BasicBlock.Settings { terms.append(basic.valueCount) }
                    if let bottleneck = settings as? Bottleneck.Settings { terms.append(bottleneck.valueCount) }
                }
            }
            return saturatingSum(terms)
        }
    }

    /// The name in model files.
    public static var typeName: String { "ResNet" }
    /// The settings the network was made with.
    public let settings: Settings
    /// The 7x7 stride-2 stem convolution.
    public let conv1: Conv2d
    /// Batch norm after it.
    public let bn1: BatchNorm2d
    /// The activation.
    public let relu: ReLU
    /// The 3x3 stride-2 max pooling.
    public let maxpool: MaxPool2d
    /// Stage 1 (64 base channels).
    public let layer1: Sequential
    /// Stage 2 (128, stride 2).
    public let layer2: Sequential
    /// Stage 3 (256, stride 2).
    public let layer3: Sequential
    /// Stage 4 (512, stride 2).
    public let layer4: Sequential
    /// Global average pooling.
    public let avgpool: AdaptiveAvgPool2d
    /// The classifier.
    public let fc: Linear

    /// Makes the network.
    ///
    /// - Parameters:
    ///   - settings: the network's settings (must validate).
    ///   - generator: the source of the initial values.
    public init(settings: Settings, generator: inout some RandomNumberGenerator) {
        self.settings = settings.required(by: "ResNet")
        conv1 = Conv2d(inputChannels: settings.inputChannels, outputChannels: 64, kernelSize: 7, stride: 2, padding: 3, bias: false,
                       generator: &generator)
        bn1 = BatchNorm2d(features: 64)
        relu = ReLU()
        maxpool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        var stages: [Sequential] = []
        for stage in settings.stages {
            var blocks: [Module] = []
            for block in stage {
                if let basic = block as? BasicBlock.Settings { blocks.append(BasicBlock(settings: basic, generator: &generator)) }
                if let bottleneck = block as? Bottleneck.Settings { blocks.append(Bottleneck(settings: bottleneck, generator: &generator)) }
            }
            stages.append(Sequential(blocks))
        }
        layer1 = stages[0]
        layer2 = stages[1]
        layer3 = stages[2]
        layer4 = stages[3]
        avgpool = AdaptiveAvgPool2d(outputSize: 1)
        fc = Linear(inputFeatures: 512 * settings.expansion, outputFeatures: settings.classes, generator: &generator)
    }

    /// Makes the network with seed-0 initial parameters, as a rebuild from a file does (the file's tensors then replace them).
    ///
    /// - Parameter settings: the network's settings.
    public convenience init(settings: Settings) {
        var rng = SeededGenerator(seed: 0)
        self.init(settings: settings, generator: &rng)
    }

    /// torchvision's `resnet18` (basic blocks, `[2, 2, 2, 2]`), seed-0 initial weights (load a checkpoint for trained ones).
    ///
    /// - Parameter classes: outputs of `fc`.
    /// - Returns: the network.
    public static func resnet18(classes: Int = 1000) -> ResNet { ResNet(settings: Settings(block: "basic", layers: [2, 2, 2, 2], classes: classes)) }
    /// torchvision's `resnet34` (basic blocks, `[3, 4, 6, 3]`), seed-0 initial weights (load a checkpoint for trained ones).
    ///
    /// - Parameter classes: outputs of `fc`.
    /// - Returns: the network.
    public static func resnet34(classes: Int = 1000) -> ResNet { ResNet(settings: Settings(block: "basic", layers: [3, 4, 6, 3], classes: classes)) }
    /// torchvision's `resnet50` (bottleneck blocks, `[3, 4, 6, 3]`), seed-0 initial weights (load a checkpoint for trained ones).
    ///
    /// - Parameter classes: outputs of `fc`.
    /// - Returns: the network.
    public static func resnet50(classes: Int = 1000) -> ResNet { ResNet(settings: Settings(block: "bottleneck", layers: [3, 4, 6, 3], classes: classes)) }

    /// Logits `[N, classes]`.
    ///
    /// - Parameter input: the input.
    /// - Returns: the output.
    public override func forward(_ input: Tensor) -> Tensor {
        var x = maxpool(relu(bn1(conv1(input))))
        x = layer4(layer3(layer2(layer1(x))))
        return fc(avgpool(x).flattened(startAxis: 1))
    }

    /// `[N, classes]` for `[N, inputChannels, H, W]` large enough for the five stride-2 steps.
    ///
    /// - Parameter input: the input's shape.
    /// - Returns: the output's shape.
    /// - Throws: `ShapeError` when the layer cannot take the input.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 4 else { throw ShapeError(self, input: input, needs: "[N, \(settings.inputChannels), H, W]") }
        var shape = input
        for (name, layer) in [("conv1", conv1), ("bn1", bn1), ("maxpool", maxpool), ("layer1", layer1), ("layer2", layer2),
                              ("layer3", layer3), ("layer4", layer4), ("avgpool", avgpool)] as [(String, Module)] {
            shape = try childOutputShape(layer, named: name, for: shape)
        }
        return try childOutputShape(fc, named: "fc", for: [shape[0], shape[1] * shape[2] * shape[3]])
    }
}
