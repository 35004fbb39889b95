/// Zeroes each value with probability `p` during training and scales the rest by `1/(1-p)`;
/// the identity in evaluation mode. Its random stream is seeded from the generator it is
/// made with, so training runs reproduce; in data-parallel training each rank draws the whole
/// global batch's mask and applies its share's rows, so the run equals one process.
///
/// ```swift
/// let dropout = Dropout(probability: 0.5, generator: &rng)
/// ```
public final class Dropout: Module, ModuleArchitecture, @unchecked Sendable {
    /// What dropout is made from.
    public struct Settings: ModuleSettings {
        /// The probability of zeroing a value.
        public var probability: Float

        /// The settings.
        ///
        /// - Parameter probability: The probability of zeroing a value, in `[0, 1)`.
        public init(probability: Float = 0.5) { self.probability = probability }

        /// A probability in `[0, 1)`.
        ///
        /// - Throws: ``SettingError`` for `probability` outside `[0, 1)`.
        public func validate() throws(SettingError) {
            guard probability >= 0 && probability < 1 else { throw SettingError("probability", expected: "a probability in [0, 1)", found: probability) }
        }
    }

    /// The name in model files.
    public static var typeName: String { "Dropout" }
    /// The settings the layer was made with.
    public let settings: Settings
    private var generator: SeededGenerator

    /// Makes the layer; its own random stream is seeded from `generator`.
    ///
    /// - Parameters:
    ///   - settings: the probability (must validate).
    ///   - generator: seeds the layer's own stream.
    public init(settings: Settings, generator: inout some RandomNumberGenerator) {
        self.settings = settings.required(by: "Dropout")
        self.generator = SeededGenerator(seed: generator.next())
    }

    /// Makes the layer; its own random stream is seeded from `generator`.
    ///
    /// - Parameters:
    ///   - probability: the probability of zeroing a value, in `[0, 1)`.
    ///   - generator: seeds the layer's own stream.
    public convenience init(probability: Float = 0.5, generator: inout some RandomNumberGenerator) {
        self.init(settings: Settings(probability: probability), generator: &generator)
    }

    /// Makes the layer with its stream seeded from seed 0, as a rebuild from a file does.
    ///
    /// - Parameter settings: the probability.
    public convenience init(settings: Settings) {
        var rng = SeededGenerator(seed: 0)
        self.init(settings: settings, generator: &rng)
    }

    /// The probability of zeroing a value.
    public var probability: Float { settings.probability }

    /// The input with random values zeroed (training) or unchanged (evaluation).
    ///
    /// - Parameter input: Any tensor.
    /// - Returns: In training mode, a tensor of the input's shape with each value zeroed with
    ///   probability `p` (from the layer's own stream) and the rest scaled by `1/(1-p)`; in
    ///   evaluation mode (or with `p = 0`) the input itself.
    public override func forward(_ input: Tensor) -> Tensor {
        guard isTraining, probability > 0 else { return input }
        let keep = 1 - probability, scale = 1 / keep
        var mask = [Float](repeating: 0, count: input.count)
        if let shard = BatchShard.current, input.rank >= 1, input.shape[0] == shard.rows.count, input.shape[0] > 0 {
            // Data-parallel: draw the whole global batch's mask as one process does, keep this rank's rows.
            let rowSize = input.count / input.shape[0], start = shard.rows.lowerBound * rowSize
            for i in 0..<(shard.globalRows * rowSize) where generator.nextUnitFloat() < keep {
                if i >= start && i < start + mask.count { mask[i - start] = scale }
            }
        } else {
            for i in mask.indices where generator.nextUnitFloat() < keep { mask[i] = scale }
        }
        return input * Tensor(unchecked: input.shape, mask)
    }

    /// Any shape, unchanged.
    ///
    /// - Parameter input: The input's shape.
    /// - Returns: `input`, unchanged.
    /// - Throws: Nothing: every shape is accepted.
    public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] { input }
}
