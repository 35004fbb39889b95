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
    public init(status: HTTPResponse.Status, message: String) {
        self.status = status
        self.message = message
    }

    /// `message`.
    public var description: String { message }

    /// 400: the request is malformed or a value is invalid or out of range.
    public static func badRequest(_ message: String) -> InteractError { InteractError(status: .badRequest, message: message) }

    /// 404: no such page, endpoint or session.
    public static func notFound(_ message: String) -> InteractError { InteractError(status: .notFound, message: message) }

    /// 405: the endpoint exists but takes another method.
    public static func methodNotAllowed(_ message: String) -> InteractError {
        InteractError(status: .methodNotAllowed, message: message)
    }

    /// 409: the request does not fit the session's state (new points for points read from a file).
    public static func conflict(_ message: String) -> InteractError { InteractError(status: .conflict, message: message) }

    /// 413: the request body is larger than the limit.
    public static func tooLarge(_ message: String) -> InteractError { InteractError(status: .contentTooLarge, message: message) }
}
