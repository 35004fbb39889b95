import Hummingbird
import HummingbirdCore
import NIOCore

/// The `slope interact` web server: the page and its JSON API on Hummingbird.
///
/// ```swift
/// let server = InteractServer(configuration: InteractConfiguration())
/// try await server.run { url in print(url) }   // http://127.0.0.1:8080
/// ```
public struct InteractServer: Sendable {
    /// Where and what to serve.
    public let configuration: InteractConfiguration

    /// A server for `configuration`.
    ///
    /// - Parameter configuration: The host, port, points, function family, loss and limits.
    public init(configuration: InteractConfiguration) {
        self.configuration = configuration
    }

    /// The Hummingbird application; `onListening` gets the URL (`http://HOST:PORT`, with the
    /// port actually bound) once the server accepts connections. Only warnings are logged
    /// (to the standard output, as swift-log does by default). Requests must pass the
    /// ``RequestGuard``; connections are bounded by ``InteractConfiguration/connectionLimits``
    /// and Hummingbird's idle timeout.
    ///
    /// - Parameter onListening: Called once with the URL when the server accepts connections.
    /// - Returns: The application, not yet running (call `runService()`).
    public func makeApplication(onListening: @escaping @Sendable (String) async -> Void = { _ in })
        -> Application<InteractResponder>
    {
        let host = configuration.host
        let responder = InteractResponder(configuration: configuration)
        let requestGuard = responder.requestGuard
        let registry = ConnectionRegistry(limits: configuration.connectionLimits)
        let idle = TimeAmount.nanoseconds(configuration.connectionLimits.requestTimeout.nanoseconds * 3)
        var app = Application(
            responder: responder,
            server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionGuardHandler(registry: registry)], idleTimeout: idle)),
            configuration: ApplicationConfiguration(address: .hostname(host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                requestGuard.port = port
                await onListening(InteractServer.url(host: host, port: port))
            }
        )
        app.logger.logLevel = .warning
        return app
    }

    /// Serves until the process gets SIGINT or SIGTERM (then shuts down gracefully), or until
    /// the address cannot be bound (then throws).
    ///
    /// - Parameter onListening: Called once with the URL when the server accepts connections.
    /// - Throws: The bind error when the host and port cannot be listened on, or a server error.
    public func run(onListening: @escaping @Sendable (String) async -> Void = { _ in }) async throws {
        try await makeApplication(onListening: onListening).runService()
    }

    /// `http://HOST:PORT`, with an IPv6 host in brackets.
    ///
    /// - Parameters:
    ///   - host: A host name or IP address; one with a `:` is taken as IPv6.
    ///   - port: The port.
    /// - Returns: `http://host:port`, or `http://[host]:port` for IPv6.
    public static func url(host: String, port: Int) -> String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }
}
