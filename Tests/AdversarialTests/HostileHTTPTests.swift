#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing

// Class 7: `slope interact` against a hostile browser page and hostile clients: DNS rebinding
// (a foreign Host), cross-site POSTs (a foreign Origin, text/plain bodies), framing, half-sent
// heads, idle sockets by the thousand. The server must refuse, close, and stay responsive.

@Suite(.serialized) struct HostileHTTPTests {
    /// One check against the running server: nil when it held, else what went wrong.
    struct Check {
        let name: String
        let run: (InteractChild) -> String?
    }

    static func request(_ method: String, _ path: String, host: String?, headers: [String] = [], body: String = "") -> String {
        var lines = ["\(method) \(path) HTTP/1.1"]
        if let host { lines.append("Host: \(host)") }
        lines += headers
        if !body.isEmpty || method == "POST" { lines.append("Content-Length: \(body.utf8.count)") }
        lines.append("Connection: close")
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// Sends one request and returns the answer, or a description of the failure.
    static func exchange(_ server: InteractChild, _ text: String) -> Result<HTTPAnswer, CheckFailure> {
        guard let connection = RawConnection(port: server.port) else { return .failure(CheckFailure("cannot connect")) }
        connection.send(text)
        guard let answer = connection.readResponse(timeout: 10) else { return .failure(CheckFailure("no answer in 10 s")) }
        return .success(answer)
    }

    struct CheckFailure: Error { let text: String; init(_ text: String) { self.text = text } }

    static func expectStatus(_ name: String, _ request: @escaping (Int) -> String, _ allowed: Set<Int>,
                             headers check: ((HTTPAnswer) -> String?)? = nil) -> Check {
        Check(name: name) { server in
            switch exchange(server, request(server.port)) {
            case .failure(let failure): return failure.text
            case .success(let answer):
                guard allowed.contains(answer.status) else { return "status \(answer.status), expected \(allowed.sorted()): \(answer.body.prefix(200))" }
                return check?(answer)
            }
        }
    }

    static func checks() -> [Check] {
        let json = "Content-Type: application/json"
        var checks: [Check] = []
        checks.append(expectStatus("page from 127.0.0.1:port", { request("GET", "/", host: "127.0.0.1:\($0)") }, [200]) { answer in
            guard answer.headers["x-frame-options"]?.uppercased() == "DENY" else { return "no X-Frame-Options: DENY" }
            guard answer.headers["content-security-policy"]?.contains("frame-ancestors 'none'") == true else { return "no frame-ancestors 'none'" }
            return nil
        })
        checks.append(expectStatus("page from localhost:port", { request("GET", "/", host: "localhost:\($0)") }, [200]))
        checks.append(expectStatus("API answers carry X-Frame-Options", {
            request("POST", "/api/session", host: "127.0.0.1:\($0)", headers: [json], body: "{}")
        }, [201]) { $0.headers["x-frame-options"]?.uppercased() == "DENY" ? nil : "no X-Frame-Options on the API" })
        for host in ["evil.example", "evil.example:\u{0}", "127.0.0.1.evil.example", "localhost.evil.example", "127.0.0.1:1", "[::1]:1", "",
                     "127.0.0.1:80@evil.example"] {
            checks.append(expectStatus("page for Host `\(host)`", { _ in request("GET", "/", host: host) }, [400, 403, 421]))
        }
        checks.append(expectStatus("rebound page with the port", { request("GET", "/", host: "evil.example:\($0)") }, [400, 403, 421]))
        checks.append(expectStatus("rebound API POST", {
            request("POST", "/api/session", host: "evil.example:\($0)", headers: [json], body: "{}")
        }, [400, 403, 421]))
        checks.append(expectStatus("no Host header", { _ in request("GET", "/", host: nil) }, [400, 403, 421]))
        checks.append(expectStatus("two Host headers", { request("GET", "/", host: "127.0.0.1:\($0)", headers: ["Host: evil.example"]) },
                                   [400, 403, 421]))
        for origin in ["http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1"] {
            checks.append(expectStatus("cross-site POST from Origin \(origin)", {
                request("POST", "/api/session", host: "127.0.0.1:\($0)", headers: [json, "Origin: \(origin)"], body: "{}")
            }, [403]))
        }
        checks.append(expectStatus("same-origin POST", {
            request("POST", "/api/session", host: "127.0.0.1:\($0)", headers: [json, "Origin: http://127.0.0.1:\($0)"], body: "{}")
        }, [201]))
        checks.append(expectStatus("text/plain POST (a simple cross-site request)", {
            request("POST", "/api/session", host: "127.0.0.1:\($0)", headers: ["Content-Type: text/plain"], body: "{}")
        }, [415]))
        checks.append(expectStatus("form POST", {
            request("POST", "/api/session", host: "127.0.0.1:\($0)", headers: ["Content-Type: application/x-www-form-urlencoded"], body: "a=1")
        }, [415]))
        checks.append(expectStatus("POST without Content-Type", { request("POST", "/api/session", host: "127.0.0.1:\($0)", body: "{}") }, [415]))
        checks.append(expectStatus("garbage request line", { _ in "\u{1}\u{2}GARBAGE\r\n\r\n" }, [400]))
        checks.append(expectStatus("100 KB header", {
            request("GET", "/", host: "127.0.0.1:\($0)", headers: ["X-Big: " + String(repeating: "a", count: 100_000)])
        }, [400, 431]))
        return checks
    }

    @Test func hostileRequests() throws {
        let server = try #require(InteractChild(), "slope interact did not start")
        defer { server.stop() }
        var tally = Tally()
        for check in Self.checks() {
            tally.total += 1
            let problem = check.run(server)
            let verdict: Verdict = !server.isAlive ? .crashed : (problem == nil ? .passed : (problem!.contains("no answer") ? .hung : .wrong))
            tally.counts[verdict, default: 0] += 1
            if let problem { Issue.record("[http] \(check.name): \(problem)") }
            if !server.isAlive { break }
        }
        FileHandle.standardError.write(Data("adversarial http requests: \(tally)\n".utf8))
    }

    /// Half-sent heads and idle sockets are closed by the server's timeouts.
    @Test func slowAndIdleClientsAreClosed() throws {
        let server = try #require(InteractChild(), "slope interact did not start")
        defer { server.stop() }
        let slow = try #require(RawConnection(port: server.port))
        let idle = try #require(RawConnection(port: server.port))
        slow.send("GET / HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\n")
        let start = Date()
        var slowClosed = false
        // One header byte a second: never a complete head.
        while Date().timeIntervalSince(start) < 25 {
            if !slow.send("X") { slowClosed = true; break }
            let (_, closed) = slow.readAll(timeout: 1)
            if closed { slowClosed = true; break }
        }
        #expect(slowClosed, "a client sending one header byte a second was still connected after 25 s")
        let (_, idleClosed) = idle.readAll(timeout: max(1, 30 - Date().timeIntervalSince(start)))
        #expect(idleClosed, "an idle connection was still open after 30 s")
        #expect(server.isAlive)
    }

    /// 1,100 idle connections (more than the server's 1,024 descriptors) neither stop it from
    /// answering nor make it spin.
    @Test func manyIdleConnectionsDoNotExhaustTheServer() throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < 4096 {
            limit.rlim_cur = min(limit.rlim_max, 4096)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        let server = try #require(InteractChild(openFiles: 1024), "slope interact did not start")
        defer { server.stop() }
        var idle: [RawConnection] = []
        for _ in 0..<1_100 {
            if let connection = RawConnection(port: server.port) { idle.append(connection) }
        }
        #expect(idle.count >= 1_000, "only \(idle.count) connections could be opened")
        usleep(500_000)
        let before = server.cpuSeconds
        let start = Date()
        var answered = false
        while Date().timeIntervalSince(start) < 20, !answered {
            if case .success(let answer) = Self.exchange(server, Self.request("GET", "/", host: "127.0.0.1:\(server.port)")),
               answer.status == 200 {
                answered = true
            } else {
                usleep(200_000)
            }
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(answered, "no answer within 20 s while 1,100 connections were idle")
        sleep(2)
        let busy = (server.cpuSeconds - before) / (Date().timeIntervalSince(start))
        #expect(busy < 0.5, "the server used \(Int(busy * 100))% of a core while connections were idle (answered after \(elapsed) s)")
        #expect(server.isAlive)
        FileHandle.standardError.write(Data("adversarial http idle: answered \(answered) after \(String(format: "%.1f", elapsed)) s, cpu \(Int(busy * 100))%\n".utf8))
    }
}
