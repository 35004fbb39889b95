/// Why a training step could not be captured, or a captured step could not replay.
///
/// ```swift
/// do { _ = try CapturedStep(optimizer: optimizer, example: [x, y]) { mse(model($0[0]), $0[1]) } }
/// catch let error as CaptureError { print(error) }   // "captureStep: op `sin` has no captured form ..."
/// ```
public enum CaptureError: Error, Equatable, CustomStringConvertible {
    /// The step used an op the capture cannot replay (its name).
    case unsupportedOperation(String)
    /// The step read tensor values (`item()`, `scalars`) while it was being captured: what it
    /// did next may depend on the data (data-dependent control flow).
    case valueRead
    /// The closure did not return a scalar computed by a captured op from the parameters.
    case lossNotCaptured(shape: [Int])
    /// A replay was given inputs of other shapes than the example the step was captured with.
    case shapeChanged(input: Int, expected: [Int], found: [Int])
    /// A replay was given another number of inputs than the example.
    case inputCountChanged(expected: Int, found: Int)
    /// No parameter of the optimizer receives a gradient from the loss.
    case noTrainableParameters
    /// Another capture is running (captures do not nest).
    case nested

    /// The message printed for this error: which rule the step broke, and what to do instead
    /// (run the step eagerly, or replay with inputs of the captured shapes).
    public var description: String {
        switch self {
        case .unsupportedOperation(let name):
            return "captureStep: op `\(name)` has no captured form (captured: linear, relu, polynomial, conv2d, "
                + "maxPool2d, reshape/flatten, mse, crossEntropy); run this step eagerly"
        case .valueRead:
            return "captureStep: the step read tensor values (item() or scalars) while being captured; "
                + "data-dependent control flow cannot be captured, run this step eagerly"
        case .lossNotCaptured(let shape):
            return "captureStep: the closure must return a scalar loss made by a captured op from the parameters, got shape \(shape)"
        case .shapeChanged(let input, let expected, let found):
            return "captureStep: input \(input) has shape \(found), the step was captured with \(expected); capture another step for this shape"
        case .inputCountChanged(let expected, let found):
            return "captureStep: the step was captured with \(expected) inputs, got \(found)"
        case .noTrainableParameters:
            return "captureStep: no parameter of the optimizer receives a gradient from the loss"
        case .nested:
            return "captureStep: another step is being captured on this thread; captures do not nest"
        }
    }
}
