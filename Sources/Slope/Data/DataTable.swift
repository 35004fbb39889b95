/// A table of text fields read from a CSV file: named columns, rows of optional strings.
///
/// An empty field is missing and stored as `nil`. Each row remembers the file line it started on,
/// so later errors (a non-numeric value, say) can point at the exact place in the file.
///
/// ```swift
/// let table = try CSVReader().read(contentsOfFile: "titanic.csv")
/// table.rowCount                              // 891
/// try table.column(named: "Name")[0]          // "Braund, Mr. Owen Harris"
/// try table.kind(ofColumn: "Age")             // .continuous
/// try table.numericColumn(named: "Age")[5]    // nil (missing)
/// ```
public struct DataTable: Equatable, Sendable {
    /// How a column's values are meant to be used by preprocessing.
    ///
    /// ```swift
    /// DataTable.inferKind(of: ["1", "-1.5e3", nil])  // .continuous
    /// DataTable.inferKind(of: ["male", "female"])    // .categorical
    /// ```
    public enum ColumnKind: String, CaseIterable, Sendable {
        /// Every non-missing value is a number.
        case continuous
        /// Values are labels drawn from a finite set.
        case categorical
    }

    /// Where the table came from (the file path as given), used in error messages.
    public let source: String
    /// The column names, in file order.
    public let columnNames: [String]
    /// The data rows; each has exactly `columnNames.count` fields, `nil` where the field was empty.
    public let rows: [[String?]]
    /// The 1-based file line on which each row starts (rows may span lines inside quotes).
    public let lineNumbers: [Int]
    /// The kind of each column, inferred from the values unless set with ``setKind(_:forColumn:)``.
    public private(set) var columnKinds: [ColumnKind]
    /// Each column's 0-based position by name, so a lookup by name is O(1) even for 100,000 columns.
    private let positions: [String: Int]

    // MARK: - Creating a table

    /// Creates a table, checking that names are unique and every row has one field per column.
    ///
    /// `lineNumbers` defaults to `2, 3, 4, ...`, as if the rows followed a one-line header.
    ///
    /// ```swift
    /// let table = try DataTable(columnNames: ["x", "y"], rows: [["1", "2"], ["3", nil]])
    /// ```
    ///
    /// - Parameters:
    ///   - columnNames: The column names, all different.
    ///   - rows: The rows, each with one field per column; `nil` is a missing value.
    ///   - source: The name used in error messages.
    ///   - lineNumbers: The file line each row starts on, one per row; `nil` for `2, 3, 4, ...`.
    /// - Throws: ``CSVError``: `duplicateColumn` naming both positions, or `raggedRow` for a row
    ///   with another number of fields.
    public init(
        columnNames: [String], rows: [[String?]], source: String = "table", lineNumbers: [Int]? = nil
    ) throws(CSVError) {
        let lines = lineNumbers ?? rows.indices.map { $0 + 2 }
        require(lines.count == rows.count, "DataTable: \(lines.count) line numbers for \(rows.count) rows")
        var positions: [String: Int] = [:]
        positions.reserveCapacity(columnNames.count)
        for (index, name) in columnNames.enumerated() {
            if let first = positions[name] {
                throw .duplicateColumn(file: source, name: name, firstNumber: first + 1, secondNumber: index + 1)
            }
            positions[name] = index
        }
        self.positions = positions
        for (row, line) in zip(rows, lines) where row.count != columnNames.count {
            throw .raggedRow(file: source, line: line, expected: columnNames.count, found: row.count)
        }
        self.source = source
        self.columnNames = columnNames
        self.rows = rows
        self.lineNumbers = lines
        self.columnKinds = columnNames.indices.map { column in
            DataTable.inferKind(of: rows.lazy.map { $0[column] })
        }
    }

    /// The rows at `indices` (in that order) as a table with the same columns, kinds and source;
    /// nothing is re-parsed or re-inferred, so a split costs one pass over the chosen rows.
    ///
    /// ```swift
    /// let training = table.subset(rows: [0, 2, 5])
    /// ```
    /// - Parameter indices: row positions, each in `0..<rowCount`.
    /// - Returns: the smaller table.
    public func subset(rows indices: [Int]) -> DataTable {
        require(indices.allSatisfy { rows.indices.contains($0) }, "DataTable.subset: a row index is outside 0..<\(rowCount)")
        return DataTable(source: source, columnNames: columnNames, rows: indices.map { rows[$0] },
                         lineNumbers: indices.map { lineNumbers[$0] }, columnKinds: columnKinds, positions: positions)
    }

    private init(source: String, columnNames: [String], rows: [[String?]], lineNumbers: [Int], columnKinds: [ColumnKind],
                 positions: [String: Int]) {
        self.source = source
        self.columnNames = columnNames
        self.rows = rows
        self.lineNumbers = lineNumbers
        self.columnKinds = columnKinds
        self.positions = positions
    }

    // MARK: - Size

    /// The number of data rows (the header is not a row).
    public var rowCount: Int { rows.count }

    /// The number of columns.
    public var columnCount: Int { columnNames.count }

    // MARK: - Columns by name

    /// The 0-based position of the column called `name`.
    ///
    /// ```swift
    /// try table.columnIndex(named: "Survived")  // 1
    /// ```
    ///
    /// - Parameter name: The column name, exactly as in the header.
    /// - Returns: Its 0-based position.
    /// - Throws: ``CSVError/missingColumn(file:name:available:)`` listing the columns there are.
    public func columnIndex(named name: String) throws(CSVError) -> Int {
        guard let index = positions[name] else {
            throw .missingColumn(file: source, name: name, available: columnNames)
        }
        return index
    }

    /// The values of the column called `name`, one per row, `nil` where missing.
    ///
    /// ```swift
    /// try table.column(named: "Sex").prefix(2)  // ["male", "female"]
    /// ```
    ///
    /// - Parameter name: The column name.
    /// - Returns: The column's fields, one per row.
    /// - Throws: ``CSVError/missingColumn(file:name:available:)`` when there is no such column.
    public func column(named name: String) throws(CSVError) -> [String?] {
        let index = try columnIndex(named: name)
        return rows.map { $0[index] }
    }

    /// The values of the column called `name` as numbers, `nil` where missing.
    ///
    /// Throws ``CSVError/notANumber(file:line:column:columnNumber:found:)`` naming the line and column
    /// of the first value that is not a number. Accepts the forms ``parseNumber(_:)`` accepts.
    ///
    /// ```swift
    /// try table.numericColumn(named: "Fare").prefix(2)  // [7.25, 71.2833]
    /// ```
    ///
    /// - Parameter name: The column name.
    /// - Returns: The column's numbers, one per row.
    /// - Throws: ``CSVError``: `missingColumn`, or `notANumber` for the first non-numeric value.
    public func numericColumn(named name: String) throws(CSVError) -> [Double?] {
        let index = try columnIndex(named: name)
        var values: [Double?] = []
        values.reserveCapacity(rows.count)
        for (row, line) in zip(rows, lineNumbers) {
            guard let field = row[index] else {
                values.append(nil)
                continue
            }
            guard let value = DataTable.parseNumber(field) else {
                throw .notANumber(file: source, line: line, column: name, columnNumber: index + 1, found: field)
            }
            values.append(value)
        }
        return values
    }

    // MARK: - Column kinds

    /// The kind of the column called `name`: inferred, or as set with ``setKind(_:forColumn:)``.
    ///
    /// ```swift
    /// try table.kind(ofColumn: "Embarked")  // .categorical
    /// ```
    ///
    /// - Parameter name: The column name.
    /// - Returns: The column's kind.
    /// - Throws: ``CSVError/missingColumn(file:name:available:)`` when there is no such column.
    public func kind(ofColumn name: String) throws(CSVError) -> ColumnKind {
        columnKinds[try columnIndex(named: name)]
    }

    /// Overrides the inferred kind of the column called `name`.
    ///
    /// ```swift
    /// try table.setKind(.categorical, forColumn: "Pclass")  // 1, 2, 3 are classes, not amounts
    /// ```
    ///
    /// - Parameters:
    ///   - kind: The kind preprocessing should treat the column as.
    ///   - name: The column name.
    /// - Throws: ``CSVError/missingColumn(file:name:available:)`` when there is no such column.
    public mutating func setKind(_ kind: ColumnKind, forColumn name: String) throws(CSVError) {
        columnKinds[try columnIndex(named: name)] = kind
    }

    /// The names of the columns of the given kind, in file order.
    ///
    /// ```swift
    /// table.columnNames(ofKind: .continuous)  // ["PassengerId", "Survived", "Pclass", "Age", ...]
    /// ```
    ///
    /// - Parameter kind: The kind to list.
    /// - Returns: The matching column names, possibly none.
    public func columnNames(ofKind kind: ColumnKind) -> [String] {
        zip(columnNames, columnKinds).filter { $0.1 == kind }.map(\.0)
    }

    /// `.continuous` when every non-missing value is a number (so also for an all-missing column),
    /// otherwise `.categorical`.
    ///
    /// ```swift
    /// DataTable.inferKind(of: ["3", nil, "2.5"])  // .continuous
    /// ```
    ///
    /// - Parameter values: A column's fields; `nil` is missing.
    /// - Returns: The kind preprocessing infers for them.
    public static func inferKind(of values: some Sequence<String?>) -> ColumnKind {
        for case let value? in values where !isNumber(value) {
            return .categorical
        }
        return .continuous
    }

    // MARK: - Numbers

    /// Parses a decimal number such as `42`, `-1.5e3`, `.5` or `+7.`, ignoring surrounding spaces
    /// and tabs; also `nan`, `inf` and `infinity` in any case. Returns `nil` for anything else
    /// (hexadecimal, digit separators, units, text).
    ///
    /// Grammar: `[+-]? (digits ("." digits?)? | "." digits) ([eE] [+-]? digits)?`.
    ///
    /// ```swift
    /// DataTable.parseNumber(" -1.5e3 ")  // -1500.0
    /// DataTable.parseNumber("0x10")      // nil
    /// ```
    ///
    /// - Parameter text: The field to parse.
    /// - Returns: The number, or `nil` when `text` is not one.
    public static func parseNumber(_ text: String) -> Double? {
        let trimmed = trimmingBlanks(text)
        guard isNumber(trimmed) else { return nil }
        return Double(trimmed)
    }

    /// Whether `text` (blanks around it allowed) follows the grammar of ``parseNumber(_:)``.
    private static func isNumber(_ text: some StringProtocol) -> Bool {
        var bytes = trimmingBlanks(text).utf8
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            bytes = bytes.dropFirst()
        }
        if let first = bytes.first, first > UInt8(ascii: "9") {
            let word = String(Substring(bytes)).lowercased()
            return word == "nan" || word == "inf" || word == "infinity"
        }
        func skipDigits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        var mantissaDigits = skipDigits()
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            mantissaDigits += skipDigits()
        }
        guard mantissaDigits > 0 else { return false }
        if let marker = bytes.first, marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                bytes = bytes.dropFirst()
            }
            guard skipDigits() > 0 else { return false }
        }
        return bytes.isEmpty
    }

    /// `text` without leading and trailing spaces and tabs.
    private static func trimmingBlanks(_ text: some StringProtocol) -> Substring {
        let isBlank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        let bytes = Substring(text).utf8
        let start = bytes.firstIndex { !isBlank($0) } ?? bytes.endIndex
        let end = bytes[start...].lastIndex { !isBlank($0) }.map(bytes.index(after:)) ?? start
        return Substring(bytes[start..<end])
    }
}
