/// Sums parameter gradients over the ranks of a world in buckets (as Horovod and PyTorch DDP
/// do): the gradients are packed in the optimizer's order into flat buffers of at most
/// ``bucketBytes``, each bucket's non-blocking all-reduce starts as soon as it is packed (so
/// packing the next overlaps with sending this one), then all are waited for and unpacked.
///
/// It does not overlap with backward: Slope's backward pass runs to the end before the step,
/// and the models it trains fit one or two buckets, where one all-reduce after backward costs
/// less than several small ones during it.
final class GradientBuckets {
    /// The most bytes one bucket holds (PyTorch DDP's default, 25 MiB).
    static let bucketBytes = 25 << 20

    let world: World
    private var buffers: [UnsafeMutableBufferPointer<Float>] = []

    /// Buckets for gradients summed over `world`.
    init(world: World) { self.world = world }

    deinit { buffers.forEach { $0.deallocate() } }

    /// Replaces each parameter's gradient by its sum over the ranks; parameters without a
    /// gradient (the same on every rank, as every rank runs the same model) are left alone.
    ///
    /// - Parameter parameters: the parameters, in the same order on every rank.
    func allReduce(_ parameters: [Tensor]) {
        guard world.isDistributed else { return }
        let withGradients = parameters.filter { $0.requiresGrad && $0.grad != nil }
        let gradients = withGradients.map { $0.grad! }
        // Bucket boundaries: consecutive gradients up to bucketBytes (a larger one is a bucket alone).
        var groups: [[Tensor]] = [], current: [Tensor] = [], bytes = 0
        for gradient in gradients {
            let size = gradient.count * MemoryLayout<Float>.stride
            if !current.isEmpty && bytes + size > Self.bucketBytes {
                groups.append(current)
                current = []
                bytes = 0
            }
            current.append(gradient)
            bytes += size
        }
        if !current.isEmpty { groups.append(current) }
        while buffers.count < groups.count { buffers.append(.allocate(capacity: 0)) }
        var requests: [MPILibrary.Request] = []
        for (index, group) in groups.enumerated() {
            let count = group.reduce(0) { $0 + $1.count }
            if buffers[index].count < count {
                buffers[index].deallocate()
                buffers[index] = .allocate(capacity: count)
            }
            let buffer = UnsafeMutableBufferPointer(rebasing: buffers[index][..<count])
            var offset = 0
            for gradient in group {
                gradient.storage.withUnsafeBufferPointer { source in
                    if let base = source.baseAddress { (buffer.baseAddress! + offset).update(from: base, count: source.count) }
                }
                offset += gradient.count
            }
            if let request = world.startAllReduceSum(UnsafeMutableRawBufferPointer(buffer), type: MPILibrary.float,
                                                     what: "the gradient all-reduce (bucket \(index + 1) of \(groups.count), \(count) values)") {
                requests.append(request)
            }
        }
        world.wait(for: &requests, what: "the gradient all-reduce of \(gradients.count) tensors")
        // New gradient tensors: a leaf's `.grad` may be shared with another (a pullback's output), so never written in place.
        var next = 0
        for (index, group) in groups.enumerated() {
            var offset = 0
            for gradient in group {
                let sums = Array(UnsafeBufferPointer(start: buffers[index].baseAddress! + offset, count: gradient.count))
                withGradients[next].grad = Tensor(unchecked: gradient.shape, sums)
                next += 1
                offset += gradient.count
            }
        }
    }
}
