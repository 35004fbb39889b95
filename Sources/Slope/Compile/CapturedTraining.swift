/// Mini-batch training through captured steps: the first batch of each shape is captured
/// (`CapturedStep`), later batches of that shape replay it; shapes the capture refuses train
/// eagerly (`optimizer.zeroGrad(); loss.backward(); optimizer.step()`), with the same results
/// either way.
///
/// Capturing runs the loss once on the batch without updating anything, so use it for losses
/// without side effects (no dropout, no batch norm running statistics); `Learner` checks its
/// model with `CapturedTraining.canCapture(_:)` first.
///
/// ```swift
/// let training = CapturedTraining(optimizer: optimizer) { crossEntropy(logits: model($0[0]), targets: $0[1]) }
/// for batch in loader { _ = training.step([batch.inputs, batch.targets]) }
/// ```
public final class CapturedTraining {
    /// The optimizer every step updates.
    public let optimizer: Optimizer
    private let loss: ([Tensor]) -> Tensor
    /// Captured steps by input shapes; `nil` where the capture refused.
    @exclusivity(unchecked) private var steps: [[[Int]]: CapturedStep?] = [:]
    /// Why the last refused capture was refused, if one was.
    @exclusivity(unchecked) public private(set) var lastRefusal: CaptureError?

    /// Training of `loss` (from a batch's tensors) with `optimizer`.
    ///
    /// - Parameters:
    ///   - optimizer: updates the parameters.
    ///   - loss: the scalar loss from the batch's tensors (inputs, targets, ...).
    public init(optimizer: Optimizer, loss: @escaping ([Tensor]) -> Tensor) {
        self.optimizer = optimizer
        self.loss = loss
    }

    /// The captured step for these inputs' shapes, capturing it on first sight.
    func capturedStep(for inputs: [Tensor]) -> CapturedStep? {
        let key = inputs.map(\.shape)
        if let known = steps[key] { return known }
        var step: CapturedStep?
        do { step = try CapturedStep(optimizer: optimizer, example: inputs, loss: loss) } catch let error as CaptureError {
            lastRefusal = error
        } catch {}
        steps[key] = .some(step)
        return step
    }

    /// One training step on `inputs`: captured when possible, eager otherwise.
    ///
    /// - Parameter inputs: the batch's tensors, in the order `loss` reads them.
    /// - Returns: the loss before the update.
    @discardableResult
    public func step(_ inputs: [Tensor]) -> Float {
        if let step = capturedStep(for: inputs), let value = try? step(inputs) { return value }
        let value = loss(inputs)
        optimizer.zeroGrad()
        value.backward()
        optimizer.step()
        return value.item()
    }

    /// Whether every module of `model` replays exactly when captured: linear and convolutional
    /// layers, ReLU, max pooling, flattening, in sequence (no dropout, no batch norm, whose
    /// forward passes change state).
    ///
    /// - Parameter model: the model to check.
    /// - Returns: true when `Learner` may train `model` with captured steps.
    public static func canCapture(_ model: Module) -> Bool {
        model.namedModules().allSatisfy { entry in
            let module = entry.module
            return module is Sequential || module is Linear || module is ReLU || module is Conv2d
                || module is MaxPool2d || module is Flatten
        }
    }
}
