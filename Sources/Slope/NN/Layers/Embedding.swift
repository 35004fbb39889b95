/// A lookup table of learned vectors: whole-number indices of any shape become vectors of
/// `dimension` values (PyTorch's `nn.Embedding`, weight `[count, dimension]`, initialised
/// `N(0, 1)` unless a standard deviation is given).
///
/// ```swift
/// let embedding = Embedding(count: 4, dimension: 3, generator: &rng)
/// embedding(Tensor([0, 3, 3])).shape   // [3, 3]
/// ```
public final class Embedding: Module, ModuleArchitecture, @unchecked Sendable {
    /// The table's size.
    public struct Settings: ModuleSettings {
        /// The number of rows (distinct indices).
        public var count: Int
        /// The length of each vector.
        public var dimension: Int

        /// The settings.
        ///
        /// - Parameters:
        ///   - count: The number of rows (distinct indices), in `1...100_000_000`.
        ///   - dimension: The length of each vector, in `1...100_000`.
        public init(count: Int, dimension: Int) {
            self.count = count
            self.dimension = dimension
        }

        /// A count in 1...100000000 and a dimension in 1...100000.
        ///
        /// - Throws: ``SettingError`` for `count` or `dimension` out of range.
        public func validate() throws(SettingError) {
            guard (1...100_000_000).contains(count) else { throw SettingError("count", expected: "a count in 1...100000000", found: count) }
            guard (1...100_000).contains(dimension) else { throw SettingError("dimension", expected: "a size in 1...100000", found: dimension) }
        }

        /// The table's values.
        public var valueCount: Int { count * dimension }
    }

    /// The name in model files.
    public static var typeName: String { "Embedding" }
    /// The settings the table was made with.
    public let settings: Settings
    /// The table, `[count, dimension]`.
    public let weight: Tensor

    /// Makes the table with values from `N(0, std²)`.
    ///
    /// - Parameters:
    ///   - settings: the table's size (must validate).
    ///   - std: the standard deviation of the initial values.
    ///   - generator: the source of the initial values.
    public init(settings: Settings, std: Float = 1, generator: inout some RandomNumberGenerator) {
        self.settings = settings.required(by: "Embedding")
        weight = Tensor.randn([settings.count, settings.dimension], std: std, generator: &generator).requiresGrad()
    }

    /// Makes the table with values from `N(0, std²)`.
    ///
    /// - Parameters:
    ///   - count: the number of rows.
    ///   - dimension: the length of each vector.
    ///   - std: the standard deviation of the initial values.
    ///   - generator: the source of the initial values.
    public convenience init(count: Int, dimension: Int, std: Float = 1, generator: inout some RandomNumberGenerator) {
        self.init(settings: Settings(count: count, dimension: dimension), std: std, generator: &generator)
    }

    /// Makes the table with seed-0 initial values, as a rebuild from a file does.
    ///
    /// - Parameter settings: the table's size.
    public convenience init(settings: Settings) {
        var rng = SeededGenerator(seed: 0)
        self.init(settings: settings, generator: &rng)
    }

    /// The number of rows.
    public var count: Int { settings.count }
    /// The length of each vector.
    public var dimension: Int { settings.dimension }

    /// The rows at `indices`; the result's shape is `indices.shape + [dimension]`.
    ///
    /// - Parameter indices: Whole numbers in `0 ..< count`, any shape (no gradient).
    /// - Returns: The looked-up rows, shape `indices.shape + [dimension]`; the gradient adds into those rows of `weight`.
    public override func forward(_ indices: Tensor) -> Tensor {
        let rows = classIndices(indices, classes: count, op: "Embedding")
        return weight.indexSelect(axis: 0, indices: rows).reshaped(indices.shape + [dimension])
    }

    /// `input + [dimension]` (any shape of indices; their values are checked when looked up).
    ///
    /// - Parameter input: The input's shape.
    /// - Returns: `input + [dimension]`.
    /// - Throws: Nothing: every shape is accepted. (index values are checked by `forward`)
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { input + [dimension] }
}
