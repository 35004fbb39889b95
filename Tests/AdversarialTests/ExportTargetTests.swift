#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing

// Class 6: the export target. A FIFO, a device, a folder or a dangling link is refused (and left
// as it was); a link to a regular file is followed (the link stays, the file it names is
// replaced atomically); a signal in the middle of an export leaves no temporary file behind.

@Suite(.serialized) struct ExportTargetTests {
    static func cases() -> [AdversarialCase] {
        let f = Fixtures.shared
        var cases: [AdversarialCase] = []
        let train = ["train", f.iris, "--target", "target", "--epochs", "1", "--layers", "8", "--export"]
        func refuse(_ name: String, _ target: String, _ words: [String], watch folder: String) {
            cases.append(AdversarialCase(name: name, arguments: train + [target], expectation: .refuse(mentioning: words), untouched: [folder]))
        }
        let fifoFolder = f.folder("export/fifo")
        refuse("export to a FIFO", f.fifo("export/fifo/model.slope"), ["model.slope", "not a regular file"], watch: fifoFolder)
        let deviceFolder = f.folder("export/device")
        let device = f.link("export/device/null.slope", to: "/dev/null")
        refuse("export to a link to /dev/null", device, ["null.slope", "not a regular file"], watch: deviceFolder)
        // Never `--export /dev/null` itself: a binary with this bug, run as root, replaces the
        // machine's /dev/null with a regular file. Through a link, only the link is at risk.
        let folderFolder = f.folder("export/folder")
        let folder = f.folder("export/folder/model.slope")
        refuse("export to a folder", folder, ["model.slope", "folder"], watch: folderFolder)
        refuse("export to a path ending in /", folderFolder + "/", [folderFolder], watch: folderFolder)
        let danglingFolder = f.folder("export/dangling")
        let dangling = f.link("export/dangling/model.slope", to: f.root + "/export/dangling/nowhere/x.slope")
        refuse("export to a dangling link", dangling, ["model.slope"], watch: danglingFolder)
        refuse("export into a missing folder", f.root + "/export/missing/model.slope", ["missing"], watch: f.root + "/export/fifo")

        // A link to a regular file: the file is replaced, the link kept.
        _ = f.folder("export/link")
        let real = f.file("export/link/real.slope", "old contents")
        let link = f.link("export/link/model.slope", to: real)
        cases.append(AdversarialCase(name: "export through a link to a regular file", arguments: train + [link, "--json"],
                                     expectation: .succeed(check: { _ in
            let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: link)
            guard destination == real else { return "the link was replaced (now \(destination ?? "not a link"))" }
            let size = (try? FileManager.default.attributesOfItem(atPath: real)[.size] as? Int) ?? 0
            guard size > 100 else { return "the linked file was not written (\(size) bytes)" }
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: f.root + "/export/link"))?.filter { $0.hasSuffix(".tmp") } ?? []
            return leftovers.isEmpty ? nil : "temporary files left: \(leftovers)"
        })))
        return cases
    }

    @Test func exportTargets() {
        runClass("export targets", Self.cases())
    }

    /// SIGINT or SIGTERM while a large model is being written leaves no temporary file. The
    /// signal is sent as soon as the temporary file appears; an attempt counts only if the signal
    /// ended the process before the rename (no `big.slope`), so that a run whose signal came too
    /// late (after the write, when the default action leaves nothing either) cannot pass for one
    /// that tested the handler. Without the handler, a counted attempt leaves the `.tmp` file and
    /// fails.
    @Test(arguments: [SIGINT, SIGTERM]) func signalDuringExportRemovesTheTemporaryFile(signal: Int32) throws {
        guard let binary = slopeBinary else { Issue.record("no slope binary"); return }
        var attempts: [String] = []
        for attempt in 1...5 {
            let folder = Fixtures.shared.folder("export/signal-\(signal)-\(attempt)")
            let run = interruptExport(binary: binary, folder: folder, signal: signal)
            guard run.counts else {
                attempts.append("sent \(run.sent), exited \(run.exited), status \(run.status), files \(run.left)")
                continue
            }
            let (status, left) = (run.status, run.left)
            #expect(!left.contains { $0.hasSuffix(".tmp") }, "temporary files left after signal \(signal): \(left)")
            // Killed by the signal itself: the handler re-raises it after cleaning up.
            #expect(status & 0x7f == signal, "exit status \(status), files \(left)")
            return
        }
        Issue.record("in 5 attempts signal \(signal) never ended an export while its temporary file existed; the handler was not tested: \(attempts)")
    }

    /// Runs an export of a 72 MB model into `folder` and sends `signal` when its temporary file
    /// appears: the wait status and the folder's files when the signal ended the process during
    /// the write (`counts`), or why it came too late (or never) to test anything.
    private func interruptExport(binary: String, folder: String, signal: Int32)
        -> (counts: Bool, sent: Bool, exited: Bool, status: Int32, left: [String]) {
        let f = Fixtures.shared
        let target = folder + "/big.slope"
        // 2 x 3000 x 3000 weights: a 72 MB file whose writing takes long enough to interrupt.
        let script = "ulimit -v \(6 << 20) && exec \"$0\" \"$@\""
        let arguments = ["/bin/sh", "-c", script, binary, "train", f.iris, "--target", "target", "--epochs", "1", "--layers",
                         "3000,3000", "--batch-size", "64", "--export", target, "--json"]
        var pid: pid_t = 0
        var pointers: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // The child starts with SIGINT and SIGTERM at their default actions, whatever the test
        // runner ignores (an ignored signal would be ignored again after the handler re-raises it).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        guard posix_spawn(&pid, "/bin/sh", &actions, &attributes, &pointers, environ) == 0 else { return (false, false, false, -1, []) }
        let start = Date()
        var sent = false
        var status: Int32 = 0
        var exited = false
        while Date().timeIntervalSince(start) < 180 {
            if waitpid(pid, &status, WNOHANG) == pid { exited = true; break }
            if !sent, ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).contains(where: { $0.hasSuffix(".tmp") }) {
                kill(pid, signal)
                sent = true
            }
            usleep(100)
        }
        if !exited { kill(pid, SIGKILL); _ = waitpid(pid, &status, 0) }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let counts = sent && exited && (status & 0x7f == signal || left.contains { $0.hasSuffix(".tmp") }) && !left.contains("big.slope")
        return (counts, sent, exited, status, left)
    }
}
