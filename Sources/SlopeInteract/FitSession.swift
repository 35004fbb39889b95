import Synchronization

/// One page's fit behind a mutex: requests for the same session run one at a time, each
/// seeing the whole effect of the ones before it; different sessions never share state.
///
/// ```swift
/// let session = FitSession(id: "4f1c…", state: FitState(family: .quadratic, points: .lesson(seed: 42), loss: .mse))
/// let loss = session.withState { $0.evaluate().loss }
/// ```
public final class FitSession: Sendable {
    /// The session's id, as the API's `session` query parameter carries it.
    public let id: String
    private let state: Mutex<FitState>

    /// A session holding `state`.
    ///
    /// - Parameters:
    ///   - id: The session's id (32 hex digits when made by ``SessionStore``).
    ///   - state: The fit the session starts with.
    public init(id: String, state: FitState) {
        self.id = id
        self.state = Mutex(state)
    }

    /// Runs `body` with the session's state locked: reads and changes made inside are atomic.
    ///
    /// - Parameter body: Reads or changes the state; it runs while the lock is held, so it should
    ///   not wait on other sessions.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws (its changes made before the throw are kept).
    public func withState<Result: Sendable, Failure: Error>(
        _ body: (inout FitState) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try state.withLock { (state: inout FitState) throws(Failure) -> Result in try body(&state) }
    }
}
