/// A fully connected layer: `y = x Wᵀ + b`, weight `[outputFeatures, inputFeatures]`, with
/// PyTorch's default initialisation `U(-1/√in, 1/√in)` for weight and bias.
///
/// ```swift
/// var rng = SeededGenerator(seed: 0)
/// let layer = Linear(inputFeatures: 784, outputFeatures: 10, generator: &rng)
/// let logits = layer(images.flattened(startAxis: 1))
/// ```
public final class Linear: Module, ModuleArchitecture, @unchecked Sendable {
    /// What a linear layer is made from.
    public struct Settings: ModuleSettings {
        /// The size of each input's last axis.
        public var inputFeatures: Int
        /// The size of each output's last axis.
        public var outputFeatures: Int
        /// Whether the layer adds a bias.
        public var bias: Bool

        /// The settings.
        ///
        /// - Parameters:
        ///   - inputFeatures: The size of each input's last axis, in `0...100_000_000`.
        ///   - outputFeatures: The size of each output's last axis, in `0...100_000_000`.
        ///   - bias: Whether the layer adds a bias.
        public init(inputFeatures: Int, outputFeatures: Int, bias: Bool = true) {
            self.inputFeatures = inputFeatures
            self.outputFeatures = outputFeatures
            self.bias = bias
        }

        /// Feature counts in `0...100_000_000`.
        ///
        /// - Throws: ``SettingError`` for a feature count out of range.
        public func validate() throws(SettingError) {
            for (name, value) in [("inputFeatures", inputFeatures), ("outputFeatures", outputFeatures)] where !(0...100_000_000).contains(value) {
                throw SettingError(name, expected: "a feature count in 0...100000000", found: value)
            }
        }

        /// The weight's and the bias's values.
        public var valueCount: Int { inputFeatures * outputFeatures + (bias ? outputFeatures : 0) }
    }

    /// The name in model files.
    public static var typeName: String { "Linear" }
    /// The settings the layer was made with.
    public let settings: Settings
    /// The weight, `[outputFeatures, inputFeatures]`.
    public let weight: Tensor
    /// The bias, `[outputFeatures]`, or `nil` when made with `bias: false`.
    public let bias: Tensor?

    /// Makes a layer with freshly initialised parameters drawn from `generator`.
    ///
    /// ```swift
    /// let layer = Linear(settings: .init(inputFeatures: 1, outputFeatures: 32), generator: &rng)
    /// ```
    ///
    /// - Parameters:
    ///   - settings: the feature counts and whether there is a bias (must validate).
    ///   - generator: the source of the initial values.
    public init(settings: Settings, generator: inout some RandomNumberGenerator) {
        self.settings = settings.required(by: "Linear")
        let (inputs, outputs) = (settings.inputFeatures, settings.outputFeatures)
        let bound = inputs > 0 ? 1 / Float(inputs).squareRoot() : 0
        weight = Tensor.uniform([outputs, inputs], low: -bound, high: bound, generator: &generator).requiresGrad()
        self.bias = settings.bias ? Tensor.uniform([outputs], low: -bound, high: bound, generator: &generator).requiresGrad() : nil
    }

    /// Makes a layer with freshly initialised parameters drawn from `generator`.
    ///
    /// ```swift
    /// let layer = Linear(inputFeatures: 1, outputFeatures: 32, generator: &rng)
    /// ```
    ///
    /// - Parameters:
    ///   - inputFeatures: the size of each input's last axis.
    ///   - outputFeatures: the size of each output's last axis.
    ///   - bias: whether to add a bias.
    ///   - generator: the source of the initial values.
    public convenience init(inputFeatures: Int, outputFeatures: Int, bias: Bool = true, generator: inout some RandomNumberGenerator) {
        self.init(settings: Settings(inputFeatures: inputFeatures, outputFeatures: outputFeatures, bias: bias), generator: &generator)
    }

    /// Makes a layer with seed-0 initial parameters, as a rebuild from a file does (the file's tensors then replace them).
    ///
    /// - Parameter settings: the layer's settings.
    public convenience init(settings: Settings) {
        var rng = SeededGenerator(seed: 0)
        self.init(settings: settings, generator: &rng)
    }

    /// The number of input features.
    public var inputFeatures: Int { settings.inputFeatures }
    /// The number of output features.
    public var outputFeatures: Int { settings.outputFeatures }

    /// `x Wᵀ + b` on the last axis.
    ///
    /// - Parameter input: A tensor `[..., inputFeatures]`.
    /// - Returns: `[..., outputFeatures]`.
    public override func forward(_ input: Tensor) -> Tensor { input.linear(weight: weight, bias: bias) }

    /// `input` with its last axis `inputFeatures` replaced by `outputFeatures`.
    ///
    /// - Parameter input: The input's shape.
    /// - Returns: The output's shape.
    /// - Throws: ``ShapeError`` when the last axis is not `inputFeatures` (or there is no axis).
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.last == inputFeatures else { throw ShapeError(self, input: input, needs: "a last axis of \(inputFeatures)") }
        return input.dropLast() + [outputFeatures]
    }
}
