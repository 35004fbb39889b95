#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
import Slope

// Runs the real `slope`, alone or under MPICH's `mpiexec`, with standard output and error in
// files (no pipes to fill), no standard input, and a wall-clock timeout.

/// The package's root folder.
let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The shared datasets beside the package (`../shared/data`).
let sharedData = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data").path

/// The `slope` executable built next to the test runner, else `.build/debug/slope`.
let slopeBinary: String? = {
    var candidates: [String] = []
    #if os(Linux)
    let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    candidates.append(runner.deletingLastPathComponent().appendingPathComponent("slope").path)
    #endif
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("slope").path)
    }
    candidates.append(packageRoot.appendingPathComponent(".build/debug/slope").path)
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// MPICH's `mpiexec` (`mpiexec.mpich` first: plain `mpiexec` may be Open MPI's), from `PATH`.
let mpiexec: String? = {
    let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
    for name in ["mpiexec.mpich", "mpiexec.hydra", "mpiexec"] {
        for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
            return "\(folder)/\(name)"
        }
    }
    return nil
}()

/// CI sets `SLOPE_EXPECT_MPI=1`: then a missing MPI fails the tests instead of skipping them.
let expectMPI = ProcessInfo.processInfo.environment["SLOPE_EXPECT_MPI"] == "1"

/// Whether the MPI tests run: MPICH is installed (and `slope` built), or CI says it must be.
let mpiTestsEnabled = expectMPI || (mpiexec != nil && Distributed.libraryName != nil && slopeBinary != nil)

/// What one run did.
struct ProcessRun {
    /// The exit status, or 128 + the signal that ended it.
    var status: Int32
    var stdout: String
    var stderr: String
    var timedOut: Bool
    var seconds: Double

    /// Standard output parsed as one JSON object (the last line of it).
    func json(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let line = stdout.split(separator: "\n").last.map(String.init) ?? ""
        let value = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(value as? [String: Any], "not a JSON object: \(stdout)\n\(stderr)", sourceLocation: sourceLocation)
    }
}

/// How a child's exit is awaited: the termination handler and the timeout race to finish it,
/// and the waiting test is resumed once, without holding a thread (Swift concurrency has one
/// cooperative thread per core; a test blocked on a semaphore starves every other test).
private final class ExitWaiter: @unchecked Sendable {
    private let lock = NSLock()
    private var exited = false, timedOut = false
    private var waiter: CheckedContinuation<Bool, Never>?

    /// The child ended: resumes the waiter (with whether the timeout killed it).
    func childExited() {
        lock.lock()
        exited = true
        let resume = waiter, killed = timedOut
        waiter = nil
        lock.unlock()
        resume?.resume(returning: killed)
    }

    /// The timeout passed: returns true if the child still runs (the caller then kills it).
    func timeoutPassed() -> Bool {
        lock.lock(); defer { lock.unlock() }
        if exited { return false }
        timedOut = true
        return true
    }

    /// Suspends until the child has ended; returns whether the timeout killed it.
    func wait() async -> Bool {
        await withCheckedContinuation { continuation in
            lock.lock()
            if exited {
                let killed = timedOut
                lock.unlock()
                continuation.resume(returning: killed)
            } else {
                waiter = continuation
                lock.unlock()
            }
        }
    }
}

/// A started child process with its output files.
///
/// Started with `posix_spawn`, not Foundation's `Process`: Foundation watches its children from one
/// shared monitor thread, and a long-running `mpiexec` whose descriptors were closed (below) kept that
/// thread in a blocking `wait4`, so no other test's `Process` ever finished. Here a thread of its own
/// waits for this child with `waitpid` and resumes the waiting test.
final class RunningProcess: @unchecked Sendable {
    /// The child's process id (also its process group's: the timeout kills the whole group).
    let pid: pid_t
    private let output: String, errors: String
    private let started = Date()
    private let exit = ExitWaiter()
    private let lock = NSLock()
    private var rawStatus: Int32 = 0

    /// Starts `executable arguments` in `folder` with `environment` added to this process's.
    init(_ executable: String, _ arguments: [String], in folder: URL, environment: [String: String] = [:]) throws {
        output = folder.appendingPathComponent(".stdout-\(UUID().uuidString)").path
        errors = folder.appendingPathComponent(".stderr-\(UUID().uuidString)").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        // Through bash, which first closes every descriptor above 2 and enters `folder`: the test
        // runner's other sockets (the interact tests' connections) must not live on in mpiexec and its
        // ranks, or a stopped or killed rank holds them open and then resets them.
        let argv = ["/bin/bash", "-c", Self.closeInheritedDescriptors, "bash", folder.path, executable] + arguments
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        var child: pid_t = 0
        let result = withCStrings(argv) { args in
            withCStrings(variables) { env in posix_spawn(&child, argv[0], &actions, &attributes, args, env) }
        }
        guard result == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO)
        }
        pid = child
        let started = child
        let thread = Thread { [self] in
            var status: Int32 = 0
            while waitpid(started, &status, 0) < 0 && errno == EINTR {}
            lock.lock(); rawStatus = status; lock.unlock()
            exit.childExited()
        }
        thread.name = "waitpid \(started)"
        thread.start()
    }

    /// Closes the descriptors bash inherited above 2, enters `$1`, then runs the rest.
    static let closeInheritedDescriptors = """
        for fd in /proc/$$/fd/*; do fd=${fd##*/}; if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null; fi; done; cd "$1" && shift && exec "$@"
        """

    /// Waits at most `timeout` seconds (then kills its process group), and returns what it did; the
    /// output files are removed. Suspends the calling task; holds no thread while the child runs.
    func finish(timeout: Double) async -> ProcessRun {
        let exit = self.exit, pid = self.pid
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            if exit.timeoutPassed() { kill(-pid, SIGKILL); kill(pid, SIGKILL) }
        }
        let timedOut = await exit.wait()
        let raw = lock.withLock { rawStatus }
        let signal = raw & 0x7f
        let status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        let run = ProcessRun(status: status, stdout: (try? String(contentsOfFile: output, encoding: .utf8)) ?? "",
                             stderr: (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "", timedOut: timedOut,
                             seconds: Date().timeIntervalSince(started))
        unlink(output)
        unlink(errors)
        return run
    }
}

/// Calls `body` with `strings` as a null-terminated C array of C strings.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Runs `slope arguments` alone.
func slope(_ arguments: [String], in folder: URL, environment: [String: String] = [:], timeout: Double = 300) async throws -> ProcessRun {
    let binary = try #require(slopeBinary, "no slope executable; `swift build --build-tests` builds it")
    let run = try await RunningProcess(binary, arguments, in: folder, environment: environment).finish(timeout: timeout)
    #expect(!run.timedOut, "slope \(arguments.joined(separator: " ")) ran past \(Int(timeout)) s")
    return run
}

/// Starts `mpiexec -n ranks [mpiOptions] slope arguments`.
func startMPI(ranks: Int, _ arguments: [String], in folder: URL, mpiOptions: [String] = [],
              environment: [String: String] = [:]) throws -> RunningProcess {
    let launcher = try #require(mpiexec, "SLOPE_EXPECT_MPI=1 but MPICH's mpiexec is not installed (apt-get install mpich)")
    let binary = try #require(slopeBinary, "no slope executable; `swift build --build-tests` builds it")
    return try RunningProcess(launcher, ["-n", String(ranks)] + mpiOptions + [binary] + arguments, in: folder, environment: environment)
}

/// Runs `mpiexec -n ranks slope arguments` to the end.
func slopeMPI(ranks: Int, _ arguments: [String], in folder: URL, environment: [String: String] = [:],
              timeout: Double = 300) async throws -> ProcessRun {
    let run = try await startMPI(ranks: ranks, arguments, in: folder, environment: environment).finish(timeout: timeout)
    #expect(!run.timedOut, "mpiexec -n \(ranks) slope \(arguments.joined(separator: " ")) ran past \(Int(timeout)) s")
    return run
}

/// A fresh temporary folder.
func temporaryFolder(_ label: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("slope-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// The process ids of `slope` ranks whose environment holds `tag=value` and `PMI_RANK=rank`
/// (Linux: read from `/proc`).
func rankProcesses(tag: String, value: String, rank: Int) -> [pid_t] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { entry in
        guard let pid = pid_t(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { return nil }
        let variables = Set(data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
        return variables.contains("\(tag)=\(value)") && variables.contains("PMI_RANK=\(rank)") ? pid : nil
    }
}

/// Every tensor of two exported models agrees within `tolerance · max(1, |b|)`; returns the
/// largest difference seen.
@discardableResult
func expectSameWeights(_ first: String, _ second: String, tolerance: Float,
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> Float {
    let a = try Learner.load(from: first).model.stateDict(), b = try Learner.load(from: second).model.stateDict()
    #expect(a.map(\.key) == b.map(\.key), sourceLocation: sourceLocation)
    var largest: Float = 0
    for (x, y) in zip(a, b) {
        #expect(x.tensor.shape == y.tensor.shape, "\(x.key)", sourceLocation: sourceLocation)
        for (u, v) in zip(x.tensor.scalars, y.tensor.scalars) {
            largest = max(largest, abs(u - v) / max(1, abs(v)))
        }
    }
    #expect(largest <= tolerance, "largest relative weight difference \(largest) is over \(tolerance)", sourceLocation: sourceLocation)
    #expect(a.contains { !$0.tensor.scalars.allSatisfy { $0 == 0 } }, "the weights are all zero", sourceLocation: sourceLocation)
    return largest
}
