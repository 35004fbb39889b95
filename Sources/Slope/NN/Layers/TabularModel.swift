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
public final class TabularModel: Module, ModuleArchitecture, @unchecked Sendable {
    /// What a tabular model is made from.
    public struct Settings: ModuleSettings {
        /// The number of categories of each categorical column (one embedding each).
        public var cardinalities: [Int]
        /// The number of continuous columns.
        public var continuousCount: Int
        /// The number of outputs (classes, or 1 for regression).
        public var outputCount: Int
        /// The widths of the hidden blocks.
        public var hiddenSizes: [Int]
        /// Dropout in each hidden block (none when 0).
        public var dropout: Float
        /// Dropout after the embeddings.
        public var embeddingDropout: Float
        /// Each embedding's width; empty for fastai's rule (`embeddingSize(cardinality:)`).
        public var embeddingSizes: [Int]
        /// `[low, high]` for fastai's `y_range` (a `SigmoidRange` after the last layer), or empty.
        public var yRange: [Float]

        /// The settings; `hiddenSizes` defaults to fastai's `[200, 100]`.
        ///
        /// - Parameters:
        ///   - cardinalities: The number of categories of each categorical column,
        ///     at most 10,000 columns of `1...10_000_000`.
        ///   - continuousCount: The number of continuous columns, in `0...1_000_000`.
        ///   - outputCount: Classes, or 1 for regression; in `1...1_000_000`.
        ///   - hiddenSizes: The widths of the hidden blocks, at most 100 of `1...100_000`.
        ///   - dropout: Dropout in each hidden block, in `[0, 1)`.
        ///   - embeddingDropout: Dropout after the embeddings, in `[0, 1)`.
        ///   - embeddingSizes: Each embedding's width (empty: fastai's rule), one in `1...100_000` per column.
        ///   - yRange: `[low, high]` for fastai's `y_range`, or empty.
        public init(cardinalities: [Int], continuousCount: Int, outputCount: Int, hiddenSizes: [Int] = [200, 100],
                    dropout: Float = 0, embeddingDropout: Float = 0, embeddingSizes: [Int] = [], yRange: [Float] = []) {
            self.cardinalities = cardinalities
            self.continuousCount = continuousCount
            self.outputCount = outputCount
            self.hiddenSizes = hiddenSizes
            self.dropout = dropout
            self.embeddingDropout = embeddingDropout
            self.embeddingSizes = embeddingSizes
            self.yRange = yRange
        }

        private enum CodingKeys: String, CodingKey {
            case cardinalities, continuousCount, outputCount, hiddenSizes, dropout, embeddingDropout, embeddingSizes, yRange
        }

        /// Reads the settings; `embeddingSizes` and `yRange` may be absent (files from before they existed).
        ///
        /// - Parameter decoder: the decoder.
        /// - Throws: when a member has the wrong kind.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            cardinalities = try container.decode([Int].self, forKey: .cardinalities)
            continuousCount = try container.decode(Int.self, forKey: .continuousCount)
            outputCount = try container.decode(Int.self, forKey: .outputCount)
            hiddenSizes = try container.decode([Int].self, forKey: .hiddenSizes)
            dropout = try container.decode(Float.self, forKey: .dropout)
            embeddingDropout = try container.decode(Float.self, forKey: .embeddingDropout)
            embeddingSizes = try container.decodeIfPresent([Int].self, forKey: .embeddingSizes) ?? []
            yRange = try container.decodeIfPresent([Float].self, forKey: .yRange) ?? []
        }

        /// The width of embedding `index`.
        func embeddingWidth(_ index: Int) -> Int {
            embeddingSizes.isEmpty ? TabularModel.embeddingSize(cardinality: cardinalities[index]) : embeddingSizes[index]
        }

        /// At most 10000 categorical columns of 1...10000000 categories, 0...1000000 continuous
        /// columns, 1...1000000 outputs, at most 100 hidden blocks of 1...100000, dropouts in [0, 1).
        ///
        /// - Throws: ``SettingError`` naming the first setting out of range.
        public func validate() throws(SettingError) {
            guard cardinalities.count <= 10_000, cardinalities.allSatisfy({ (1...10_000_000).contains($0) }) else {
                throw SettingError("cardinalities", expected: "at most 10000 counts in 1...10000000", found: cardinalities.count <= 20 ? cardinalities : [cardinalities.count])
            }
            guard (0...1_000_000).contains(continuousCount) else {
                throw SettingError("continuousCount", expected: "a count in 0...1000000", found: continuousCount)
            }
            guard (1...1_000_000).contains(outputCount) else { throw SettingError("outputCount", expected: "a count in 1...1000000", found: outputCount) }
            guard hiddenSizes.count <= 100, hiddenSizes.allSatisfy({ (1...100_000).contains($0) }) else {
                throw SettingError("hiddenSizes", expected: "at most 100 sizes in 1...100000", found: hiddenSizes.count <= 20 ? hiddenSizes : [hiddenSizes.count])
            }
            guard (0..<1).contains(dropout) else { throw SettingError("dropout", expected: "a probability in [0, 1)", found: dropout) }
            guard (0..<1).contains(embeddingDropout) else {
                throw SettingError("embeddingDropout", expected: "a probability in [0, 1)", found: embeddingDropout)
            }
            guard embeddingSizes.isEmpty || (embeddingSizes.count == cardinalities.count && embeddingSizes.allSatisfy({ (1...100_000).contains($0) })) else {
                throw SettingError("embeddingSizes", expected: "empty, or one width in 1...100000 per cardinality",
                                   found: embeddingSizes.count <= 20 ? embeddingSizes : [embeddingSizes.count])
            }
            guard yRange.isEmpty || (yRange.count == 2 && yRange.allSatisfy(\.isFinite) && yRange[0] < yRange[1]) else {
                throw SettingError("yRange", expected: "empty, or [low, high] with low < high", found: yRange)
            }
        }

        /// Exactly the values the model holds: embeddings, `bn_cont`, bias-free hidden layers with
        /// batch norm (4 vectors and a count), and the output layer with its bias.
        public var valueCount: Int {
            var terms = [continuousCount > 0 ? 4 * continuousCount + 1 : 0]
            var width = continuousCount
            for (index, cardinality) in cardinalities.enumerated() {
                let size = embeddingWidth(index)
                terms.append(cardinality * size)
                width += size
            }
            for size in hiddenSizes {
                terms.append(width * size + 4 * size + 1)
                width = size
            }
            terms.append(width * outputCount + outputCount)
            return saturatingSum(terms)
        }
    }

    /// The name in model files.
    public static var typeName: String { "TabularModel" }
    /// The settings the model was made with.
    public let settings: Settings
    /// One table per categorical column.
    public let embeds: [Embedding]
    /// Dropout after the embeddings.
    public let embDrop: Dropout
    /// Normalisation of the continuous columns (absent when there are none).
    public let bnCont: BatchNorm1d?
    /// The hidden blocks and the output layer.
    public let layers: Sequential

    /// fastai's embedding size rule: `min(600, round(1.6 · cardinality^0.56))`.
    ///
    /// - Parameter cardinality: The number of categories of the column.
    /// - Returns: The embedding's dimension.
    public static func embeddingSize(cardinality: Int) -> Int {
        Swift.min(600, Int((1.6 * Foundation.pow(Double(cardinality), 0.56)).rounded()))
    }

    /// Makes the model.
    ///
    /// - Parameters:
    ///   - settings: the model's settings (must validate).
    ///   - generator: the source of the initial values and of the dropout streams.
    public init(settings: Settings, generator: inout some RandomNumberGenerator) {
        self.settings = settings.required(by: "TabularModel")
        var embeddings: [Embedding] = []
        for (index, cardinality) in settings.cardinalities.enumerated() {
            embeddings.append(Embedding(count: cardinality, dimension: settings.embeddingWidth(index), std: 0.01, generator: &generator))
        }
        embeds = embeddings
        embDrop = Dropout(probability: settings.embeddingDropout, generator: &generator)
        bnCont = settings.continuousCount > 0 ? BatchNorm1d(features: settings.continuousCount) : nil
        var width = embeddings.reduce(settings.continuousCount) { $0 + $1.dimension }
        var blocks: [Module] = []
        for size in settings.hiddenSizes {
            var block: [Module] = [Linear(inputFeatures: width, outputFeatures: size, bias: false, generator: &generator), ReLU(),
                                   BatchNorm1d(features: size)]
            if settings.dropout > 0 { block.append(Dropout(probability: settings.dropout, generator: &generator)) }
            blocks.append(Sequential(block))
            width = size
        }
        blocks.append(Sequential(Linear(inputFeatures: width, outputFeatures: settings.outputCount, generator: &generator)))
        if settings.yRange.count == 2 { blocks.append(SigmoidRange(low: settings.yRange[0], high: settings.yRange[1])) }
        layers = Sequential(blocks)
    }

    /// Makes the model; `hiddenSizes` defaults to fastai's `[200, 100]`.
    ///
    /// - Parameters:
    ///   - cardinalities: the number of categories of each categorical column.
    ///   - continuousCount: the number of continuous columns.
    ///   - outputCount: the number of outputs.
    ///   - hiddenSizes: the widths of the hidden blocks.
    ///   - dropout: dropout in each hidden block.
    ///   - embeddingDropout: dropout after the embeddings.
    ///   - generator: the source of the initial values and of the dropout streams.
    public convenience init(cardinalities: [Int], continuousCount: Int, outputCount: Int, hiddenSizes: [Int] = [200, 100],
                            dropout: Float = 0, embeddingDropout: Float = 0, generator: inout some RandomNumberGenerator) {
        self.init(settings: Settings(cardinalities: cardinalities, continuousCount: continuousCount, outputCount: outputCount,
                                     hiddenSizes: hiddenSizes, dropout: dropout, embeddingDropout: embeddingDropout),
                  generator: &generator)
    }

    /// Makes the model with seed-0 initial parameters, as a rebuild from a file does (the file's tensors then replace them).
    ///
    /// - Parameter settings: the model's settings.
    public convenience init(settings: Settings) {
        var rng = SeededGenerator(seed: 0)
        self.init(settings: settings, generator: &rng)
    }

    /// The width of each input row: category codes, then continuous values.
    var inputWidth: Int { embeds.count + (bnCont?.features ?? 0) }

    /// Logits (or a value) for each row of `[batch, categorical + continuous]` inputs.
    ///
    /// - Parameter input: `[batch, categorical + continuous]`: category codes (whole numbers) first, then continuous values.
    /// - Returns: `[batch, outputCount]`.
    public override func forward(_ input: Tensor) -> Tensor {
        let categoricalCount = embeds.count
        require(input.rank == 2 && input.shape[1] == inputWidth,
                "TabularModel: expected inputs [batch, \(inputWidth)], got \(input.shape)")
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

    /// `[batch, outputCount]` for `[batch, categorical + continuous]`: the embeddings' and
    /// `bn_cont`'s outputs side by side, through `layers`.
    ///
    /// - Parameter input: The input's shape.
    /// - Returns: The output's shape.
    /// - Throws: ``ShapeError`` when the input is not `[batch, categorical + continuous]`.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
        guard input.count == 2, input[1] == inputWidth else { throw ShapeError(self, input: input, needs: "[batch, \(inputWidth)]") }
        var width = 0
        for (index, embedding) in embeds.enumerated() {
            width += try childOutputShape(embedding, named: "embeds.\(index)", for: [input[0]]).last!
        }
        if let bnCont { width += try childOutputShape(bnCont, named: "bn_cont", for: [input[0], bnCont.features])[1] }
        return try childOutputShape(layers, named: "layers", for: [input[0], width])
    }
}
