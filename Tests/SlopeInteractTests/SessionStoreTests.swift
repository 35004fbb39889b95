import Hummingbird
import HummingbirdTesting
import Slope
import SlopeInteract
import Testing

/// The session cap: the least recently used session is evicted.
@Suite("slope interact: sessions")
struct SessionStoreTests {
    private func state() -> FitState { FitState(family: .relu, points: .lesson(seed: 42), loss: .mse) }

    @Test("past the capacity the least recently used session goes")
    func evictsLeastRecentlyUsed() {
        let store = SessionStore(capacity: 3)
        let first = store.create(state: state()), second = store.create(state: state()), third = store.create(state: state())
        #expect(store.session(id: first.id) === first)   // first is now the most recent
        let fourth = store.create(state: state())
        #expect(store.count == 3)
        #expect(store.session(id: second.id) == nil)
        #expect(store.session(id: first.id) === first && store.session(id: third.id) === third && store.session(id: fourth.id) === fourth)
        #expect(Set([first.id, second.id, third.id, fourth.id]).count == 4)
        #expect(first.id.count == 32 && first.id.allSatisfy(\.isHexDigit))
    }

    @Test("an evicted session's page gets 404 and can open a new one")
    func evictedSessionThroughTheAPI() async throws {
        try await makeApplication { $0.maxSessions = 2 }.test(.router) { client in
            let first = try await client.newSession().session
            _ = try await client.newSession()
            _ = try await client.newSession()
            let gone = try await client.call(.get, "/api/state?session=\(first)")
            #expect(gone.status == .notFound && gone.error.contains("expired"))
        }
    }

    @Test("function families parse, name their parameters and start where the lesson starts")
    func families() throws {
        #expect(try FunctionFamily(parsing: "quadratic") == .quadratic)
        #expect(try FunctionFamily(parsing: "relus:2") == .relus(count: 2))
        #expect(FunctionFamily.relus(count: 2).parameterNames == ["m1", "m2", "b1", "b2", "w1", "w2", "bias"])
        #expect(FunctionFamily.relu.initialValues(over: -2...2) == [1.5, 1.5])
        // Two pieces over [-2, 2]: kinks at -1 and 1, the left falling, the right rising.
        #expect(FunctionFamily.relus(count: 2).initialValues(over: -2...2) == [-1, 1, -1, -1, 1, 1, 0])
        #expect(throws: InteractError.self) { try FunctionFamily(parsing: "relus:99") }
    }

    @Test("relus:N computes what ReLUSum computes")
    func relusMatchesReLUSum() {
        var rng = SeededGenerator(seed: 3)
        let relus = ReLUSum(count: 3, over: -2...2, generator: &rng)
        let values = relus.slopes.scalars + relus.intercepts.scalars + relus.weights.scalars + [relus.bias.item()]
        let family = FunctionFamily.relus(count: 3)
        let x = Tensor.linspace(-2, 2, count: 9)
        #expect(noGrad { family.predict(family.leaves(from: values), at: x) }.scalars == noGrad { relus(x) }.scalars)
    }
}
