/// Stochastic gradient descent with optional momentum, Nesterov momentum, dampening and L2
/// weight decay, as PyTorch's `torch.optim.SGD`:
/// `g ← ∇ + λp; b ← μb + (1-τ)g (b ← g on the first step); g ← g + μb (Nesterov) or b;
/// p ← p - lr·g`.
///
/// ```swift
/// let optimizer = SGD(model, lr: 0.05, momentum: 0.9)
/// ```
public final class SGD: Optimizer, @unchecked Sendable {
    /// The momentum factor μ.
    public var momentum: Float
    /// The dampening τ of the momentum buffer.
    public let dampening: Float
    /// The L2 weight decay λ added to the gradient.
    public let weightDecay: Float
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool

    /// Makes the optimizer over named parameters (e.g. `model.namedParameters()`).
    ///
    /// - Parameters:
    ///   - parameters: The parameters with their dotted keys (`model.namedParameters()`); state is kept under the same keys.
    ///   - lr: The learning rate, finite and not negative.
    ///   - momentum: μ, finite and not negative; 0 for plain SGD.
    ///   - dampening: τ, how much of the new gradient the momentum buffer leaves out.
    ///   - weightDecay: λ, the L2 penalty added to the gradient as `λp`; finite and not negative.
    ///   - nesterov: Whether to step with `g + μb` (needs `momentum > 0` and `dampening == 0`).
    public init(parameters: [(key: String, tensor: Tensor)], lr: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) {
        require(momentum >= 0 && momentum.isFinite, "SGD: momentum must be finite and not negative, got \(momentum)")
        require(weightDecay >= 0 && weightDecay.isFinite, "SGD: weightDecay must be finite and not negative, got \(weightDecay)")
        require(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and dampening 0")
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        super.init(parameters: parameters, lr: lr)
    }

    /// Makes the optimizer over a module's parameters.
    ///
    /// ```swift
    /// let optimizer = SGD(model, lr: 0.1)
    /// ```
    ///
    /// - Parameters:
    ///   - model: The module whose `namedParameters()` are optimized.
    ///   - lr: The learning rate, finite and not negative.
    ///   - momentum: μ, finite and not negative; 0 for plain SGD.
    ///   - dampening: τ, how much of the new gradient the momentum buffer leaves out.
    ///   - weightDecay: λ, the L2 penalty added to the gradient as `λp`; finite and not negative.
    ///   - nesterov: Whether to step with `g + μb` (needs `momentum > 0` and `dampening == 0`).
    public convenience init(_ model: Module, lr: Float, momentum: Float = 0, dampening: Float = 0,
                            weightDecay: Float = 0, nesterov: Bool = false) {
        self.init(parameters: model.namedParameters(), lr: lr, momentum: momentum, dampening: dampening,
                  weightDecay: weightDecay, nesterov: nesterov)
    }

    /// Makes the optimizer over plain tensors (keys `0`, `1`, ...).
    ///
    /// ```swift
    /// let optimizer = SGD([abc], lr: 0.01)
    /// ```
    ///
    /// - Parameters:
    ///   - tensors: The tensors to optimize, keyed `0`, `1`, ... in this order.
    ///   - lr: The learning rate, finite and not negative.
    ///   - momentum: μ, finite and not negative; 0 for plain SGD.
    ///   - weightDecay: λ, the L2 penalty added to the gradient as `λp`; finite and not negative.
    public convenience init(_ tensors: [Tensor], lr: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.init(parameters: Optimizer.numbered(tensors), lr: lr, momentum: momentum, weightDecay: weightDecay)
    }

    /// μ: the coefficient a one-cycle schedule cycles for SGD (setting `nil` leaves it).
    public override var cycledMomentum: Float? {
        get { momentum }
        set { if let newValue { momentum = newValue } }
    }

    /// One SGD step for parameter `index`, in place: decay, momentum buffer (`momentum_buffer`,
    /// kept as state when `momentum > 0`), then `p ← p - lr·g`.
    ///
    /// - Parameters:
    ///   - index: The parameter's position in ``Optimizer/parameters``.
    ///   - parameter: The tensor updated in place.
    ///   - grad: Its gradient, `parameter.count` values.
    public override func update(_ index: Int, parameter: Tensor, gradient grad: UnsafeBufferPointer<Float>) {
        let (lr, momentum, dampening, decay, nesterov) = (learningRate(of: index), self.momentum, self.dampening, weightDecay, self.nesterov)
        if momentum == 0 {
            parameter.storage.withUnsafeMutableBufferPointer { p in
                for i in 0..<p.count { p[i] -= lr * (grad[i] + decay * p[i]) }
            }
            return
        }
        // Take the buffer out of the state so updating it in place does not copy it.
        let existing = slots[index].removeValue(forKey: "momentum_buffer")
        var buffer = existing ?? Array(grad)
        let first = existing == nil
        parameter.storage.withUnsafeMutableBufferPointer { p in
            do {
                buffer.withUnsafeMutableBufferPointer { b in
                    if first && decay == 0 {
                        // b = g already.
                    } else if first {
                        for i in 0..<p.count { b[i] = grad[i] + decay * p[i] }
                    } else {
                        let keep = 1 - dampening
                        for i in 0..<p.count { b[i] = momentum * b[i] + keep * (grad[i] + decay * p[i]) }
                    }
                    if nesterov {
                        for i in 0..<p.count { p[i] -= lr * (grad[i] + decay * p[i] + momentum * b[i]) }
                    } else {
                        for i in 0..<p.count { p[i] -= lr * b[i] }
                    }
                }
            }
        }
        slots[index]["momentum_buffer"] = buffer
    }
}
