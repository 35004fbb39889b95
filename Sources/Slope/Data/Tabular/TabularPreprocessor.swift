import Foundation

/// Whether a model predicts a class or a number.
public enum TabularTask: String, Sendable, Equatable {
    /// Predict one of a fixed set of classes.
    case classification
    /// Predict a number.
    case regression
}

/// fastai's tabular preprocessing, fitted on the training rows only and reapplied unchanged
/// later: Categorify (a vocabulary per categorical column with `#na#` at index 0 for missing
/// or unseen values), FillMissing (the training median, plus a `<column>_na` indicator for
/// columns that had missing values in training) and Normalize (training mean and std). Its
/// fitted state is plain data, saved inside exported models.
///
/// ```swift
/// let table = try CSVReader().read(contentsOfFile: "train.csv")
/// let prep = try TabularPreprocessor.fit(table, target: "Survived")
/// let (inputs, targets) = try prep.transform(table)
/// ```
public struct TabularPreprocessor: Sendable, Equatable {
    /// A categorical input and its vocabulary (`vocabulary[0] == "#na#"`).
    public struct Categorical: Sendable, Equatable {
        /// The column name (`Age_na` for an indicator made by FillMissing).
        public let name: String
        /// The known values; position is the code the model sees.
        public let vocabulary: [String]
        /// The continuous column this indicator belongs to, for `_na` columns.
        public let indicatorOf: String?
    }

    /// A continuous input with its fill value and normalisation.
    public struct Continuous: Sendable, Equatable {
        /// The column name.
        public let name: String
        /// The value used for missing entries (the training median).
        public let fill: Double
        /// The training mean (after filling).
        public let mean: Double
        /// The training standard deviation (after filling; 1 when constant).
        public let std: Double
    }

    /// The vocabulary entry for missing and unseen values.
    public static let missing = "#na#"

    /// Categorical inputs, indicators last.
    public let categorical: [Categorical]
    /// Continuous inputs.
    public let continuous: [Continuous]
    /// The target column's name.
    public let target: String
    /// Classification or regression.
    public let task: TabularTask
    /// The class labels, for classification (sorted; position is the class index).
    public let classes: [String]
    /// The target's training mean and std, for regression (the model learns the standardised value).
    public let targetMean: Double, targetStd: Double

    /// The number of model inputs per row: categorical codes first, then continuous values.
    public var inputWidth: Int { categorical.count + continuous.count }

    // MARK: - Fitting

    /// Fits the preprocessing on `table` (the training rows). Columns not named in
    /// `categoricalColumns`/`continuousColumns` are split automatically (`splitColumns`).
    ///
    /// - Parameters:
    ///   - table: The training rows.
    ///   - target: The column to predict; every row needs a value, and it may not be constant.
    ///   - task: Classification or regression, or `nil` to infer it from the target's values.
    ///   - categoricalColumns: The categorical inputs, or `nil` to choose them with ``splitColumns(_:excluding:maxCardinality:)``.
    ///   - continuousColumns: The continuous inputs, or `nil` to choose them the same way.
    ///   - ignoring: Columns never used as inputs.
    /// - Returns: The fitted preprocessing.
    /// - Throws: ``TabularError``: `unknownColumn` for a missing target or named column,
    ///   `targetInOption`, `columnNamedTwice`, `missingTarget` with the line, `constantTarget`,
    ///   `noInputColumns`, `textTarget` for a regression target that is not a number, or
    ///   `notANumber` for a continuous column's value.
    public static func fit(
        _ table: DataTable, target: String, task: TabularTask? = nil,
        categoricalColumns: [String]? = nil, continuousColumns: [String]? = nil, ignoring: [String] = []
    ) throws(TabularError) -> TabularPreprocessor {
        let targetValues = try column(table, target, option: "--target")
        try checkColumnOptions(table, target: target, categorical: categoricalColumns ?? [], continuous: continuousColumns ?? [],
                               ignoring: ignoring)
        for (value, line) in zip(targetValues, table.lineNumbers) where value == nil {
            throw .missingTarget(file: table.source, line: line, column: target)
        }
        let presentTargets = targetValues.compactMap { $0.map(canonical) }
        let distinctTargets = Set(presentTargets)
        if distinctTargets.count < 2 {
            throw .constantTarget(file: table.source, column: target, value: presentTargets.first ?? "")
        }
        let resolvedTask = task ?? inferTask(targetValues)

        // Columns not named are split automatically (a pass over the table, skipped when both lists are given).
        let split = categoricalColumns != nil && continuousColumns != nil
            ? (categorical: [], continuous: [], identifiers: []) : splitColumns(table, excluding: [target] + ignoring)
        let namedContinuous = Set(continuousColumns ?? []), namedCategorical = Set(categoricalColumns ?? [])
        let categoricalNames = categoricalColumns ?? split.categorical.filter { !namedContinuous.contains($0) }
        let continuousNames = continuousColumns ?? split.continuous.filter { !namedCategorical.contains($0) }
        if categoricalNames.isEmpty && continuousNames.isEmpty { throw .noInputColumns(file: table.source) }

        var categorical = try categoricalNames.map { name throws(TabularError) in
            let values = try column(table, name, option: "--cat").compactMap { $0.map(canonical) }
            return Categorical(name: name, vocabulary: [missing] + Set(values).sorted(by: naturalOrder), indicatorOf: nil)
        }
        var continuous: [Continuous] = []
        for name in continuousNames {
            let values = try numbers(table, name)
            let present = values.compactMap { $0 }
            let fill = median(present)
            let filled = values.map { $0 ?? fill }
            let mean = filled.reduce(0, +) / Double(Swift.max(filled.count, 1))
            let variance = filled.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(Swift.max(filled.count - 1, 1))
            let std = variance > 0 ? variance.squareRoot() : 1
            let fitted = Continuous(name: name, fill: fill, mean: mean, std: std)
            try checkNormalizable(fitted, values: filled, table: table)
            continuous.append(fitted)
            if present.count < values.count {
                categorical.append(Categorical(name: name + "_na", vocabulary: [missing, "False", "True"], indicatorOf: name))
            }
        }

        var classes: [String] = []
        var targetMean = 0.0, targetStd = 1.0
        switch resolvedTask {
        case .classification:
            classes = distinctTargets.sorted(by: naturalOrder)
        case .regression:
            var numbers: [Double] = []
            for (value, line) in zip(targetValues, table.lineNumbers) {
                guard let number = value.flatMap(DataTable.parseNumber), number.isFinite else {
                    throw .textTarget(file: table.source, line: line, column: target, found: value ?? "")
                }
                numbers.append(number)
            }
            targetMean = numbers.reduce(0, +) / Double(numbers.count)
            let variance = numbers.reduce(0) { $0 + ($1 - targetMean) * ($1 - targetMean) } / Double(Swift.max(numbers.count - 1, 1))
            targetStd = variance > 0 ? variance.squareRoot() : 1
        }
        return TabularPreprocessor(categorical: categorical, continuous: continuous, target: target, task: resolvedTask,
                                   classes: classes, targetMean: targetMean, targetStd: targetStd)
    }

    /// fastai's `cont_cat_split`, with identifier detection: text columns and whole-number
    /// columns with at most `maxCardinality` distinct values (and no missing values) are
    /// categorical, other numeric columns continuous; columns with a single value, and
    /// identifier-like columns (every value distinct whole numbers, or text with more distinct
    /// values than half the rows) are left out.
    ///
    /// - Parameters:
    ///   - table: The table whose columns are split.
    ///   - excluding: Columns to leave out (the target, ignored columns).
    ///   - maxCardinality: The most distinct whole-number values a numeric column may have and still be categorical.
    /// - Returns: The categorical, continuous and identifier-like column names, each in file order.
    public static func splitColumns(
        _ table: DataTable, excluding: [String] = [], maxCardinality: Int = 10
    ) -> (categorical: [String], continuous: [String], identifiers: [String]) {
        var categorical: [String] = [], continuous: [String] = [], identifiers: [String] = []
        let excluded = Set(excluding)
        for (index, name) in table.columnNames.enumerated() where !excluded.contains(name) {
            let values = table.rows.map { $0[index] }
            let present = values.compactMap { $0 }
            let distinct = Set(present.map(canonical))
            if distinct.count <= 1 { continue }
            if table.columnKinds[index] == .categorical {
                if distinct.count > Swift.max(20, present.count / 2) { identifiers.append(name) } else { categorical.append(name) }
                continue
            }
            let numbers = present.compactMap(DataTable.parseNumber)
            let wholeNumbers = numbers.allSatisfy { $0 == $0.rounded() }
            if wholeNumbers && distinct.count == table.rowCount && table.rowCount > 20 {
                identifiers.append(name)
            } else if wholeNumbers && present.count == values.count && distinct.count <= maxCardinality {
                categorical.append(name)
            } else {
                continuous.append(name)
            }
        }
        return (categorical, continuous, identifiers)
    }

    /// Classification when the target is text or has few whole-number values; regression
    /// otherwise.
    static func inferTask(_ values: [String?]) -> TabularTask {
        let present = values.compactMap { $0 }
        let numbers = present.compactMap(DataTable.parseNumber)
        if numbers.count < present.count { return .classification }
        let whole = numbers.allSatisfy { $0 == $0.rounded() }
        return whole && Set(numbers).count <= 20 ? .classification : .regression
    }

    // MARK: - Applying

    /// Turns rows into model inputs `[rows, inputWidth]` (categorical codes, then normalised
    /// continuous values) and, when the target column is present and `targets` is true, the
    /// targets (`[rows]` class indices, or standardised values for regression).
    ///
    /// - Parameters:
    ///   - table: Rows with every input column the preprocessing was fitted with.
    ///   - includeTargets: Whether to encode the target column too (`targets:`), when the table has it.
    /// - Returns: The inputs, and the targets or `nil`.
    /// - Throws: ``TabularError``: `unknownColumn` for a missing input column, `notANumber` for a
    ///   continuous value that is not a number; for targets, `missingTarget`, `unknownClass` (a class
    ///   training never saw) or `textTarget`.
    public func transform(_ table: DataTable, targets includeTargets: Bool = true) throws(TabularError) -> (inputs: Tensor, targets: Tensor?) {
        let width = inputWidth
        var inputs = [Float](repeating: 0, count: table.rowCount * width)
        for (position, column) in categorical.enumerated() {
            let codes = Dictionary(uniqueKeysWithValues: column.vocabulary.enumerated().map { ($0.element, $0.offset) })
            if let source = column.indicatorOf {
                let index = try? table.columnIndex(named: source)
                for row in 0..<table.rowCount {
                    let isMissing = index == nil || table.rows[row][index!] == nil
                    inputs[row * width + position] = Float(codes[isMissing ? "True" : "False"]!)
                }
                continue
            }
            let values = try TabularPreprocessor.column(table, column.name, option: "the model's input")
            for (row, value) in values.enumerated() {
                inputs[row * width + position] = Float(value.map { codes[TabularPreprocessor.canonical($0)] ?? 0 } ?? 0)
            }
        }
        for (offset, column) in continuous.enumerated() {
            let values = try TabularPreprocessor.numbers(table, column.name)
            for (row, value) in values.enumerated() {
                inputs[row * width + categorical.count + offset] = Float(((value ?? column.fill) - column.mean) / column.std)
            }
        }
        let inputTensor = Tensor(shape: [table.rowCount, width], scalars: inputs)
        guard includeTargets, table.columnNames.contains(target) else { return (inputTensor, nil) }
        return (inputTensor, try encodeTargets(table))
    }

    /// The targets of `table` as the model learns them.
    func encodeTargets(_ table: DataTable) throws(TabularError) -> Tensor {
        let values = try TabularPreprocessor.column(table, target, option: "--target")
        var encoded: [Float] = []
        let codes = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($0.element, $0.offset) })
        for (value, line) in zip(values, table.lineNumbers) {
            guard let value else { throw .missingTarget(file: table.source, line: line, column: target) }
            switch task {
            case .classification:
                guard let code = codes[TabularPreprocessor.canonical(value)] else {
                    throw .unknownClass(file: table.source, line: line, column: target, found: value, classes: classes)
                }
                encoded.append(Float(code))
            case .regression:
                guard let number = DataTable.parseNumber(value), number.isFinite else {
                    throw .textTarget(file: table.source, line: line, column: target, found: value)
                }
                encoded.append(Float((number - targetMean) / targetStd))
            }
        }
        return Tensor(encoded)
    }

    /// Converts a standardised regression output back to the target's units.
    ///
    /// - Parameter value: A model output for the standardised target.
    /// - Returns: `value · targetStd + targetMean`.
    public func decodeRegression(_ value: Float) -> Double { Double(value) * targetStd + targetMean }

    // MARK: - Helpers

    /// Refuses a continuous column that a model file could not hold or that Normalize would turn
    /// into infinities: its fitted values must pass the rule loading applies
    /// (``Continuous/init(reading:)``), and every training value must normalise to a finite Float.
    ///
    /// - Parameters:
    ///   - column: the fitted column.
    ///   - values: its training values, missing ones filled.
    ///   - table: the table, for the file name and line numbers.
    /// - Throws: ``TabularError/notNormalizable(file:column:reason:)``.
    static func checkNormalizable(_ column: Continuous, values: [Double], table: DataTable) throws(TabularError) {
        do { _ = try Continuous(reading: JSONReader(column.json)) } catch {
            throw .notNormalizable(file: table.source, column: column.name, reason: "its \(error.path) is \(error.found), expected \(error.expected)")
        }
        for (value, line) in zip(values, table.lineNumbers) where !Float((value - column.mean) / column.std).isFinite {
            throw .notNormalizable(file: table.source, column: column.name,
                                   reason: "line \(line)'s value \(value) normalises to more than a Float holds (mean \(column.mean), std \(column.std))")
        }
    }

    /// Checks the column options against the table and each other: every named column exists,
    /// the target is none of them, and no column is named twice (within or across options).
    ///
    /// ```swift
    /// try TabularPreprocessor.checkColumnOptions(table, target: "Survived", categorical: ["Sex"], continuous: ["Fare"], ignoring: [])
    /// ```
    /// - Parameters:
    ///   - table: the table the options name columns of.
    ///   - target: the target column.
    ///   - categorical: the `--cat` columns.
    ///   - continuous: the `--cont` columns.
    ///   - ignoring: the `--ignore` columns.
    /// - Throws: ``TabularError/unknownColumn(file:option:column:available:)``,
    ///   ``TabularError/targetInOption(file:column:option:)`` or ``TabularError/columnNamedTwice(file:column:firstOption:secondOption:)``.
    public static func checkColumnOptions(
        _ table: DataTable, target: String, categorical: [String], continuous: [String], ignoring: [String]
    ) throws(TabularError) {
        var seen: [String: String] = [:]
        for (option, names) in [("--cat", categorical), ("--cont", continuous), ("--ignore", ignoring)] {
            for name in names {
                _ = try column(table, name, option: option)
                if name == target { throw .targetInOption(file: table.source, column: name, option: option) }
                if let first = seen[name] {
                    throw .columnNamedTwice(file: table.source, column: name, firstOption: first, secondOption: option)
                }
                seen[name] = option
            }
        }
    }

    static func column(_ table: DataTable, _ name: String, option: String) throws(TabularError) -> [String?] {
        do { return try table.column(named: name) } catch {
            throw .unknownColumn(file: table.source, option: option, column: name, available: table.columnNames)
        }
    }

    static func numbers(_ table: DataTable, _ name: String) throws(TabularError) -> [Double?] {
        let values = try column(table, name, option: "--cont")
        var result: [Double?] = []
        result.reserveCapacity(values.count)
        for (value, line) in zip(values, table.lineNumbers) {
            guard let value else { result.append(nil); continue }
            guard let number = DataTable.parseNumber(value) else {
                throw .notANumber(file: table.source, line: line, column: name, found: value)
            }
            result.append(number.isFinite ? number : nil)
        }
        return result
    }

    /// One spelling per value: numbers as `3` or `2.5` (so `3.0` and `3` match), text trimmed.
    static func canonical(_ value: String) -> String {
        if let number = DataTable.parseNumber(value), number.isFinite {
            return number == number.rounded() && Swift.abs(number) < 1e15 ? String(Int64(number)) : String(number)
        }
        return value.trimmingCharacters(in: .whitespaces)
    }

    /// Numbers by value, then text alphabetically.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        switch (Double(a), Double(b)) {
        case let (x?, y?): return x < y
        case (_?, nil): return true
        case (nil, _?): return false
        default: return a < b
        }
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
