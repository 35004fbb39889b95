import CSlope

/// What a captured op computes, with the settings its replay needs (its tensors are in
/// `CapturedNode.inputs`).
enum CapturedOperation {
    /// `Tensor.polynomial(coefficients, at: x)`; inputs `[coefficients, x]`.
    case polynomial
    /// `x.linear(weight:bias:)`; inputs `[x, weight]` or `[x, weight, bias]`.
    case linear
    /// `x.relu()`; inputs `[x]`.
    case relu
    /// `reshaped`/`flattened` (the values do not move); inputs `[x]`.
    case reshape
    /// `mse(prediction, target)` with equal shapes; inputs `[prediction, target]`.
    case mse
    /// `crossEntropy(logits:targets:)` with mean or sum reduction; inputs `[logits, targets]`.
    case crossEntropy(labelSmoothing: Float, mean: Bool)
    /// `x.conv2d(...)`; inputs `[x, weight]` or `[x, weight, bias]`.
    case conv2d(groups: Int, geometry: ConvolutionKernels.Geometry)
    /// `x.maxPool2d(...)`; inputs `[x]`.
    case maxPool2d(window: PoolingKernels.Window)
}

/// One op seen while a step was captured: what it does, what it read and what it made.
struct CapturedNode {
    let operation: CapturedOperation
    let inputs: [Tensor]
    let output: Tensor
}

/// Watches the eager engine while `CapturedStep` runs a step once: every op that records a
/// graph node is reported here, and the ops with a captured form describe themselves
/// (`note`). The capture then knows whether it saw everything the step did.
///
/// Each thread has its own running capture (ops on other threads are not seen).
final class CaptureSession {
    /// The capture running on this thread, if any (checked by ops only when they record a node).
    /// The capture keeps the session alive while it is set.
    static var current: CaptureSession? {
        get { slope_capture_session().map { Unmanaged<CaptureSession>.fromOpaque($0).takeUnretainedValue() } }
        set { slope_set_capture_session(newValue.map { Unmanaged.passUnretained($0).toOpaque() }) }
    }

    /// Ops with a captured form, in the order they ran.
    private(set) var nodes: [CapturedNode] = []
    /// Every result that recorded a graph node, in order.
    private(set) var recorded: [Tensor] = []
    /// Results described by `note`.
    private var described = Set<ObjectIdentifier>()
    /// Whether the step read tensor values (`item()`, `scalars`).
    var readValues = false

    /// Records that an op with a captured form made `output` from `inputs`.
    func note(_ operation: CapturedOperation, _ inputs: [Tensor], _ output: Tensor) {
        nodes.append(CapturedNode(operation: operation, inputs: inputs, output: output))
        described.insert(ObjectIdentifier(output))
    }

    /// Records that `result` recorded a graph node (called by the engine for every op).
    func recorded(_ result: Tensor) {
        recorded.append(result)
    }

    /// The first recorded result no op described, if any.
    var firstUndescribed: Tensor? {
        recorded.first { !described.contains(ObjectIdentifier($0)) }
    }
}
