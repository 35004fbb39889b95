/// How a result tensor was made: the op's name, its inputs and its pullback, which maps the
/// gradient of the result to the gradients of the inputs (shaped like the result; the engine
/// un-broadcasts them). Pullbacks capture inputs and saved values, never the result itself,
/// so graphs hold no retain cycles.
struct GradFunction {
    /// The pullback of an op, by arity.
    enum Pullback {
        case unary((Tensor) -> Tensor?)
        case binary((Tensor) -> (Tensor?, Tensor?))
        case many((Tensor) -> [Tensor?])
    }

    /// The op's name, used in messages (`mul`, `matmul`, ...).
    let name: StaticString
    /// The inputs, in the order the pullback returns their gradients.
    let inputs: [Tensor]
    /// Freed (set to `nil`) after a backward pass unless the graph is retained.
    var pullback: Pullback?
}

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

    /// Records that this result came from `input` through an op with the given pullback.
    @inline(__always)
    func record(_ name: StaticString, _ input: Tensor, _ pullback: @escaping (Tensor) -> Tensor?) {
        requiresGrad = true
        gradFunction = GradFunction(name: name, inputs: [input], pullback: .unary(pullback))
    }

    /// Records that this result came from two inputs through an op with the given pullback.
    @inline(__always)
    func record(
        _ name: StaticString, _ lhs: Tensor, _ rhs: Tensor,
        _ pullback: @escaping (Tensor) -> (Tensor?, Tensor?)
    ) {
        requiresGrad = true
        gradFunction = GradFunction(name: name, inputs: [lhs, rhs], pullback: .binary(pullback))
    }

    /// Records that this result came from several inputs through an op with the given pullback.
    func record(_ name: StaticString, _ inputs: [Tensor], _ pullback: @escaping (Tensor) -> [Tensor?]) {
        requiresGrad = true
        gradFunction = GradFunction(name: name, inputs: inputs, pullback: .many(pullback))
    }
}
