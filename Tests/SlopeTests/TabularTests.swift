import Foundation
import Testing
@testable import Slope

// MARK: - Helpers

/// `../shared/data` next to the package root (three levels up from this file, then `shared/data`).
private let tabularDataFolder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("shared/data")

/// The path of a shared dataset, or `nil` when the data folder is not there.
private func sharedCSV(_ relative: String) -> String? {
    let path = tabularDataFolder.appendingPathComponent(relative).path
    return FileManager.default.fileExists(atPath: path) ? path : nil
}

private let titanicCSV = sharedCSV("titanic/train.csv")
private let irisCSV = sharedCSV("iris/iris.csv")
private let diabetesCSV = sharedCSV("diabetes/diabetes.csv")

/// Writes `contents` to a fresh temporary file called `name` and returns its path.
private func writeTemporaryCSV(_ name: String, _ contents: String) throws -> String {
    let folder = try temporaryFolder("tabular")
    let url = folder.appendingPathComponent(name)
    try Data(contents.utf8).write(to: url)
    return url.path
}


/// A table from columns given as name and values (`nil` is a missing value).
private func table(_ columns: [(String, [String?])], source: String = "table.csv") throws -> DataTable {
    let count = columns[0].1.count
    let rows = (0..<count).map { row in columns.map { $0.1[row] } }
    return try DataTable(columnNames: columns.map(\.0), rows: rows, source: source)
}

private func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

/// The sample standard deviation (n - 1), as the preprocessing uses.
private func sampleStd(_ values: [Double]) -> Double {
    let m = mean(values)
    return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

private func tabularPrep(_ data: DataLoaders) -> TabularPreprocessor? {
    if case .tabular(let prep) = data.preprocessing { return prep }
    return nil
}

/// Column `column` of a `[rows, width]` tensor.
private func column(_ tensor: Tensor, _ column: Int) -> [Float] {
    let width = tensor.shape[1]
    return (0..<tensor.shape[0]).map { tensor.scalars[$0 * width + column] }
}

// MARK: - Fitted on the training rows only

@Suite struct TabularFittingTests {
    /// Validation rows get a category, extreme values and a missing value that training rows
    /// never have; none of it may reach the fitted statistics or vocabularies.
    @Test func statisticsAndVocabulariesComeFromTrainingRowsOnly() throws {
        let count = 40, seed: UInt64 = 7
        let (trainRows, validRows) = randomSplit(count: count, validPercent: 0.25, seed: seed)
        #expect(validRows.count == 10)
        let isValid = Set(validRows)
        let missingAgeRow = validRows[0]
        let colors = ["red", "green", "blue"]
        var color: [String?] = [], size: [String?] = [], age: [String?] = [], y: [String?] = []
        for i in 0..<count {
            color.append(isValid.contains(i) ? "purple" : colors[i % 3])
            size.append(isValid.contains(i) ? "1000.5" : "\(Double(i) + 0.5)")
            age.append(i == missingAgeRow ? nil : (isValid.contains(i) ? "99.5" : "\(20.25 + Double(i))"))
            y.append(String(i % 2))
        }
        let source = try table([("color", color), ("size", size), ("age", age), ("y", y)], source: "split.csv")
        let data = try TabularData.fromTable(source, target: "y", validPercent: 0.25, seed: seed)
        let prep = try #require(tabularPrep(data))

        #expect(data.train.dataset.count == 30)
        #expect(data.valid.dataset.count == 10)
        #expect(prep.categorical.map(\.name) == ["color"], "no age_na: age had no missing value in training")
        #expect(prep.categorical[0].vocabulary == ["#na#", "blue", "green", "red"])
        #expect(prep.continuous.map(\.name) == ["size", "age"])

        let trainSizes = trainRows.map { Double($0) + 0.5 }
        let trainAges = trainRows.map { 20.25 + Double($0) }
        let sizeStats = prep.continuous[0], ageStats = prep.continuous[1]
        #expect(abs(sizeStats.mean - mean(trainSizes)) < 1e-9)
        #expect(abs(sizeStats.std - sampleStd(trainSizes)) < 1e-9)
        #expect(abs(sizeStats.fill - median(trainSizes)) < 1e-9)
        #expect(abs(ageStats.mean - mean(trainAges)) < 1e-9)
        #expect(abs(ageStats.fill - median(trainAges)) < 1e-9)

        // Validation rows: the unseen colour is code 0; the missing age is the training median.
        let validInputs = data.valid.dataset.inputs
        #expect(validInputs.shape == [10, 3])
        #expect(column(validInputs, 0).allSatisfy { $0 == 0 })
        let position = try #require(validRows.firstIndex(of: missingAgeRow))
        let expectedAge = Float((ageStats.fill - ageStats.mean) / ageStats.std)
        #expect(abs(column(validInputs, 2)[position] - expectedAge) < 1e-5)
        // Training inputs never hold code 0 for colour (every training colour is known).
        #expect(column(data.train.dataset.inputs, 0).allSatisfy { $0 >= 1 && $0 <= 3 })
    }

    @Test func fromTableIsReproducibleForASeed() throws {
        let values = (0..<30).map { String(Double($0) * 1.5) }
        let labels = (0..<30).map { $0 % 3 == 0 ? "a" : "b" }
        let source = try table([("x", values), ("label", labels)])
        let first = try TabularData.fromTable(source, target: "label", seed: 5)
        let second = try TabularData.fromTable(source, target: "label", seed: 5)
        let other = try TabularData.fromTable(source, target: "label", seed: 6)
        #expect(first.valid.dataset.inputs.scalars == second.valid.dataset.inputs.scalars)
        #expect(first.preprocessing == second.preprocessing)
        #expect(first.valid.dataset.inputs.scalars != other.valid.dataset.inputs.scalars)
        #expect(first.classes == ["a", "b"])
    }
}

// MARK: - Categorify

@Suite struct TabularCategorifyTests {
    @Test func vocabularyHasMissingFirstThenValuesInNaturalOrder() throws {
        let source = try table([
            ("grade", ["10", "2", "3", "2", nil, "10", "3.0", "2"]),
            ("town", ["b", "a", "c", "a", "b", "c", nil, "a"]),
            ("y", ["0", "1", "0", "1", "0", "1", "0", "1"]),
        ])
        let prep = try TabularPreprocessor.fit(source, target: "y", categoricalColumns: ["grade", "town"], continuousColumns: [])
        #expect(TabularPreprocessor.missing == "#na#")
        #expect(prep.categorical.map(\.name) == ["grade", "town"])
        #expect(prep.categorical[0].vocabulary == ["#na#", "2", "3", "10"], "numbers sorted by value; 3.0 is 3")
        #expect(prep.categorical[1].vocabulary == ["#na#", "a", "b", "c"])
        #expect(prep.categorical.allSatisfy { $0.indicatorOf == nil })
        #expect(prep.inputWidth == 2)

        let (inputs, targets) = try prep.transform(source)
        #expect(column(inputs, 0) == [3, 1, 2, 1, 0, 3, 2, 1])
        #expect(column(inputs, 1) == [2, 1, 3, 1, 2, 3, 0, 1])
        #expect(targets?.scalars == [0, 1, 0, 1, 0, 1, 0, 1])
    }

    @Test func unknownCategoryAtTransformTimeIsCodeZero() throws {
        let training = try table([("town", ["a", "b", "a", "b"]), ("y", ["0", "1", "1", "0"])])
        let prep = try TabularPreprocessor.fit(training, target: "y")
        #expect(prep.categorical.map(\.name) == ["town"])
        let later = try table([("town", ["b", "zzz", nil, "a"]), ("y", ["0", "1", "1", "0"])])
        let (inputs, _) = try prep.transform(later)
        #expect(inputs.scalars == [2, 0, 0, 1])
    }

    @Test func transformWithoutTargetColumnGivesNoTargets() throws {
        let training = try table([("town", ["a", "b", "a", "b"]), ("y", ["0", "1", "1", "0"])])
        let prep = try TabularPreprocessor.fit(training, target: "y")
        let (inputs, targets) = try prep.transform(try table([("town", ["a"])]))
        #expect(inputs.scalars == [1])
        #expect(targets == nil)
    }
}

// MARK: - FillMissing and Normalize

@Suite struct TabularFillMissingTests {
    @Test func missingTrainingValuesGetTheMedianAndAnIndicator() throws {
        let source = try table([
            ("age", ["10", nil, "30", "20", nil, "40"]),
            ("y", ["0", "1", "0", "1", "0", "1"]),
        ])
        let prep = try TabularPreprocessor.fit(source, target: "y", continuousColumns: ["age"])
        let age = try #require(prep.continuous.first)
        #expect(prep.continuous.map(\.name) == ["age"])
        #expect(age.fill == 25, "median of 10, 20, 30, 40")
        #expect(abs(age.mean - 25) < 1e-12, "mean after filling: (10 + 25 + 30 + 20 + 25 + 40) / 6")
        #expect(abs(age.std - sampleStd([10, 25, 30, 20, 25, 40])) < 1e-12)
        #expect(prep.categorical.count == 1)
        let indicator = prep.categorical[0]
        #expect(indicator.name == "age_na")
        #expect(indicator.indicatorOf == "age")
        #expect(indicator.vocabulary == ["#na#", "False", "True"])

        let (inputs, _) = try prep.transform(source)
        #expect(inputs.shape == [6, 2], "indicator first (categorical), then the value")
        #expect(column(inputs, 0) == [1, 2, 1, 1, 2, 1])
        let normalised = column(inputs, 1)
        #expect(abs(normalised[1]) < 1e-6, "a filled value is the median, 25, which is also the mean here")
        #expect(abs(normalised[0] - Float((10 - 25) / age.std)) < 1e-5)
    }

    @Test func missingValueInAColumnWithoutMissingTrainingValuesIsFilledWithoutCrash() throws {
        let training = try table([
            ("fare", ["1.5", "2.5", "10.5", "4.5", "3.5"]),
            ("y", ["0", "1", "0", "1", "0"]),
        ])
        let prep = try TabularPreprocessor.fit(training, target: "y")
        #expect(prep.categorical.isEmpty, "no fare_na: fare had no missing value in training")
        #expect(prep.continuous.map(\.name) == ["fare"])
        let fare = prep.continuous[0]
        #expect(fare.fill == 3.5)
        let later = try table([("fare", [nil, "3.5", "nan"]), ("y", ["1", "0", "1"])])
        let (inputs, targets) = try prep.transform(later)
        #expect(inputs.shape == [3, 1])
        let expected = Float((3.5 - fare.mean) / fare.std)
        #expect(inputs.scalars.allSatisfy { abs($0 - expected) < 1e-6 }, "missing and NaN both become the median")
        #expect(targets?.scalars == [1, 0, 1])
    }

    @Test func normalizeUsesTrainingMeanAndSampleStd() throws {
        let values: [Double] = [2, 4, 4, 4, 5, 5, 7, 9.5]
        let source = try table([
            ("x", values.map { String($0) }),
            ("y", ["0", "1", "0", "1", "0", "1", "0", "1"]),
        ])
        let prep = try TabularPreprocessor.fit(source, target: "y", continuousColumns: ["x"])
        let x = prep.continuous[0]
        #expect(abs(x.mean - mean(values)) < 1e-12)
        #expect(abs(x.std - sampleStd(values)) < 1e-12)
        let normalised: [Double] = try prep.transform(source).inputs.scalars.map { Double($0) }
        #expect(abs(mean(normalised)) < 1e-6)
        #expect(abs(sampleStd(normalised) - 1) < 1e-5)
    }

    @Test func constantContinuousColumnHasStdOne() throws {
        let source = try table([("x", ["3", "3", "3", "3"]), ("y", ["0", "1", "0", "1"])])
        let prep = try TabularPreprocessor.fit(source, target: "y", continuousColumns: ["x"])
        #expect(prep.continuous[0].std == 1)
        #expect(try prep.transform(source).inputs.scalars == [0, 0, 0, 0])
    }
}

// MARK: - Column split and task

@Suite struct TabularColumnSplitTests {
    @Test(.enabled(if: titanicCSV != nil, "shared data not found"))
    func titanicColumnsSplitWithIdentifiersLeftOut() throws {
        let path = titanicCSV!
        let source = try CSVReader().read(contentsOfFile: path)
        let split = TabularPreprocessor.splitColumns(source, excluding: ["Survived"])
        #expect(split.categorical == ["Pclass", "Sex", "SibSp", "Parch", "Embarked"])
        #expect(split.continuous == ["Age", "Fare"])
        #expect(split.identifiers == ["PassengerId", "Name", "Ticket", "Cabin"])
    }

    @Test(.enabled(if: titanicCSV != nil, "shared data not found"))
    func titanicPreprocessingHasAgeIndicator() throws {
        let path = titanicCSV!
        let data = try TabularData.fromCSV(path, target: "Survived", validPercent: 0.2, seed: 42)
        let prep = try #require(tabularPrep(data))
        #expect(prep.categorical.map(\.name) == ["Pclass", "Sex", "SibSp", "Parch", "Embarked", "Age_na"])
        #expect(prep.continuous.map(\.name) == ["Age", "Fare"])
        #expect(prep.categorical.first { $0.name == "Sex" }?.vocabulary == ["#na#", "female", "male"])
        #expect(prep.categorical.first { $0.name == "Pclass" }?.vocabulary == ["#na#", "1", "2", "3"])
        #expect(data.train.dataset.count == 713 && data.valid.dataset.count == 178)
        #expect(data.train.dataset.inputs.shape == [713, 8])
    }

    @Test func syntheticColumnKinds() throws {
        let n = 30
        let source = try table([
            ("id", (0..<n).map { String($0 + 1) }),
            ("few", (0..<n).map { String($0 % 10) }),
            ("many", (0..<n).map { String($0 % 11) }),
            ("decimal", (0..<n).map { String(Double($0 % 3) + 0.5) }),
            ("text", (0..<n).map { ["x", "y", "z"][$0 % 3] }),
            ("constant", (0..<n).map { _ in "7" }),
            ("wholeWithMissing", (0..<n).map { $0 == 4 ? nil : String($0 % 2) }),
            ("target", (0..<n).map { String($0 % 2) }),
        ])
        let split = TabularPreprocessor.splitColumns(source, excluding: ["target"])
        #expect(split.categorical == ["few", "text"])
        #expect(split.continuous == ["many", "decimal", "wholeWithMissing"])
        #expect(split.identifiers == ["id"])
    }

    @Test func namedColumnsOverrideTheSplit() throws {
        let n = 24
        let source = try table([
            ("code", (0..<n).map { String($0 % 4) }),
            ("amount", (0..<n).map { String(Double($0) * 0.25) }),
            ("y", (0..<n).map { String($0 % 2) }),
        ])
        let data = try TabularData.fromTable(source, target: "y", categoricalColumns: [], continuousColumns: ["code", "amount"])
        let prep = try #require(tabularPrep(data))
        #expect(prep.categorical.isEmpty)
        #expect(prep.continuous.map(\.name) == ["code", "amount"])
        let ignored = try TabularData.fromTable(source, target: "y", ignoring: ["code"])
        #expect(tabularPrep(ignored)?.categorical.map(\.name) == [])
        #expect(tabularPrep(ignored)?.continuous.map(\.name) == ["amount"])
    }

    @Test func taskInference() throws {
        #expect(TabularPreprocessor.inferTask(["0", "1", "1", nil]) == .classification)
        #expect(TabularPreprocessor.inferTask(["cat", "dog", "3"]) == .classification)
        #expect(TabularPreprocessor.inferTask(["1.5", "2", "3"]) == .regression)
        #expect(TabularPreprocessor.inferTask((0..<21).map { String($0) }) == .regression)
        #expect(TabularPreprocessor.inferTask((0..<20).map { String($0) }) == .classification)
    }

    @Test(.enabled(if: titanicCSV != nil, "shared data not found"))
    func titanicIsClassification() throws {
        let path = titanicCSV!
        let data = try TabularData.fromCSV(path, target: "Survived")
        #expect(data.task == .classification)
        #expect(data.classes == ["0", "1"])
        #expect(data.outputCount == 2)
        #expect(data.targetScale == nil)
        #expect(Set(data.train.dataset.targets.scalars) == [0, 1])
    }

    @Test(.enabled(if: irisCSV != nil, "shared data not found"))
    func irisIsClassificationIntoThreeClasses() throws {
        let path = irisCSV!
        let data = try TabularData.fromCSV(path, target: "target")
        #expect(data.task == .classification)
        #expect(data.classes == ["0", "1", "2"])
        #expect(data.train.batchSize == 16, "small tables get small batches")
    }

    @Test(.enabled(if: diabetesCSV != nil, "shared data not found"))
    func diabetesIsRegressionWithStandardisedTargets() throws {
        let path = diabetesCSV!
        let data = try TabularData.fromCSV(path, target: "target")
        let prep = try #require(tabularPrep(data))
        #expect(data.task == .regression)
        #expect(data.outputCount == 1)
        #expect(data.classes.isEmpty)
        let scale = try #require(data.targetScale)
        #expect(scale.mean == prep.targetMean && scale.std == prep.targetStd)
        #expect(scale.mean > 100 && scale.mean < 200 && scale.std > 50)
        let targets: [Double] = data.train.dataset.targets.scalars.map { Double($0) }
        #expect(abs(mean(targets)) < 1e-4, "training targets are standardised")
        #expect(abs(sampleStd(targets) - 1) < 1e-4)
        #expect(abs(prep.decodeRegression(0) - prep.targetMean) < 1e-9)
        #expect(data.train.batchSize == 32)
    }

    @Test func automaticBatchSize() {
        #expect(TabularData.automaticBatchSize(trainingRows: 120) == 16)
        #expect(TabularData.automaticBatchSize(trainingRows: 354) == 32)
        #expect(TabularData.automaticBatchSize(trainingRows: 713) == 64)
        #expect(TabularData.automaticBatchSize(trainingRows: 10) == 16)
        #expect(TabularData.automaticBatchSize(trainingRows: 100_000) == 64)
    }
}

// MARK: - Errors

@Suite struct TabularErrorTests {
    /// Twelve rows of `x,label,y`, with `line` (file line, 2...13) replaced by `replacement`.
    private func rows(replacingLine line: Int? = nil, with replacement: String = "") -> String {
        var text = "x,label,y\n"
        for i in 0..<12 {
            text += (i + 2 == line) ? replacement + "\n" : "\(Double(i) + 0.5),\(["a", "b"][i % 2]),\(i % 2)\n"
        }
        return text
    }

    @Test func raggedRowNamesFileAndLine() throws {
        let path = try writeTemporaryCSV("ragged.csv", rows(replacingLine: 6, with: "1.5,a"))
        let error = try #require(caught(TabularError.self) { try TabularData.fromCSV(path, target: "y") })
        #expect(error == .csv(.raggedRow(file: path, line: 6, expected: 3, found: 2)))
        #expect(error.description.contains("ragged.csv"))
        #expect(error.description.contains("line 6"))
    }

    @Test func missingTargetColumnNamesFileAndColumn() throws {
        let path = try writeTemporaryCSV("notarget.csv", rows())
        let error = try #require(caught(TabularError.self) { try TabularData.fromCSV(path, target: "Survived") })
        guard case .unknownColumn(let file, _, let column, let available) = error else {
            Issue.record("expected unknownColumn, got \(error)")
            return
        }
        #expect(file == path && column == "Survived" && available == ["x", "label", "y"])
        #expect(error.description.contains("notarget.csv"))
        #expect(error.description.contains("`Survived`"))
    }

    @Test func constantTargetNamesFileAndColumn() throws {
        let text = "x,y\n" + (0..<10).map { "\($0).5,1\n" }.joined()
        let path = try writeTemporaryCSV("constant.csv", text)
        let error = try #require(caught(TabularError.self) { try TabularData.fromCSV(path, target: "y") })
        #expect(error == .constantTarget(file: path, column: "y", value: "1"))
        #expect(error.description.contains("constant.csv"))
        #expect(error.description.contains("`y`"))
    }

    @Test func textInADeclaredContinuousColumnNamesFileLineAndColumn() throws {
        let path = try writeTemporaryCSV("text.csv", rows(replacingLine: 9, with: "abc,a,1"))
        let error = try #require(caught(TabularError.self) {
            try TabularData.fromCSV(path, target: "y", continuousColumns: ["x"])
        })
        #expect(error == .notANumber(file: path, line: 9, column: "x", found: "abc"))
        #expect(error.description.contains("text.csv"))
        #expect(error.description.contains("line 9"))
        #expect(error.description.contains("`x`"))
        #expect(error.description.contains("abc"))
    }

    @Test func textInAContinuousColumnIsCaughtWhereverTheRowLands() throws {
        // Whichever split the bad row falls into, the error names it.
        for seed: UInt64 in 0..<6 {
            let path = try writeTemporaryCSV("anysplit.csv", rows(replacingLine: 3, with: "oops,b,1"))
            let error = caught(TabularError.self) { try TabularData.fromCSV(path, target: "y", seed: seed, continuousColumns: ["x"]) }
            #expect(error == .notANumber(file: path, line: 3, column: "x", found: "oops"), "seed \(seed)")
        }
    }

    @Test func emptyFileNamesFile() throws {
        let path = try writeTemporaryCSV("empty.csv", "")
        let error = try #require(caught(TabularError.self) { try TabularData.fromCSV(path, target: "y") })
        #expect(error == .csv(.emptyFile(file: path)))
        #expect(error.description.contains("empty.csv"))
    }

    @Test func headerOnlyFileIsTooFewRows() throws {
        let path = try writeTemporaryCSV("header.csv", "x,y\n")
        let error = try #require(caught(TabularError.self) { try TabularData.fromCSV(path, target: "y") })
        #expect(error == .tooFewRows(file: path, rows: 0, needed: 4))
        #expect(error.description.contains("header.csv"))
    }

    @Test func missingFileNamesFile() throws {
        let error = try #require(caught(TabularError.self) { try TabularData.fromCSV("/nonexistent/nope.csv", target: "y") })
        #expect(error == .csv(.fileNotFound(file: "/nonexistent/nope.csv")))
        #expect(error.description.contains("nope.csv"))
    }

    @Test func missingTargetValueNamesFileLineAndColumn() throws {
        for line in [4, 11] {
            let path = try writeTemporaryCSV("notarget.csv", rows(replacingLine: line, with: "3.5,a,"))
            let error = try #require(caught(TabularError.self) { try TabularData.fromCSV(path, target: "y") })
            #expect(error == .missingTarget(file: path, line: line, column: "y"))
            #expect(error.description.contains("notarget.csv"))
            #expect(error.description.contains("line \(line)"))
            #expect(error.description.contains("`y`"))
        }
    }

    @Test func textRegressionTargetNamesFileLineAndColumn() throws {
        let path = try writeTemporaryCSV("textreg.csv", rows(replacingLine: 5, with: "3.5,a,many"))
        let error = try #require(caught(TabularError.self) { try TabularData.fromCSV(path, target: "y", task: .regression) })
        #expect(error == .textTarget(file: path, line: 5, column: "y", found: "many"))
        #expect(error.description.contains("textreg.csv") && error.description.contains("line 5") && error.description.contains("`y`"))
    }

    /// A class that occurs only in validation rows cannot be encoded; the error must say so in
    /// terms of classification (file, line, column and the class), not as a regression problem.
    @Test func classSeenOnlyInValidationRowsNamesFileLineAndColumn() throws {
        let count = 31, seed: UInt64 = 0
        let (_, validRows) = randomSplit(count: count, validPercent: 0.2, seed: seed)
        let rare = validRows[0]
        var text = "x,y\n"
        for i in 0..<count { text += "\(Double(i) + 0.5),\(i == rare ? "c" : (i % 2 == 0 ? "a" : "b"))\n" }
        let path = try writeTemporaryCSV("unseen.csv", text)
        let error = try #require(caught(TabularError.self) { try TabularData.fromCSV(path, target: "y", validPercent: 0.2, seed: seed) })
        let message = error.description
        #expect(message.contains("unseen.csv") && message.contains("line \(rare + 2)") && message.contains("`y`"), "\(message)")
        #expect(message.contains("`c`"))
        #expect(!message.contains("regression"), "the task is classification, but the message says: \(message)")
    }

    @Test func unknownNamedColumnIsAnError() throws {
        let path = try writeTemporaryCSV("named.csv", rows())
        let error = try #require(caught(TabularError.self) { try TabularData.fromCSV(path, target: "y", continuousColumns: ["nope"]) })
        guard case .unknownColumn(_, _, let column, _) = error else {
            Issue.record("expected unknownColumn, got \(error)")
            return
        }
        #expect(column == "nope")
        #expect(error.description.contains("named.csv") && error.description.contains("`nope`"))
    }

    @Test func unknownTransformColumnIsAnErrorNotACrash() throws {
        let training = try table([("town", ["a", "b", "a", "b"]), ("y", ["0", "1", "1", "0"])])
        let prep = try TabularPreprocessor.fit(training, target: "y")
        let later = try table([("city", ["a"]), ("y", ["0"])], source: "later.csv")
        let error = try #require(caught(TabularError.self) { try prep.transform(later) })
        guard case .unknownColumn(let file, _, let column, _) = error else {
            Issue.record("expected unknownColumn, got \(error)")
            return
        }
        #expect(file == "later.csv" && column == "town")
    }
}
