/// Batch normalisation over axis 1 as one op (the element-wise composite allocates a dozen
/// activation-sized tensors per layer and dominated a CNN's step).
extension Tensor {
    /// Normalises each channel (axis 1) of `[N, C, ...]` input and applies the affine map:
    /// `y = (x - μ)·σ⁻¹·γ + β`. With `statistics` nil, `μ` and the biased variance `σ²` come from
    /// this batch and the gradient flows through them:
    /// `dx = γσ⁻¹/M · (M·g - Σg - x̂·Σ(g·x̂))` with `M` values per channel;
    /// with `statistics` given (evaluation), `dx = g·γ·σ⁻¹`. Always `dγ = Σ g·x̂`, `dβ = Σ g`.
    /// Returns the output and the batch mean and biased variance per channel.
    ///
    /// ```swift
    /// let (y, mean, variance) = Tensor.batchNorm(x, weight: gamma, bias: beta, epsilon: 1e-5)
    /// ```
    ///
    /// - Parameters:
    ///   - input: The activations, shape `[N, C, ...]` (rank 2 or more).
    ///   - weight: The per-channel scale `γ`, shape `[C]`.
    ///   - bias: The per-channel shift `β`, shape `[C]`.
    ///   - statistics: The running mean and variance to normalise with (evaluation mode), `C` values
    ///     each; `nil` (training mode) uses this batch's.
    ///   - epsilon: Added to the variance before the square root, `σ⁻¹ = 1/√(σ² + ε)`.
    /// - Returns: The normalised output (the input's shape), and the per-channel mean and biased
    ///   variance that were used (the batch's, or `statistics` when given), for updating running statistics.
    public static func batchNorm(
        _ input: Tensor, weight: Tensor, bias: Tensor, statistics: (mean: [Float], variance: [Float])? = nil, epsilon: Float
    ) -> (output: Tensor, mean: [Float], variance: [Float]) {
        let result = batchNorm(input, weight: weight, bias: bias, statistics: statistics, epsilon: epsilon, synchronizedOver: nil)
        return (result.output, result.mean, result.variance)
    }

    /// ``batchNorm(_:weight:bias:statistics:epsilon:)`` over the global batch of a data-parallel
    /// world (PyTorch's `SyncBatchNorm`): with batch statistics, the per-channel sums, then the
    /// squared deviations around the global mean, are summed over `world`'s ranks, and in the
    /// pullback `Σg` and `Σ(g·x̂)` are too, with `M` the global count. The weight and bias
    /// gradients stay this rank's own sums (the gradient all-reduce adds them up). Every rank
    /// must call it in the same order. Also returns `M`, the global values per channel.
    static func batchNorm(
        _ input: Tensor, weight: Tensor, bias: Tensor, statistics: (mean: [Float], variance: [Float])?, epsilon: Float,
        synchronizedOver world: World?
    ) -> (output: Tensor, mean: [Float], variance: [Float], count: Int) {
        require(input.rank >= 2, "batchNorm: input must be [N, C, ...], got shape \(input.shape)")
        let (batch, channels) = (input.shape[0], input.shape[1])
        require(weight.shape == [channels] && bias.shape == [channels],
                "batchNorm: weight \(weight.shape) and bias \(bias.shape) must be [\(channels)] for input \(input.shape)")
        let spatial = input.shape[2...].reduce(1, *)
        let world = statistics == nil ? world.flatMap { $0.isDistributed ? $0 : nil } : nil
        let localCount = batch * spatial
        var perChannel = localCount
        var mean = [Float](repeating: 0, count: channels), variance = [Float](repeating: 0, count: channels)
        if let statistics {
            mean = statistics.mean
            variance = statistics.variance
        } else {
            // Each plane is summed sixteen lanes at a time in Float, the planes (and ranks) in Double.
            var sums = [Double](repeating: 0, count: channels + 1)
            input.storage.withUnsafeBufferPointer { x in
                guard let values = x.baseAddress else { return }
                for c in 0..<channels {
                    for n in 0..<batch { sums[c] += Double(ConvolutionKernels.sum(values + (n * channels + c) * spatial, count: spatial)) }
                }
            }
            sums[channels] = Double(localCount)
            world?.allReduceSum(&sums, what: "the batch-norm sums of \(channels) channels")
            perChannel = Int(sums[channels])
            let averages = sums.prefix(channels).map { $0 / Double(Swift.max(perChannel, 1)) }
            var squares = [Double](repeating: 0, count: channels)
            input.storage.withUnsafeBufferPointer { x in
                guard let values = x.baseAddress else { return }
                for c in 0..<channels {
                    for n in 0..<batch {
                        squares[c] += Double(Kernels.squaredDeviations(
                            values + (n * channels + c) * spatial, count: spatial, around: Float(averages[c])))
                    }
                }
            }
            world?.allReduceSum(&squares, what: "the batch-norm squared deviations of \(channels) channels")
            for c in 0..<channels {
                mean[c] = Float(averages[c])
                variance[c] = Float(squares[c] / Double(Swift.max(perChannel, 1)))
            }
        }
        let globalCount = perChannel
        let invstd = variance.map { 1 / ($0 + epsilon).squareRoot() }
        let gamma = weight.storage, beta = bias.storage
        var output = [Float](repeating: 0, count: input.count)
        input.storage.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                for n in 0..<batch {
                    for c in 0..<channels {
                        let base = (n * channels + c) * spatial
                        let scale = invstd[c] * gamma[c], shift = beta[c] - mean[c] * scale
                        for s in 0..<spatial { y[base + s] = x[base + s] * scale + shift }
                    }
                }
            }
        }
        let result = Tensor(unchecked: input.shape, output)
        let usesBatchStatistics = statistics == nil
        if (input.requiresGrad || weight.requiresGrad || bias.requiresGrad) && isGradEnabled {
            result.record("batchNorm", [input, weight, bias]) { g in
                var gradSum = [Float](repeating: 0, count: channels), gradDotNormalized = [Float](repeating: 0, count: channels)
                g.storage.withUnsafeBufferPointer { grad in
                    input.storage.withUnsafeBufferPointer { x in
                        guard let grad = grad.baseAddress, let x = x.baseAddress else { return }
                        for c in 0..<channels {
                            var sum: Float = 0, dot: Float = 0
                            for n in 0..<batch {
                                let base = (n * channels + c) * spatial
                                let plane = Kernels.sumAndDeviationDot(
                                    grad + base, x + base, count: spatial, around: mean[c])
                                sum += plane.sum
                                dot += plane.dot
                            }
                            gradSum[c] = sum
                            gradDotNormalized[c] = dot * invstd[c]
                        }
                    }
                }
                // Synchronised: dx needs the global sums; dγ and dβ stay this rank's (summed later).
                var globalSum = gradSum, globalDot = gradDotNormalized
                if let world, input.requiresGrad {
                    var both = gradSum + gradDotNormalized
                    world.allReduceSum(&both, what: "the batch-norm gradient sums of \(channels) channels")
                    globalSum = Array(both[..<channels])
                    globalDot = Array(both[channels...])
                }
                var dx: Tensor?
                if input.requiresGrad {
                    var values = [Float](repeating: 0, count: input.count)
                    let m = Float(globalCount)
                    g.storage.withUnsafeBufferPointer { grad in
                        input.storage.withUnsafeBufferPointer { x in
                            values.withUnsafeMutableBufferPointer { out in
                                for n in 0..<batch {
                                    for c in 0..<channels {
                                        let base = (n * channels + c) * spatial
                                        let scale = gamma[c] * invstd[c]
                                        if usesBatchStatistics {
                                            let meanGrad = globalSum[c] / m, normalizedGrad = globalDot[c] / m
                                            for s in 0..<spatial {
                                                let normalized = (x[base + s] - mean[c]) * invstd[c]
                                                out[base + s] = scale * (grad[base + s] - meanGrad - normalized * normalizedGrad)
                                            }
                                        } else {
                                            for s in 0..<spatial { out[base + s] = scale * grad[base + s] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    dx = Tensor(unchecked: input.shape, values)
                }
                return [dx, weight.requiresGrad ? Tensor(unchecked: [channels], gradDotNormalized) : nil,
                        bias.requiresGrad ? Tensor(unchecked: [channels], gradSum) : nil]
            }
        }
        return (result, mean, variance, globalCount)
    }
}
