/// Batch normalisation over the channel axis (axis 1): in training, each channel is
/// normalised by its batch mean and (biased) variance, `y = (x - μ)/√(σ² + ε)·γ + β`, and the
/// running statistics move by `momentum` (with the unbiased variance, as PyTorch); in
/// evaluation, the running statistics are used. Keys match PyTorch: `weight`, `bias`,
/// `running_mean`, `running_var`, `num_batches_tracked`.
///
/// ```swift
/// let norm = BatchNorm2d(features: 16)   // for [N, 16, H, W]
/// ```
public class BatchNorm: Module, @unchecked Sendable {
    /// What a batch-norm layer is made from.
    public struct Settings: ModuleSettings {
        /// The number of channels.
        public var features: Int
        /// The weight of the newest batch in the running statistics.
        public var momentum: Float
        /// ε, added to the variance.
        public var epsilon: Float

        /// The settings (PyTorch's defaults).
        ///
        /// - Parameters:
        ///   - features: The number of channels, in `1...100_000_000`.
        ///   - momentum: The weight of the newest batch in the running statistics, in `[0, 1]`.
        ///   - epsilon: ε, added to the variance; finite and not negative.
        public init(features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
            self.features = features
            self.momentum = momentum
            self.epsilon = epsilon
        }

        /// Features in 1...100000000, momentum in [0, 1], ε ≥ 0 (all finite).
        ///
        /// - Throws: ``SettingError`` naming `features`, `momentum` or `epsilon` when out of range.
        public func validate() throws(SettingError) {
            guard (1...100_000_000).contains(features) else { throw SettingError("features", expected: "a count in 1...100000000", found: features) }
            guard (0...1).contains(momentum) else { throw SettingError("momentum", expected: "a number in [0, 1]", found: momentum) }
            guard epsilon >= 0, epsilon.isFinite else { throw SettingError("epsilon", expected: "a finite number ≥ 0", found: epsilon) }
        }

        /// Weight, bias, the two running statistics and the batch count.
        public var valueCount: Int { 4 * features + 1 }
    }

    /// The settings the layer was made with.
    public let settings: Settings
    /// The scale γ, `[features]`, initialised to 1.
    public let weight: Tensor
    /// The shift β, `[features]`, initialised to 0.
    public let bias: Tensor
    /// The running mean, `[features]`.
    @Buffer public var runningMean: Tensor
    /// The running variance, `[features]`.
    @Buffer public var runningVar: Tensor
    /// The number of training batches seen.
    @Buffer public var numBatchesTracked: Tensor
    /// The input ranks accepted (2 or 3 for BatchNorm1d, 4 for BatchNorm2d).
    let ranks: [Int]

    /// Makes the layer for inputs of the given ranks.
    init(settings: Settings, ranks: [Int], module: String) {
        self.settings = settings.required(by: module)
        weight = Tensor.ones([settings.features]).requiresGrad()
        bias = Tensor.zeros([settings.features]).requiresGrad()
        runningMean = Tensor.zeros([settings.features])
        runningVar = Tensor.ones([settings.features])
        numBatchesTracked = Tensor(0)
        self.ranks = ranks
    }

    /// The number of channels.
    public var features: Int { settings.features }
    /// The weight of the newest batch in the running statistics.
    public var momentum: Float { settings.momentum }
    /// ε, added to the variance.
    public var epsilon: Float { settings.epsilon }

    /// The normalised input.
    ///
    /// - Parameter input: `[N, features, ...]` of an accepted rank; in training, more than one value per channel.
    /// - Returns: A tensor of the input's shape. In training mode it also moves the running mean and
    ///   (unbiased) variance by `momentum` and counts the batch.
    public override func forward(_ input: Tensor) -> Tensor {
        require(ranks.contains(input.rank) && input.shape[1] == features,
                "\(type(of: self)): expected input of rank \(ranks.map(String.init).joined(separator: " or ")) with \(features) channels on axis 1, got shape \(input.shape)")
        if !isTraining {
            return Tensor.batchNorm(input, weight: weight, bias: bias, statistics: (runningMean.scalars, runningVar.scalars),
                                    epsilon: epsilon).output
        }
        // In data-parallel training the statistics are the global batch's (SynchronizedBatchNorm).
        let world = SynchronizedBatchNorm.world
        if world == nil {
            require(input.count / features > 1, "\(type(of: self)): training needs more than one value per channel, got shape \(input.shape)")
        }
        let (output, mean, variance, n) = Tensor.batchNorm(input, weight: weight, bias: bias, statistics: nil, epsilon: epsilon,
                                                           synchronizedOver: world)
        require(n > 1, "\(type(of: self)): training needs more than one value per channel, got \(n) over all ranks")
        noGrad {
            let unbiased = Tensor(variance) * (Float(n) / Float(n - 1))
            runningMean.assign(runningMean * (1 - momentum) + Tensor(mean) * momentum)
            runningVar.assign(runningVar * (1 - momentum) + unbiased * momentum)
            numBatchesTracked += 1
        }
        return output
    }

    /// The running variance plus ε must be positive for every channel (evaluation divides by
    /// its square root).
    ///
    /// - Returns: `running_var`, the rule and the first value that breaks it; `nil` when all pass.
    public override func checkLoadedValues() -> (name: String, expected: String, found: String)? {
        let variances = runningVar.storage
        guard let index = variances.firstIndex(where: { !($0 + epsilon > 0) }) else { return nil }
        return ("running_var", "values with running_var + ε > 0 (ε = \(epsilon))", "\(variances[index]) at index \(index)")
    }

    /// The input's shape, which must have an accepted rank and `features` channels on axis 1;
    /// in training mode, also more than one value per channel.
    ///
    /// - Parameter input: The input's shape.
    /// - Returns: `input`, unchanged.
    /// - Throws: ``ShapeError`` for another rank, another channel count, or (training) one value per channel.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        let ranksText = ranks.map(String.init).joined(separator: " or ")
        guard ranks.contains(input.count), input[1] == features else {
            throw ShapeError(self, input: input, needs: "rank \(ranksText) with \(features) channels on axis 1")
        }
        if isTraining, (checkedProduct(input) ?? .max) / features <= 1 {
            throw ShapeError(self, input: input, needs: "more than one value per channel to train")
        }
        return input
    }
}

/// Batch normalisation for `[N, C]` or `[N, C, L]` inputs (PyTorch's `BatchNorm1d`).
///
/// ```swift
/// let norm = BatchNorm1d(features: 200)
/// ```
public final class BatchNorm1d: BatchNorm, ModuleArchitecture, @unchecked Sendable {
    /// The name in model files.
    public static var typeName: String { "BatchNorm1d" }

    /// Makes the layer.
    ///
    /// - Parameter settings: the layer's settings (must validate).
    public init(settings: Settings) { super.init(settings: settings, ranks: [2, 3], module: "BatchNorm1d") }

    /// Makes the layer.
    ///
    /// - Parameters:
    ///   - features: the number of channels.
    ///   - momentum: the weight of the newest batch in the running statistics.
    ///   - epsilon: ε, added to the variance.
    public convenience init(features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        self.init(settings: Settings(features: features, momentum: momentum, epsilon: epsilon))
    }
}

/// Batch normalisation for `[N, C, H, W]` inputs (PyTorch's `BatchNorm2d`).
///
/// ```swift
/// let norm = BatchNorm2d(features: 16)
/// ```
public final class BatchNorm2d: BatchNorm, ModuleArchitecture, @unchecked Sendable {
    /// The name in model files.
    public static var typeName: String { "BatchNorm2d" }

    /// Makes the layer.
    ///
    /// - Parameter settings: the layer's settings (must validate).
    public init(settings: Settings) { super.init(settings: settings, ranks: [4], module: "BatchNorm2d") }

    /// Makes the layer.
    ///
    /// - Parameters:
    ///   - features: the number of channels.
    ///   - momentum: the weight of the newest batch in the running statistics.
    ///   - epsilon: ε, added to the variance.
    public convenience init(features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        self.init(settings: Settings(features: features, momentum: momentum, epsilon: epsilon))
    }
}

/// Layer normalisation over the trailing `normalizedShape` axes of each sample:
/// `y = (x - μ)/√(σ² + ε)·γ + β` (PyTorch's `LayerNorm`).
///
/// ```swift
/// let norm = LayerNorm(normalizedShape: [64])
/// ```
public final class LayerNorm: Module, ModuleArchitecture, @unchecked Sendable {
    /// What a layer-norm layer is made from.
    public struct Settings: ModuleSettings {
        /// The trailing axes normalised over.
        public var normalizedShape: [Int]
        /// ε, added to the variance.
        public var epsilon: Float

        /// The settings.
        ///
        /// - Parameters:
        ///   - normalizedShape: The trailing axes normalised over: 1 to 8 positive sizes.
        ///   - epsilon: ε, added to the variance; finite and not negative.
        public init(normalizedShape: [Int], epsilon: Float = 1e-5) {
            self.normalizedShape = normalizedShape
            self.epsilon = epsilon
        }

        /// 1 to 8 positive sizes whose product is at most 100000000 (checked without overflow);
        /// ε finite and ≥ 0.
        ///
        /// - Throws: ``SettingError`` for `normalizedShape` with no, too many or non-positive sizes (or a product over 100,000,000), or `epsilon` out of range.
        public func validate() throws(SettingError) {
            guard (1...8).contains(normalizedShape.count), normalizedShape.allSatisfy({ $0 >= 1 }),
                  let product = checkedProduct(normalizedShape), product <= 100_000_000 else {
                throw SettingError("normalizedShape", expected: "1 to 8 positive sizes with a product of at most 100000000",
                                   found: normalizedShape)
            }
            guard epsilon >= 0, epsilon.isFinite else { throw SettingError("epsilon", expected: "a finite number ≥ 0", found: epsilon) }
        }

        /// γ and β.
        public var valueCount: Int { 2 * (checkedProduct(normalizedShape) ?? .max / 2) }
    }

    /// The name in model files.
    public static var typeName: String { "LayerNorm" }
    /// The settings the layer was made with.
    public let settings: Settings
    /// The scale γ, shaped like `normalizedShape`.
    public let weight: Tensor
    /// The shift β, shaped like `normalizedShape`.
    public let bias: Tensor

    /// Makes the layer.
    ///
    /// - Parameter settings: the layer's settings (must validate).
    public init(settings: Settings) {
        self.settings = settings.required(by: "LayerNorm")
        weight = Tensor.ones(settings.normalizedShape).requiresGrad()
        bias = Tensor.zeros(settings.normalizedShape).requiresGrad()
    }

    /// Makes the layer.
    ///
    /// - Parameters:
    ///   - normalizedShape: the trailing axes normalised over.
    ///   - epsilon: ε, added to the variance.
    public convenience init(normalizedShape: [Int], epsilon: Float = 1e-5) {
        self.init(settings: Settings(normalizedShape: normalizedShape, epsilon: epsilon))
    }

    /// ε, added to the variance.
    public var epsilon: Float { settings.epsilon }

    /// The normalised input.
    ///
    /// - Parameter input: A tensor whose trailing axes are `normalizedShape`.
    /// - Returns: A tensor of the input's shape, each sample normalised over those axes.
    public override func forward(_ input: Tensor) -> Tensor {
        let trailing = weight.rank
        require(input.rank >= trailing && Array(input.shape.suffix(trailing)) == weight.shape,
                "LayerNorm: input of shape \(input.shape) does not end with \(weight.shape)")
        let axes = Array((input.rank - trailing)..<input.rank)
        let mean = input.mean(axes: axes, keepDims: true)
        let variance = (input - mean).squared().mean(axes: axes, keepDims: true)
        return (input - mean) / (variance + epsilon).sqrt() * weight + bias
    }

    /// The input's shape, which must end with `normalizedShape`.
    ///
    /// - Parameter input: The input's shape.
    /// - Returns: `input`, unchanged.
    /// - Throws: ``ShapeError`` when the input does not end with `normalizedShape`.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard Array(input.suffix(settings.normalizedShape.count)) == settings.normalizedShape else {
            throw ShapeError(self, input: input, needs: "trailing axes \(settings.normalizedShape)")
        }
        return input
    }
}
