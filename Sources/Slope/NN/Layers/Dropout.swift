/// Zeroes each value with probability `p` during training and scales the rest by `1/(1-p)`;
/// the identity in evaluation mode. Its random stream is seeded from the generator it is
/// made with, so training runs reproduce.
///
/// ```swift
/// let dropout = Dropout(probability: 0.5, generator: &rng)
/// ```
public final class Dropout: Module, @unchecked Sendable {
    /// The probability of zeroing a value.
    public let probability: Float
    private var generator: SeededGenerator

    /// Makes the layer; its own random stream is seeded from `generator`.
    public init(probability: Float = 0.5, generator: inout some RandomNumberGenerator) {
        require(probability >= 0 && probability < 1, "Dropout: probability must be in [0, 1), got \(probability)")
        self.probability = probability
        self.generator = SeededGenerator(seed: generator.next())
    }

    /// The input with random values zeroed (training) or unchanged (evaluation).
    public override func forward(_ input: Tensor) -> Tensor {
        guard isTraining, probability > 0 else { return input }
        let keep = 1 - probability, scale = 1 / keep
        var mask = [Float](repeating: 0, count: input.count)
        for i in mask.indices where generator.nextUnitFloat() < keep { mask[i] = scale }
        return input * Tensor(unchecked: input.shape, mask)
    }

    public override var extraDescription: String { "probability: \(probability)" }
}

extension Dropout: ModuleArchitecture {
    public static var typeName: String { "Dropout" }
    public var configuration: [(String, JSON)] { [("probability", .float(probability))] }
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module {
        let probability = try spec.float("probability")
        guard probability >= 0 && probability < 1 else {
            throw .manifest(file: spec.file, field: "architecture.\(spec.path).config.probability", expected: "a probability in [0, 1)")
        }
        var rng = SeededGenerator(seed: 0)
        return Dropout(probability: probability, generator: &rng)
    }
}
