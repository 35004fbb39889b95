/// `max(x, 0)` as a layer.
///
/// ```swift
/// let model = Sequential(Linear(...), ReLU(), Linear(...))
/// ```
public final class ReLU: Module, @unchecked Sendable {
    /// Makes the layer.
    public override init() {}
    /// `max(x, 0)`.
    public override func forward(_ input: Tensor) -> Tensor { input.relu() }
}

/// The logistic function `1 / (1 + e^-x)` as a layer.
///
/// ```swift
/// let head = Sequential(Linear(...), Sigmoid())
/// ```
public final class Sigmoid: Module, @unchecked Sendable {
    /// Makes the layer.
    public override init() {}
    /// `1 / (1 + e^-x)`.
    public override func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}

/// The hyperbolic tangent as a layer.
///
/// ```swift
/// let block = Sequential(Linear(...), Tanh())
/// ```
public final class Tanh: Module, @unchecked Sendable {
    /// Makes the layer.
    public override init() {}
    /// `tanh(x)`.
    public override func forward(_ input: Tensor) -> Tensor { input.tanh() }
}

/// Flattens the axes from `startAxis` through `endAxis` (by default all but the batch axis).
///
/// ```swift
/// let model = Sequential(Flatten(), Linear(inputFeatures: 784, outputFeatures: 10, generator: &rng))
/// ```
public final class Flatten: Module, @unchecked Sendable {
    /// The first axis merged.
    public let startAxis: Int
    /// The last axis merged.
    public let endAxis: Int

    /// Makes the layer (PyTorch's defaults: axes 1 through -1).
    public init(startAxis: Int = 1, endAxis: Int = -1) {
        self.startAxis = startAxis
        self.endAxis = endAxis
    }

    /// The input with the axes merged.
    public override func forward(_ input: Tensor) -> Tensor { input.flattened(startAxis: startAxis, endAxis: endAxis) }

    public override var extraDescription: String { "startAxis: \(startAxis), endAxis: \(endAxis)" }
}

extension ReLU: ModuleArchitecture {
    public static var typeName: String { "ReLU" }
    public var configuration: [(String, JSON)] { [] }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module { ReLU() }
}

extension Sigmoid: ModuleArchitecture {
    public static var typeName: String { "Sigmoid" }
    public var configuration: [(String, JSON)] { [] }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module { Sigmoid() }
}

extension Tanh: ModuleArchitecture {
    public static var typeName: String { "Tanh" }
    public var configuration: [(String, JSON)] { [] }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module { Tanh() }
}

extension Flatten: ModuleArchitecture {
    public static var typeName: String { "Flatten" }
    public var configuration: [(String, JSON)] { [("startAxis", .int(startAxis)), ("endAxis", .int(endAxis))] }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module {
        Flatten(startAxis: try spec.int("startAxis"), endAxis: try spec.int("endAxis"))
    }
}
