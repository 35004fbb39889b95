import Foundation

/// fastai's tabular model: an embedding per categorical column (sized by fastai's rule
/// `min(600, round(1.6 · n^0.56))`), continuous columns through `BatchNorm1d`, then blocks of
/// Linear-ReLU-BatchNorm-Dropout and a final Linear. Its input is one tensor per batch,
/// `[batch, categorical + continuous]`: category codes first, then continuous values. Keys match
/// fastai's: `embeds.0.weight`, `bn_cont.*`, `layers.0.0.weight`, ...
///
/// ```swift
/// let model = TabularModel(cardinalities: [4, 3], continuousCount: 5, outputCount: 2, generator: &rng)
/// ```
public final class TabularModel: Module, @unchecked Sendable {
    /// One table per categorical column.
    public let embeds: [Embedding]
    /// Dropout after the embeddings.
    public let embDrop: Dropout
    /// Normalisation of the continuous columns (absent when there are none).
    public let bnCont: BatchNorm1d?
    /// The hidden blocks and the output layer.
    public let layers: Sequential

    /// fastai's embedding size rule: `min(600, round(1.6 · cardinality^0.56))`.
    public static func embeddingSize(cardinality: Int) -> Int {
        Swift.min(600, Int((1.6 * Foundation.pow(Double(cardinality), 0.56)).rounded()))
    }

    /// The settings the model was made with (kept for export).
    let settings: (cardinalities: [Int], continuousCount: Int, outputCount: Int, hiddenSizes: [Int], dropout: Float, embeddingDropout: Float)

    /// Makes the model; `hiddenSizes` defaults to fastai's `[200, 100]`.
    public init(cardinalities: [Int], continuousCount: Int, outputCount: Int, hiddenSizes: [Int] = [200, 100],
                dropout: Float = 0, embeddingDropout: Float = 0, generator: inout some RandomNumberGenerator) {
        require(outputCount >= 1, "TabularModel: outputCount must be at least 1")
        settings = (cardinalities, continuousCount, outputCount, hiddenSizes, dropout, embeddingDropout)
        var embeddings: [Embedding] = []
        for cardinality in cardinalities {
            embeddings.append(Embedding(count: cardinality, dimension: TabularModel.embeddingSize(cardinality: cardinality),
                                        std: 0.01, generator: &generator))
        }
        embeds = embeddings
        embDrop = Dropout(probability: embeddingDropout, generator: &generator)
        bnCont = continuousCount > 0 ? BatchNorm1d(features: continuousCount) : nil
        var width = embeddings.reduce(continuousCount) { $0 + $1.dimension }
        var blocks: [Module] = []
        for size in hiddenSizes {
            var block: [Module] = [Linear(inputFeatures: width, outputFeatures: size, bias: false, generator: &generator), ReLU(),
                                   BatchNorm1d(features: size)]
            if dropout > 0 { block.append(Dropout(probability: dropout, generator: &generator)) }
            blocks.append(Sequential(block))
            width = size
        }
        blocks.append(Sequential(Linear(inputFeatures: width, outputFeatures: outputCount, generator: &generator)))
        layers = Sequential(blocks)
    }

    /// Logits (or a value) for each row of `[batch, categorical + continuous]` inputs.
    public override func forward(_ input: Tensor) -> Tensor {
        let categoricalCount = embeds.count
        require(input.rank == 2 && input.shape[1] == categoricalCount + (bnCont?.features ?? 0),
                "TabularModel: expected inputs [batch, \(categoricalCount + (bnCont?.features ?? 0))], got \(input.shape)")
        var parts: [Tensor] = []
        if categoricalCount > 0 {
            let codes = input.slice([.all, .range(0, categoricalCount, step: 1)])
            let columns = embeds.enumerated().map { index, embedding in embedding(codes.slice([.all, .index(index)])) }
            parts.append(embDrop(Tensor.concatenate(columns, axis: 1)))
        }
        if let bnCont {
            parts.append(bnCont(input.slice([.all, .range(categoricalCount, nil, step: 1)])))
        }
        return layers(parts.count == 1 ? parts[0] : Tensor.concatenate(parts, axis: 1))
    }
}

extension TabularModel: ModuleArchitecture {
    public static var typeName: String { "TabularModel" }
    public var configuration: [(String, JSON)] {
        [("cardinalities", .array(settings.cardinalities.map { .int($0) })), ("continuousCount", .int(settings.continuousCount)),
         ("outputCount", .int(settings.outputCount)), ("hiddenSizes", .array(settings.hiddenSizes.map { .int($0) })),
         ("dropout", .float(settings.dropout)), ("embeddingDropout", .float(settings.embeddingDropout))]
    }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module {
        let cardinalities = try spec.ints("cardinalities"), hidden = try spec.ints("hiddenSizes")
        let dropout = try spec.float("dropout"), embeddingDropout = try spec.float("embeddingDropout")
        guard cardinalities.count <= 10_000, cardinalities.allSatisfy({ $0 >= 1 && $0 <= 10_000_000 }),
              hidden.count <= 100, hidden.allSatisfy({ $0 >= 1 && $0 <= 100_000 }),
              (0..<1).contains(dropout), (0..<1).contains(embeddingDropout) else {
            throw .manifest(file: spec.file, field: "architecture.config", expected: "TabularModel settings within sane limits")
        }
        let continuous = try spec.size("continuousCount", in: 0...1_000_000), outputs = try spec.size("outputCount", in: 1...1_000_000)
        // Exactly the values the model holds: embeddings, bn_cont, bias-free hidden layers with
        // batch norm (4 vectors and a count), and the output layer with its bias.
        var values = continuous > 0 ? 4 * continuous + 1 : 0, width = continuous
        for cardinality in cardinalities {
            let size = embeddingSize(cardinality: cardinality)
            values += cardinality * size
            width += size
        }
        for size in hidden {
            values += width * size + 4 * size + 1
            width = size
        }
        values += width * outputs + outputs
        try spec.reserve(values)
        var rng = SeededGenerator(seed: 0)
        return TabularModel(cardinalities: cardinalities, continuousCount: continuous, outputCount: outputs, hiddenSizes: hidden,
                            dropout: dropout, embeddingDropout: embeddingDropout, generator: &rng)
    }
}
