import CSlope

/// One training step (forward, loss, backward, optimizer update) recorded once from the eager
/// engine and replayed on new data: no graph is built, no memory is allocated and nothing is
/// dispatched per op. Results are bit-identical to the eager step
/// (`optimizer.zeroGrad(); loss.backward(); optimizer.step()`), because each replayed op runs
/// the eager op's own arithmetic in the eager engine's order (the idea of JAX's `jit`,
/// tinygrad's `TinyJit` or a CUDA graph, for the CPU).
///
/// The capture runs the closure once, with every example input marked as needing a gradient so
/// that each op depending on the data is seen. It refuses (throws `CaptureError`) what it
/// cannot replay: an op without a captured form, a step that reads tensor values
/// (data-dependent control flow), a loss that is not a captured scalar. A replay with inputs of
/// other shapes throws `CaptureError.shapeChanged`. Tensors that are neither inputs nor
/// parameters are frozen at capture; the optimizer's learning rate and momentum are read at
/// every step, so schedules work. Parameters' `.grad` is not written (gradients stay inside
/// the step). Not thread-safe: replay one step at a time.
///
/// ```swift
/// let step = try CapturedStep(optimizer: optimizer, example: [x, y]) { mse(model($0[0]), $0[1]) }
/// for _ in 0..<1000 { let loss = try step([x, y]) }
/// ```
public final class CapturedStep {
    /// The optimizer whose parameters and state the step updates.
    public let optimizer: Optimizer
    /// The input shapes the step was captured with.
    public let inputShapes: [[Int]]
    private let program: CapturedProgram

    /// Captures one step of `loss` on `example` inputs, optimised by `optimizer`.
    ///
    /// - Parameters:
    ///   - optimizer: updates the parameters (SGD, Adam, AdamW); its parameters are the step's.
    ///   - example: inputs of the shapes every replay will have (batch, targets, ...).
    ///   - loss: the scalar loss from the inputs, written as for eager training.
    /// - Throws: `CaptureError` when the step cannot be captured.
    public init(optimizer: Optimizer, example: [Tensor], loss: ([Tensor]) -> Tensor) throws {
        guard CaptureSession.current == nil else { throw CaptureError.nested }
        let session = CaptureSession()
        let probes = example.map { $0.detach().requiresGrad() }
        let previous = slope_set_grad_enabled(1)
        CaptureSession.current = session
        let result = loss(probes)
        CaptureSession.current = nil
        slope_set_grad_enabled(previous)
        if session.readValues { throw CaptureError.valueRead }
        if let unseen = session.firstUndescribed { throw CaptureError.unsupportedOperation("\(unseen.opName)") }
        self.optimizer = optimizer
        self.inputShapes = example.map(\.shape)
        self.program = try CapturedProgram(
            nodes: session.nodes, loss: result, inputs: probes, parameters: optimizer.parameters.map(\.tensor))
    }

    /// Runs the forward pass and the loss on `inputs`, then the backward pass and the
    /// optimizer's update; returns the loss.
    ///
    /// - Parameter inputs: tensors of the example's shapes, in the same order.
    /// - Returns: the loss before the update (as `loss.item()` would give).
    /// - Throws: `CaptureError.shapeChanged` or `.inputCountChanged` for inputs of other shapes.
    @discardableResult
    public func callAsFunction(_ inputs: [Tensor]) throws -> Float {
        let value = try forward(inputs)
        update()
        return value
    }

    /// The first half of `callAsFunction`: forward pass and loss only (nothing changes yet), for
    /// a caller that looks at the loss before deciding to `update()`.
    ///
    /// - Parameter inputs: tensors of the example's shapes, in the same order.
    /// - Returns: the loss.
    /// - Throws: `CaptureError.shapeChanged` or `.inputCountChanged` for inputs of other shapes.
    public func forward(_ inputs: [Tensor]) throws -> Float {
        guard inputs.count == inputShapes.count else {
            throw CaptureError.inputCountChanged(expected: inputShapes.count, found: inputs.count)
        }
        for (index, input) in inputs.enumerated() where input.shape != inputShapes[index] {
            throw CaptureError.shapeChanged(input: index, expected: inputShapes[index], found: input.shape)
        }
        return program.forward(inputs)
    }

    /// The second half: the backward pass of the last `forward` and the optimizer's update.
    ///
    /// ```swift
    /// let loss = try step.forward([x, y])
    /// if loss.isFinite { step.update() }
    /// ```
    public func update() {
        program.backward()
        program.withGradients { gradient in optimizer.step(gradients: gradient) }
    }
}
