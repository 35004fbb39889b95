/// One mini-batch: model inputs and the matching targets.
public struct Batch: @unchecked Sendable {
    /// The inputs, `[batch, ...]`.
    public let inputs: Tensor
    /// The targets, `[batch, ...]`.
    public let targets: Tensor
}

/// Samples held in memory as two tensors whose first axis runs over samples.
///
/// ```swift
/// let dataset = TensorDataset(inputs: images, targets: labels)   // [N, 1, 28, 28], [N]
/// ```
public struct TensorDataset: @unchecked Sendable {
    /// The inputs, `[count, ...]`.
    public let inputs: Tensor
    /// The targets, `[count, ...]`.
    public let targets: Tensor

    /// Pairs inputs with targets; both must have the same number of samples.
    ///
    /// - Parameters:
    ///   - inputs: The inputs, `[count, ...]` (rank 1 or more).
    ///   - targets: The targets, `[count, ...]`, with the same first size as `inputs`.
    public init(inputs: Tensor, targets: Tensor) {
        require(inputs.rank >= 1 && targets.rank >= 1 && inputs.shape[0] == targets.shape[0],
                "TensorDataset: inputs \(inputs.shape) and targets \(targets.shape) have different sample counts")
        self.inputs = inputs
        self.targets = targets
    }

    /// The number of samples.
    public var count: Int { inputs.shape[0] }

    /// The samples at `indices`, in that order, as one batch (rows copied with one block
    /// copy each, no per-value work).
    ///
    /// ```swift
    /// let batch = dataset.batch(at: [3, 1, 4])
    /// ```
    ///
    /// - Parameter indices: Sample positions, each in `0 ..< count`; they may repeat.
    /// - Returns: A batch with `indices.count` samples along axis 0 of both tensors.
    public func batch(at indices: [Int]) -> Batch {
        Batch(inputs: TensorDataset.rows(of: inputs, at: indices), targets: TensorDataset.rows(of: targets, at: indices))
    }

    /// The samples at `indices` as a new dataset.
    ///
    /// ```swift
    /// let validation = dataset.subset([0, 5, 9])
    /// ```
    ///
    /// - Parameter indices: Sample positions, each in `0 ..< count`.
    /// - Returns: A dataset of those samples, copied, in that order.
    public func subset(_ indices: [Int]) -> TensorDataset {
        let batch = batch(at: indices)
        return TensorDataset(inputs: batch.inputs, targets: batch.targets)
    }

    private static func rows(of tensor: Tensor, at indices: [Int]) -> Tensor {
        let count = tensor.shape[0]
        for index in indices {
            require(index >= 0 && index < count, "TensorDataset: sample \(index) is out of range 0..<\(count)")
        }
        let rowSize = count == 0 ? 0 : tensor.count / count
        return Tensor(unchecked: [indices.count] + Array(tensor.shape.dropFirst()),
                      Kernels.gatherRows(tensor.storage, rowSize: rowSize, indices: indices))
    }
}

/// Serves a dataset in mini-batches, optionally shuffled each pass from its own seeded
/// generator, keeping or dropping the last partial batch.
///
/// ```swift
/// let loader = DataLoader(dataset, batchSize: 64, shuffle: true, seed: 42)
/// for batch in loader { ... }
/// ```
public final class DataLoader: Sequence, @unchecked Sendable {
    /// The samples.
    public let dataset: TensorDataset
    /// Samples per batch.
    public let batchSize: Int
    /// Whether each pass visits the samples in a new random order.
    public let shuffle: Bool
    /// Whether a last batch smaller than `batchSize` is skipped.
    public let dropLast: Bool
    private var generator: SeededGenerator
    /// Seeded random changes applied to every batch it yields (training images), or `nil`.
    public var augmenter: ImageAugmenter?

    /// Makes a loader; `seed` fixes the shuffling order of every pass.
    ///
    /// - Parameters:
    ///   - dataset: The samples to serve.
    ///   - batchSize: Samples per batch, at least 1.
    ///   - shuffle: Whether each pass visits the samples in a new random order.
    ///   - dropLast: Whether a last batch smaller than `batchSize` is skipped.
    ///   - seed: The seed of the loader's own generator; the sequence of orders over passes is
    ///     the same in every run with the same seed.
    public init(_ dataset: TensorDataset, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false, seed: UInt64 = 0) {
        require(batchSize >= 1, "DataLoader: batchSize must be at least 1, got \(batchSize)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.generator = SeededGenerator(seed: seed)
    }

    /// The number of batches in one pass.
    public var batchCount: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The next pass over the data (a new order each pass when shuffling).
    ///
    /// - Returns: An iterator over ``batchCount`` batches; the order is drawn when it is made.
    public func makeIterator() -> AnyIterator<Batch> {
        let indices = batchIndices(), dataset = self.dataset, augmenter = self.augmenter
        return AnyIterator {
            guard let batch = indices.next().map({ dataset.batch(at: $0) }) else { return nil }
            return augmenter?.apply(batch) ?? batch
        }
    }

    /// The sample indices of each batch of the next pass (a new order each pass when shuffling),
    /// drawn exactly as ``makeIterator()`` draws them: data-parallel ranks with the same seed see
    /// the same global batches and each takes its share.
    func batchIndices() -> AnyIterator<[Int]> {
        var order = Array(0..<dataset.count)
        if shuffle { order.shuffle(using: &generator) }
        let batches = batchCount, size = batchSize
        var next = 0
        return AnyIterator {
            guard next < batches else { return nil }
            let indices = Array(order[(next * size)..<Swift.min((next + 1) * size, order.count)])
            next += 1
            return indices
        }
    }
}

/// Splits `0..<count` into a training and a validation list of indices, the validation
/// share chosen at random from `seed` (fastai's `RandomSplitter(valid_pct, seed)`).
///
/// ```swift
/// let (train, valid) = randomSplit(count: 891, validPercent: 0.2, seed: 42)
/// ```
///
/// - Parameters:
///   - count: The number of rows to split.
///   - validPercent: The validation share, in `[0, 1)`; `⌊count · validPercent⌋` rows go to validation.
///   - seed: The seed of the shuffle that picks them.
/// - Returns: The training and validation positions, each sorted ascending; together they are `0..<count`.
public func randomSplit(count: Int, validPercent: Double, seed: UInt64) -> (train: [Int], valid: [Int]) {
    require(validPercent >= 0 && validPercent < 1, "randomSplit: validPercent must be in [0, 1), got \(validPercent)")
    var generator = SeededGenerator(seed: seed)
    var order = Array(0..<count)
    order.shuffle(using: &generator)
    let validCount = Int((Double(count) * validPercent).rounded(.down))
    return (Array(order[validCount...]).sorted(), Array(order[..<validCount]).sorted())
}
