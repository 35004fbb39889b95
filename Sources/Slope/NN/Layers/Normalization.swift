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
    /// The weight of the newest batch in the running statistics.
    public let momentum: Float
    /// ε, added to the variance.
    public let epsilon: Float
    /// The input ranks accepted (2 or 3 for BatchNorm1d, 4 for BatchNorm2d).
    let ranks: [Int]

    /// Makes the layer for inputs of the given ranks.
    init(features: Int, ranks: [Int], momentum: Float, epsilon: Float) {
        require(features > 0, "BatchNorm: features must be positive, got \(features)")
        weight = Tensor.ones([features]).requiresGrad()
        bias = Tensor.zeros([features]).requiresGrad()
        runningMean = Tensor.zeros([features])
        runningVar = Tensor.ones([features])
        numBatchesTracked = Tensor(0)
        self.momentum = momentum
        self.epsilon = epsilon
        self.ranks = ranks
    }

    /// The number of channels.
    public var features: Int { weight.count }

    /// The normalised input.
    public override func forward(_ input: Tensor) -> Tensor {
        require(ranks.contains(input.rank) && input.shape[1] == features,
                "\(type(of: self)): expected input of rank \(ranks.map(String.init).joined(separator: " or ")) with \(features) channels on axis 1, got shape \(input.shape)")
        if !isTraining {
            return Tensor.batchNorm(input, weight: weight, bias: bias, statistics: (runningMean.scalars, runningVar.scalars),
                                    epsilon: epsilon).output
        }
        let n = input.count / features
        require(n > 1, "\(type(of: self)): training needs more than one value per channel, got shape \(input.shape)")
        let (output, mean, variance) = Tensor.batchNorm(input, weight: weight, bias: bias, epsilon: epsilon)
        noGrad {
            let unbiased = Tensor(variance) * (Float(n) / Float(n - 1))
            runningMean.assign(runningMean * (1 - momentum) + Tensor(mean) * momentum)
            runningVar.assign(runningVar * (1 - momentum) + unbiased * momentum)
            numBatchesTracked += 1
        }
        return output
    }

    public override var extraDescription: String { "features: \(features), epsilon: \(epsilon), momentum: \(momentum)" }
}

/// Batch normalisation for `[N, C]` or `[N, C, L]` inputs (PyTorch's `BatchNorm1d`).
///
/// ```swift
/// let norm = BatchNorm1d(features: 200)
/// ```
public final class BatchNorm1d: BatchNorm, @unchecked Sendable {
    /// Makes the layer.
    public init(features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        super.init(features: features, ranks: [2, 3], momentum: momentum, epsilon: epsilon)
    }
}

/// Batch normalisation for `[N, C, H, W]` inputs (PyTorch's `BatchNorm2d`).
///
/// ```swift
/// let norm = BatchNorm2d(features: 16)
/// ```
public final class BatchNorm2d: BatchNorm, @unchecked Sendable {
    /// Makes the layer.
    public init(features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        super.init(features: features, ranks: [4], momentum: momentum, epsilon: epsilon)
    }
}

/// Layer normalisation over the trailing `normalizedShape` axes of each sample:
/// `y = (x - μ)/√(σ² + ε)·γ + β` (PyTorch's `LayerNorm`).
///
/// ```swift
/// let norm = LayerNorm(normalizedShape: [64])
/// ```
public final class LayerNorm: Module, @unchecked Sendable {
    /// The scale γ, shaped like `normalizedShape`.
    public let weight: Tensor
    /// The shift β, shaped like `normalizedShape`.
    public let bias: Tensor
    /// ε, added to the variance.
    public let epsilon: Float

    /// Makes the layer.
    public init(normalizedShape: [Int], epsilon: Float = 1e-5) {
        require(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 }, "LayerNorm: invalid normalizedShape \(normalizedShape)")
        weight = Tensor.ones(normalizedShape).requiresGrad()
        bias = Tensor.zeros(normalizedShape).requiresGrad()
        self.epsilon = epsilon
    }

    /// The normalised input.
    public override func forward(_ input: Tensor) -> Tensor {
        let trailing = weight.rank
        require(input.rank >= trailing && Array(input.shape.suffix(trailing)) == weight.shape,
                "LayerNorm: input of shape \(input.shape) does not end with \(weight.shape)")
        let axes = Array((input.rank - trailing)..<input.rank)
        let mean = input.mean(axes: axes, keepDims: true)
        let variance = (input - mean).squared().mean(axes: axes, keepDims: true)
        return (input - mean) / (variance + epsilon).sqrt() * weight + bias
    }

    public override var extraDescription: String { "normalizedShape: \(weight.shape), epsilon: \(epsilon)" }
}

extension BatchNorm1d: ModuleArchitecture {
    public static var typeName: String { "BatchNorm1d" }
    public var configuration: [(String, JSON)] {
        [("features", .int(features)), ("momentum", .float(momentum)), ("epsilon", .float(epsilon))]
    }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module {
        let features = try spec.size("features", in: 1...100_000_000)
        try spec.reserve(4 * features + 1)
        return BatchNorm1d(features: features, momentum: try spec.float("momentum"), epsilon: try spec.float("epsilon"))
    }
}

extension BatchNorm2d: ModuleArchitecture {
    public static var typeName: String { "BatchNorm2d" }
    public var configuration: [(String, JSON)] {
        [("features", .int(features)), ("momentum", .float(momentum)), ("epsilon", .float(epsilon))]
    }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module {
        let features = try spec.size("features", in: 1...100_000_000)
        try spec.reserve(4 * features + 1)
        return BatchNorm2d(features: features, momentum: try spec.float("momentum"), epsilon: try spec.float("epsilon"))
    }
}

extension LayerNorm: ModuleArchitecture {
    public static var typeName: String { "LayerNorm" }
    public var configuration: [(String, JSON)] {
        [("normalizedShape", .array(weight.shape.map { .int($0) })), ("epsilon", .float(epsilon))]
    }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module {
        let shape = try spec.ints("normalizedShape")
        guard !shape.isEmpty, shape.count <= 8, shape.allSatisfy({ $0 > 0 && $0 <= 1_000_000 }), shape.reduce(1, *) <= 100_000_000 else {
            throw .manifest(file: spec.file, field: "architecture.\(spec.path).config.normalizedShape", expected: "a list of positive sizes")
        }
        try spec.reserve(2 * shape.reduce(1, *))
        return LayerNorm(normalizedShape: shape, epsilon: try spec.float("epsilon"))
    }
}
