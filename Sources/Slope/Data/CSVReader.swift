import Foundation

/// Reads comma-separated values (RFC 4180) into a ``DataTable``.
///
/// Fields may be quoted with `"`; a quoted field may hold the separator, line breaks and doubled
/// quotes (`""` stands for one `"`). Records end with LF, CRLF or CR; the last one needs no line
/// break. A UTF-8 byte-order mark is skipped, blank lines are ignored, and an empty field (quoted or
/// not) is missing. Malformed input throws a ``CSVError`` naming the file and line; it never traps.
///
/// ```swift
/// let table = try CSVReader().read(contentsOfFile: "titanic.csv")
/// let semicolons = try CSVReader(separator: ";").parse("a;b\n1;2\n")
/// ```
public struct CSVReader: Sendable {
    /// The field separator: one ASCII character other than `"`, CR and LF.
    public let separator: Character
    /// Whether the first record holds the column names; if not, columns are named `column1`, `column2`, ...
    public let hasHeader: Bool

    /// Creates a reader; `separator` must be one ASCII character other than `"`, CR and LF.
    ///
    /// ```swift
    /// let reader = CSVReader(separator: "\t", hasHeader: false)
    /// ```
    ///
    /// - Parameters:
    ///   - separator: The field separator, one ASCII character other than `"`, CR and LF
    ///     (`","`, `";"`, `"\t"`); anything else is a programmer error.
    ///   - hasHeader: Whether the first record holds the column names.
    public init(separator: Character = ",", hasHeader: Bool = true) {
        require(
            separator.isASCII && separator != "\"" && !separator.isNewline,
            "CSVReader: separator must be one ASCII character other than a quote or line break, got \(separator.debugDescription)"
        )
        self.separator = separator
        self.hasHeader = hasHeader
    }

    // MARK: - Reading

    /// Reads and parses the file at `path`; error messages name the file as `path` spells it.
    /// Only regular files up to ``InputLimits/csvFileBytes`` are read (a FIFO or device is refused
    /// without being opened).
    ///
    /// ```swift
    /// let table = try CSVReader().read(contentsOfFile: "../shared/data/titanic/train.csv")
    /// ```
    ///
    /// - Parameter path: The CSV file to read.
    /// - Returns: The table, its ``DataTable/source`` set to `path`.
    /// - Throws: ``CSVError``: `fileNotFound` or `unreadable` (not a regular file, over the size
    ///   limit, a read error), `emptyFile`, `raggedRow` or `unterminatedQuote` with the line, or
    ///   `duplicateColumn` in the header.
    public func read(contentsOfFile path: String) throws(CSVError) -> DataTable {
        let limit = InputLimits.csvFileBytes
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path: path, limit: limit.value, setting: limit.setting) } catch { throw CSVError(error) }
        return try parse(bytes: bytes, source: path)
    }

    /// Parses CSV text; `source` names it in error messages.
    ///
    /// ```swift
    /// let table = try CSVReader().parse("x,y\n1,2\n", source: "inline")
    /// ```
    ///
    /// - Parameters:
    ///   - text: The CSV text.
    ///   - source: The name used for it in error messages and ``DataTable/source``.
    /// - Returns: The table.
    /// - Throws: ``CSVError``: `emptyFile`, `raggedRow` or `unterminatedQuote` with the line, or
    ///   `duplicateColumn` in the header.
    public func parse(_ text: String, source: String = "text") throws(CSVError) -> DataTable {
        try parse(bytes: Array(text.utf8), source: source)
    }

    /// Parses UTF-8 encoded CSV bytes; invalid UTF-8 becomes U+FFFD in the fields.
    ///
    /// ```swift
    /// let table = try CSVReader().parse(bytes: Array("x\n1\n".utf8), source: "bytes")
    /// ```
    ///
    /// - Parameters:
    ///   - bytes: The CSV file's bytes (UTF-8, an optional byte-order mark is skipped).
    ///   - source: The name used for it in error messages and ``DataTable/source``.
    /// - Returns: The table.
    /// - Throws: ``CSVError``: `emptyFile`, `raggedRow` or `unterminatedQuote` with the line, or
    ///   `duplicateColumn` in the header.
    public func parse(bytes: [UInt8], source: String) throws(CSVError) -> DataTable {
        let separatorByte = separator.asciiValue ?? UInt8(ascii: ",")
        let (records, lines) = try Self.records(in: bytes, separator: separatorByte, source: source)
        guard let first = records.first else { throw .emptyFile(file: source) }
        if hasHeader {
            return try DataTable(
                columnNames: first.map { $0 ?? "" }, rows: Array(records.dropFirst()),
                source: source, lineNumbers: Array(lines.dropFirst())
            )
        }
        return try DataTable(
            columnNames: first.indices.map { "column\($0 + 1)" }, rows: records,
            source: source, lineNumbers: lines
        )
    }

    // MARK: - Tokenizing

    /// Where the tokenizer is within a field.
    private enum FieldState {
        case start, unquoted, quoted, quoteInQuoted
    }

    /// Splits `bytes` into records of fields, with the 1-based line each record starts on.
    ///
    /// Every record must have as many fields as the first one.
    private static func records(
        in bytes: [UInt8], separator: UInt8, source: String
    ) throws(CSVError) -> (records: [[String?]], lines: [Int]) {
        let quote = UInt8(ascii: "\""), lineFeed = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
        var records: [[String?]] = []
        var lines: [Int] = []
        var fields: [String?] = []
        var field: [UInt8] = []
        var state = FieldState.start
        var line = 1, recordLine = 1, quoteLine = 1

        func endField() {
            fields.append(field.isEmpty ? nil : String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() throws(CSVError) {
            endField()
            if let expected = records.first?.count, fields.count != expected {
                throw .raggedRow(file: source, line: recordLine, expected: expected, found: fields.count)
            }
            records.append(fields)
            lines.append(recordLine)
            fields = []
            fields.reserveCapacity(records[0].count)
        }

        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while index < bytes.count {
            let byte = bytes[index]
            let isLineBreak = byte == lineFeed || byte == carriageReturn
            let isCRLF = byte == carriageReturn && index + 1 < bytes.count && bytes[index + 1] == lineFeed
            index += 1
            switch state {
            case .quoted:
                if byte == quote {
                    state = .quoteInQuoted
                } else {
                    field.append(byte)
                    if isLineBreak && !isCRLF { line += 1 }
                }
                continue
            case .quoteInQuoted where byte == quote:
                field.append(quote)
                state = .quoted
                continue
            default:
                break
            }
            if byte == separator {
                endField()
                state = .start
            } else if isLineBreak {
                if isCRLF { index += 1 }
                let isBlankLine = state == .start && fields.isEmpty
                if !isBlankLine { try endRecord() }
                line += 1
                recordLine = line
                state = .start
            } else if byte == quote && state == .start {
                state = .quoted
                quoteLine = line
            } else {
                // Text after a closing quote, or a quote inside an unquoted field, is kept as is.
                field.append(byte)
                state = .unquoted
            }
        }
        if state == .quoted { throw .unterminatedQuote(file: source, line: quoteLine) }
        if !(state == .start && fields.isEmpty) { try endRecord() }
        return (records, lines)
    }
}
