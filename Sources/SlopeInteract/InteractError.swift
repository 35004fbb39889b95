import Hummingbird

/// Why a request to the interact server was refused: an HTTP status (always 4xx) and a message
/// a person can act on. The server answers it as `{"error":"<message>"}` and keeps serving.
///
/// ```swift
/// throw InteractError.badRequest("unknown parameter `d`; this function has a, b, c")
/// ```
public struct InteractError: Error, Equatable, CustomStringConvertible {
    /// The HTTP status of the answer.
    public let status: HTTPResponse.Status
    /// What was wrong, in one line.
    public let message: String

    /// An error with any status.
    ///
    /// - Parameters:
    ///   - status: The HTTP status of the answer (a 4xx code).
    ///   - message: What was wrong, in one line a person can act on.
    public init(status: HTTPResponse.Status, message: String) {
        self.status = status
        self.message = message
    }

    /// `message`.
    public var description: String { message }

    /// 400: the request is malformed or a value is invalid or out of range.
    ///
    /// - Parameter message: What was wrong, naming the field and the accepted values.
    /// - Returns: An error with status 400.
    public static func badRequest(_ message: String) -> InteractError { InteractError(status: .badRequest, message: message) }

    /// 404: no such page, endpoint or session.
    ///
    /// - Parameter message: What was not found.
    /// - Returns: An error with status 404.
    public static func notFound(_ message: String) -> InteractError { InteractError(status: .notFound, message: message) }

    /// 405: the endpoint exists but takes another method.
    ///
    /// - Parameter message: Which methods the endpoint takes.
    /// - Returns: An error with status 405.
    public static func methodNotAllowed(_ message: String) -> InteractError {
        InteractError(status: .methodNotAllowed, message: message)
    }

    /// 409: the request does not fit the session's state (new points for points read from a file).
    ///
    /// - Parameter message: Why the request does not fit the session.
    /// - Returns: An error with status 409.
    public static func conflict(_ message: String) -> InteractError { InteractError(status: .conflict, message: message) }

    /// 413: the request body is larger than the limit.
    ///
    /// - Parameter message: The limit that was exceeded.
    /// - Returns: An error with status 413.
    public static func tooLarge(_ message: String) -> InteractError { InteractError(status: .contentTooLarge, message: message) }
}
