/// The base of every optimizer: holds the parameters under their dotted keys, steps each one
/// that has a gradient with `update(_:parameter:gradient:)` (one function per parameter, as in
/// mlx-swift's `applySingle`), and keeps per-parameter state under the same keys.
///
/// ```swift
/// let optimizer = Adam(model, lr: 1e-3)
/// loss.backward()
/// optimizer.step()
/// optimizer.zeroGrad()
/// ```
open class Optimizer: @unchecked Sendable {
    /// The parameters with their dotted keys, in the model's order.
    public let parameters: [(key: String, tensor: Tensor)]
    /// The learning rate; schedules change it between steps.
    public var lr: Float
    /// Each parameter's multiplier of ``lr``, in ``parameters``' order (all 1 unless set):
    /// discriminative learning rates, as fastai's `slice(lo, hi)` over parameter groups, set by
    /// ``setLearningRateScales(_:)``.
    public private(set) var lrScales: [Float]
    /// Steps taken so far.
    @exclusivity(unchecked) public private(set) var stepCount = 0
    /// Per-parameter state buffers, by parameter position, then by name (`momentum_buffer`,
    /// `exp_avg`, `exp_avg_sq`).
    @exclusivity(unchecked) var slots: [[String: [Float]]]

    /// Makes an optimizer over named parameters.
    ///
    /// - Parameters:
    ///   - parameters: The parameters with their dotted keys, in the order state is kept.
    ///   - lr: The learning rate, finite and not negative.
    public init(parameters: [(key: String, tensor: Tensor)], lr: Float) {
        require(lr >= 0 && lr.isFinite, "\(Self.self): lr must be finite and not negative, got \(lr)")
        self.parameters = parameters
        self.lr = lr
        self.slots = Array(repeating: [:], count: parameters.count)
        self.lrScales = Array(repeating: 1, count: parameters.count)
    }

    /// Sets each parameter's multiplier of ``lr`` from its key (`scale("0.weight")`); the rate
    /// parameter `i` steps with is `lr · lrScales[i]`.
    ///
    /// ```swift
    /// optimizer.setLearningRateScales { $0.hasPrefix("fc.") ? 1 : 0.01 }   // the body 100x slower
    /// ```
    ///
    /// - Parameter scale: The multiplier for a parameter key, finite and not negative.
    public func setLearningRateScales(_ scale: (String) -> Float) {
        lrScales = parameters.map { entry in
            let value = scale(entry.key)
            require(value >= 0 && value.isFinite, "\(Self.self): the learning-rate scale of \(entry.key) must be finite and not negative, got \(value)")
            return value
        }
    }

    /// The learning rate parameter `index` steps with: `lr · lrScales[index]`.
    ///
    /// - Parameter index: The parameter's position in ``parameters``.
    /// - Returns: Its learning rate for this step.
    @inline(__always)
    public func learningRate(of index: Int) -> Float { lr * lrScales[index] }

    /// Applies one update to every parameter that has a gradient.
    ///
    /// ```swift
    /// optimizer.step()
    /// ```
    public func step() {
        stepCount += 1
        for index in parameters.indices {
            let parameter = parameters[index].tensor
            guard let gradient = parameter.grad, parameter.requiresGrad else { continue }
            gradient.storage.withUnsafeBufferPointer { update(index, parameter: parameter, gradient: $0) }
        }
    }

    /// `step()` with gradients that live outside the parameters' `.grad` (a captured step's):
    /// `gradients(index)` is parameter `index`'s gradient, or `nil` for none.
    func step(gradients: (Int) -> UnsafeBufferPointer<Float>?) {
        stepCount += 1
        for index in parameters.indices {
            let parameter = parameters[index].tensor
            guard parameter.requiresGrad, let gradient = gradients(index) else { continue }
            update(index, parameter: parameter, gradient: gradient)
        }
    }

    /// Clears every parameter's gradient.
    ///
    /// ```swift
    /// optimizer.zeroGrad()
    /// ```
    public func zeroGrad() {
        for (_, parameter) in parameters { parameter.zeroGrad() }
    }

    /// Updates one parameter in place from its gradient; subclasses implement their rule here.
    ///
    /// - Parameters:
    ///   - index: The parameter's position in ``parameters``, the key to its state.
    ///   - parameter: The tensor to change in place (its `storage`).
    ///   - gradient: Its gradient, `parameter.count` values row-major.
    open func update(_ index: Int, parameter: Tensor, gradient: UnsafeBufferPointer<Float>) {
        requireFailure("\(type(of: self)) must override update(_:parameter:gradient:)")
    }

    /// The momentum-like coefficient a one-cycle schedule cycles (SGD's momentum, Adam's β₁);
    /// `nil` when the optimizer has none.
    open var cycledMomentum: Float? {
        get { nil }
        set {}
    }

    /// The state buffer `name` of parameter `index`, made of zeros on first use.
    func slot(_ name: String, _ index: Int) -> [Float] {
        slots[index][name] ?? [Float](repeating: 0, count: parameters[index].tensor.count)
    }

    /// The state tensors keyed `<parameter key>.<buffer>` (e.g. `0.weight.exp_avg`).
    ///
    /// ```swift
    /// optimizer.state()["0.weight.momentum_buffer"]
    /// ```
    ///
    /// - Returns: A new tensor for every state buffer made so far (none before the first `step()`),
    ///   each of its parameter's shape.
    public func state() -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (index, entries) in slots.enumerated() {
            for (name, values) in entries {
                result[parameters[index].key + "." + name] = Tensor(shape: parameters[index].tensor.shape, scalars: values)
            }
        }
        return result
    }
}

extension Optimizer {
    /// Names a plain list of tensors `0`, `1`, ... for optimizers made without a module.
    static func numbered(_ tensors: [Tensor]) -> [(key: String, tensor: Tensor)] {
        tensors.enumerated().map { (String($0.offset), $0.element) }
    }
}
