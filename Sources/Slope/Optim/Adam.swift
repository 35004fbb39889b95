import Foundation

/// Adam, as PyTorch's `torch.optim.Adam` (with `decoupledWeightDecay` it is AdamW):
/// `m ← β₁m + (1-β₁)g; v ← β₂v + (1-β₂)g²; p ← p - lr·(m/(1-β₁ᵗ)) / (√(v/(1-β₂ᵗ)) + ε)`.
/// Weight decay λ is added to the gradient (`g ← ∇ + λp`, Adam) or applied to the weights
/// first (`p ← p(1 - lr·λ)`, AdamW).
///
/// ```swift
/// let optimizer = Adam(model, lr: 0.01)
/// ```
public class Adam: Optimizer, @unchecked Sendable {
    /// β₁, the decay of the gradient average (cycled by one-cycle schedules).
    public var beta1: Float
    /// β₂, the decay of the squared-gradient average.
    public let beta2: Float
    /// ε, added to the denominator.
    public let epsilon: Float
    /// The weight decay λ.
    public let weightDecay: Float
    /// Whether weight decay is decoupled from the gradient (AdamW).
    public let decoupledWeightDecay: Bool

    /// Makes the optimizer over named parameters.
    ///
    /// - Parameters:
    ///   - parameters: The parameters with their dotted keys (`model.namedParameters()`); state is kept under the same keys.
    ///   - lr: The learning rate, finite and not negative.
    ///   - beta1: β₁, the decay of the gradient average, in `[0, 1)`.
    ///   - beta2: β₂, the decay of the squared-gradient average, in `[0, 1)`.
    ///   - epsilon: ε, added to the denominator; positive.
    ///   - weightDecay: λ, finite and not negative; 0 for none.
    ///   - decoupledWeightDecay: `true` applies λ to the weights (AdamW), `false` adds `λp` to the gradient (Adam).
    public init(parameters: [(key: String, tensor: Tensor)], lr: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        require(beta1 >= 0 && beta1 < 1, "\(Self.self): beta1 must be in [0, 1), got \(beta1)")
        require(beta2 >= 0 && beta2 < 1, "\(Self.self): beta2 must be in [0, 1), got \(beta2)")
        require(epsilon > 0 && epsilon.isFinite, "\(Self.self): epsilon must be positive, got \(epsilon)")
        require(weightDecay >= 0 && weightDecay.isFinite, "\(Self.self): weightDecay must be finite and not negative, got \(weightDecay)")
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        super.init(parameters: parameters, lr: lr)
    }

    /// Makes the optimizer over a module's parameters.
    ///
    /// ```swift
    /// let optimizer = Adam(model, lr: 1e-3)
    /// ```
    ///
    /// - Parameters:
    ///   - model: The module whose `namedParameters()` are optimized.
    ///   - lr: The learning rate, finite and not negative.
    ///   - beta1: β₁, the decay of the gradient average, in `[0, 1)`.
    ///   - beta2: β₂, the decay of the squared-gradient average, in `[0, 1)`.
    ///   - epsilon: ε, added to the denominator; positive.
    ///   - weightDecay: λ, finite and not negative; 0 for none. It is added to the gradient (L2).
    public convenience init(_ model: Module, lr: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                            epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.init(parameters: model.namedParameters(), lr: lr, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    /// Makes the optimizer over plain tensors (keys `0`, `1`, ...).
    ///
    /// - Parameters:
    ///   - tensors: The tensors to optimize, keyed `0`, `1`, ... in this order.
    ///   - lr: The learning rate, finite and not negative.
    ///   - beta1: β₁, the decay of the gradient average, in `[0, 1)`.
    ///   - beta2: β₂, the decay of the squared-gradient average, in `[0, 1)`.
    public convenience init(_ tensors: [Tensor], lr: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999) {
        self.init(parameters: Optimizer.numbered(tensors), lr: lr, beta1: beta1, beta2: beta2)
    }

    /// β₁: the coefficient a one-cycle schedule cycles for Adam (setting `nil` leaves it).
    public override var cycledMomentum: Float? {
        get { beta1 }
        set { if let newValue { beta1 = newValue } }
    }

    /// Per-parameter step counts (PyTorch keeps one per parameter).
    @exclusivity(unchecked) private var steps: [Int] = []

    /// One Adam (or AdamW) step for parameter `index`, in place, with PyTorch's bias correction
    /// by this parameter's own step count `t`; keeps `exp_avg` and `exp_avg_sq` as its state.
    ///
    /// - Parameters:
    ///   - index: The parameter's position in ``Optimizer/parameters``.
    ///   - parameter: The tensor updated in place.
    ///   - grad: Its gradient, `parameter.count` values.
    public override func update(_ index: Int, parameter: Tensor, gradient grad: UnsafeBufferPointer<Float>) {
        if steps.isEmpty { steps = Array(repeating: 0, count: parameters.count) }
        steps[index] += 1
        let t = Float(steps[index])
        let (lr, beta1, beta2, epsilon, decay) = (learningRate(of: index), self.beta1, self.beta2, self.epsilon, weightDecay)
        let correction1 = 1 - Foundation.pow(beta1, t)
        let correction2Root = (1 - Foundation.pow(beta2, t)).squareRoot()
        let stepSize = lr / correction1
        let decoupled = decoupledWeightDecay
        var m = slot("exp_avg", index), v = slot("exp_avg_sq", index)
        slots[index]["exp_avg"] = nil
        slots[index]["exp_avg_sq"] = nil
        parameter.storage.withUnsafeMutableBufferPointer { p in
            do {
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        for i in 0..<p.count {
                            var g = grad[i]
                            if decoupled { p[i] *= 1 - lr * decay } else { g += decay * p[i] }
                            m[i] = beta1 * m[i] + (1 - beta1) * g
                            v[i] = beta2 * v[i] + (1 - beta2) * g * g
                            p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2Root + epsilon)
                        }
                    }
                }
            }
        }
        slots[index]["exp_avg"] = m
        slots[index]["exp_avg_sq"] = v
    }
}

/// AdamW: Adam with decoupled weight decay (default λ = 0.01), as `torch.optim.AdamW`.
///
/// ```swift
/// let optimizer = AdamW(model, lr: 1e-3, weightDecay: 0.01)
/// ```
public final class AdamW: Adam, @unchecked Sendable {
    /// Makes the optimizer over named parameters.
    ///
    /// - Parameters:
    ///   - parameters: The parameters with their dotted keys (`model.namedParameters()`); state is kept under the same keys.
    ///   - lr: The learning rate, finite and not negative.
    ///   - beta1: β₁, the decay of the gradient average, in `[0, 1)`.
    ///   - beta2: β₂, the decay of the squared-gradient average, in `[0, 1)`.
    ///   - epsilon: ε, added to the denominator; positive.
    ///   - weightDecay: λ, finite and not negative; applied to the weights as `p ← p(1 - lr·λ)`.
    public init(parameters: [(key: String, tensor: Tensor)], lr: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        super.init(parameters: parameters, lr: lr, beta1: beta1, beta2: beta2, epsilon: epsilon,
                   weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    /// Makes the optimizer over a module's parameters.
    ///
    /// ```swift
    /// let optimizer = AdamW(model, lr: 1e-3)
    /// ```
    ///
    /// - Parameters:
    ///   - model: The module whose `namedParameters()` are optimized.
    ///   - lr: The learning rate, finite and not negative.
    ///   - beta1: β₁, the decay of the gradient average, in `[0, 1)`.
    ///   - beta2: β₂, the decay of the squared-gradient average, in `[0, 1)`.
    ///   - epsilon: ε, added to the denominator; positive.
    ///   - weightDecay: λ, finite and not negative; applied to the weights as `p ← p(1 - lr·λ)`.
    public convenience init(_ model: Module, lr: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                            epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        self.init(parameters: model.namedParameters(), lr: lr, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }
}
