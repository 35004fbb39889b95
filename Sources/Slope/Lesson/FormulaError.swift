import Foundation

/// A formula that ``Formula/init(parsing:)`` refused: what was wrong and where.
///
/// ```swift
/// do {
///     _ = try Formula(parsing: "a*sin(b*x) +")
/// } catch {
///     print(error)   // formula column 13: expected a number, a name or `(`, found the end
/// }
/// ```
public struct FormulaError: Error, Equatable, Sendable {
    /// The 1-based column (in characters) where the problem starts; one past the end for a
    /// formula that stops too early.
    public let column: Int
    /// What was expected and what was found, in one phrase.
    public let reason: String

    /// An error at `column`.
    ///
    /// - Parameters:
    ///   - column: The 1-based character column of the problem.
    ///   - reason: What was expected and found.
    public init(column: Int, reason: String) {
        self.column = column
        self.reason = reason
    }
}

// MARK: - Messages

extension FormulaError: LocalizedError, CustomStringConvertible {
    /// `formula column 7: unknown function `sine`; the functions are exp, log, ...`.
    public var description: String { "formula column \(column): \(reason)" }

    /// The same message as ``description``, for `error.localizedDescription`.
    public var errorDescription: String? { description }
}
