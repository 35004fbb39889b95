/// Layers applied one after another; children are named `0`, `1`, ... as in PyTorch.
///
/// ```swift
/// let model = Sequential(
///     Linear(inputFeatures: 1, outputFeatures: 32, generator: &rng),
///     ReLU(),
///     Linear(inputFeatures: 32, outputFeatures: 1, generator: &rng))
/// let y = model(x)
/// ```
public final class Sequential: Module, ModuleArchitecture, @unchecked Sendable {
    /// The name in model files.
    public static var typeName: String { "Sequential" }
    /// None: the layers are the children.
    public let settings = NoSettings()
    /// The layers, in order.
    public let layers: [Module]

    /// Chains `layers`.
    ///
    /// - Parameter layers: The modules, applied in this order and named `0`, `1`, ...
    public init(_ layers: [Module]) { self.layers = layers }

    /// Chains the listed layers.
    ///
    /// - Parameter layers: The modules, applied in this order and named `0`, `1`, ...
    public convenience init(_ layers: Module...) { self.init(layers) }

    /// An empty chain (a rebuild from a file builds the children with `make(from:)`).
    ///
    /// - Parameter settings: `NoSettings()`; the layers come from the file.
    public convenience init(settings: NoSettings) { self.init([]) }

    /// Rebuilds the chain from the file's children.
    ///
    /// - Parameter spec: the chain as written in the file.
    /// - Returns: the chain.
    /// - Throws: the first child's `ModelFileError`.
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module {
        _ = try spec.settings(NoSettings.self)
        return Sequential(try spec.makeChildren())
    }

    /// Passes the input through each layer in turn.
    ///
    /// - Parameter input: The first layer's input.
    /// - Returns: The last layer's output (the input itself when there are no layers).
    public override func forward(_ input: Tensor) -> Tensor {
        layers.reduce(input) { $1($0) }
    }

    /// Each layer's rule in turn.
    ///
    /// - Parameter input: The input's shape.
    /// - Returns: The last layer's output shape.
    /// - Throws: The first layer's ``ShapeError``.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        var shape = input
        for (index, layer) in layers.enumerated() { shape = try childOutputShape(layer, named: String(index), for: shape) }
        return shape
    }

    /// The layers named by position: `0`, `1`, ... (PyTorch's keys).
    ///
    /// - Returns: `("0", layers[0])`, `("1", layers[1])`, ...
    public override func namedChildren() -> [(name: String, module: Module)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }

    /// The layer at `index`.
    ///
    /// ```swift
    /// let first = model[0] as! Linear
    /// ```
    ///
    /// - Parameter index: A position in `0 ..< count`.
    /// - Returns: The layer there (cast it to its type to reach its parameters).
    public subscript(index: Int) -> Module { layers[index] }

    /// The number of layers.
    public var count: Int { layers.count }
}
