import Slope
import Synchronization

/// The live sessions, at most `capacity` of them: creating one more evicts the session used
/// least recently, whose page then gets 404 and starts a new session.
///
/// ```swift
/// let store = SessionStore(capacity: 64)
/// let session = store.create(state: FitState(family: .relu, points: .lesson(seed: 42), loss: .mse))
/// store.session(id: session.id)   // the same session, now the most recently used
/// ```
public final class SessionStore: Sendable {
    private struct Entry {
        let session: FitSession
        var lastUse: UInt64
    }

    private struct Storage {
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
    }

    /// The most sessions kept at once.
    public let capacity: Int
    private let storage = Mutex(Storage())

    /// A store that keeps at most `capacity` (≥ 1) sessions.
    ///
    /// - Parameter capacity: The most sessions kept, at least 1.
    public init(capacity: Int) {
        require(capacity >= 1, "SessionStore: capacity must be at least 1, got \(capacity)")
        self.capacity = capacity
    }

    /// Adds a session holding `state` under a new random id, evicting the least recently used
    /// session when the store is full.
    ///
    /// - Parameter state: The new session's fit.
    /// - Returns: The session, now the most recently used.
    public func create(state: FitState) -> FitSession {
        let session = FitSession(id: SessionStore.newID(), state: state)
        storage.withLock { storage in
            if storage.entries.count >= capacity,
               let oldest = storage.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                storage.entries[oldest] = nil
            }
            storage.clock += 1
            storage.entries[session.id] = Entry(session: session, lastUse: storage.clock)
        }
        return session
    }

    /// The session with this id, marked as just used; `nil` if there is none (never created,
    /// or evicted).
    ///
    /// - Parameter id: The session id from the request.
    /// - Returns: The session, or `nil`.
    public func session(id: String) -> FitSession? {
        storage.withLock { storage in
            guard var entry = storage.entries[id] else { return nil }
            storage.clock += 1
            entry.lastUse = storage.clock
            storage.entries[id] = entry
            return entry.session
        }
    }

    /// The number of live sessions.
    public var count: Int { storage.withLock { $0.entries.count } }

    /// 128 random bits as 32 hex digits.
    private static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let word = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - word.count) + word
        }.joined()
    }
}
