/// Squeezes its input into `(low, high)`: `sigmoid(x)·(high − low) + low` (fastai's
/// `SigmoidRange`, the last layer of a tabular model made with `y_range`).
///
/// ```swift
/// let head = Sequential(Linear(inputFeatures: 100, outputFeatures: 1, generator: &rng), SigmoidRange(low: 0, high: 400))
/// ```
public final class SigmoidRange: Module, ModuleArchitecture, @unchecked Sendable {
    /// The range's ends.
    public struct Settings: ModuleSettings {
        /// The lower end.
        public var low: Float
        /// The upper end.
        public var high: Float

        /// The settings.
        ///
        /// - Parameters:
        ///   - low: the lower end.
        ///   - high: the upper end.
        public init(low: Float, high: Float) {
            self.low = low
            self.high = high
        }

        /// Finite ends with `low < high`.
        ///
        /// - Throws: `SettingError` naming the setting.
        public func validate() throws(SettingError) {
            guard low.isFinite else { throw SettingError("low", expected: "a finite number", found: low) }
            guard high.isFinite, high > low else { throw SettingError("high", expected: "a finite number above low (\(low))", found: high) }
        }
    }

    /// The name in model files.
    public static var typeName: String { "SigmoidRange" }
    /// The settings the layer was made with.
    public let settings: Settings

    /// Makes the layer.
    ///
    /// - Parameter settings: the range (must validate).
    public init(settings: Settings) { self.settings = settings.required(by: "SigmoidRange") }

    /// Makes the layer.
    ///
    /// - Parameters:
    ///   - low: the lower end.
    ///   - high: the upper end.
    public convenience init(low: Float, high: Float) { self.init(settings: Settings(low: low, high: high)) }

    /// `sigmoid(x)·(high − low) + low`.
    ///
    /// - Parameter input: the input.
    /// - Returns: the output.
    public override func forward(_ input: Tensor) -> Tensor {
        input.sigmoid() * (settings.high - settings.low) + settings.low
    }

    /// Any shape, unchanged.
    ///
    /// - Parameter input: the input's shape.
    /// - Returns: the output's shape.
    /// - Throws: `ShapeError` when the layer cannot take the input.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { input }
}
