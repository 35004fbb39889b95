import Foundation

/// How a loss combines its per-sample values.
public enum Reduction: String, Sendable {
    /// The average over samples (the default).
    case mean
    /// The total over samples.
    case sum
    /// One value per sample.
    case none
}

/// Reads whole-number class indices from a rank-1 tensor, checking each against `classes`.
func classIndices(_ targets: Tensor, classes: Int, op: StaticString) -> [Int] {
    targets.storage.map { value in
        let index = Int(value)
        require(Float(index) == value && index >= 0 && index < classes,
                "\(op): target \(value) is not a class index in 0..<\(classes)")
        return index
    }
}

/// Applies a reduction to per-sample values (of `shape` when not reduced) with a pullback
/// that spreads the upstream gradient back as per-sample weights.
private func reduceLosses(
    _ name: StaticString, _ perSample: [Float], shape: [Int], _ reduction: Reduction, input: Tensor,
    _ gradient: @escaping (_ sampleWeights: [Float]) -> Tensor
) -> Tensor {
    let n = perSample.count
    let result: Tensor
    switch reduction {
    case .mean: result = Tensor(unchecked: [], [Kernels.sum(perSample) / Float(Swift.max(n, 1))])
    case .sum: result = Tensor(unchecked: [], [Kernels.sum(perSample)])
    case .none: result = Tensor(unchecked: shape, perSample)
    }
    if Tensor.recording(input) {
        result.record(name, input) { g in
            switch reduction {
            case .mean: return gradient([Float](repeating: g.storage[0] / Float(Swift.max(n, 1)), count: n))
            case .sum: return gradient([Float](repeating: g.storage[0], count: n))
            case .none: return gradient(g.storage)
            }
        }
    }
    return result
}

/// Cross-entropy of class logits `[N, C]` against integer class targets `[N]` (PyTorch's
/// `cross_entropy`), computed stably from the log-softmax as one op:
/// `ℓᵢ = -(1-ε)·log pᵢ[tᵢ] - (ε/C)·Σ_c log pᵢ[c]`, pullback `(softmax - q)` per sample with
/// `q = (1-ε)·onehot + ε/C`.
///
/// ```swift
/// let loss = crossEntropy(logits: model(images), targets: labels)
/// ```
///
/// - Parameters:
///   - logits: Unnormalised class scores, `[N, C]`.
///   - targets: Class indices `[N]`, whole numbers in `0 ..< C` (no gradient).
///   - labelSmoothing: ε in `[0, 1]`: the share of each target's mass spread evenly over the
///     `C` classes (fastai's `LabelSmoothingCrossEntropy`).
///   - reduction: `.mean` (the default), `.sum`, or `.none` for the `[N]` per-sample losses.
/// - Returns: A scalar tensor, or `[N]` with `.none`.
public func crossEntropy(logits: Tensor, targets: Tensor, labelSmoothing: Float = 0, reduction: Reduction = .mean) -> Tensor {
    require(logits.rank == 2, "crossEntropy: logits must be [batch, classes], got shape \(logits.shape)")
    require(targets.shape == [logits.shape[0]], "crossEntropy: targets of shape \(targets.shape) do not match logits \(logits.shape)")
    require(labelSmoothing >= 0 && labelSmoothing <= 1, "crossEntropy: labelSmoothing must be in [0, 1], got \(labelSmoothing)")
    let (n, classes) = (logits.shape[0], logits.shape[1])
    let indices = classIndices(targets, classes: classes, op: "crossEntropy")
    let logProbabilities = noGrad { logits.detach().logSoftmax(axis: 1) }.storage
    let smoothing = labelSmoothing
    var perSample = [Float](repeating: 0, count: n)
    for i in 0..<n {
        let row = i * classes
        var total: Float = 0
        if smoothing > 0 { for c in 0..<classes { total += logProbabilities[row + c] } }
        perSample[i] = -(1 - smoothing) * logProbabilities[row + indices[i]] - smoothing / Float(classes) * total
    }
    let result = reduceLosses("crossEntropy", perSample, shape: [n], reduction, input: logits) { weights in
        var grad = [Float](unsafeUninitializedCapacity: n * classes) { buffer, count in
            for i in 0..<(n * classes) { buffer[i] = Foundation.exp(logProbabilities[i]) }
            count = n * classes
        }
        for i in 0..<n {
            let row = i * classes
            for c in 0..<classes {
                let target = (c == indices[i] ? 1 - smoothing : 0) + smoothing / Float(classes)
                grad[row + c] = (grad[row + c] - target) * weights[i]
            }
        }
        return Tensor(unchecked: logits.shape, grad)
    }
    if reduction != .none, result.gradFunction != nil, let session = CaptureSession.current {
        session.note(.crossEntropy(labelSmoothing: smoothing, mean: reduction == .mean), [logits, targets], result)
    }
    return result
}

/// Negative log-likelihood of log-probabilities `[N, C]` at integer class targets `[N]`
/// (PyTorch's `nll_loss`): `ℓᵢ = -logpᵢ[tᵢ]`.
///
/// ```swift
/// let loss = nll(logProbabilities: logits.logSoftmax(axis: 1), targets: labels)
/// ```
///
/// - Parameters:
///   - logProbabilities: Log-probabilities `[N, C]`, e.g. `logits.logSoftmax(axis: 1)`.
///   - targets: Class indices `[N]`, whole numbers in `0 ..< C` (no gradient).
///   - reduction: `.mean` (the default), `.sum`, or `.none` for the `[N]` per-sample losses.
/// - Returns: A scalar tensor, or `[N]` with `.none`.
public func nll(logProbabilities: Tensor, targets: Tensor, reduction: Reduction = .mean) -> Tensor {
    require(logProbabilities.rank == 2, "nll: log-probabilities must be [batch, classes], got shape \(logProbabilities.shape)")
    require(targets.shape == [logProbabilities.shape[0]], "nll: targets of shape \(targets.shape) do not match \(logProbabilities.shape)")
    let classes = logProbabilities.shape[1]
    _ = classIndices(targets, classes: classes, op: "nll")
    let picked = -logProbabilities.gather(axis: 1, indices: targets.unsqueezed(axis: 1)).squeezed(axis: 1)
    switch reduction {
    case .mean: return picked.mean()
    case .sum: return picked.sum()
    case .none: return picked
    }
}

/// Binary cross-entropy of logits against targets in [0, 1] (PyTorch's
/// `binary_cross_entropy_with_logits`), stable for large logits:
/// `ℓ = max(x, 0) - x·t + log(1 + e^{-|x|})`, pullback `σ(x) - t`.
///
/// ```swift
/// let loss = binaryCrossEntropy(logits: model(x).squeezed(axis: 1), targets: survived)
/// ```
///
/// - Parameters:
///   - logits: One logit per sample, any shape.
///   - targets: Probabilities in `[0, 1]` of `logits`'s shape (usually 0 or 1; no gradient).
///   - reduction: `.mean` (the default), `.sum`, or `.none` for per-element losses.
/// - Returns: A scalar tensor, or one loss per element with `.none`.
public func binaryCrossEntropy(logits: Tensor, targets: Tensor, reduction: Reduction = .mean) -> Tensor {
    require(logits.shape == targets.shape, "binaryCrossEntropy: shapes \(logits.shape) and \(targets.shape) differ")
    let x = logits.storage, t = targets.storage
    let perSample = (0..<x.count).map { i -> Float in
        let softplus: Float = Foundation.log1p(Foundation.exp(-Swift.abs(x[i])))
        return Swift.max(x[i], 0) - x[i] * t[i] + softplus
    }
    return reduceLosses("binaryCrossEntropy", perSample, shape: logits.shape, reduction, input: logits) { weights in
        let grad = (0..<x.count).map { i -> Float in
            let sigmoid = x[i] >= 0 ? 1 / (1 + Foundation.exp(-x[i])) : Foundation.exp(x[i]) / (1 + Foundation.exp(x[i]))
            return (sigmoid - t[i]) * weights[i]
        }
        return Tensor(unchecked: logits.shape, grad)
    }
}
