/// A fully connected layer: `y = x Wᵀ + b`, weight `[outputFeatures, inputFeatures]`, with
/// PyTorch's default initialisation `U(-1/√in, 1/√in)` for weight and bias.
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// let layer = Linear(inputFeatures: 784, outputFeatures: 10, generator: &rng)
/// let logits = layer(images.flattened(startAxis: 1))
/// ```
public final class Linear: Module, @unchecked Sendable {
    /// The weight, `[outputFeatures, inputFeatures]`.
    public let weight: Tensor
    /// The bias, `[outputFeatures]`, or `nil` when made with `bias: false`.
    public let bias: Tensor?

    /// Makes a layer with freshly initialised parameters drawn from `generator`.
    ///
    /// ```swift
    /// let layer = Linear(inputFeatures: 1, outputFeatures: 32, generator: &rng)
    /// ```
    public init(inputFeatures: Int, outputFeatures: Int, bias: Bool = true, generator: inout some RandomNumberGenerator) {
        require(inputFeatures >= 0 && outputFeatures >= 0, "Linear: feature counts must not be negative")
        let bound = inputFeatures > 0 ? 1 / Float(inputFeatures).squareRoot() : 0
        weight = Tensor.uniform([outputFeatures, inputFeatures], low: -bound, high: bound, generator: &generator).requiresGrad()
        self.bias = bias ? Tensor.uniform([outputFeatures], low: -bound, high: bound, generator: &generator).requiresGrad() : nil
    }

    /// The number of input features.
    public var inputFeatures: Int { weight.shape[1] }
    /// The number of output features.
    public var outputFeatures: Int { weight.shape[0] }

    /// `x Wᵀ + b` on the last axis.
    public override func forward(_ input: Tensor) -> Tensor { input.linear(weight: weight, bias: bias) }

    public override var extraDescription: String {
        "inputFeatures: \(inputFeatures), outputFeatures: \(outputFeatures), bias: \(bias != nil)"
    }
}

extension Linear: ModuleArchitecture {
    public static var typeName: String { "Linear" }
    public var configuration: [(String, JSON)] {
        [("inputFeatures", .int(inputFeatures)), ("outputFeatures", .int(outputFeatures)), ("bias", .bool(bias != nil))]
    }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module {
        let inputs = try spec.size("inputFeatures"), outputs = try spec.size("outputFeatures")
        let bias = try spec.bool("bias")
        try spec.reserve(inputs * outputs + (bias ? outputs : 0))
        var rng = SeededGenerator(seed: 0)
        return Linear(inputFeatures: inputs, outputFeatures: outputs, bias: bias, generator: &rng)
    }
}
