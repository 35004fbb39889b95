import Slope

/// One page's fit: the function family, the points, the loss, the current parameter values and
/// the gradient-descent history. Every number comes from Slope: the loss and its gradients by
/// autograd (`requiresGrad()`, `backward()`, `.grad`), the curve by evaluating the family.
///
/// A value type with no locks of its own; ``FitSession`` guards one behind a mutex.
///
/// ```swift
/// var fit = FitState(family: .quadratic, points: .lesson(seed: 42), loss: .mse)
/// let report = fit.descend(lr: 0.01, maxSteps: 1)
/// print(report.losses, fit.evaluate().loss)   // the loss falls
/// ```
public struct FitState: Sendable {
    /// The largest magnitude a parameter may be set to by hand.
    public static let parameterLimit: Float = 1_000_000
    /// The longest window the stopping rule may look back over.
    public static let maxWindow = 10_000
    /// How many x values the curve is sampled at.
    public static let curveSamples = 200

    /// The function being fitted.
    public private(set) var family: FunctionFamily
    /// The points it is fitted to.
    public private(set) var points: FitPoints
    /// The loss being minimised.
    public private(set) var loss: FitLoss
    /// The parameter values, in the order of `family.parameterNames`.
    public private(set) var values: [Float]
    /// The gradient-descent stepper: its stopping rule remembers the losses of the last
    /// ``maxWindow`` steps since the parameters, points or loss last changed by other means.
    private var descent = GradientDescent(lr: InteractResponder.defaultLearningRate, window: 1, memory: FitState.maxWindow)

    /// Gradient-descent steps taken since the last reset or new points.
    public var steps: Int { descent.steps }

    /// A fit starting from the family's initial values for these points.
    ///
    /// - Parameters:
    ///   - family: The function to fit.
    ///   - points: The points to fit it to.
    ///   - loss: The loss to minimise.
    public init(family: FunctionFamily, points: FitPoints, loss: FitLoss) {
        self.family = family
        self.points = points
        self.loss = loss
        self.values = family.initialValues(over: points.domain)
    }

    // MARK: - Loss and gradients

    /// The loss at the current values and its gradient with respect to each parameter.
    public struct Evaluation: Sendable {
        /// The loss (NaN or infinite when the values make it so).
        public let loss: Float
        /// `∂loss/∂parameter`, in parameter order (NaN when the loss is not finite).
        public let gradients: [Float]
    }

    /// The loss and its gradients at the current values, by autograd.
    ///
    /// - Returns: `evaluate(at: values)`.
    public func evaluate() -> Evaluation { evaluate(at: values) }

    /// The loss and its gradients at `values`: the values become leaf tensors that require
    /// grad, the loss is computed from them, `backward()` fills each leaf's `.grad`.
    ///
    /// - Parameter values: One value per parameter, in `family.parameterNames` order.
    /// - Returns: The loss and `∂loss/∂parameter` for each parameter.
    public func evaluate(at values: [Float]) -> Evaluation {
        let leaves = family.leaves(from: values)
        let prediction = family.predict(leaves, at: Tensor(points.x))
        let lossTensor = loss(prediction, Tensor(points.y))
        let value = lossTensor.item()
        guard value.isFinite else {
            return Evaluation(loss: value, gradients: [Float](repeating: .nan, count: values.count))
        }
        lossTensor.backward()
        let gradients = leaves.flatMap { leaf in leaf.grad?.scalars ?? [Float](repeating: 0, count: leaf.count) }
        return Evaluation(loss: value, gradients: gradients)
    }

    /// The curve at ``curveSamples`` evenly spaced x over the points' range widened by 5% on
    /// each side (by 1 when all points share one x).
    ///
    /// - Returns: ``curveSamples`` x values and the family's value at each.
    public func curve() -> (x: [Float], y: [Float]) {
        let domain = points.domain
        let margin = domain.upperBound > domain.lowerBound ? 0.05 * (domain.upperBound - domain.lowerBound) : 1
        let grid = Tensor.linspace(domain.lowerBound - margin, domain.upperBound + margin, count: FitState.curveSamples)
        let y = noGrad { family.predict(family.leaves(from: values), at: grid) }
        return (grid.scalars, y.scalars)
    }

    // MARK: - Changes

    /// Sets the named parameters (others keep their values). Every name must belong to the
    /// family and every value must be finite with magnitude at most ``parameterLimit``; on
    /// error nothing changes.
    ///
    /// ```swift
    /// try fit.set(["a": 1.2, "c": 2.5])
    /// ```
    ///
    /// - Parameter changes: Parameter names with their new values.
    /// - Throws: ``InteractError/badRequest(_:)`` for a name the family does not have, a value that
    ///   is not finite or one beyond ``parameterLimit``.
    public mutating func set(_ changes: [(name: String, value: Double)]) throws(InteractError) {
        let names = family.parameterNames
        var updated = values
        for (name, value) in changes {
            guard let index = names.firstIndex(of: name) else {
                throw .badRequest("unknown parameter `\(name)`; \(family) has \(names.joined(separator: ", "))")
            }
            guard value.isFinite else { throw .badRequest("parameter `\(name)` must be a finite number, got \(value)") }
            guard Swift.abs(value) <= Double(FitState.parameterLimit) else {
                throw .badRequest("parameter `\(name)` must be between -\(Int(FitState.parameterLimit)) and \(Int(FitState.parameterLimit)), got \(value)")
            }
            updated[index] = Float(value)
        }
        values = updated
        descent.forget()
    }

    /// Back to the family's initial values, with no steps taken.
    public mutating func reset() {
        values = family.initialValues(over: points.domain)
        descent.reset()
    }

    /// Fits new points, starting again from the initial values.
    ///
    /// - Parameter newPoints: The points to fit from now on.
    public mutating func replacePoints(with newPoints: FitPoints) {
        points = newPoints
        reset()
    }

    /// Minimises another loss from the current values.
    ///
    /// - Parameter newLoss: The loss to minimise from now on; the stopping rule's memory is cleared.
    public mutating func setLoss(_ newLoss: FitLoss) {
        loss = newLoss
        descent.forget()
    }

    // MARK: - Gradient descent

    /// What a batch of descent steps did.
    public struct DescentReport: Sendable {
        /// The learning rate used.
        public let lr: Float
        /// The loss before each step taken, in order.
        public let losses: [Float]
        /// Why the batch ended (``FitOutcome/reachedStepLimit``: all the steps asked for were
        /// taken; more may follow).
        public let outcome: FitOutcome
        /// The gradients the last step kept moved along (`nil` when no step was kept).
        public let gradients: [Float]?
        /// The last kept step's move of each parameter, `-lr * gradient` (`nil` when no step was kept).
        public let moves: [Float]?
        /// For a diverged batch: what happened and what to do.
        public let message: String?
        /// The loss at the values the batch left.
        public let finalLoss: Float
        /// For a batch in which the loss rose more than twofold (over one step, or from the first
        /// loss to the last): what rose, and a smaller learning rate to try.
        public let warning: String?

        /// The number of steps taken.
        public var steps: Int { losses.count }
    }

    /// Takes up to `maxSteps` steps of `p -= lr * ∂loss/∂p` with Slope's ``GradientDescent``,
    /// stopping early when the loss improved by less than `tolerance` over the last `window`
    /// steps (never when `tolerance` is 0) or when a step makes the loss NaN or infinite, which
    /// is undone and reported. The settings come checked from the request (``InteractResponder``
    /// reads them within ranges inside ``GradientDescent/validate(lr:momentum:tolerance:window:maxWindow:)``'s).
    ///
    /// ```swift
    /// let report = fit.descend(lr: 0.01, maxSteps: 50, tolerance: 1e-4, window: 20)
    /// ```
    ///
    /// - Parameters:
    ///   - lr: The learning rate.
    ///   - maxSteps: The most steps to take.
    ///   - tolerance: The least improvement over `window` steps that keeps going (0: no limit).
    ///   - window: The steps the improvement is measured over, at most ``maxWindow``.
    /// - Returns: What the steps did.
    public mutating func descend(lr: Float, maxSteps: Int, tolerance: Float = 0, window: Int = 1) -> DescentReport {
        descent.lr = lr
        descent.tolerance = tolerance
        descent.window = window
        let leaves = family.leaves(from: values)
        let x = Tensor(points.x), y = Tensor(points.y)
        let (family, loss) = (self.family, self.loss)
        let result = descent.run(parameters: leaves, maxSteps: maxSteps) { loss(family.predict(leaves, at: x), y) }
        values = leaves.flatMap(\.scalars)
        let warning = FitState.riseWarning(losses: result.history, final: result.loss, lr: lr,
                                           firstStep: descent.steps - result.steps + 1)
        return DescentReport(lr: lr, losses: result.history, outcome: result.outcome, gradients: result.lastGradients,
                             moves: result.lastGradients.map { $0.map { -lr * $0 } }, message: result.divergence?.description,
                             finalLoss: result.loss, warning: warning)
    }
}
