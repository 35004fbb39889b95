import Foundation

/// Building tabular data loaders from a CSV file (fastai's `TabularDataLoaders.from_csv`).
public enum TabularData {
    /// Reads `path`, splits rows into training and validation at random (`validPercent`,
    /// `seed`), fits the preprocessing on the training rows only, and returns loaders. Without a
    /// `batchSize`, small tables get smaller batches (`automaticBatchSize`).
    /// Identifier-like columns (every value distinct) are left out unless named in
    /// `categoricalColumns` or `continuousColumns`.
    ///
    /// ```swift
    /// let data = try TabularData.fromCSV("train.csv", target: "Survived", validPercent: 0.2, seed: 42)
    /// ```
    ///
    /// - Parameters:
    ///   - path: The CSV file (with a header row).
    ///   - target: The column to predict.
    ///   - validPercent: The share of rows held out for validation, in `[0, 1)`.
    ///   - seed: The seed of the split and of the training shuffle.
    ///   - batchSize: Rows per training batch (at least 2), or `nil` for ``automaticBatchSize(trainingRows:)``.
    ///   - task: Classification or regression, or `nil` to infer it from the target's values.
    ///   - categoricalColumns: The categorical inputs, or `nil` to choose them with
    ///     ``TabularPreprocessor/splitColumns(_:excluding:maxCardinality:)``.
    ///   - continuousColumns: The continuous inputs, or `nil` to choose them the same way.
    ///   - ignoring: Columns never used as inputs.
    ///   - validFile: A second CSV file whose rows validate (every row of `path` then trains), or `nil`.
    ///   - validColumn: A column of true/false marking the validation rows (fastai's `ColSplitter`),
    ///     left out of the inputs, or `nil`.
    /// - Returns: Loaders of `[batch, inputWidth]` inputs and targets, with the fitted preprocessing.
    /// - Throws: ``TabularError``: `csv` when a file cannot be read or parsed (or the validation file lacks a column), `batchTooSmall`, `tooFewRows`, `emptyValidation`,
    ///   `tooFewTrainingRows`, an unknown or repeated column in the options
    ///   (`unknownColumn`, `targetInOption`, `columnNamedTwice`), an error fitting the
    ///   preprocessing (`missingTarget`, `constantTarget`, `noInputColumns`, `textTarget`, `notANumber`),
    ///   or `unknownClass` for a validation row whose class no training row has.
    public static func fromCSV(
        _ path: String, target: String, validPercent: Double = 0.2, seed: UInt64 = 42, batchSize: Int? = nil,
        task: TabularTask? = nil, categoricalColumns: [String]? = nil, continuousColumns: [String]? = nil,
        ignoring: [String] = [], validFile: String? = nil, validColumn: String? = nil
    ) throws(TabularError) -> DataLoaders {
        let table: DataTable
        do { table = try CSVReader().read(contentsOfFile: path) } catch { throw .csv(error) }
        var validTable: DataTable?
        if let validFile {
            do { validTable = try CSVReader().read(contentsOfFile: validFile) } catch { throw .csv(error) }
        }
        return try fromTable(table, target: target, validPercent: validPercent, seed: seed, batchSize: batchSize, task: task,
                             categoricalColumns: categoricalColumns, continuousColumns: continuousColumns, ignoring: ignoring,
                             validTable: validTable, validColumn: validColumn)
    }

    /// The same from a table already in memory.
    ///
    /// ```swift
    /// let data = try TabularData.fromTable(table, target: "target")
    /// ```
    ///
    /// - Parameters:
    ///   - table: The rows, training and validation together.
    ///   - target: The column to predict.
    ///   - validPercent: The share of rows held out for validation, in `[0, 1)`.
    ///   - seed: The seed of the split and of the training shuffle.
    ///   - batchSize: Rows per training batch (at least 2), or `nil` for ``automaticBatchSize(trainingRows:)``.
    ///   - task: Classification or regression, or `nil` to infer it from the target's values.
    ///   - categoricalColumns: The categorical inputs, or `nil` to choose them with
    ///     ``TabularPreprocessor/splitColumns(_:excluding:maxCardinality:)``.
    ///   - continuousColumns: The continuous inputs, or `nil` to choose them the same way.
    ///   - ignoring: Columns never used as inputs.
    ///   - validTable: Rows that validate (every row of `table` then trains), or `nil`.
    ///   - validColumn: A column of true/false marking the validation rows (fastai's `ColSplitter`),
    ///     left out of the inputs, or `nil`.
    /// - Returns: Loaders of `[batch, inputWidth]` inputs and targets, with the fitted preprocessing.
    /// - Throws: ``TabularError``: `csv` for a column the validation table lacks, `notAValidFlag`
    ///   and `emptySplit` for the validation column, `batchTooSmall`, `tooFewRows`, `emptyValidation`,
    ///   `tooFewTrainingRows`, an unknown or repeated column in the options
    ///   (`unknownColumn`, `targetInOption`, `columnNamedTwice`), an error fitting the
    ///   preprocessing (`missingTarget`, `constantTarget`, `noInputColumns`, `textTarget`, `notANumber`),
    ///   or `unknownClass` for a validation row whose class no training row has.
    public static func fromTable(
        _ table: DataTable, target: String, validPercent: Double = 0.2, seed: UInt64 = 42, batchSize: Int? = nil,
        task: TabularTask? = nil, categoricalColumns: [String]? = nil, continuousColumns: [String]? = nil,
        ignoring: [String] = [], validTable: DataTable? = nil, validColumn: String? = nil
    ) throws(TabularError) -> DataLoaders {
        require(validPercent >= 0 && validPercent < 1, "TabularData: validPercent must be in [0, 1), got \(validPercent)")
        if let batchSize, batchSize < 2 { throw .batchTooSmall(size: batchSize) }
        let needed = validPercent > 0 && validTable == nil && validColumn == nil ? 4 : 2
        if table.rowCount < needed { throw .tooFewRows(file: table.source, rows: table.rowCount, needed: needed) }
        _ = try TabularPreprocessor.column(table, target, option: "--target")
        let ignoring = ignoring + (validColumn.map { [$0] } ?? [])
        try TabularPreprocessor.checkColumnOptions(table, target: target, categorical: categoricalColumns ?? [],
                                                   continuous: continuousColumns ?? [], ignoring: ignoring)
        var (trainRows, validRows) = validTable != nil ? (Array(0..<table.rowCount), [])
            : randomSplit(count: table.rowCount, validPercent: validPercent, seed: seed)
        if let validColumn {
            let flags = try validFlags(table, column: validColumn)
            trainRows = flags.indices.filter { !flags[$0] }
            validRows = flags.indices.filter { flags[$0] }
            if validRows.isEmpty { throw .emptySplit(file: table.source, side: "validation", how: "--valid-column \(validColumn)") }
            if trainRows.count < 2 { throw .emptySplit(file: table.source, side: "training", how: "--valid-column \(validColumn)") }
        } else if let validTable, validTable.rowCount == 0 {
            throw .emptySplit(file: validTable.source, side: "validation", how: "the validation file")
        } else if validTable == nil && validPercent > 0 && validRows.isEmpty {
            throw .emptyValidation(file: table.source, rows: table.rowCount, validPercent: validPercent)
        }
        if trainRows.count < 2 { throw .tooFewTrainingRows(file: table.source, rows: trainRows.count, validRows: validRows.count) }
        // Columns not named are split automatically (a pass over the table, skipped when both lists are given).
        var categorical = categoricalColumns, continuous = continuousColumns
        if categorical == nil || continuous == nil {
            let split = TabularPreprocessor.splitColumns(table, excluding: [target] + ignoring)
            let named = Set((categoricalColumns ?? []) + (continuousColumns ?? []))
            categorical = categorical ?? split.categorical.filter { !named.contains($0) }
            continuous = continuous ?? split.continuous.filter { !named.contains($0) }
        }
        let trainTable = table.subset(rows: trainRows)
        let prep = try TabularPreprocessor.fit(trainTable, target: target, task: task,
                                               categoricalColumns: categorical!, continuousColumns: continuous!)
        let (trainInputs, trainTargets) = try prep.transform(trainTable)
        let validation = validTable ?? table.subset(rows: validRows)
        if validTable != nil {
            // Every column the preprocessing reads (an indicator column reads its source, if present).
            for name in [target] + prep.categorical.filter({ $0.indicatorOf == nil }).map(\.name) + prep.continuous.map(\.name) {
                do { _ = try validation.columnIndex(named: name) } catch { throw .csv(error) }
            }
        }
        let (validInputs, validTargets) = try prep.transform(validation)
        let batchSize = batchSize ?? automaticBatchSize(trainingRows: trainRows.count)
        let train = DataLoader(TensorDataset(inputs: trainInputs, targets: trainTargets!), batchSize: batchSize,
                               shuffle: true, dropLast: trainRows.count > batchSize, seed: seed)
        let valid = DataLoader(TensorDataset(inputs: validInputs, targets: validTargets!), batchSize: batchSize * 2)
        return DataLoaders(train: train, valid: valid, task: prep.task, classes: prep.classes, preprocessing: .tabular(prep),
                           targetScale: prep.task == .regression ? (prep.targetMean, prep.targetStd) : nil)
    }

    /// The validation flags of `column` (fastai's `ColSplitter`): `true`/`1`/`yes` validate,
    /// `false`/`0`/`no` train (any case).
    ///
    /// - Parameters:
    ///   - table: The table.
    ///   - column: The flag column.
    /// - Returns: One flag per row.
    /// - Throws: ``TabularError/unknownColumn(file:option:column:available:)`` or ``TabularError/notAValidFlag(file:line:column:found:)``.
    static func validFlags(_ table: DataTable, column: String) throws(TabularError) -> [Bool] {
        let values = try TabularPreprocessor.column(table, column, option: "--valid-column")
        var flags: [Bool] = []
        flags.reserveCapacity(values.count)
        for (row, value) in values.enumerated() {
            switch value?.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true", "1", "yes", "1.0": flags.append(true)
            case "false", "0", "no", "0.0": flags.append(false)
            default: throw .notAValidFlag(file: table.source, line: table.lineNumbers[row], column: column, found: value ?? "")
            }
        }
        return flags
    }

    /// fastai's 64 rows per batch, but for small tables at least about 8 batches per epoch:
    /// the power of two at or below `rows / 8`, kept within 16...64 (iris: 16, diabetes: 32).
    ///
    /// ```swift
    /// TabularData.automaticBatchSize(trainingRows: 120)   // 16
    /// ```
    ///
    /// - Parameter trainingRows: The number of training rows.
    /// - Returns: A power of two in `16...64`.
    public static func automaticBatchSize(trainingRows: Int) -> Int {
        var size = 16
        while size * 2 <= Swift.min(64, trainingRows / 8) { size *= 2 }
        return size
    }
}
