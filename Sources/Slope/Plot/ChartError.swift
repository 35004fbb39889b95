import Foundation

/// A chart could not be saved.
///
/// ```swift
/// do {
///     try SVGChart(chart).write(toFile: "out/loss.svg")
/// } catch {
///     print(error)  // cannot write chart to out/loss.svg: the folder `out` does not exist
/// }
/// ```
public enum ChartError: Error, Equatable, Sendable {
    /// Writing or renaming the file failed; `reason` says why. The destination is left untouched.
    case writeFailed(path: String, reason: String)
}

// MARK: - Messages

extension ChartError: LocalizedError, CustomStringConvertible {
    /// The message a user can act on.
    public var description: String {
        switch self {
        case .writeFailed(let path, let reason):
            return "cannot write chart to \(path): \(reason)"
        }
    }

    /// The same message as ``description``, for `error.localizedDescription`.
    public var errorDescription: String? { description }
}
