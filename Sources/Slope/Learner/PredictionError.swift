/// Why a prediction could not be made: the input does not suit the model, or the model's answer
/// is not a number. Never a label with NaN probabilities.
///
/// ```swift
/// do { _ = try loaded.predict(rows: table) } catch { print(error) }
/// // the model's output for row 3 is not a finite number; its weights are damaged or not finite
/// ```
public enum PredictionError: Error, Equatable, CustomStringConvertible {
    /// The rows could not be turned into model inputs (or the model does not take table rows).
    case table(TabularError)
    /// The model cannot take inputs of this shape (its layers' shape rule says why).
    case inputShape(found: [Int], reason: String)
    /// The model's output for input `row` (counted from 0) is NaN or infinite.
    case notFinite(row: Int)

    /// The message for the user.
    public var description: String {
        switch self {
        case .table(let error): return error.description
        case .inputShape(let found, let reason): return "the model cannot take inputs of shape \(found): \(reason)"
        case .notFinite(let row):
            return "the model's output for row \(row) is not a finite number; its weights are damaged or not finite"
        }
    }
}
