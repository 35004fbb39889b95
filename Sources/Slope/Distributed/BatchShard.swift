/// Where this rank's rows sit in the global batch during data-parallel training, so layers that
/// draw random numbers per value draw them as one process would for the whole batch and keep
/// this rank's part: ``Dropout`` draws the global batch's mask (its stream then advances the same
/// on every rank) and applies the rows of its share.
struct BatchShard: Sendable {
    /// Rows in the global batch.
    let globalRows: Int
    /// This rank's rows of it.
    let rows: Range<Int>

    /// The shard of the batch being trained, or nil (one process, or outside training).
    @TaskLocal static var current: BatchShard?
}
