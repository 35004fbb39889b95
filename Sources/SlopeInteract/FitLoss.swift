import Slope

/// The loss a page minimises: the lesson's mean squared error or the mean absolute error.
///
/// ```swift
/// let loss = FitLoss.mse(prediction, y)   // mean((prediction - y)²)
/// ```
public enum FitLoss: String, Sendable, CaseIterable {
    /// `mean((prediction - target)²)`.
    case mse
    /// `mean(|prediction - target|)`.
    case mae

    /// Reads `mse` or `mae`.
    public init(parsing text: String) throws(InteractError) {
        guard let loss = FitLoss(rawValue: text) else { throw .badRequest("loss must be mse or mae, got `\(text)`") }
        self = loss
    }

    /// The loss of `prediction` against `target`, recorded for autograd.
    public func callAsFunction(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        switch self {
        case .mse: Slope.mse(prediction, target)
        case .mae: Slope.mae(prediction, target)
        }
    }
}
