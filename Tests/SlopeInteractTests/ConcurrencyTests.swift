import Foundation
import Hummingbird
import HummingbirdTesting
import Slope
import SlopeInteract
import Testing

/// Many clients at once on a real loopback port: every request is answered, and each
/// session ends exactly where the same requests made one at a time would leave it.
@Suite("slope interact: concurrent requests")
struct ConcurrencyTests {
    /// One request on its own connection to the live server.
    private static func send(port: Int, _ method: HTTPRequest.Method, _ uri: String, _ body: String?) async throws -> APIResponse {
        let client = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(30)))
        client.connect()
        do {
            // The server answers only to its own address and port, and only JSON POSTs.
            let headers: HTTPFields = method == .post ? [.contentType: "application/json"] : [:]
            let request = TestClient.Request(uri, method: method, authority: "127.0.0.1:\(port)", headers: headers,
                                             body: body.map { ByteBuffer(string: $0) })
            let response = try await client.execute(request)
            try await client.shutdown()
            let bytes = Array((response.body ?? ByteBuffer()).readableBytesView)
            return APIResponse(status: response.status, headers: response.headers, json: try JSONParser.parse(bytes))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    @Test("100 concurrent requests on loopback leave every session consistent", .timeLimit(.minutes(2)))
    func hundredConcurrentRequests() async throws {
        try await makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let sessions = 4, stepsEach = 20
            var ids: [String] = []
            for _ in 0..<sessions { ids.append(try await client.newSession().session) }
            // 80 steps spread over 4 sessions, 10 reads and 10 new sessions, all at once.
            var requests: [(HTTPRequest.Method, String, String?)] = []
            for round in 0..<stepsEach {
                for id in ids { requests.append((.post, "/api/step?session=\(id)", #"{"lr":0.01}"#)) }
                if round % 2 == 0 {
                    requests.append((.get, "/api/state?session=\(ids[round % sessions])", nil))
                    requests.append((.post, "/api/session", nil))
                }
            }
            #expect(requests.count == 100)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for (method, uri, body) in requests {
                    group.addTask { try await ConcurrencyTests.send(port: port, method, uri, body).status }
                }
                var statuses: [HTTPResponse.Status] = []
                for try await status in group { statuses.append(status) }
                return statuses
            }
            #expect(statuses.count == 100)
            #expect(statuses.allSatisfy { $0 == .ok || $0 == .created }, "\(statuses.filter { $0 != .ok && $0 != .created })")

            // The same steps one at a time, without a server.
            var reference = FitState(family: .quadratic, points: .lesson(seed: 42), loss: .mse)
            for _ in 0..<stepsEach { _ = reference.descend(lr: 0.01, maxSteps: 1) }
            for id in ids {
                let state = try await client.call(.get, "/api/state?session=\(id)")
                #expect(state.json["steps"]?.numberValue == Double(stepsEach))
                #expect(state.values == ["a": reference.values[0], "b": reference.values[1], "c": reference.values[2]])
                #expect(state.loss == reference.evaluate().loss)
            }
        }
    }
}
