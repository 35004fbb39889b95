import Foundation
import Hummingbird
import HummingbirdTesting
import Slope
import SlopeInteract

/// A JSON answer from the API: status, headers and the parsed body.
struct APIResponse {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let json: JSON

    /// The `error` member of a refusal ("" when there is none).
    var error: String { json["error"]?.stringValue ?? "" }
    /// The `loss` member as a Float (NaN when null or absent).
    var loss: Float { json["loss"]?.numberValue.map(Float.init) ?? .nan }
    /// Each parameter's `name: value`.
    var values: [String: Float] { column("value") }
    /// Each parameter's `name: gradient`.
    var gradients: [String: Float] { column("gradient") }
    /// The parameter names in order.
    var names: [String] { (json["params"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue } }

    private func column(_ key: String) -> [String: Float] {
        var result: [String: Float] = [:]
        for param in json["params"]?.arrayValue ?? [] {
            if let name = param["name"]?.stringValue { result[name] = param[key]?.numberValue.map(Float.init) ?? .nan }
        }
        return result
    }
}

/// Errors of the test helpers.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
}

extension TestClientProtocol {
    /// Sends `body` (raw text) and parses the JSON answer.
    /// POSTs say `Content-Type: application/json` unless `headers` set another (the server refuses other POSTs).
    func call(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, headers: HTTPFields = [:]) async throws -> APIResponse {
        var headers = headers
        if method == .post, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        let response = try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let bytes = Array(response.body.readableBytesView)
        do {
            return APIResponse(status: response.status, headers: response.headers, json: try JSONParser.parse(bytes))
        } catch {
            throw TestFailure(description: "\(method) \(uri) answered \(response.status) with a body that is not JSON: \(String(decoding: bytes, as: UTF8.self).prefix(200))")
        }
    }

    /// Opens a session (with an optional body such as `{"function":"relu"}`) and returns its state.
    func newSession(_ body: String? = nil) async throws -> APIResponse {
        let state = try await call(.post, "/api/session", body)
        guard state.status == .created, state.json["session"]?.stringValue != nil else {
            throw TestFailure(description: "POST /api/session answered \(state.status): \(state.json)")
        }
        return state
    }
}

extension APIResponse {
    /// The session id of a state answer.
    var session: String { json["session"]?.stringValue ?? "" }
}

/// The interact application with test settings (any free port).
func makeApplication(_ configure: (inout InteractConfiguration) -> Void = { _ in }) -> Application<InteractResponder> {
    var configuration = InteractConfiguration()
    configuration.port = 0
    // The server closes a connection that takes over 10 s for a request (30 s idle). In the full
    // parallel `swift test`, tests that block while child processes run can keep a live test's
    // client from running for that long, and the server then closes its connection mid-test
    // ("I/O on closed channel", "connection reset"). These tests are not about the timeouts (the
    // adversarial suite checks those against the real binary), so they get a generous one.
    configuration.connectionLimits.requestTimeout = .seconds(300)
    configure(&configuration)
    return InteractServer(configuration: configuration).makeApplication()
}

/// `{"name":value,...}` for the API.
func jsonObject(_ values: [String: Float]) -> String {
    JSON.object(values.sorted { $0.key < $1.key }.map { ($0.key, JSON.float($0.value)) }).description
}
