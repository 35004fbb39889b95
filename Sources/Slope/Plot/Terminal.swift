import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The terminal the output goes to: how wide it is, and text wrapped to fit it.
///
/// ```swift
/// let width = Terminal.columns()            // COLUMNS, else the terminal's width, else 80
/// print(Terminal.wrap("   a long line of the tour …", width: width))
/// ```
public enum Terminal {
    /// The narrowest and widest widths believed: outside these, `COLUMNS` or the terminal's
    /// answer is taken to be wrong.
    public static let widths = 20...1_000

    /// The width in characters, found as Python's `shutil.get_terminal_size` finds it: the
    /// `COLUMNS` environment variable when it holds a whole number in ``widths``, else the
    /// width of the terminal on `descriptor` (`TIOCGWINSZ`), else 80.
    ///
    /// ```swift
    /// Terminal.columns(environment: ["COLUMNS": "60"])   // 60
    /// ```
    ///
    /// - Parameters:
    ///   - environment: The variables to read `COLUMNS` from (the process's by default).
    ///   - descriptor: The file descriptor whose terminal is asked (standard output by default).
    /// - Returns: The number of columns.
    public static func columns(environment: [String: String] = ProcessInfo.processInfo.environment,
                               descriptor: Int32 = STDOUT_FILENO) -> Int {
        if let text = environment["COLUMNS"], let columns = Int(text.trimmingCharacters(in: .whitespaces)), widths.contains(columns) {
            return columns
        }
        var size = winsize()
        if descriptor >= 0, isatty(descriptor) != 0, ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, widths.contains(Int(size.ws_col)) {
            return Int(size.ws_col)
        }
        return 80
    }

    /// `text` with every line longer than `width` broken at spaces; a broken line's
    /// continuation keeps its indentation. Words longer than a line stay whole.
    ///
    /// ```swift
    /// Terminal.wrap("   one two three", width: 10)   // "   one two\n   three"
    /// ```
    ///
    /// - Parameters:
    ///   - text: One or more lines.
    ///   - width: The most characters per line.
    /// - Returns: The wrapped text, with no trailing spaces on any line.
    public static func wrap(_ text: String, width: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let indent = String(line.prefix { $0 == " " })
            guard line.count > width else { return line.trimmingTrailingSpaces() }
            var lines: [String] = []
            var current = indent
            for word in line.dropFirst(indent.count).split(separator: " ") {
                if current.count > indent.count, current.count + 1 + word.count > width {
                    lines.append(current)
                    current = indent
                }
                current += (current.count > indent.count ? " " : "") + word
            }
            lines.append(current)
            return lines.map { $0.trimmingTrailingSpaces() }.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

extension StringProtocol {
    /// The text without the spaces at its end (`"ab  "` → `"ab"`).
    func trimmingTrailingSpaces() -> String {
        String(self[..<(lastIndex { $0 != " " }.map(index(after:)) ?? startIndex)])
    }
}
