/// `max(x, 0)` as a layer.
///
/// ```swift
/// let model = Sequential(Linear(...), ReLU(), Linear(...))
/// ```
public final class ReLU: Module, ModuleArchitecture, @unchecked Sendable {
    /// The name in model files.
    public static var typeName: String { "ReLU" }
    /// None.
    public let settings = NoSettings()
    /// Makes the layer.
    public override init() {}
    /// Makes the layer (it has no settings).
    ///
    /// - Parameter settings: `NoSettings()`; the layer has nothing to set.
    public init(settings: NoSettings) {}
    /// `max(x, 0)`.
    ///
    /// - Parameter input: Any tensor.
    /// - Returns: A tensor of the input's shape.
    public override func forward(_ input: Tensor) -> Tensor { input.relu() }
    /// Any shape, unchanged.
    ///
    /// - Parameter input: The input's shape.
    /// - Returns: `input`, unchanged.
    /// - Throws: Nothing: every shape is accepted.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { input }
}

/// The logistic function `1 / (1 + e^-x)` as a layer.
///
/// ```swift
/// let head = Sequential(Linear(...), Sigmoid())
/// ```
public final class Sigmoid: Module, ModuleArchitecture, @unchecked Sendable {
    /// The name in model files.
    public static var typeName: String { "Sigmoid" }
    /// None.
    public let settings = NoSettings()
    /// Makes the layer.
    public override init() {}
    /// Makes the layer (it has no settings).
    ///
    /// - Parameter settings: `NoSettings()`; the layer has nothing to set.
    public init(settings: NoSettings) {}
    /// `1 / (1 + e^-x)`.
    ///
    /// - Parameter input: Any tensor.
    /// - Returns: A tensor of the input's shape.
    public override func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
    /// Any shape, unchanged.
    ///
    /// - Parameter input: The input's shape.
    /// - Returns: `input`, unchanged.
    /// - Throws: Nothing: every shape is accepted.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { input }
}

/// The hyperbolic tangent as a layer.
///
/// ```swift
/// let block = Sequential(Linear(...), Tanh())
/// ```
public final class Tanh: Module, ModuleArchitecture, @unchecked Sendable {
    /// The name in model files.
    public static var typeName: String { "Tanh" }
    /// None.
    public let settings = NoSettings()
    /// Makes the layer.
    public override init() {}
    /// Makes the layer (it has no settings).
    ///
    /// - Parameter settings: `NoSettings()`; the layer has nothing to set.
    public init(settings: NoSettings) {}
    /// `tanh(x)`.
    ///
    /// - Parameter input: Any tensor.
    /// - Returns: A tensor of the input's shape.
    public override func forward(_ input: Tensor) -> Tensor { input.tanh() }
    /// Any shape, unchanged.
    ///
    /// - Parameter input: The input's shape.
    /// - Returns: `input`, unchanged.
    /// - Throws: Nothing: every shape is accepted.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { input }
}

/// Flattens the axes from `startAxis` through `endAxis` (by default all but the batch axis).
///
/// ```swift
/// let model = Sequential(Flatten(), Linear(inputFeatures: 784, outputFeatures: 10, generator: &rng))
/// ```
public final class Flatten: Module, ModuleArchitecture, @unchecked Sendable {
    /// Which axes are merged.
    public struct Settings: ModuleSettings {
        /// The first axis merged (negative counts from the end).
        public var startAxis: Int
        /// The last axis merged (negative counts from the end).
        public var endAxis: Int

        /// The settings.
        ///
        /// - Parameters:
        ///   - startAxis: The first axis merged (negative counts from the end), within ±64.
        ///   - endAxis: The last axis merged, within ±64.
        public init(startAxis: Int = 1, endAxis: Int = -1) {
            self.startAxis = startAxis
            self.endAxis = endAxis
        }

        /// Axes within ±64 (a tensor has at most a few dozen axes).
        ///
        /// - Throws: ``SettingError`` for `startAxis` or `endAxis` outside `-64...64`.
        public func validate() throws(SettingError) {
            for (name, value) in [("startAxis", startAxis), ("endAxis", endAxis)] where !(-64...64).contains(value) {
                throw SettingError(name, expected: "an axis in -64...64", found: value)
            }
        }
    }

    /// The name in model files.
    public static var typeName: String { "Flatten" }
    /// The settings the layer was made with.
    public let settings: Settings

    /// Makes the layer.
    ///
    /// - Parameter settings: the axes to merge.
    public init(settings: Settings) { self.settings = settings.required(by: "Flatten") }

    /// Makes the layer (PyTorch's defaults: axes 1 through -1).
    ///
    /// - Parameters:
    ///   - startAxis: the first axis merged.
    ///   - endAxis: the last axis merged.
    public convenience init(startAxis: Int = 1, endAxis: Int = -1) { self.init(settings: Settings(startAxis: startAxis, endAxis: endAxis)) }

    /// The first axis merged.
    public var startAxis: Int { settings.startAxis }
    /// The last axis merged.
    public var endAxis: Int { settings.endAxis }

    /// The input with the axes merged.
    ///
    /// - Parameter input: A tensor in which both axes exist, `startAxis` not after `endAxis`.
    /// - Returns: The input with those axes merged into one.
    public override func forward(_ input: Tensor) -> Tensor { input.flattened(startAxis: startAxis, endAxis: endAxis) }

    /// The input's shape with the axes merged (a scalar becomes `[1]`, as `flattened` does).
    ///
    /// - Parameter input: The input's shape.
    /// - Returns: The output's shape.
    /// - Throws: ``ShapeError`` when the axes do not exist or are out of order, or the merged size overflows `Int`.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        if input.isEmpty { return [1] }
        let start = startAxis < 0 ? startAxis + input.count : startAxis
        let end = endAxis < 0 ? endAxis + input.count : endAxis
        guard (0..<input.count).contains(start), (0..<input.count).contains(end), start <= end else {
            throw ShapeError(self, input: input, needs: "axes \(startAxis) through \(endAxis) to exist, in order")
        }
        guard let merged = checkedProduct(Array(input[start...end])) else {
            throw ShapeError(self, input: input, needs: "sizes whose product fits an Int")
        }
        return Array(input[..<start]) + [merged] + Array(input[(end + 1)...])
    }
}
