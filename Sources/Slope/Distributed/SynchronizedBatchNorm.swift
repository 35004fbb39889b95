/// Batch norm over the global batch in data-parallel training (PyTorch's `SyncBatchNorm`):
/// while a ``Learner`` trains in a world of more than one rank, every ``BatchNorm`` layer in
/// training mode normalises with the mean and variance of the whole global batch, summed over
/// the ranks, and its pullback sums `Σg` and `Σ(g·x̂)` over them too, so each rank's shard is
/// normalised exactly as one process would normalise the whole batch. Running statistics use
/// the global count, so they are equal on every rank.
///
/// The Learner turns it on around each training batch's forward pass; the pullbacks keep the
/// world they were recorded with. Evaluation (running statistics) needs no communication.
enum SynchronizedBatchNorm {
    /// The world batch-norm layers synchronise over, or nil (each process on its own).
    @TaskLocal static var world: World?

    /// Runs `body` with batch norm synchronised over `world` (nothing changes for a world of one).
    static func during<T>(_ world: World, _ body: () throws -> T) rethrows -> T {
        guard world.isDistributed else { return try body() }
        return try $world.withValue(world, operation: body)
    }
}
