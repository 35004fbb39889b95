import Foundation

/// fastai's one-cycle policy (`fit_one_cycle`): over the first `warmupFraction` of training the
/// learning rate rises from `maxLR/divFactor` to `maxLR` along a cosine while the momentum
/// falls from `maxMomentum` to `minMomentum`; then the rate anneals along a cosine to
/// `maxLR/finalDivFactor` while the momentum climbs back.
///
/// ```swift
/// let schedule = OneCycleSchedule(maxLR: 1e-2)
/// schedule.learningRate(at: 0.25)   // 0.01, the peak
/// ```
public struct OneCycleSchedule: Sendable {
    /// The peak learning rate.
    public let maxLR: Float
    /// The share of training spent warming up.
    public let warmupFraction: Float
    /// The starting rate is `maxLR / divFactor`.
    public let divFactor: Float
    /// The final rate is `maxLR / finalDivFactor`.
    public let finalDivFactor: Float
    /// The momentum at the start and end.
    public let maxMomentum: Float
    /// The momentum at the peak learning rate.
    public let minMomentum: Float

    /// Makes a schedule with fastai's defaults.
    ///
    /// - Parameters:
    ///   - maxLR: The peak learning rate, positive and finite.
    ///   - warmupFraction: The share of training spent rising to the peak, in `(0, 1)`.
    ///   - divFactor: The starting rate is `maxLR / divFactor`.
    ///   - finalDivFactor: The final rate is `maxLR / finalDivFactor`.
    ///   - maxMomentum: The momentum (β₁ for Adam) at the start and the end.
    ///   - minMomentum: The momentum at the peak learning rate.
    public init(maxLR: Float, warmupFraction: Float = 0.25, divFactor: Float = 25, finalDivFactor: Float = 1e5,
                maxMomentum: Float = 0.95, minMomentum: Float = 0.85) {
        require(maxLR > 0 && maxLR.isFinite, "OneCycleSchedule: maxLR must be positive, got \(maxLR)")
        require(warmupFraction > 0 && warmupFraction < 1, "OneCycleSchedule: warmupFraction must be in (0, 1), got \(warmupFraction)")
        self.maxLR = maxLR
        self.warmupFraction = warmupFraction
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
        self.maxMomentum = maxMomentum
        self.minMomentum = minMomentum
    }

    /// Cosine interpolation from `start` to `end` as `position` goes from 0 to 1.
    static func cosine(from start: Float, to end: Float, _ position: Float) -> Float {
        end + (start - end) / 2 * (1 + Foundation.cos(Float.pi * Swift.min(Swift.max(position, 0), 1)))
    }

    /// The learning rate at `progress` in `[0, 1]` of training.
    ///
    /// - Parameter progress: The fraction of training done, `step / totalSteps`; values outside
    ///   `[0, 1]` give the end points.
    /// - Returns: The learning rate for that step.
    public func learningRate(at progress: Float) -> Float {
        if progress < warmupFraction {
            return OneCycleSchedule.cosine(from: maxLR / divFactor, to: maxLR, progress / warmupFraction)
        }
        return OneCycleSchedule.cosine(from: maxLR, to: maxLR / finalDivFactor, (progress - warmupFraction) / (1 - warmupFraction))
    }

    /// The momentum at `progress` in `[0, 1]` of training.
    ///
    /// - Parameter progress: The fraction of training done, `step / totalSteps`.
    /// - Returns: The momentum for that step (set into ``Optimizer/cycledMomentum``).
    public func momentum(at progress: Float) -> Float {
        if progress < warmupFraction {
            return OneCycleSchedule.cosine(from: maxMomentum, to: minMomentum, progress / warmupFraction)
        }
        return OneCycleSchedule.cosine(from: minMomentum, to: maxMomentum, (progress - warmupFraction) / (1 - warmupFraction))
    }
}
