/// Layers applied one after another; children are named `0`, `1`, ... as in PyTorch.
///
/// ```swift
/// let model = Sequential(
///     Linear(inputFeatures: 1, outputFeatures: 32, generator: &rng),
///     ReLU(),
///     Linear(inputFeatures: 32, outputFeatures: 1, generator: &rng))
/// let y = model(x)
/// ```
public final class Sequential: Module, @unchecked Sendable {
    /// The layers, in order.
    public let layers: [Module]

    /// Chains `layers`.
    public init(_ layers: [Module]) { self.layers = layers }

    /// Chains the listed layers.
    public convenience init(_ layers: Module...) { self.init(layers) }

    /// Passes the input through each layer in turn.
    public override func forward(_ input: Tensor) -> Tensor {
        layers.reduce(input) { $1($0) }
    }

    public override func namedChildren() -> [(name: String, module: Module)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }

    /// The layer at `index`.
    ///
    /// ```swift
    /// let first = model[0] as! Linear
    /// ```
    public subscript(index: Int) -> Module { layers[index] }

    /// The number of layers.
    public var count: Int { layers.count }
}

extension Sequential: ModuleArchitecture {
    public static var typeName: String { "Sequential" }
    public var configuration: [(String, JSON)] { [] }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module { Sequential(try spec.makeChildren()) }
}
