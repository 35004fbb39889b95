/// Mean squared error: `mean((prediction - target)²)`, the lesson's loss; one op, like
/// PyTorch's `mse_loss`, with pullback `2 (prediction - target) / n`.
///
/// ```swift
/// let loss = mse(quadratic(abc)(x), y)
/// ```
///
/// - Parameters:
///   - prediction: The model's output.
///   - target: The true values; its shape and `prediction`'s must broadcast (equal shapes take
///     the one-op path).
/// - Returns: A scalar tensor.
public func mse(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    pointwiseLoss("mse", prediction, target, value: { $0 * $0 }, slope: { 2 * $0 }) { $0.squared().mean() }
}

/// Mean absolute error: `mean(|prediction - target|)` (PyTorch's `l1_loss`); pullback
/// `sign(prediction - target) / n`.
///
/// ```swift
/// let loss = mae(prediction, target)
/// ```
///
/// - Parameters:
///   - prediction: The model's output.
///   - target: The true values; its shape and `prediction`'s must broadcast.
/// - Returns: A scalar tensor.
public func mae(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    pointwiseLoss("mae", prediction, target, value: { Swift.abs($0) }, slope: { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }) {
        $0.abs().mean()
    }
}

/// The L1 loss, another name for `mae`.
///
/// ```swift
/// let loss = l1(prediction, target)
/// ```
///
/// - Parameters:
///   - prediction: The model's output.
///   - target: The true values; its shape and `prediction`'s must broadcast.
/// - Returns: `mae(prediction, target)`.
public func l1(_ prediction: Tensor, _ target: Tensor) -> Tensor { mae(prediction, target) }

/// `mean(value(prediction - target))` as one op when the shapes match (the usual case), with
/// pullback `slope(difference) / n`; broadcast shapes go through `composite` of the difference.
private func pointwiseLoss(
    _ name: StaticString, _ prediction: Tensor, _ target: Tensor,
    value: @escaping (Float) -> Float, slope: @escaping (Float) -> Float,
    composite: (Tensor) -> Tensor
) -> Tensor {
    guard prediction.shape == target.shape else {
        _ = Shape.broadcast(prediction.shape, target.shape, op: name)
        return composite(prediction - target)
    }
    let difference = Kernels.zip(prediction.storage, target.storage, -)
    let n = Float(difference.count)
    let total = difference.withUnsafeBufferPointer { d in
        var sum: Float = 0
        for i in 0..<d.count { sum += value(d[i]) }
        return sum
    }
    let result = Tensor(unchecked: [], [total / n])
    if Tensor.recording(prediction, target) {
        result.record(name, prediction, target) { g in
            let scale = g.storage[0] / n
            let slopes = prediction.sameShape(Kernels.map(difference) { slope($0) * scale })
            return (prediction.requiresGrad ? slopes : nil, target.requiresGrad ? -slopes : nil)
        }
        if "\(name)" == "mse", let session = CaptureSession.current { session.note(.mse, [prediction, target], result) }
    }
    return result
}
