import Foundation

/// How a gradient-descent fit ended.
public enum FitOutcome: String, Sendable {
    /// The loss improved by less than the tolerance over the last window of steps.
    case converged
    /// The step limit was reached first.
    case reachedStepLimit
    /// The loss became NaN or infinite (the learning rate is too large).
    case diverged
}

/// What a gradient-descent fit did: the final loss, the steps taken, why it stopped, and the
/// loss before each step.
public struct FitResult: Sendable {
    /// The loss after the last update (or the non-finite loss that stopped a diverged fit).
    public let loss: Float
    /// The number of update steps taken.
    public let steps: Int
    /// Why the fit stopped.
    public let outcome: FitOutcome
    /// The loss before each step, in order: the first ``FitResult/maxHistory`` steps (a fit of
    /// 10^12 steps keeps 4 MB, not 4 TB).
    public let history: [Float]

    /// The most losses ``history`` keeps: 2^20.
    public static let maxHistory = 1 << 20
    /// Wall-clock seconds spent.
    public let seconds: Double
}

/// The lesson's optimisation loop: compute the loss, `backward()`, step each parameter
/// against its gradient (`p -= lr * p.grad`, with optional momentum), clear the gradients,
/// repeat; stop at `maxSteps`, when the loss improved by less than `tolerance` over the last
/// `window` steps, or when it stops being finite.
///
/// ```swift
/// let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
/// let result = gradientDescent(parameters: [abc], lr: 0.01, maxSteps: 10_000) {
///     mse(quadratic(abc)(x), y)
/// }
/// print(result.loss, abc)
/// ```
@discardableResult
public func gradientDescent(
    parameters: [Tensor], lr: Float, maxSteps: Int, tolerance: Float = 0, window: Int = 100,
    momentum: Float = 0, onStep: ((Int, Float) -> Void)? = nil, loss: () -> Tensor
) -> FitResult {
    require(lr > 0 && lr.isFinite, "gradientDescent: lr must be positive and finite, got \(lr)")
    require(maxSteps >= 0, "gradientDescent: maxSteps must not be negative, got \(maxSteps)")
    require(window >= 1, "gradientDescent: window must be at least 1, got \(window)")
    require(parameters.allSatisfy { $0.requiresGrad && $0.isLeaf }, "gradientDescent: every parameter must be a leaf that requires grad")
    let start = Date()
    var history: [Float] = []
    history.reserveCapacity(Swift.min(maxSteps, FitResult.maxHistory))
    // The last `window + 1` losses, for the tolerance rule: memory bounded by the window, not by maxSteps.
    let ringSize = Swift.min(window, maxSteps) + 1
    var recent = [Float](repeating: 0, count: tolerance > 0 ? ringSize : 0)
    var taken = 0
    // The step itself is SGD's (`p -= lr * v`, `v = momentum * v + g`), not a second copy of it.
    let optimizer = SGD(parameters, lr: lr, momentum: momentum)
    func finish(_ outcome: FitOutcome, _ finalLoss: Float) -> FitResult {
        FitResult(loss: finalLoss, steps: taken, outcome: outcome, history: history, seconds: Date().timeIntervalSince(start))
    }
    for step in 0..<maxSteps {
        let value = loss()
        let current = value.item()
        onStep?(step, current)
        if !current.isFinite {
            if history.count < FitResult.maxHistory { history.append(current) }
            return finish(.diverged, current)
        }
        if tolerance > 0 {
            if step >= window, recent[(step - window) % ringSize] - current < tolerance { return finish(.converged, current) }
            recent[step % ringSize] = current
        }
        if history.count < FitResult.maxHistory { history.append(current) }
        value.backward()
        optimizer.step()
        optimizer.zeroGrad()
        taken += 1
    }
    let finalLoss = noGrad { loss().item() }
    return finish(finalLoss.isFinite ? .reachedStepLimit : .diverged, finalLoss)
}
