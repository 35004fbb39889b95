import Synchronization

/// How a result tensor was made: its inputs and its pullback, which maps the gradient of the
/// result to the gradients of the inputs (shaped like the result; the engine un-broadcasts
/// them). Pullbacks capture inputs and saved values, never the result itself, so graphs hold
/// no retain cycles. Inputs of unary and binary ops are stored inline (no array per op).
enum GradFunction {
    case unary(Tensor, (Tensor) -> Tensor?)
    case binary(Tensor, Tensor, (Tensor) -> (Tensor?, Tensor?))
    case many([Tensor], (Tensor) -> [Tensor?])
    /// Released by a backward pass that did not retain the graph.
    case freed

    /// Whether this node still holds its inputs (not freed).
    var hasInputs: Bool {
        if case .freed = self { return false }
        return true
    }

    /// Calls `body` with each input, in order.
    @inline(__always)
    func forEachInput(_ body: (Tensor) -> Void) {
        switch self {
        case .unary(let input, _): body(input)
        case .binary(let first, let second, _): body(first); body(second)
        case .many(let inputs, _): for input in inputs { body(input) }
        case .freed: break
        }
    }
}

/// Numbers recorded results in creation order (see `Tensor.sequence`).
private let sequenceCounter = Atomic<Int>(0)

extension Tensor {
    /// Whether an op on `input` must record a graph node.
    @inline(__always)
    static func recording(_ input: Tensor) -> Bool {
        input.requiresGrad && isGradEnabled
    }

    /// Whether an op on `lhs` and `rhs` must record a graph node.
    @inline(__always)
    static func recording(_ lhs: Tensor, _ rhs: Tensor) -> Bool {
        (lhs.requiresGrad || rhs.requiresGrad) && isGradEnabled
    }

    @inline(__always)
    private func markRecorded(_ name: StaticString) {
        requiresGrad = true
        opName = name
        sequence = sequenceCounter.add(1, ordering: .relaxed).newValue
        if let session = CaptureSession.current { session.recorded(self) }
    }

    /// Records that this result came from `input` through an op with the given pullback.
    @inline(__always)
    func record(_ name: StaticString, _ input: Tensor, _ pullback: @escaping (Tensor) -> Tensor?) {
        markRecorded(name)
        gradFunction = .unary(input, pullback)
    }

    /// Records that this result came from two inputs through an op with the given pullback.
    @inline(__always)
    func record(
        _ name: StaticString, _ lhs: Tensor, _ rhs: Tensor,
        _ pullback: @escaping (Tensor) -> (Tensor?, Tensor?)
    ) {
        markRecorded(name)
        gradFunction = .binary(lhs, rhs, pullback)
    }

    /// Records that this result came from several inputs through an op with the given pullback.
    func record(_ name: StaticString, _ inputs: [Tensor], _ pullback: @escaping (Tensor) -> [Tensor?]) {
        markRecorded(name)
        gradFunction = .many(inputs, pullback)
    }
}
