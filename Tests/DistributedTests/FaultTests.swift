#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
import Slope

// A rank that dies, or one that stops answering (a host that vanished), ends the whole run with
// a message, in bounded time, and leaves no export behind (rank 0 writes it only at the end,
// atomically).

/// Starts a long two-rank training run tagged in its environment, waits until rank 1 is
/// training, sends it `signal`, and returns how the run ended.
private func runAndHurtRankOne(signal: Int32, environment: [String: String], folder: URL) async throws -> ProcessRun {
    let tag = UUID().uuidString
    let running = try startMPI(ranks: 2, ["train", "\(sharedData)/iris/iris.csv", "--target", "target", "--task", "classification",
                                          "--epochs", "100000", "--batch-size", "16", "--lr", "0.001", "--export", "m.slope"],
                               in: folder, environment: environment.merging(["SLOPE_TEST_RUN": tag]) { $1 })
    var victims: [pid_t] = []
    let deadline = Date().addingTimeInterval(60)
    while victims.isEmpty && Date() < deadline {
        try await Task.sleep(for: .milliseconds(100))
        victims = rankProcesses(tag: "SLOPE_TEST_RUN", value: tag, rank: 1)
    }
    #expect(victims.count == 1, "rank 1 of the run was not found")
    try await Task.sleep(for: .seconds(3))  // well into training
    for pid in victims { kill(pid, signal) }
    let run = await running.finish(timeout: 90)
    // A stopped rank left behind by a failed run: found again by its tag (never by the old pid, which may be reused).
    for pid in rankProcesses(tag: "SLOPE_TEST_RUN", value: tag, rank: 1) { kill(pid, SIGKILL) }
    return run
}

@Suite("Faults end the run", .enabled(if: mpiTestsEnabled), .serialized)
struct FaultTests {
    @Test func aRankThatStopsAnsweringEndsTheRunAfterTheTimeoutWithAMessageOnRankZero() async throws {
        let folder = try temporaryFolder("mpi-stopped")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await runAndHurtRankOne(signal: SIGSTOP, environment: ["SLOPE_MPI_TIMEOUT": "3"], folder: folder)
        #expect(!run.timedOut, "the run hung")
        #expect(run.status != 0)
        #expect(run.stderr.contains("slope: rank 0 of 2: ") && run.stderr.contains("did not finish within 3 s"),
                "no message from rank 0 (status \(run.status) after \(Int(run.seconds)) s):\n\(run.stderr)\nstdout:\n\(run.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".std") }.isEmpty,
                "a file was left behind")
    }

    @Test func aRankThatDiesEndsTheRunWithAMessage() async throws {
        let folder = try temporaryFolder("mpi-killed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await runAndHurtRankOne(signal: SIGKILL, environment: ["SLOPE_MPI_TIMEOUT": "10"], folder: folder)
        #expect(!run.timedOut, "the run hung")
        #expect(run.status != 0)
        // mpiexec reports the dead rank (and ends the others), or rank 0 names the collective that failed.
        let said = run.stdout + run.stderr
        #expect(said.contains("BAD TERMINATION") || said.contains("slope: rank 0 of 2: "), "no message:\n\(said)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".std") }.isEmpty,
                "a file was left behind")
    }
}
