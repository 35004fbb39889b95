/// Mean squared error: `mean((prediction - target)²)`, the lesson's loss.
///
/// ```swift
/// let loss = mse(quadratic(abc)(x), y)
/// ```
public func mse(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    _ = Shape.broadcast(prediction.shape, target.shape, op: "mse")
    return (prediction - target).squared().mean()
}

/// Mean absolute error: `mean(|prediction - target|)` (PyTorch's `l1_loss`).
///
/// ```swift
/// let loss = mae(prediction, target)
/// ```
public func mae(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    _ = Shape.broadcast(prediction.shape, target.shape, op: "mae")
    return (prediction - target).abs().mean()
}

/// The L1 loss, another name for `mae`.
///
/// ```swift
/// let loss = l1(prediction, target)
/// ```
public func l1(_ prediction: Tensor, _ target: Tensor) -> Tensor { mae(prediction, target) }
