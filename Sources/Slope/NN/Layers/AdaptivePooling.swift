/// Takes the maximum of each image over PyTorch's adaptive windows down to `outputSize`
/// (`nn.AdaptiveMaxPool2d`): output row `i` of `H'` covers input rows `⌊i·H/H'⌋ ..< ⌈(i+1)·H/H'⌉`
/// (columns alike). Built from slices and `max`, so its gradient is theirs.
///
/// ```swift
/// let pooled = AdaptiveMaxPool2d(outputSize: 1)(features)   // [N, C, H, W] -> [N, C, 1, 1]
/// ```
public final class AdaptiveMaxPool2d: Module, ModuleArchitecture, @unchecked Sendable {
    /// The output size.
    public struct Settings: ModuleSettings {
        /// The output's height and width.
        public var outputSize: IntOrPair

        /// The settings.
        ///
        /// - Parameter outputSize: the output's height and width.
        public init(outputSize: IntOrPair) { self.outputSize = outputSize }

        /// An output size in 1...4096 on each axis.
        ///
        /// - Throws: `SettingError` naming the setting.
        public func validate() throws(SettingError) { try IntOrPair.check("outputSize", outputSize, in: 1...4096) }
    }

    /// The name in model files.
    public static var typeName: String { "AdaptiveMaxPool2d" }
    /// The settings the layer was made with.
    public let settings: Settings

    /// Makes the layer.
    ///
    /// - Parameter settings: the output size (must validate).
    public init(settings: Settings) { self.settings = settings.required(by: "AdaptiveMaxPool2d") }

    /// Makes the layer.
    ///
    /// - Parameter outputSize: the output's height and width.
    public convenience init(outputSize: IntOrPair) { self.init(settings: Settings(outputSize: outputSize)) }

    /// The windows' maxima.
    ///
    /// - Parameter input: the input.
    /// - Returns: the output.
    public override func forward(_ input: Tensor) -> Tensor {
        if input.rank == 3 { return forward(input.unsqueezed(axis: 0)).squeezed(axis: 0) }
        require(input.rank == 4 && input.shape[2] >= 1 && input.shape[3] >= 1,
                "AdaptiveMaxPool2d: expected [N, C, H, W] with H, W ≥ 1, got \(input.shape)")
        let (height, width) = (input.shape[2], input.shape[3])
        let (outputHeight, outputWidth) = (settings.outputSize.height, settings.outputSize.width)
        if outputHeight == 1 && outputWidth == 1 { return input.max(axes: [2, 3], keepDims: true) }
        var rows: [Tensor] = []
        for row in 0..<outputHeight {
            let top = row * height / outputHeight, bottom = ((row + 1) * height + outputHeight - 1) / outputHeight
            var cells: [Tensor] = []
            for column in 0..<outputWidth {
                let left = column * width / outputWidth, right = ((column + 1) * width + outputWidth - 1) / outputWidth
                cells.append(input.slice([.all, .all, .range(top, bottom, step: 1), .range(left, right, step: 1)])
                    .max(axes: [2, 3], keepDims: true))
            }
            rows.append(Tensor.concatenate(cells, axis: 3))
        }
        return Tensor.concatenate(rows, axis: 2)
    }

    /// `[N, C, H', W']` for `[N, C, H, W]` (or `[C, H', W']` for one image) with H, W ≥ 1.
    ///
    /// - Parameter input: the input's shape.
    /// - Returns: the output's shape.
    /// - Throws: `ShapeError` when the layer cannot take the input.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 4 || input.count == 3, input[input.count - 2] >= 1, input[input.count - 1] >= 1 else {
            throw ShapeError(self, input: input, needs: "[N, C, H, W] or [C, H, W] with H, W ≥ 1")
        }
        return Array(input.dropLast(2)) + [settings.outputSize.height, settings.outputSize.width]
    }
}

/// fastai's `AdaptiveConcatPool2d`: adaptive max pooling and adaptive average pooling side by
/// side on the channel axis, `cat([mp(x), ap(x)], 1)` (twice the channels). Children `ap`, `mp`
/// as fastai names them.
///
/// ```swift
/// let pool = AdaptiveConcatPool2d(outputSize: 1)   // [N, 512, 7, 7] -> [N, 1024, 1, 1]
/// ```
public final class AdaptiveConcatPool2d: Module, ModuleArchitecture, @unchecked Sendable {
    /// The output size.
    public struct Settings: ModuleSettings {
        /// The output's height and width.
        public var outputSize: IntOrPair

        /// The settings.
        ///
        /// - Parameter outputSize: the output's height and width.
        public init(outputSize: IntOrPair = 1) { self.outputSize = outputSize }

        /// An output size in 1...4096 on each axis.
        ///
        /// - Throws: `SettingError` naming the setting.
        public func validate() throws(SettingError) { try IntOrPair.check("outputSize", outputSize, in: 1...4096) }
    }

    /// The name in model files.
    public static var typeName: String { "AdaptiveConcatPool2d" }
    /// The settings the layer was made with.
    public let settings: Settings
    /// The average pooling.
    public let ap: AdaptiveAvgPool2d
    /// The max pooling.
    public let mp: AdaptiveMaxPool2d

    /// Makes the layer.
    ///
    /// - Parameter settings: the output size (must validate).
    public init(settings: Settings) {
        self.settings = settings.required(by: "AdaptiveConcatPool2d")
        ap = AdaptiveAvgPool2d(outputSize: settings.outputSize)
        mp = AdaptiveMaxPool2d(outputSize: settings.outputSize)
    }

    /// Makes the layer.
    ///
    /// - Parameter outputSize: the output's height and width.
    public convenience init(outputSize: IntOrPair = 1) { self.init(settings: Settings(outputSize: outputSize)) }

    /// `cat([mp(x), ap(x)], 1)`.
    ///
    /// - Parameter input: the input.
    /// - Returns: the output.
    public override func forward(_ input: Tensor) -> Tensor {
        Tensor.concatenate([mp(input), ap(input)], axis: input.rank == 3 ? 0 : 1)
    }

    /// The pooled shape with twice the channels.
    ///
    /// - Parameter input: the input's shape.
    /// - Returns: the output's shape.
    /// - Throws: `ShapeError` when the layer cannot take the input.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        var shape = try childOutputShape(mp, named: "mp", for: input)
        _ = try childOutputShape(ap, named: "ap", for: input)
        shape[shape.count - 3] *= 2
        return shape
    }
}
