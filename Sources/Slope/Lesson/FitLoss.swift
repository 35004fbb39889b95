/// The loss a fit of a function to points minimises, in `slope fit` (`--loss`), `slope interact`
/// and the lesson: the mean squared error or the mean absolute error.
///
/// ```swift
/// let loss = FitLoss.mse(prediction, y)   // mean((prediction - y)²)
/// let named = FitLoss(rawValue: "mae")    // .mae
/// ```
public enum FitLoss: String, Sendable, CaseIterable {
    /// `mean((prediction - target)²)`.
    case mse
    /// `mean(|prediction - target|)`.
    case mae

    /// The loss of `prediction` against `target`, recorded for autograd.
    ///
    /// - Parameters:
    ///   - prediction: The function's values at the points' x.
    ///   - target: The points' y.
    /// - Returns: The loss, a scalar tensor.
    public func callAsFunction(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        switch self {
        case .mse: Slope.mse(prediction, target)
        case .mae: Slope.mae(prediction, target)
        }
    }
}

extension FitLoss {
    /// Reads `"mse"` or `"mae"` from a JSON value (a request member, a settings file).
    ///
    /// ```swift
    /// let loss = try FitLoss(reading: body["loss"])
    /// ```
    ///
    /// - Parameter reader: The value and its path.
    /// - Throws: `JSONReadError` naming the path when the value is not one of the names.
    public init(reading reader: JSONReader) throws(JSONReadError) {
        guard let text = reader.value?.stringValue, let loss = FitLoss(rawValue: text) else { throw reader.failure("mse or mae") }
        self = loss
    }
}
