import Hummingbird
import Synchronization

/// What a request must show before the interact server reads it, so that another site open in
/// the same browser cannot read or drive the page:
///
/// - `Host` names the server itself: its listening address, `localhost`, `127.0.0.1` or
///   `[::1]`, with the port it listens on if a port is given (DNS rebinding sends the attacker's
///   name instead);
///   when it listens on every address (`0.0.0.0`, `::`), any IP address with that port;
/// - `Origin`, when sent, is the page's own (`http://` + the `Host`): cross-site `fetch` and
///   form posts carry theirs;
/// - a `POST` says `Content-Type: application/json` (a cross-site "simple request" can only send
///   `text/plain`, forms or multipart without asking first).
///
/// ```swift
/// let guard = RequestGuard(host: "127.0.0.1")
/// guard.port = 8080
/// try guard.check(request)   // throws InteractError 421, 403 or 415
/// ```
public final class RequestGuard: Sendable {
    /// The address the server listens on, as configured.
    public let host: String
    private let boundPort = Mutex<Int?>(nil)

    /// A guard for a server listening on `host`; the port is set once bound.
    ///
    /// ```swift
    /// let requestGuard = RequestGuard(host: "127.0.0.1")
    /// ```
    /// - Parameter host: the listening address.
    public init(host: String) { self.host = host }

    /// The port the server listens on (nil until bound: then any port is accepted).
    public var port: Int? {
        get { boundPort.withLock { $0 } }
        set { boundPort.withLock { $0 = newValue } }
    }

    /// Throws unless `request` passes the rules above.
    ///
    /// ```swift
    /// try requestGuard.check(method: .post, authority: "127.0.0.1:8080", origin: nil, contentType: "application/json")
    /// ```
    /// - Parameters:
    ///   - method: the request's method.
    ///   - authority: its `Host` (HTTP/1) or `:authority`.
    ///   - origin: its `Origin` header, if any.
    ///   - contentType: its `Content-Type` header, if any.
    ///   - extraHosts: how many `Host` headers came besides the one in `authority`.
    /// - Throws: ``InteractError`` with status 400 (no Host, or more than one), 421 (a foreign
    ///   Host), 403 (a foreign Origin) or 415 (a POST that is not JSON).
    public func check(method: HTTPRequest.Method, authority: String?, origin: String?, contentType: String?,
                      extraHosts: Int = 0) throws(InteractError) {
        guard let authority, !authority.isEmpty else {
            throw .badRequest("missing Host header")
        }
        guard extraHosts == 0 else { throw .badRequest("more than one Host header") }
        guard allows(authority: authority) else {
            throw InteractError(status: .misdirectedRequest,
                                message: "this server answers only to its own address (Host `\(authority.prefix(100))` is not it)")
        }
        if let origin, origin.lowercased() != "http://" + authority.lowercased() {
            throw InteractError(status: .forbidden, message: "cross-site request refused (Origin `\(origin.prefix(100))`)")
        }
        if method == .post {
            let mediaType = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            guard mediaType == "application/json" else {
                throw InteractError(status: .unsupportedMediaType, message: "POST bodies must be sent as Content-Type: application/json")
            }
        }
    }

    /// Whether `authority` (`host[:port]`) names this server.
    func allows(authority: String) -> Bool {
        let text = authority.lowercased()
        var name = text, portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return false }
            name = String(text[...close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.first == ":" else { return false }
                portText = rest.dropFirst()
            }
        } else if let colon = text.firstIndex(of: ":") {
            name = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        if let portText {
            guard !portText.isEmpty, portText.allSatisfy(\.isASCIIDigit), let given = Int(portText) else { return false }
            if let port, given != port { return false }
        }
        // No port: a name alone (DNS rebinding sends the attacker's name, whatever the port).
        let configured = host.lowercased()
        let own = configured.contains(":") && !configured.hasPrefix("[") ? "[\(configured)]" : configured
        if ["localhost", "127.0.0.1", "[::1]", own].contains(name) { return true }
        let wildcard = ["0.0.0.0", "::", "[::]"].contains(configured)
        return wildcard && Self.isIPLiteral(name)
    }

    /// A dotted IPv4 address or a bracketed IPv6 address (never a name a DNS server could rebind).
    static func isIPLiteral(_ name: String) -> Bool {
        if name.hasPrefix("[") && name.hasSuffix("]") {
            return name.dropFirst().dropLast().allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCIIDigit) && Int(part)! <= 255
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
