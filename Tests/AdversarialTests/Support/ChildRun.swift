#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

// Runs the real `slope` binary as a child process with an address-space limit (`ulimit -v` in
// `/bin/sh`, then `exec`), no standard input, standard output and error captured in files, and a
// wall-clock timeout after which the child is killed. Its peak resident memory is the kernel's
// high-water mark of the child's own address space (`VmHWM` in /proc/PID/status), read while it
// runs: `wait4`'s `ru_maxrss` is no use on Linux, because `posix_spawn` starts the child on the
// test runner's address space (vfork) and the kernel folds that space's high-water mark into the
// child's at `exec`, so every child "peaked" at the test runner's size (hundreds of MiB in a full
// parallel `swift test`).

/// The `slope` executable under test: `SLOPE_ADVERSARIAL_BINARY` when set (to count what an older
/// build does), else the one built next to the test runner, else `.build/debug/slope`.
let slopeBinary: String? = {
    if let given = ProcessInfo.processInfo.environment["SLOPE_ADVERSARIAL_BINARY"], !given.isEmpty { return given }
    var candidates: [String] = []
    #if os(Linux)
    let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    candidates.append(runner.deletingLastPathComponent().appendingPathComponent("slope").path)
    #endif
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("slope").path)
    }
    if let argument = CommandLine.arguments.first {
        candidates.append(URL(fileURLWithPath: argument).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("slope").path)
    }
    candidates.append(packageRoot.appendingPathComponent(".build/debug/slope").path)
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// The package's root folder (two levels above this file's folder).
let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The shared datasets beside the package (`../shared/data`), as CI lays them out.
let sharedData = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data").path

/// What one child run did.
struct ChildRun: Sendable {
    /// The exit status when the child exited normally.
    var status: Int32?
    /// The signal that ended the child, when one did (SIGKILL from the timeout counts as a hang).
    var signal: Int32?
    /// Whether the timeout killed it.
    var timedOut: Bool
    /// Peak resident memory in bytes.
    var peakBytes: Int
    var stdout: String
    var stderr: String
    /// Wall-clock seconds.
    var seconds: Double

    /// Standard error's lines, without a trailing line break.
    var stderrLines: [Substring] {
        stderr.trimmingCharacters(in: .newlines).split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// Whether the child ran out of its address space (an allocation failure message or a
    /// crash with memory words on standard error).
    var ranOutOfMemory: Bool {
        let text = stderr.lowercased()
        return text.contains("could not allocate") || text.contains("out of memory") || text.contains("cannot allocate")
            || text.contains("bad_alloc") || text.contains("failed to allocate")
    }
}

/// Limits for one child.
struct ChildLimits: Sendable {
    /// Address-space limit in bytes.
    var addressSpace = 3 << 30
    /// Wall-clock limit in seconds.
    var timeout: Double = 30
    /// Open-file limit (descriptors).
    var openFiles = 1024

    static let standard = ChildLimits()
}

/// Runs `slope arguments` under `limits`.
func runSlope(_ arguments: [String], limits: ChildLimits = .standard,
              environment extra: [String: String] = [:]) -> ChildRun {
    guard let binary = slopeBinary else {
        return ChildRun(status: nil, signal: nil, timedOut: false, peakBytes: 0, stdout: "",
                        stderr: "no slope executable; run `swift build --build-tests`", seconds: 0)
    }
    let kilobytes = limits.addressSpace / 1024
    let script = "ulimit -v \(kilobytes) && ulimit -n \(limits.openFiles) && exec \"$0\" \"$@\""
    return spawn(["/bin/sh", "-c", script, binary] + arguments, timeout: limits.timeout, environment: extra)
}

/// Spawns `argv` with stdin from /dev/null and stdout/stderr to temporary files; kills it with
/// SIGKILL after `timeout` seconds.
func spawn(_ argv: [String], timeout: Double, environment extra: [String: String]) -> ChildRun {
    let capture = NSTemporaryDirectory() + "slope-adv-\(UUID().uuidString)"
    let outPath = capture + ".out", errPath = capture + ".err"
    defer { unlink(outPath); unlink(errPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // Its own process group, so the timeout kills everything it started.
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
    posix_spawnattr_setpgroup(&attributes, 0)

    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_NUM_THREADS"] = environment["OPENBLAS_NUM_THREADS"] ?? "1"
    for (key, value) in extra { environment[key] = value }
    let envStrings = environment.map { "\($0.key)=\($0.value)" }
    let start = Date()
    var pid: pid_t = 0
    let result = withCStrings(argv) { args in
        withCStrings(envStrings) { env in posix_spawn(&pid, argv[0], &actions, &attributes, args, env) }
    }
    guard result == 0 else {
        return ChildRun(status: nil, signal: nil, timedOut: false, peakBytes: 0, stdout: "",
                        stderr: "posix_spawn failed: \(String(cString: strerror(result)))", seconds: 0)
    }
    var status: Int32 = 0
    var usage = rusage()
    var timedOut = false
    var highWater = 0
    while true {
        #if os(Linux)
        highWater = max(highWater, residentHighWater(of: pid))
        #endif
        let done = wait4(pid, &status, WNOHANG, &usage)
        if done == pid { break }
        if done < 0 && errno != EINTR { break }
        if Date().timeIntervalSince(start) > timeout {
            timedOut = true
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            _ = wait4(pid, &status, 0, &usage)
            break
        }
        usleep(5_000)
    }
    kill(-pid, SIGKILL)  // anything the child left behind in its group
    let seconds = Date().timeIntervalSince(start)
    let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    let exitedNormally = status & 0x7f == 0
    #if os(Linux)
    let peak = highWater
    #else
    let peak = Int(usage.ru_maxrss)
    #endif
    return ChildRun(status: exitedNormally ? (status >> 8) & 0xff : nil, signal: exitedNormally ? nil : status & 0x7f,
                    timedOut: timedOut, peakBytes: peak, stdout: stdout, stderr: stderr, seconds: seconds)
}

/// The high-water mark of `pid`'s resident memory in bytes (`VmHWM` in /proc/PID/status), or 0
/// when it can't be read (the process has exited). It only grows while the process runs, so the
/// last reading before exit is its peak, short of a rise in the final polling interval (5 ms).
func residentHighWater(of pid: pid_t) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kilobytes = Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
    else { return 0 }
    return kilobytes * 1024
}

/// Calls `body` with a NULL-terminated C array of `strings`.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
