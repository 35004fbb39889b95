import Foundation
import Testing
@testable import Slope

// MARK: - Helpers

/// The shared data folder (`../shared/data` next to the package root), if present.
private let sharedData = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("shared/data")

private let titanicPath = sharedData.appendingPathComponent("titanic/train.csv").path

/// Writes `contents` to a fresh temporary file named `name` and returns its path.
private func temporaryFile(_ name: String, contents: String) throws -> String {
    let folder = try temporaryFolder("csv")
    let url = folder.appendingPathComponent(name)
    try Data(contents.utf8).write(to: url)
    return url.path
}


// MARK: - Parsing

@Suite struct CSVParsingTests {
    @Test func quotedFieldsKeepCommasQuotesAndNewlines() throws {
        let text = "Id,Name,Note\n1,\"Braund, Mr. Owen Harris\",\"said \"\"hi\"\"\"\n2,\"two\nlines\",x\n"
        let table = try CSVReader().parse(text)
        #expect(table.columnNames == ["Id", "Name", "Note"])
        #expect(table.rowCount == 2)
        #expect(table.rows[0] == ["1", "Braund, Mr. Owen Harris", "said \"hi\""])
        #expect(table.rows[1] == ["2", "two\nlines", "x"])
        #expect(table.lineNumbers == [2, 3])
    }

    @Test func lineNumbersCountLinesInsideQuotes() throws {
        let table = try CSVReader().parse("a,b\n\"x\ny\nz\",1\nq,abc\n")
        #expect(table.lineNumbers == [2, 5])
        #expect(caught(CSVError.self) { try table.numericColumn(named: "b") }
            == .notANumber(file: "text", line: 5, column: "b", columnNumber: 2, found: "abc"))
    }

    @Test func crlfAndNoTrailingNewline() throws {
        let table = try CSVReader().parse("a,b\r\n1,\"x\r\ny\"\r\n3,4")
        #expect(table.rows == [["1", "x\r\ny"], ["3", "4"]])
        #expect(table.lineNumbers == [2, 4])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let table = try CSVReader().parse(bytes: [0xEF, 0xBB, 0xBF] + Array("x,y\n1,2\n".utf8), source: "bom.csv")
        #expect(table.columnNames == ["x", "y"])
        #expect(try table.column(named: "x") == ["1"])
    }

    @Test func emptyFieldsAreMissing() throws {
        let table = try CSVReader().parse("a,b,c\n,2,\n\"\",,3\n")
        #expect(table.rows == [[nil, "2", nil], [nil, nil, "3"]])
        #expect(try table.numericColumn(named: "c") == [nil, 3])
    }

    @Test func blankLinesAreIgnored() throws {
        let table = try CSVReader().parse("\n\na\n1\n\n2\n\n")
        #expect(table.rows == [["1"], ["2"]])
        #expect(table.lineNumbers == [4, 6])
    }

    @Test func separatorAndHeaderAreConfigurable() throws {
        let table = try CSVReader(separator: ";", hasHeader: false).parse("1;\"a;b\"\n2;c")
        #expect(table.columnNames == ["column1", "column2"])
        #expect(table.rows == [["1", "a;b"], ["2", "c"]])
        #expect(table.lineNumbers == [1, 2])
    }

    @Test func invalidUTF8DoesNotTrap() throws {
        let table = try CSVReader().parse(bytes: Array("a\n".utf8) + [0xFF, 0xFE, 0x0A], source: "bad")
        #expect(table.rows == [["\u{FFFD}\u{FFFD}"]])
    }

    @Test func headerOnlyGivesNoRows() throws {
        let table = try CSVReader().parse("x,y\n")
        #expect(table.rowCount == 0)
        #expect(table.columnCount == 2)
    }
}

// MARK: - Kinds and numbers

@Suite struct CSVKindTests {
    @Test func numbersFollowTheDecimalGrammar() {
        #expect(DataTable.parseNumber("-1.5e3") == -1500)
        #expect(DataTable.parseNumber(" 42 ") == 42)
        #expect(DataTable.parseNumber(".5") == 0.5)
        #expect(DataTable.parseNumber("+7.") == 7)
        #expect(DataTable.parseNumber("1E-2") == 0.01)
        #expect(DataTable.parseNumber("NaN")?.isNaN == true)
        #expect(DataTable.parseNumber("-inf") == -.infinity)
        for text in ["", " ", "abc", "0x10", "1_000", "1e", "e5", ".", "-", "1.2.3", "12kg", "1 2"] {
            #expect(DataTable.parseNumber(text) == nil, "\(text)")
        }
    }

    @Test func kindsAreInferredAndOverridable() throws {
        var table = try CSVReader().parse("n,s,m,e\n1,a,-1.5e3,\n2.5,b,,\n")
        #expect(table.columnKinds == [.continuous, .categorical, .continuous, .continuous])
        #expect(try table.kind(ofColumn: "s") == .categorical)
        try table.setKind(.categorical, forColumn: "n")
        #expect(try table.kind(ofColumn: "n") == .categorical)
        #expect(table.columnNames(ofKind: .continuous) == ["m", "e"])
        #expect(try table.numericColumn(named: "m") == [-1500, nil])
    }
}

// MARK: - Errors

@Suite struct CSVErrorTests {
    @Test func fileNotFound() {
        let error = caught(CSVError.self) { try CSVReader().read(contentsOfFile: "/nonexistent/data.csv") }
        #expect(error == .fileNotFound(file: "/nonexistent/data.csv"))
        #expect("\(error!)".contains("/nonexistent/data.csv: no such file"))
    }

    @Test func directoryIsUnreadable() {
        let folder = FileManager.default.temporaryDirectory.path
        guard case .unreadable(let file, let reason)? = caught(CSVError.self, { try CSVReader().read(contentsOfFile: folder) }) else {
            Issue.record("expected .unreadable")
            return
        }
        #expect(file == folder)
        #expect(reason == "it is a folder, not a regular file")
    }

    @Test func emptyFile() throws {
        let path = try temporaryFile("empty.csv", contents: "\u{FEFF}\n\n")
        let error = caught(CSVError.self) { try CSVReader().read(contentsOfFile: path) }
        #expect(error == .emptyFile(file: path))
        #expect("\(error!)".contains("empty.csv: the file is empty"))
    }

    @Test func raggedRowNamesFileAndLine() throws {
        let path = try temporaryFile("titanic.csv", contents: "a,b,c\n1,2,3\n\"x\ny\",2\n")
        let error = caught(CSVError.self) { try CSVReader().read(contentsOfFile: path) }
        #expect(error == .raggedRow(file: path, line: 3, expected: 3, found: 2))
        #expect("\(error!)".hasSuffix("titanic.csv line 3: expected 3 fields, found 2"))
        let tooMany = caught(CSVError.self) { try CSVReader().parse("a,b\n1,2,3\n", source: "t.csv") }
        #expect("\(tooMany!)".hasPrefix("t.csv line 2: expected 2 fields, found 3 (a field that contains"))
    }

    @Test func unterminatedQuoteNamesTheLineWhereItStarted() {
        let error = caught(CSVError.self) { try CSVReader().parse("a,b\n1,2\n3,\"open\n4,5\n", source: "q.csv") }
        #expect(error == .unterminatedQuote(file: "q.csv", line: 3))
        #expect("\(error!)" == "q.csv line 3: a quoted field starts on this line but its closing `\"` is missing")
    }

    @Test func missingColumnListsTheColumns() throws {
        let table = try CSVReader().parse("PassengerId,Pclass\n1,3\n", source: "train.csv")
        let error = caught(CSVError.self) { try table.column(named: "Survived") }
        #expect(error == .missingColumn(file: "train.csv", name: "Survived", available: ["PassengerId", "Pclass"]))
        #expect("\(error!)" == "train.csv: no column `Survived`; columns are: `PassengerId`, `Pclass`")
    }

    @Test func duplicateColumn() {
        let error = caught(CSVError.self) { try CSVReader().parse("x,y,x\n1,2,3\n", source: "d.csv") }
        #expect(error == .duplicateColumn(file: "d.csv", name: "x", firstNumber: 1, secondNumber: 3))
        #expect("\(error!)".contains("column `x` twice (columns 1 and 3)"))
    }

    @Test func nonNumericValueNamesLineAndColumn() throws {
        let table = try CSVReader().parse("x,y\n1,2\n2,3\n3,4\n4,abc\n", source: "data.csv")
        let error = caught(CSVError.self) { try table.numericColumn(named: "y") }
        #expect("\(error!)" == "data.csv line 5, column `y` (2): expected a number, found `abc`")
        #expect(error?.localizedDescription == "\(error!)")
    }
}

// MARK: - Two-column points

@Suite struct CSVPointsTests {
    @Test func readsPoints() throws {
        let path = try temporaryFile("points.csv", contents: "x,y\r\n-1,1e2\r\n0.5,-2\r\n")
        let (x, y) = try CSVReader().readPoints(contentsOfFile: path)
        #expect(x == [-1, 0.5])
        #expect(y == [100, -2])
    }

    @Test func pointErrors() throws {
        let reader = CSVReader()
        #expect(caught(CSVError.self) { try reader.parse("x,y\n", source: "p.csv").points() }
            == .tooFewRows(file: "p.csv", expected: 1, found: 0))
        #expect("\(CSVError.tooFewRows(file: "p.csv", expected: 1, found: 0))"
            == "p.csv: expected at least 1 data row after the header, found 0")
        #expect(caught(CSVError.self) { try reader.parse("x,z\n1,2\n", source: "p.csv").points() }
            == .missingColumn(file: "p.csv", name: "y", available: ["x", "z"]))

        let nan = caught(CSVError.self) { try reader.parse("x,y\n1,2\n2,nan\n", source: "p.csv").points() }
        #expect("\(nan!)" == "p.csv line 3, column `y` (2): expected a finite number, found `nan`")
        let huge = caught(CSVError.self) { try reader.parse("x,y\n1e39,2\n", source: "p.csv").points() }
        #expect(huge == .nonFinite(file: "p.csv", line: 2, column: "x", columnNumber: 1, found: "1e39"))
        let missing = caught(CSVError.self) { try reader.parse("x,y\n1,\n", source: "p.csv").points() }
        #expect("\(missing!)" == "p.csv line 2, column `y` (2): expected a number, found an empty field")
    }
}

// MARK: - Real data

@Suite struct CSVTitanicTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: titanicPath), "shared titanic data not present"))
    func readsTitanic() throws {
        let table = try CSVReader().read(contentsOfFile: titanicPath)
        #expect(table.rowCount == 891)
        #expect(table.columnNames == [
            "PassengerId", "Survived", "Pclass", "Name", "Sex", "Age", "SibSp", "Parch", "Ticket", "Fare",
            "Cabin", "Embarked",
        ])
        #expect(try table.column(named: "Name")[0] == "Braund, Mr. Owen Harris")
        #expect(try table.column(named: "Age").filter { $0 == nil }.count == 177)
        #expect(try table.column(named: "Cabin").filter { $0 == nil }.count == 687)
        #expect(try table.numericColumn(named: "Survived").filter { $0 == 1 }.count == 342)
        #expect(table.columnNames(ofKind: .categorical) == ["Name", "Sex", "Ticket", "Cabin", "Embarked"])
        #expect(try table.kind(ofColumn: "Age") == .continuous)
        #expect(table.lineNumbers.last == 892)
    }
}

// MARK: - Robustness

@Suite struct CSVFuzzTests {
    /// Thousands of short inputs over the characters that matter to the parser: each either parses
    /// into a rectangular table or throws a `CSVError`, and never traps.
    @Test func randomInputNeverTraps() {
        let alphabet = Array("a1.,\"\r\n ".utf8) + [0xEF, 0xBB, 0xBF, 0xFF]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<5000 {
            let bytes = (0..<next(24)).map { _ in alphabet[next(alphabet.count)] }
            do {
                let table = try CSVReader(hasHeader: next(2) == 0).parse(bytes: bytes, source: "fuzz")
                #expect(table.rows.allSatisfy { $0.count == table.columnCount })
                #expect(table.lineNumbers.count == table.rowCount)
                for name in Set(table.columnNames) { _ = try? table.numericColumn(named: name) }
                _ = try? table.points(xColumn: table.columnNames[0], yColumn: table.columnNames[0])
            } catch {
                #expect(!"\(error)".isEmpty)
            }
        }
    }
}
