import Foundation
import Hummingbird
import HummingbirdTesting
import Slope
import SlopeInteract
import Testing

/// Every refused request gets a 4xx status with `{"error":"..."}` (JSON, non-empty message),
/// changes nothing, and the server keeps answering.
@Suite("slope interact: refused requests")
struct APIErrorTests {
    /// Checks one refusal: status, JSON content type, a message containing `mentioning`.
    private func expectRefusal(
        _ response: APIResponse, _ status: HTTPResponse.Status, mentioning text: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(response.status == status, "expected \(status), got \(response.status): \(response.json)", sourceLocation: sourceLocation)
        #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
        #expect(response.json.objectValue?.count == 1, "the body is only {\"error\": ...}", sourceLocation: sourceLocation)
        #expect(response.error.contains(text), "error `\(response.error)` should mention `\(text)`", sourceLocation: sourceLocation)
    }

    @Test("unknown paths get 404, wrong methods 405 with Allow")
    func routing() async throws {
        try await makeApplication().test(.router) { client in
            expectRefusal(try await client.call(.get, "/nope"), .notFound, mentioning: "/nope")
            expectRefusal(try await client.call(.get, "/favicon.ico"), .notFound, mentioning: "no page")
            let wrong = try await client.call(.get, "/api/step")
            expectRefusal(wrong, .methodNotAllowed, mentioning: "takes POST")
            #expect(wrong.headers[.allow] == "POST")
            expectRefusal(try await client.call(.post, "/", "{}"), .methodNotAllowed, mentioning: "takes GET")
            expectRefusal(try await client.call(.delete, "/api/state"), .methodNotAllowed, mentioning: "takes GET")
            expectRefusal(try await client.call(.put, "/api/params", "{}"), .methodNotAllowed, mentioning: "takes POST")
        }
    }

    @Test("a missing or unknown session is refused")
    func sessions() async throws {
        try await makeApplication().test(.router) { client in
            expectRefusal(try await client.call(.get, "/api/state"), .badRequest, mentioning: "missing `session`")
            expectRefusal(try await client.call(.get, "/api/state?session="), .badRequest, mentioning: "missing `session`")
            expectRefusal(try await client.call(.post, "/api/step?session=0123", "{}"), .notFound, mentioning: "unknown or expired session")
        }
    }

    @Test("malformed JSON, NaN, infinities, wrong types and duplicate members are refused")
    func malformedBodies() async throws {
        try await makeApplication().test(.router) { client in
            let id = try await client.newSession().session
            let params = "/api/params?session=\(id)"
            for body in [#"{"a":"#, #"{"a":1"#, "a=1", #"{"a":NaN}"#, #"{"a":Infinity}"#, #"{"a":-inf}"#, #"{"a":1e999}"#, #"{"a":01x}"#] {
                expectRefusal(try await client.call(.post, params, body), .badRequest, mentioning: "malformed JSON")
            }
            expectRefusal(try await client.call(.post, params, "[1,2]"), .badRequest, mentioning: "must be a JSON object")
            expectRefusal(try await client.call(.post, params, "3"), .badRequest, mentioning: "must be a JSON object")
            expectRefusal(try await client.call(.post, params, #"{"a":"1"}"#), .badRequest, mentioning: "a: expected a number, found a string")
            expectRefusal(try await client.call(.post, params, #"{"a":null}"#), .badRequest, mentioning: "a: expected a number, found null")
            expectRefusal(try await client.call(.post, params, #"{"a":1,"a":2}"#), .badRequest, mentioning: "a: expected a member written once")
            expectRefusal(try await client.call(.post, "/api/step?session=\(id)", #"{"lr":"0.1"}"#), .badRequest, mentioning: "lr: expected a number in")
            expectRefusal(try await client.call(.post, "/api/loss?session=\(id)", #"{"loss":1}"#), .badRequest, mentioning: "loss: expected mse or mae, found a number")
            let nested = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
            expectRefusal(try await client.call(.post, params, nested), .badRequest, mentioning: "malformed JSON")
        }
    }

    @Test("unknown parameters and members are refused and change nothing")
    func unknownNames() async throws {
        try await makeApplication().test(.router) { client in
            let start = try await client.newSession()
            let id = start.session
            let refused = try await client.call(.post, "/api/params?session=\(id)", #"{"a":2,"d":1}"#)
            expectRefusal(refused, .badRequest, mentioning: "unknown parameter `d`")
            #expect(refused.error.contains("a, b, c"))
            let after = try await client.call(.get, "/api/state?session=\(id)")
            #expect(after.values == start.values, "a refused request changes nothing")
            expectRefusal(try await client.call(.post, "/api/step?session=\(id)", #"{"lr":0.01,"steps":3}"#), .badRequest, mentioning: "steps: expected only `lr`, found an unknown member")
            expectRefusal(try await client.call(.post, "/api/reset?session=\(id)", #"{"hard":true}"#), .badRequest, mentioning: "hard: expected no members")
            expectRefusal(try await client.call(.post, "/api/session", #"{"functions":"relu"}"#), .badRequest, mentioning: "functions: expected only `function`, `loss`, found an unknown member")
            let relu = try await client.newSession(#"{"function":"relu"}"#).session
            expectRefusal(try await client.call(.post, "/api/params?session=\(relu)", #"{"c":1}"#), .badRequest, mentioning: "relu has m, b")
        }
    }

    @Test("out-of-range values are refused")
    func outOfRange() async throws {
        try await makeApplication().test(.router) { client in
            let id = try await client.newSession().session
            let refusals: [(String, String, String)] = [
                ("/api/params", #"{"a":1e7}"#, "between"),
                ("/api/params", #"{"c":-1000001}"#, "between"),
                ("/api/step", #"{"lr":0}"#, "lr: expected a number in 1e-09...10, found a number (0)"),
                ("/api/step", #"{"lr":-0.1}"#, "lr: expected a number in"),
                ("/api/step", #"{"lr":11}"#, "lr: expected a number in"),
                ("/api/run", #"{"lr":0.01,"steps":0}"#, "steps: expected an integer in 1...1000"),
                ("/api/run", #"{"steps":1001}"#, "steps: expected an integer in 1...1000"),
                ("/api/run", #"{"steps":2.5}"#, "steps: expected an integer"),
                ("/api/run", #"{"tol":-1}"#, "tol: expected a number in"),
                ("/api/run", #"{"window":0}"#, "window: expected an integer in 1...10000"),
                ("/api/points", #"{"seed":-1}"#, "seed: expected an integer in"),
                ("/api/points", #"{"seed":4294967296}"#, "seed: expected an integer in"),
                ("/api/points", #"{"seed":0.5}"#, "seed: expected an integer"),
                ("/api/loss", #"{"loss":"l2"}"#, "loss: expected mse or mae"),
                ("/api/loss", "{}", "loss: expected mse or mae, found nothing"),
            ]
            for (path, body, text) in refusals {
                expectRefusal(try await client.call(.post, "\(path)?session=\(id)", body), .badRequest, mentioning: text)
            }
            for function in ["cubic", "relus:0", "relus:17", "relus:x", "relus:"] {
                expectRefusal(try await client.call(.post, "/api/session", #"{"function":"\#(function)"}"#), .badRequest, mentioning: "relus:N")
            }
            expectRefusal(try await client.call(.post, "/api/session", #"{"loss":"huber"}"#), .badRequest, mentioning: "mse or mae")
            let state = try await client.call(.get, "/api/state?session=\(id)")
            #expect(state.status == .ok && state.json["steps"]?.numberValue == 0, "nothing ran")
        }
    }

    @Test("bodies over 64 KB get 413, whether or not they announce their length")
    func oversizedBodies() async throws {
        try await makeApplication().test(.live) { client in
            let id = try await client.newSession().session
            let padding = String(repeating: " ", count: 70_000)
            let big = #"{"a":1"# + padding + "}"
            expectRefusal(try await client.call(.post, "/api/params?session=\(id)", big), .contentTooLarge, mentioning: "64 KB")
            var chunked = HTTPFields()
            chunked[.transferEncoding] = "chunked"
            let response = try await client.call(.post, "/api/params?session=\(id)", big, headers: chunked)
            expectRefusal(response, .contentTooLarge, mentioning: "64 KB")
            let justUnder = #"{"a":2"# + String(repeating: " ", count: 60_000) + "}"
            let accepted = try await client.call(.post, "/api/params?session=\(id)", justUnder)
            #expect(accepted.status == .ok && accepted.values["a"] == 2)
        }
    }

    @Test("New points for points from a file is a conflict")
    func newPointsFromFile() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("slope-interact-\(UUID().uuidString).csv")
        try "x,y\n0,1\n1,3\n2,9\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let points = try FitPoints.csv(path: url.path)
        try await makeApplication { $0.points = points }.test(.router) { client in
            let state = try await client.newSession()
            #expect(state.json["points"]?["source"]?.stringValue == "file")
            #expect(state.json["points"]?["y"] == .floats([1, 3, 9]))
            expectRefusal(try await client.call(.post, "/api/points?session=\(state.session)", "{}"), .conflict, mentioning: "from a file")
        }
    }

    @Test("after every kind of refusal the server still answers")
    func keepsServing() async throws {
        try await makeApplication().test(.live) { client in
            let id = try await client.newSession().session
            _ = try await client.call(.post, "/api/params?session=\(id)", #"{"a":"#)
            _ = try await client.call(.get, "/api/run?session=\(id)")
            _ = try await client.call(.post, "/api/step?session=\(id)", #"{"lr":1e300}"#)
            let state = try await client.call(.get, "/api/state?session=\(id)")
            #expect(state.status == .ok)
            #expect(state.loss.isFinite)
            // Last, an oversized body: the server answers 413 and may close this connection
            // before the client has sent it all (the client then sees a closed channel), so it
            // comes after the checks above; "bodies over 64 KB get 413" checks the refusal itself.
            _ = try? await client.call(.post, "/api/params?session=\(id)", String(repeating: "x", count: 100_000))
        }
    }
}
