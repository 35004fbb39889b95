import Foundation

/// Why ``FileBytes`` could not read or write a file: the one set of reasons every reader (CSV,
/// images, IDX, model files) turns into its own error type, so each says the same thing the same
/// way.
///
/// ```swift
/// do { _ = try FileBytes.read(path: "/dev/zero", limit: 1 << 20) } catch {
///     print(error)  // /dev/zero: it is a character device, not a regular file
/// }
/// ```
public enum FileAccessError: Error, Equatable, Sendable {
    /// Nothing exists at the path.
    case notFound(file: String)
    /// The path names a folder, FIFO, device, socket or dangling link; `kind` says which
    /// ("a folder", "a FIFO (named pipe)", ...).
    case notRegular(file: String, kind: String)
    /// The file is larger than the reader's limit; `setting` is the environment variable that
    /// raises it.
    case tooLarge(file: String, bytes: Int, limit: Int, setting: String?)
    /// The file could not be opened or read (permission, I/O error).
    case unreadable(file: String, reason: String)
    /// The file could not be written; nothing was left at the destination.
    case writeFailed(file: String, reason: String)

    /// The path the error is about.
    public var file: String {
        switch self {
        case .notFound(let file), .notRegular(let file, _), .tooLarge(let file, _, _, _), .unreadable(let file, _),
             .writeFailed(let file, _):
            return file
        }
    }

    /// The reason without the file name, e.g. `it is a FIFO (named pipe), not a regular file`.
    public var reason: String {
        switch self {
        case .notFound: return "no such file or folder; check the path and the current directory"
        case .notRegular(_, let kind): return "it is \(kind), not a regular file"
        case .tooLarge(_, let bytes, let limit, let setting):
            let raise = setting.map { "; set \($0) to raise the limit" } ?? ""
            return "the file is \(bytes) bytes, more than the limit of \(limit) bytes\(raise)"
        case .unreadable(_, let reason), .writeFailed(_, let reason): return reason
        }
    }
}

extension FileAccessError: LocalizedError, CustomStringConvertible {
    /// `FILE: REASON`, e.g. `table.csv: it is a FIFO (named pipe), not a regular file`.
    public var description: String {
        switch self {
        case .writeFailed: return "\(file): cannot write the file: \(reason)"
        case .unreadable: return "\(file): cannot read the file: \(reason)"
        default: return "\(file): \(reason)"
        }
    }

    /// The same message as ``description``.
    public var errorDescription: String? { description }
}
