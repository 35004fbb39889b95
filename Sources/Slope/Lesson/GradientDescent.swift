import Foundation

/// How a gradient-descent run ended.
public enum FitOutcome: String, Sendable {
    /// The loss improved by less than the tolerance over the last window of steps.
    case converged
    /// The step limit was reached first (more steps may follow).
    case reachedStepLimit
    /// The loss (or a parameter) became NaN or infinite; the step that made it so was undone.
    case diverged
}

/// Why a gradient-descent run stopped as ``FitOutcome/diverged``.
public struct Divergence: Sendable, Equatable, CustomStringConvertible {
    /// The loss that was not finite (NaN or ±infinity), or the last loss when a parameter was.
    public let loss: Float
    /// How many steps had been taken (over every run of the stepper) when it appeared.
    public let afterStep: Int
    /// Whether a step was undone (`false` when the starting values already gave it).
    public let undone: Bool
    /// The learning rate of the run.
    public let lr: Float

    /// What happened and what to do, in one line.
    public var description: String {
        let what = loss.isFinite ? "a parameter became NaN or infinite" : "the loss became \(loss)"
        return undone
            ? "\(what) after step \(afterStep) with learning rate \(lr); that step was undone: try a smaller learning rate"
            : "the loss is \(loss) at the starting values, before any step; start from other values"
    }
}

/// What a gradient-descent run did: the final loss, the steps taken, why it stopped, the loss
/// before each step, and the gradient the last step moved along.
public struct FitResult: Sendable {
    /// The loss at the parameters as left (or the non-finite loss that stopped a diverged run).
    public let loss: Float
    /// The number of update steps taken and kept in this run.
    public let steps: Int
    /// Why the run stopped.
    public let outcome: FitOutcome
    /// The loss before each kept step, in order: the first ``FitResult/maxHistory`` steps (a
    /// run of 10^12 steps keeps 4 MB, not 4 TB).
    public let history: [Float]
    /// Wall-clock seconds spent.
    public let seconds: Double
    /// The gradient the last kept step moved along, every parameter's elements in order
    /// (`nil` when no step was kept).
    public let lastGradients: [Float]?
    /// For a diverged run: the loss, the step and whether it was undone.
    public let divergence: Divergence?

    /// The most losses ``history`` keeps: 2^20.
    public static let maxHistory = 1 << 20
}

/// A gradient-descent setting outside what the stepper accepts, for the boundary that read it
/// (a flag, a request member) to report under its own name.
///
/// ```swift
/// try GradientDescent.validate(lr: lr, momentum: 0, tolerance: tol, window: window)
/// ```
public struct DescentSettingError: Error, Equatable, CustomStringConvertible {
    /// The setting: `lr`, `momentum`, `tol`, `window` or `steps`.
    public let setting: String
    /// What it must be (`must be a positive number`).
    public let requirement: String
    /// The value given, as text.
    public let found: String

    /// `lr must be a positive number, got -1.0`.
    public var description: String { "\(setting) \(requirement), got \(found)" }
}

/// The one gradient-descent stepper of the lesson, `slope fit` and `slope interact`: compute the
/// loss, `backward()`, step each parameter against its gradient with ``SGD`` (`p -= lr * g`, with
/// optional momentum), clear the gradients, repeat. One stopping rule: a run ends at its step
/// limit, when the loss improved by less than `tolerance` over the last `window` steps (never
/// when `tolerance` is 0), or when the loss or a parameter stops being finite, in which case
/// that step is undone.
///
/// The stopping rule's memory (the last `window` losses, bounded by `memory`) and the step count
/// carry over from one run to the next, so a page that steps once per click stops as one long
/// run would; ``forget()`` clears the memory when the parameters change by other means.
///
/// ```swift
/// var descent = GradientDescent(lr: 0.01, tolerance: 1e-4, window: 20)
/// let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
/// let result = descent.run(parameters: [abc], maxSteps: 1_000) { mse(quadratic(abc)(x), y) }
/// print(result.outcome, result.loss, descent.steps)
/// ```
public struct GradientDescent: Sendable {
    /// The learning rate (> 0, finite).
    public var lr: Float
    /// The momentum factor (in [0, 1)); 0 for plain gradient descent.
    public var momentum: Float
    /// Stop when the loss improved by less than this over the last `window` steps (0: never).
    public var tolerance: Float
    /// The window of steps for the tolerance rule (1 up to `memory`).
    public var window: Int
    /// The longest window the stepper remembers losses for.
    public let memory: Int
    /// Steps taken and kept over every run since the stepper was made or ``reset()``.
    public private(set) var steps = 0
    /// The most recent losses before each step, newest last (the stopping rule's memory).
    private var recent: LossMemory

    /// A stepper; `memory` (default: `window`) bounds the windows later runs may use.
    ///
    /// - Parameters:
    ///   - lr: The learning rate.
    ///   - momentum: The momentum factor (0: plain gradient descent).
    ///   - tolerance: The least improvement over `window` steps that keeps a run going (0: no limit).
    ///   - window: The number of steps the improvement is measured over.
    ///   - memory: The longest window to remember losses for (at least `window`).
    public init(lr: Float, momentum: Float = 0, tolerance: Float = 0, window: Int = 100, memory: Int? = nil) {
        let memory = memory ?? window
        require(window >= 1 && memory >= window, "GradientDescent: window must be in 1...memory, got \(window) and \(memory)")
        self.lr = lr
        self.momentum = momentum
        self.tolerance = tolerance
        self.window = window
        self.memory = memory
        self.recent = LossMemory(capacity: memory)
    }

    /// Checks settings read from outside (flags, request bodies) by the rule ``run(parameters:maxSteps:onStep:loss:)``
    /// applies, so the boundary can name the setting in its own words.
    ///
    /// - Parameters:
    ///   - lr: The learning rate: positive and finite.
    ///   - momentum: In [0, 1).
    ///   - tolerance: Finite and not negative.
    ///   - window: At least 1 and at most `maxWindow`.
    ///   - maxWindow: The longest window the caller allows.
    /// - Throws: ``DescentSettingError`` for the first setting out of range.
    public static func validate(lr: Float, momentum: Float = 0, tolerance: Float = 0, window: Int = 1,
                                maxWindow: Int = .max) throws(DescentSettingError) {
        guard lr.isFinite, lr > 0 else { throw DescentSettingError(setting: "lr", requirement: "must be a positive number", found: "\(lr)") }
        guard momentum.isFinite, momentum >= 0, momentum < 1 else {
            throw DescentSettingError(setting: "momentum", requirement: "must be in [0, 1)", found: "\(momentum)")
        }
        guard tolerance.isFinite, tolerance >= 0 else {
            throw DescentSettingError(setting: "tol", requirement: "must be a non-negative number", found: "\(tolerance)")
        }
        guard window >= 1 else { throw DescentSettingError(setting: "window", requirement: "must be at least 1", found: "\(window)") }
        guard window <= maxWindow else {
            throw DescentSettingError(setting: "window", requirement: "must be at most \(maxWindow) steps", found: "\(window)")
        }
    }

    /// Clears the stopping rule's memory (after the parameters, the data or the loss changed by
    /// other means); the step count stays.
    public mutating func forget() { recent.removeAll() }

    /// Clears the memory and the step count.
    public mutating func reset() {
        recent.removeAll()
        steps = 0
    }

    /// Runs up to `maxSteps` steps on `parameters` (leaves that require grad), stopping early
    /// by the stopping rule.
    ///
    /// ```swift
    /// let result = descent.run(parameters: relus.parameters, maxSteps: 5_000) { mse(relus(x), y) }
    /// ```
    ///
    /// - Parameters:
    ///   - parameters: The tensors to fit, updated in place.
    ///   - maxSteps: The most steps to take.
    ///   - onStep: Called with the step number (counted over every run) and the loss before it.
    ///   - loss: Computes the loss from the parameters, recorded for autograd.
    /// - Returns: What the run did.
    public mutating func run(parameters: [Tensor], maxSteps: Int, onStep: ((Int, Float) -> Void)? = nil,
                             loss: () -> Tensor) -> FitResult {
        require(lr > 0 && lr.isFinite, "gradientDescent: lr must be positive and finite, got \(lr)")
        require(momentum >= 0 && momentum < 1, "gradientDescent: momentum must be in [0, 1), got \(momentum)")
        require(tolerance >= 0 && tolerance.isFinite, "gradientDescent: tolerance must be finite and not negative, got \(tolerance)")
        require(window >= 1 && window <= memory, "gradientDescent: window must be in 1...\(memory), got \(window)")
        require(maxSteps >= 0, "gradientDescent: maxSteps must not be negative, got \(maxSteps)")
        require(parameters.allSatisfy { $0.requiresGrad && $0.isLeaf }, "gradientDescent: every parameter must be a leaf that requires grad")
        let start = Date()
        var history: [Float] = []
        history.reserveCapacity(Swift.min(maxSteps, FitResult.maxHistory))
        // The step itself is SGD's (`p -= lr * v`, `v = momentum * v + g`), not a second copy of it.
        let optimizer = SGD(parameters, lr: lr, momentum: momentum)
        var taken = 0
        var before: [[Float]] = []                     // the parameters before the last step, to undo it
        var lastGradients: [Float]?, earlierGradients: [Float]?
        func finish(_ outcome: FitOutcome, _ finalLoss: Float, _ divergence: Divergence? = nil) -> FitResult {
            FitResult(loss: finalLoss, steps: taken, outcome: outcome, history: history, seconds: Date().timeIntervalSince(start),
                      lastGradients: lastGradients, divergence: divergence)
        }
        func diverge(_ value: Float) -> FitResult {
            let divergence = Divergence(loss: value, afterStep: steps, undone: taken > 0, lr: lr)
            if taken > 0 {
                for (parameter, values) in zip(parameters, before) { parameter.storage = values }
                recent.removeLast()
                if history.count == taken { history.removeLast() }
                taken -= 1
                steps -= 1
                lastGradients = earlierGradients
            }
            return finish(.diverged, value, divergence)
        }
        while true {
            let finiteParameters = taken == 0 || parameters.allSatisfy { $0.storage.allSatisfy(\.isFinite) }
            if taken == maxSteps {
                let finalLoss = noGrad { loss().item() }
                return finalLoss.isFinite && finiteParameters ? finish(.reachedStepLimit, finalLoss) : diverge(finalLoss)
            }
            let value = loss()
            let current = value.item()
            onStep?(steps, current)
            if !current.isFinite || !finiteParameters { return diverge(current) }
            if tolerance > 0, let old = recent.loss(stepsAgo: window), old - current < tolerance { return finish(.converged, current) }
            recent.append(current)
            if history.count < FitResult.maxHistory { history.append(current) }
            value.backward()
            before = parameters.map(\.storage)
            earlierGradients = lastGradients
            lastGradients = parameters.flatMap { $0.grad?.scalars ?? [Float](repeating: 0, count: $0.count) }
            optimizer.step()
            optimizer.zeroGrad()
            taken += 1
            steps += 1
        }
    }
}

/// The last `capacity` losses, oldest dropped first, in a ring (memory bounded by the window,
/// not by the steps taken).
struct LossMemory: Sendable {
    /// The most losses kept.
    let capacity: Int
    private var ring: [Float] = []
    private var newest = -1
    /// How many losses are remembered.
    private(set) var count = 0

    init(capacity: Int) { self.capacity = capacity }

    /// Remembers a loss (forgetting the oldest when full).
    mutating func append(_ loss: Float) {
        let slot = (newest + 1) % capacity
        if slot == ring.count { ring.append(loss) } else { ring[slot] = loss }
        newest = slot
        count = Swift.min(count + 1, capacity)
    }

    /// The loss `stepsAgo` appends back (1: the newest), or `nil` when not remembered.
    func loss(stepsAgo: Int) -> Float? {
        guard stepsAgo >= 1, stepsAgo <= count else { return nil }
        return ring[((newest - stepsAgo + 1) % capacity + capacity) % capacity]
    }

    /// Forgets the newest loss.
    mutating func removeLast() {
        guard count > 0 else { return }
        newest = (newest - 1 + capacity) % capacity
        count -= 1
    }

    /// Forgets every loss.
    mutating func removeAll() {
        ring = []
        newest = -1
        count = 0
    }
}

/// The lesson's optimisation loop, one run of a fresh ``GradientDescent``: compute the loss,
/// `backward()`, step each parameter against its gradient (`p -= lr * p.grad`, with optional
/// momentum), clear the gradients, repeat; stop at `maxSteps`, when the loss improved by less
/// than `tolerance` over the last `window` steps, or when it stops being finite (that step is
/// undone).
///
/// ```swift
/// let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
/// let result = gradientDescent(parameters: [abc], lr: 0.01, maxSteps: 10_000) {
///     mse(quadratic(abc)(x), y)
/// }
/// print(result.loss, abc)
/// ```
///
/// - Parameters:
///   - parameters: The tensors to fit (leaves that require grad), updated in place.
///   - lr: The learning rate.
///   - maxSteps: The most steps to take.
///   - tolerance: The least improvement over `window` steps that keeps going (0: run to `maxSteps`).
///   - window: The steps the improvement is measured over.
///   - momentum: The momentum factor (0: plain gradient descent).
///   - onStep: Called with the step number and the loss before each step.
///   - loss: Computes the loss from the parameters.
/// - Returns: What the fit did.
@discardableResult
public func gradientDescent(
    parameters: [Tensor], lr: Float, maxSteps: Int, tolerance: Float = 0, window: Int = 100,
    momentum: Float = 0, onStep: ((Int, Float) -> Void)? = nil, loss: () -> Tensor
) -> FitResult {
    require(window >= 1, "gradientDescent: window must be at least 1, got \(window)")
    // The memory need not be longer than the run.
    var descent = GradientDescent(lr: lr, momentum: momentum, tolerance: tolerance, window: window,
                                  memory: Swift.max(window, 1))
    return descent.run(parameters: parameters, maxSteps: maxSteps, onStep: onStep, loss: loss)
}
