/// Problems with a table given for training or prediction, each naming the file, line and
/// column where it applies.
public enum TabularError: Error, Equatable, CustomStringConvertible {
    /// A CSV problem (unreadable file, ragged row, missing column, bad number, ...).
    case csv(CSVError)
    /// The target column has a single value, so there is nothing to learn.
    case constantTarget(file: String, column: String, value: String)
    /// A row has no target value.
    case missingTarget(file: String, line: Int, column: String)
    /// A continuous column holds text.
    case notANumber(file: String, line: Int, column: String, found: String)
    /// A column named in an option is not in the table.
    case unknownColumn(file: String, option: String, column: String, available: [String])
    /// A regression target holds text.
    case textTarget(file: String, line: Int, column: String, found: String)
    /// A classification target holds a class the training rows never had.
    case unknownClass(file: String, line: Int, column: String, found: String, classes: [String])
    /// Too few rows to split into training and validation.
    case tooFewRows(file: String, rows: Int, needed: Int)
    /// No input columns are left after dropping identifiers and ignored columns.
    case noInputColumns(file: String)

    /// The message for the user.
    public var description: String {
        switch self {
        case .csv(let error): return error.description
        case .constantTarget(let file, let column, let value):
            return "\(file): target column `\(column)` has the single value `\(value)`; there is nothing to predict"
        case .missingTarget(let file, let line, let column):
            return "\(file) line \(line): target column `\(column)` is empty"
        case .notANumber(let file, let line, let column, let found):
            return "\(file) line \(line), column `\(column)`: expected a number (the column is continuous), found `\(found)`"
        case .unknownColumn(let file, let option, let column, let available):
            return "\(file): \(option) names column `\(column)`, which is not in the table; columns are: \(available.joined(separator: ", "))"
        case .textTarget(let file, let line, let column, let found):
            return "\(file) line \(line), column `\(column)`: a regression target must be a number, found `\(found)`"
        case .unknownClass(let file, let line, let column, let found, let classes):
            return "\(file) line \(line), column `\(column)`: class `\(found)` never occurs in the training rows (classes: \(classes.joined(separator: ", ")))"
        case .tooFewRows(let file, let rows, let needed):
            return "\(file): \(rows) rows is too few; need at least \(needed)"
        case .noInputColumns(let file):
            return "\(file): no input columns are left to learn from"
        }
    }
}
