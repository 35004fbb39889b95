import Foundation

/// A problem with a CSV file, described so that the person who owns the file can fix it.
///
/// Every message names the file (as the caller spelled it), and where it applies the 1-based line
/// and the column by name and 1-based number, then says what was expected and what was found.
/// `"\(error)"` and `error.localizedDescription` both print that message.
///
/// ```swift
/// do {
///     let table = try CSVReader().read(contentsOfFile: "titanic.csv")
///     let survived = try table.numericColumn(named: "Survived")
/// } catch {
///     print(error)  // titanic.csv line 17: expected 12 fields, found 11
/// }
/// ```
public enum CSVError: Error, Equatable, Sendable {
    /// The file does not exist.
    case fileNotFound(file: String)
    /// The file exists but could not be read (a directory, no permission, an I/O failure).
    case unreadable(file: String, reason: String)
    /// The file holds no records at all (only a byte-order mark or blank lines count as empty).
    case emptyFile(file: String)
    /// A record has a different number of fields from the header (or the first record).
    case raggedRow(file: String, line: Int, expected: Int, found: Int)
    /// A quoted field opened on `line` never closes before the end of the file.
    case unterminatedQuote(file: String, line: Int)
    /// Two header fields have the same name, so the column cannot be chosen by name.
    case duplicateColumn(file: String, name: String, firstNumber: Int, secondNumber: Int)
    /// A column the caller asked for is not in the header.
    case missingColumn(file: String, name: String, available: [String])
    /// A field in a column read as numbers is empty or not a number.
    case notANumber(file: String, line: Int, column: String, columnNumber: Int, found: String?)
    /// A field in a column that must hold finite numbers is NaN, infinite or out of range.
    case nonFinite(file: String, line: Int, column: String, columnNumber: Int, found: String)
    /// The table has fewer data rows than the caller needs.
    case tooFewRows(file: String, expected: Int, found: Int)
}

extension CSVError {
    /// The CSV error for a file that could not be read.
    ///
    /// ```swift
    /// do { _ = try FileBytes.read(path: path, limit: 1 << 20) } catch { throw CSVError(error) }
    /// ```
    /// - Parameter access: what ``FileBytes`` found.
    public init(_ access: FileAccessError) {
        if case .notFound(let file) = access { self = .fileNotFound(file: file) } else {
            self = .unreadable(file: access.file, reason: access.reason)
        }
    }
}

// MARK: - Messages

extension CSVError: LocalizedError, CustomStringConvertible {
    /// The message a user can act on, e.g. `data.csv line 5, column `y` (2): expected a number, found `abc``.
    public var description: String {
        switch self {
        case .fileNotFound(let file):
            return "\(file): no such file; check the path and the current directory"
        case .unreadable(let file, let reason):
            return "\(file): cannot read the file: \(reason)"
        case .emptyFile(let file):
            return "\(file): the file is empty; expected a header row followed by data rows"
        case .raggedRow(let file, let line, let expected, let found):
            let hint = found > expected ? " (a field that contains the separator must be enclosed in double quotes)" : ""
            return "\(file) line \(line): expected \(expected) fields, found \(found)\(hint)"
        case .unterminatedQuote(let file, let line):
            return "\(file) line \(line): a quoted field starts on this line but its closing `\"` is missing"
        case .duplicateColumn(let file, let name, let first, let second):
            return "\(file): the header names column `\(name)` twice (columns \(first) and \(second)); column names must be unique"
        case .missingColumn(let file, let name, let available):
            return "\(file): no column `\(name)`; columns are: \(Self.listing(available.map { "`\($0)`" }))"
        case .notANumber(let file, let line, let column, let number, let found):
            let shown = found.map { "`\(Self.excerpt($0))`" } ?? "an empty field"
            return "\(file) line \(line), column `\(column)` (\(number)): expected a number, found \(shown)"
        case .nonFinite(let file, let line, let column, let number, let found):
            return "\(file) line \(line), column `\(column)` (\(number)): expected a finite number, found `\(Self.excerpt(found))`"
        case .tooFewRows(let file, let expected, let found):
            let rows = expected == 1 ? "row" : "rows"
            return "\(file): expected at least \(expected) data \(rows) after the header, found \(found)"
        }
    }

    /// The same message as ``description``, for `error.localizedDescription`.
    public var errorDescription: String? { description }

    /// `value` cut to its first 60 characters (then `…` and the length), so a field of a million
    /// characters still gives a short message.
    ///
    /// ```swift
    /// CSVError.excerpt("abc")  // "abc"
    /// ```
    /// - Parameter value: a field's text.
    /// - Returns: the excerpt.
    public static func excerpt(_ value: String) -> String {
        let cut = value.count > 60 ? value.prefix(60) + "… (\(value.count) characters)" : value
        // A quoted field may hold line breaks; the message stays one line.
        return cut.replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Names joined by commas, the first 20 only (then `and N more`), so a table of 100,000
    /// columns still gives a one-line message a person can read.
    ///
    /// ```swift
    /// CSVError.listing(["a", "b"])  // "a, b"
    /// ```
    /// - Parameter names: the names, in order.
    /// - Returns: the listing.
    public static func listing(_ names: [String]) -> String {
        let shown = names.prefix(20).joined(separator: ", ")
        return names.count > 20 ? shown + ", and \(names.count - 20) more" : shown
    }
}
