import Foundation

/// The Learner's data-parallel strategy in a world of more than one rank, built so that a run
/// over `p` ranks ends with the same weights and metrics as one process with the same batch
/// size and seed, up to the order floats are summed in:
///
/// - every rank draws the same global shuffle (the same seed) and takes a contiguous share of
///   each global batch: rows `⌊B·r/p⌋ ..< ⌊B·(r+1)/p⌋` of a batch of `B`;
/// - its loss (the mean over its rows) is weighted by its share of the batch, so the sum over
///   ranks is the global batch's mean loss, and the gradients are summed over ranks
///   (``GradientBuckets``);
/// - batch norm uses the global batch's statistics (``SynchronizedBatchNorm``), and dropout the
///   global batch's masks (``BatchShard``);
/// - validation predicts a share of the validation rows on each rank, gathers every
///   prediction on every rank, and computes the loss and metrics on all of them;
/// - only rank 0 shows progress.
final class DataParallel {
    let world: World
    private let buckets: GradientBuckets
    /// The share of the global batch that ``batches(of:)`` gave last (what ``localLoss(share:_:)`` trains on).
    private var shard: BatchShard?

    /// The strategy for `world`, or nil for a world of one (training is then unchanged).
    init?(world: World) {
        guard world.isDistributed else { return nil }
        self.world = world
        buckets = GradientBuckets(world: world)
    }

    /// This rank's contiguous share of `count` rows.
    func share(of count: Int) -> Range<Int> {
        (count * world.rank / world.size)..<(count * (world.rank + 1) / world.size)
    }

    /// Why `loader` cannot be trained on over this world, or nil: every global batch needs at
    /// least one row per rank.
    func problem(with loader: DataLoader) -> String? {
        let count = loader.dataset.count
        let sizes = [Swift.min(loader.batchSize, count)] + (loader.dropLast || count % loader.batchSize == 0 ? [] : [count % loader.batchSize])
        guard let smallest = sizes.min(), smallest < world.size else { return nil }
        return "a training batch of \(smallest) rows cannot be shared by \(world.size) ranks (at least one row each); "
            + "use a batch size of at least \(world.size) or fewer ranks"
    }

    /// This rank's share of each global batch of the next pass, with the share's fraction of
    /// the global batch's rows.
    func batches(of loader: DataLoader) -> AnySequence<(batch: Batch, share: Float)> {
        let indices = loader.batchIndices(), dataset = loader.dataset, augmenter = loader.augmenter
        return AnySequence(AnyIterator {
            guard let global = indices.next() else { return nil }
            let rows = self.share(of: global.count)
            self.shard = BatchShard(globalRows: global.count, rows: rows)
            let batch = dataset.batch(at: Array(global[rows]))
            return (augmenter?.apply(batch) ?? batch, Float(rows.count) / Float(global.count))
        })
    }

    /// This rank's part of the global batch's loss: `loss()` (the mean over this rank's rows) times
    /// its `share`, computed with batch norm synchronised over the world and dropout drawing the
    /// global batch's masks (``BatchShard``).
    func localLoss(share: Float, _ loss: () -> Tensor) -> Tensor {
        BatchShard.$current.withValue(shard) { SynchronizedBatchNorm.during(world) { loss() * share } }
    }

    /// The global batch's loss: the sum of every rank's weighted local loss.
    func globalLoss(_ local: Float) -> Float {
        var values = [local]
        world.allReduceSum(&values, what: "the all-reduce of the batch loss")
        return values[0]
    }

    /// Sums every parameter's gradient over the ranks.
    func allReduceGradients(_ parameters: [(key: String, tensor: Tensor)]) {
        buckets.allReduce(parameters.map(\.tensor))
    }

    /// The validation loss and metrics over the whole validation set, equal on every rank: each
    /// rank predicts its share of the rows, the predictions are gathered by an all-reduce (each
    /// rank adds its rows into a zeroed buffer of all of them), and the loss is averaged over
    /// the validation loader's batches as one process does.
    func validate(_ learner: Learner) -> (loss: Double, metrics: [(name: String, value: Double)]) {
        let model = learner.model, loader = learner.data.valid, dataset = loader.dataset
        let count = dataset.count
        guard count > 0 else { return (.nan, learner.metrics.map { ($0.name, .nan) }) }
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        // Fewer rows than ranks: every rank predicts them all (no communication needed).
        let mine = count >= world.size ? share(of: count) : 0..<count
        var predicted: [Tensor] = []
        noGrad {
            for start in stride(from: mine.lowerBound, to: mine.upperBound, by: loader.batchSize) {
                let rows = Array(start..<Swift.min(start + loader.batchSize, mine.upperBound))
                predicted.append(model(dataset.batch(at: rows).inputs))
            }
        }
        // Every rank has at least one row, so the same row shape.
        let local = Tensor.concatenate(predicted, axis: 0)
        let rowShape = Array(local.shape.dropFirst()), perRow = local.count / Swift.max(local.shape[0], 1)
        var all = [Float](repeating: 0, count: count * perRow)
        local.storage.withUnsafeBufferPointer { values in
            for (offset, value) in values.enumerated() { all[mine.lowerBound * perRow + offset] = value }
        }
        if count >= world.size { world.allReduceSum(&all, what: "the gather of \(count) validation predictions") }
        let predictions = Tensor(unchecked: [count] + rowShape, all)
        var total = 0.0
        noGrad {
            for start in stride(from: 0, to: count, by: loader.batchSize) {
                let rows = Array(start..<Swift.min(start + loader.batchSize, count))
                let part = TensorDataset(inputs: predictions, targets: dataset.targets).batch(at: rows)
                total += Double(learner.loss(part.inputs, part.targets).item()) * Double(rows.count)
            }
        }
        return (total / Double(count), learner.scoredMetrics(predictions: predictions, truth: dataset.targets))
    }
}
