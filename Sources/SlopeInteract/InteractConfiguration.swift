import Slope

/// What `slope interact` serves and where: the address, the function family and points every
/// new session starts with, the loss, and how many sessions are kept.
///
/// ```swift
/// var configuration = InteractConfiguration()
/// configuration.family = .relus(count: 3)
/// configuration.port = 0   // any free port
/// ```
public struct InteractConfiguration: Sendable {
    /// The address to listen on; loopback unless asked otherwise.
    public var host = "127.0.0.1"
    /// The port; 0 picks a free one.
    public var port = 8080
    /// The function family of new sessions.
    public var family = FunctionFamily.quadratic
    /// The points of new sessions: the lesson's noisy quadratic by default.
    public var points = FitPoints.lesson(seed: 42)
    /// The loss of new sessions.
    public var loss = FitLoss.mse
    /// The most sessions kept; the least recently used is evicted past it.
    public var maxSessions = 64
    /// The most open connections and the time each has to send a request.
    public var connectionLimits = ConnectionLimits()

    /// The defaults: `127.0.0.1:8080`, the quadratic, the lesson's points, MSE, 64 sessions.
    public init() {}
}
