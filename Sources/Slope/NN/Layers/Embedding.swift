/// A lookup table of learned vectors: whole-number indices of any shape become vectors of
/// `dimension` values (PyTorch's `nn.Embedding`, weight `[count, dimension]`, initialised
/// `N(0, 1)` unless a standard deviation is given).
///
/// ```swift
/// let embedding = Embedding(count: 4, dimension: 3, generator: &rng)
/// embedding(Tensor([0, 3, 3])).shape   // [3, 3]
/// ```
public final class Embedding: Module, @unchecked Sendable {
    /// The table, `[count, dimension]`.
    public let weight: Tensor

    /// Makes the table with values from `N(0, std²)`.
    public init(count: Int, dimension: Int, std: Float = 1, generator: inout some RandomNumberGenerator) {
        require(count > 0 && dimension > 0, "Embedding: count and dimension must be positive, got \(count) and \(dimension)")
        weight = Tensor.randn([count, dimension], std: std, generator: &generator).requiresGrad()
    }

    /// The number of rows.
    public var count: Int { weight.shape[0] }
    /// The length of each vector.
    public var dimension: Int { weight.shape[1] }

    /// The rows at `indices`; the result's shape is `indices.shape + [dimension]`.
    public override func forward(_ indices: Tensor) -> Tensor {
        let rows = classIndices(indices, classes: count, op: "Embedding")
        return weight.indexSelect(axis: 0, indices: rows).reshaped(indices.shape + [dimension])
    }

    public override var extraDescription: String { "count: \(count), dimension: \(dimension)" }
}

extension Embedding: ModuleArchitecture {
    public static var typeName: String { "Embedding" }
    public var configuration: [(String, JSON)] { [("count", .int(count)), ("dimension", .int(dimension))] }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module {
        let count = try spec.size("count", in: 1...100_000_000), dimension = try spec.size("dimension", in: 1...100_000)
        try spec.reserve(count * dimension)
        var rng = SeededGenerator(seed: 0)
        return Embedding(count: count, dimension: dimension, generator: &rng)
    }
}
