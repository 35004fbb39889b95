#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

// A raw TCP client for hostile HTTP (any Host, Origin, half-sent heads, idle sockets), and the
// `slope interact` child it talks to.

/// One TCP connection to 127.0.0.1.
final class RawConnection {
    let descriptor: Int32

    /// Connects to `127.0.0.1:port`; nil when the connection is refused.
    init?(port: Int) {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(socketDescriptor); return nil }
        descriptor = socketDescriptor
    }

    deinit { close(descriptor) }

    /// Sends all of `text`; false when the peer has closed.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return false }
            sent += count
        }
        return true
    }

    /// Reads until the peer closes or `timeout` seconds pass; the bytes and whether it closed.
    func readAll(timeout: Double) -> (text: String, closed: Bool) {
        var collected: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Date() < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let wait = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            let ready = poll(&poller, 1, min(wait, 200))
            if ready < 0 { break }
            if ready == 0 { continue }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
            if count <= 0 { return (String(decoding: collected, as: UTF8.self), true) }
            collected += buffer[0..<count]
        }
        return (String(decoding: collected, as: UTF8.self), false)
    }

    /// Reads one response (head and a `Content-Length` body), waiting at most `timeout` seconds.
    func readResponse(timeout: Double) -> HTTPAnswer? {
        var collected: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Date() < deadline {
            if let answer = HTTPAnswer(parsing: collected) { return answer }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 200)
            if ready < 0 { return nil }
            if ready == 0 { continue }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
            if count <= 0 { return HTTPAnswer(parsing: collected) }
            collected += buffer[0..<count]
        }
        return nil
    }
}

/// A parsed HTTP response.
struct HTTPAnswer {
    var status: Int
    var headers: [String: String]
    var body: String

    /// Parses a complete response, or nil while it is incomplete.
    init?(parsing bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        guard let first = lines.first, first.hasPrefix("HTTP/"), first.split(separator: " ").count >= 2,
              let code = Int(first.split(separator: " ")[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = String(text[end.upperBound...])
        if let length = headers["content-length"].flatMap(Int.init), body.utf8.count < length { return nil }
        status = code
        self.headers = headers
        self.body = body
    }
}

/// `slope interact --port 0` running as a child, with its URL's port.
final class InteractChild {
    let pid: pid_t
    let port: Int
    private let output: String

    /// Starts the server (with `arguments` after `interact --port 0`) under an address-space and
    /// descriptor limit; nil if it prints no URL in 30 s.
    init?(openFiles: Int = 1024, arguments extra: [String] = []) {
        guard let binary = slopeBinary else { return nil }
        output = NSTemporaryDirectory() + "slope-interact-\(UUID().uuidString).out"
        let script = "ulimit -v \(4 << 20) && ulimit -n \(openFiles) && exec \"$0\" \"$@\""
        let arguments = ["/bin/sh", "-c", script, binary, "interact", "--port", "0"] + extra
        var pointers: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var child: pid_t = 0
        guard posix_spawn(&child, "/bin/sh", &actions, nil, &pointers, environ) == 0 else { return nil }
        pid = child
        let start = Date()
        var found: Int?
        while Date().timeIntervalSince(start) < 30 {
            if let text = try? String(contentsOfFile: output, encoding: .utf8), let line = text.split(separator: "\n").first,
               let colon = line.lastIndex(of: ":"), let number = Int(line[line.index(after: colon)...]) {
                found = number
                break
            }
            usleep(20_000)
        }
        guard let found else { kill(child, SIGKILL); var s: Int32 = 0; waitpid(child, &s, 0); return nil }
        port = found
    }

    /// Whether the server process is still running.
    var isAlive: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// CPU seconds (user + system) the server has used so far, from /proc.
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Stops the server.
    func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        unlink(output)
    }
}
