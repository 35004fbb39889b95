import Foundation

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
    /// The target column is also named as an input (`--cat`, `--cont`) or left out (`--ignore`).
    case targetInOption(file: String, column: String, option: String)
    /// A column is named twice: in two of `--cat`, `--cont`, `--ignore`, or twice in one.
    case columnNamedTwice(file: String, column: String, firstOption: String, secondOption: String)
    /// The split leaves no validation rows although a validation share was asked for.
    case emptyValidation(file: String, rows: Int, validPercent: Double)
    /// The split leaves fewer than two training rows (batch norm needs two).
    case tooFewTrainingRows(file: String, rows: Int, validRows: Int)
    /// A batch size below 2 (the tabular model's batch norm needs two rows per batch).
    case batchTooSmall(size: Int)
    /// A continuous column whose values Normalize cannot bring into Float range (or whose fitted
    /// mean and std a model file cannot hold).
    case notNormalizable(file: String, column: String, reason: String)
    /// The table gives a model that a model file cannot describe (more categorical columns than
    /// a `TabularModel` takes, a vocabulary too large): the model's own settings rule.
    case modelTooLarge(file: String, reason: String)
    /// A validation-flag column (`--valid-column`, fastai's `ColSplitter`) holds a value that is
    /// not true/false, 1/0 or yes/no.
    case notAValidFlag(file: String, line: Int, column: String, found: String)
    /// A validation split that leaves no rows on one side (`side` is `training` or `validation`).
    case emptySplit(file: String, side: String, how: String)
    /// Table rows were given to a model whose preprocessing takes other inputs (`image` or
    /// `tensor`, as ``Preprocessing/kindName`` names them).
    case notATableModel(takes: String)

    /// The message for the user.
    public var description: String {
        switch self {
        case .csv(let error): return error.description
        case .constantTarget(let file, let column, let value):
            return "\(file): target column `\(column)` has the single value `\(CSVError.excerpt(value))`; there is nothing to predict"
        case .missingTarget(let file, let line, let column):
            return "\(file) line \(line): target column `\(column)` is empty"
        case .notANumber(let file, let line, let column, let found):
            return "\(file) line \(line), column `\(column)`: expected a number (the column is continuous), found `\(CSVError.excerpt(found))`"
        case .unknownColumn(let file, let option, let column, let available):
            return "\(file): \(option) names column `\(column)`, which is not in the table; columns are: \(CSVError.listing(available))"
        case .textTarget(let file, let line, let column, let found):
            return "\(file) line \(line), column `\(column)`: a regression target must be a number, found `\(CSVError.excerpt(found))`"
        case .unknownClass(let file, let line, let column, let found, let classes):
            return "\(file) line \(line), column `\(column)`: class `\(CSVError.excerpt(found))` never occurs in the training rows "
                + "(classes: \(CSVError.listing(classes.map(CSVError.excerpt))))"
        case .tooFewRows(let file, let rows, let needed):
            return "\(file): \(rows) rows is too few; need at least \(needed)"
        case .noInputColumns(let file):
            return "\(file): no input columns are left to learn from"
        case .targetInOption(let file, let column, let option):
            let why = option == "--ignore" ? "it cannot be left out" : "it cannot also be an input (the model would need the answer to predict it)"
            return "\(file): \(option) names `\(column)`, the target column (--target); \(why); remove it from \(option)"
        case .columnNamedTwice(let file, let column, let first, let second):
            let places = first == second ? "twice in \(first)" : "in both \(first) and \(second)"
            return "\(file): column `\(column)` is named \(places); name each column in one option, once"
        case .emptyValidation(let file, let rows, let percent):
            let least = 1 / Double(Swift.max(rows, 1))
            return "\(file): a validation share (--valid-pct) of \(percent) of \(rows) rows holds no row; "
                + "use at least \(String(format: "%.4g", least)) so that validation has one row, or more rows"
        case .tooFewTrainingRows(let file, let rows, let validRows):
            return "\(file): \(rows) training row\(rows == 1 ? "" : "s") left after holding out \(validRows) for validation; "
                + "training needs at least 2 (batch norm); lower --valid-pct or add rows"
        case .batchTooSmall(let size):
            return "--batch-size \(size) is too small for a tabular model: its batch norm needs at least 2 rows per batch; use 2 or more"
        case .notNormalizable(let file, let column, let reason):
            return "\(file): continuous column `\(column)` cannot be normalised in 32-bit floats: \(reason); "
                + "rescale the column, or leave it out with --ignore"
        case .modelTooLarge(let file, let reason):
            return "\(file): the table gives a tabular model Slope cannot build: \(reason); leave columns out with --ignore"
        case .notAValidFlag(let file, let line, let column, let found):
            return "\(file) line \(line), column `\(column)`: expected true or false (or 1/0, yes/no) to mark validation rows, "
                + "found `\(CSVError.excerpt(found))`"
        case .emptySplit(let file, let side, let how):
            return "\(file): \(how) leaves no \(side) rows; \(side == "training" ? "training needs at least 2" : "mark at least one row for validation")"
        case .notATableModel(let kind):
            return "predict(rows:): this model takes \(kind) inputs, not table rows; preprocess them and call predict(inputs:)"
        }
    }
}
