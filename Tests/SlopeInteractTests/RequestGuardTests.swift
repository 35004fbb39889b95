import Hummingbird
import HummingbirdTesting
import Testing
@testable import SlopeInteract

// The Host, Origin and Content-Type rules of `slope interact`, and the headers that keep other
// pages from framing it.

@Suite("slope interact: request guard")
struct RequestGuardTests {
    @Test func hostMustNameTheServer() {
        let loopback = RequestGuard(host: "127.0.0.1")
        loopback.port = 8080
        for allowed in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST:8080", "[::1]:8080", "127.0.0.1", "localhost"] {
            #expect(loopback.allows(authority: allowed), "\(allowed)")
        }
        for refused in ["evil.example:8080", "127.0.0.1:8081", "localhost.:8080", "evil.example", "127.0.0.1.evil.example:8080",
                        "10.0.0.1:8080", "127.0.0.1:8080:8080", "[::1", "localhost:80x", "user@127.0.0.1:8080", ""] {
            #expect(!loopback.allows(authority: refused), "\(refused)")
        }
        let everywhere = RequestGuard(host: "0.0.0.0")
        everywhere.port = 9000
        #expect(everywhere.allows(authority: "192.168.1.20:9000"))
        #expect(everywhere.allows(authority: "[fe80::1]:9000"))
        #expect(!everywhere.allows(authority: "attacker.example:9000"))
        #expect(!everywhere.allows(authority: "999.1.1.1:9000"))
        let v6 = RequestGuard(host: "::1")
        v6.port = 7000
        #expect(v6.allows(authority: "[::1]:7000"))
    }

    @Test func originAndContentTypeAreChecked() {
        let check = RequestGuard(host: "127.0.0.1")
        check.port = 8080
        func status(_ method: HTTPRequest.Method, _ authority: String?, origin: String? = nil, type: String? = "application/json") -> Int {
            do { try check.check(method: method, authority: authority, origin: origin, contentType: type); return 200 } catch {
                return error.status.code
            }
        }
        #expect(status(.get, "127.0.0.1:8080") == 200)
        #expect(status(.get, nil) == 400)
        #expect(status(.get, "evil.example:8080") == 421)
        #expect(status(.post, "127.0.0.1:8080", origin: "http://127.0.0.1:8080") == 200)
        #expect(status(.post, "127.0.0.1:8080", origin: "http://evil.example") == 403)
        #expect(status(.post, "127.0.0.1:8080", origin: "null") == 403)
        #expect(status(.get, "127.0.0.1:8080", origin: "http://evil.example") == 403)
        #expect(status(.post, "127.0.0.1:8080", type: "text/plain") == 415)
        #expect(status(.post, "127.0.0.1:8080", type: nil) == 415)
        #expect(status(.post, "127.0.0.1:8080", type: "application/json; charset=utf-8") == 200)
    }

    @Test func answersCannotBeFramed() async throws {
        try await makeApplication().test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.headers[InteractResponder.frameOptions] == "DENY")
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            let refused = try await client.call(.post, "/api/session", "{}", headers: [.contentType: "text/plain"])
            #expect(refused.status == .unsupportedMediaType)
            #expect(refused.headers[InteractResponder.frameOptions] == "DENY")
            let foreign = try await client.call(.post, "/api/session", "{}", headers: [.origin: "http://evil.example"])
            #expect(foreign.status == .forbidden)
        }
    }
}
