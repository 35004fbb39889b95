#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
import CSlope
@testable import Slope

// The one reader and writer of whole files: special files are refused by type before they are
// opened (a FIFO never blocks), sizes are checked before allocating, writes are atomic, refuse
// non-regular destinations and follow links to regular files.

@Suite("FileBytes")
struct FileBytesTests {
    private func folder() throws -> String { try temporaryFolder("filebytes").path }

    @Test func kindsOfFiles() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: dir + "/a.csv", contents: Data("x\n".utf8))
        mkfifo(dir + "/pipe", 0o600)
        symlink(dir + "/a.csv", dir + "/link")
        #expect(FileBytes.kind(of: dir + "/a.csv") == .regular(bytes: 2))
        #expect(FileBytes.kind(of: dir) == .folder)
        #expect(FileBytes.kind(of: dir + "/pipe") == .other("a FIFO (named pipe)"))
        #expect(FileBytes.kind(of: "/dev/zero") == .other("a character device"))
        #expect(FileBytes.kind(of: dir + "/link") == .regular(bytes: 2))
        #expect(FileBytes.kind(of: dir + "/link", followingLinks: false) == .link)
        #expect(FileBytes.kind(of: dir + "/missing") == .missing)
    }

    @Test func readRefusesSpecialFilesWithoutOpeningThem() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        mkfifo(dir + "/x.png", 0o600)
        symlink("/dev/zero", dir + "/zero.csv")
        symlink(dir + "/nowhere", dir + "/dangling")
        // A FIFO nobody writes to: opening it for reading would block for ever.
        #expect(caught(FileAccessError.self) { _ = try FileBytes.read(path: dir + "/x.png", limit: 100) }
            == .notRegular(file: dir + "/x.png", kind: "a FIFO (named pipe)"))
        #expect(caught(FileAccessError.self) { _ = try FileBytes.read(path: "/dev/zero", limit: 100) } == .notRegular(file: "/dev/zero", kind: "a character device"))
        #expect(caught(FileAccessError.self) { _ = try FileBytes.read(path: dir + "/zero.csv", limit: 100) }
            == .notRegular(file: dir + "/zero.csv", kind: "a character device"))
        #expect(caught(FileAccessError.self) { _ = try FileBytes.read(path: dir, limit: 100) } == .notRegular(file: dir, kind: "a folder"))
        #expect(caught(FileAccessError.self) { _ = try FileBytes.read(path: dir + "/dangling", limit: 100) }
            == .notRegular(file: dir + "/dangling", kind: "a symbolic link to nothing"))
        #expect(caught(FileAccessError.self) { _ = try FileBytes.read(path: dir + "/missing", limit: 100) } == .notFound(file: dir + "/missing"))
        #expect(FileBytes.prefix(path: dir + "/x.png", count: 8) == nil)
        #expect("\(FileAccessError.notRegular(file: "x.png", kind: "a FIFO (named pipe)"))" == "x.png: it is a FIFO (named pipe), not a regular file")
    }

    @Test func readChecksTheSizeBeforeAllocating() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/big.csv"
        FileManager.default.createFile(atPath: path, contents: Data())
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 1 << 40)  // a sparse terabyte
        try handle.close()
        let error = caught(FileAccessError.self) { _ = try FileBytes.read(path: path, limit: 1 << 20, setting: "SLOPE_MAX_CSV_BYTES") }
        #expect(error == .tooLarge(file: path, bytes: 1 << 40, limit: 1 << 20, setting: "SLOPE_MAX_CSV_BYTES"))
        #expect(error?.description.contains("set SLOPE_MAX_CSV_BYTES to raise the limit") == true)
        FileManager.default.createFile(atPath: dir + "/small", contents: Data([1, 2, 3]))
        #expect(try FileBytes.read(path: dir + "/small", limit: 3) == [1, 2, 3])
    }

    @Test func writesRefuseSpecialDestinationsAndLeaveThemAlone() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        mkfifo(dir + "/model.slope", 0o600)
        try FileManager.default.createDirectory(atPath: dir + "/folder.slope", withIntermediateDirectories: false)
        symlink(dir + "/nowhere/x", dir + "/dangling.slope")
        symlink("/dev/null", dir + "/null.slope")
        #expect(caught(FileAccessError.self) { try FileBytes.writeAtomically([1], to: dir + "/model.slope") }
            == .notRegular(file: dir + "/model.slope", kind: "a FIFO (named pipe)"))
        #expect(caught(FileAccessError.self) { try FileBytes.writeAtomically([1], to: dir + "/folder.slope") }
            == .notRegular(file: dir + "/folder.slope", kind: "a folder"))
        #expect(caught(FileAccessError.self) { try FileBytes.writeAtomically([1], to: dir + "/") } == .notRegular(file: dir + "/", kind: "a folder"))
        // (Never write to /dev/null itself here: if this check broke, a test run as root would replace it.)
        if case .notRegular(_, let kind)? = caught(FileAccessError.self, { try FileBytes.writeAtomically([1], to: dir + "/dangling.slope") }) {
            #expect(kind.hasPrefix("a symbolic link to nothing"))
        } else {
            Issue.record("a dangling link should be refused")
        }
        if case .notRegular(_, let kind)? = caught(FileAccessError.self, { try FileBytes.writeAtomically([1], to: dir + "/null.slope") }) {
            #expect(kind.contains("special file"))
        } else {
            Issue.record("a link to /dev/null should be refused")
        }
        if case .writeFailed? = caught(FileAccessError.self, { try FileBytes.writeAtomically([1], to: dir + "/missing/x.slope") }) {} else {
            Issue.record("a missing folder should be a write failure")
        }
        // Everything is as it was, and no temporary file is left.
        #expect(FileBytes.kind(of: dir + "/model.slope") == .other("a FIFO (named pipe)"))
        #expect(FileBytes.kind(of: dir + "/folder.slope") == .folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(names == ["dangling.slope", "folder.slope", "model.slope", "null.slope"])
    }

    @Test func writesFollowALinkToARegularFileAndKeepTheLink() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: dir + "/v1.slope", contents: Data("old".utf8), attributes: [.posixPermissions: 0o600])
        symlink("v1.slope", dir + "/latest.slope")
        try FileBytes.writeAtomically(Array("new".utf8), to: dir + "/latest.slope")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/latest.slope") == "v1.slope")
        #expect(try FileBytes.read(path: dir + "/v1.slope", limit: 10) == Array("new".utf8))
        // The replaced file keeps its permissions.
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/v1.slope")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["latest.slope", "v1.slope"])
    }

    @Test func temporaryPathsAreRegisteredOnlyDuringAWrite() {
        // Slots are reused: registering and unregistering many times never runs out.
        for _ in 0..<100 {
            let slot = slope_temporary_register("/tmp/never-created.tmp")
            #expect(slot >= 0)
            slope_temporary_unregister(slot)
        }
        #expect(slope_temporary_register(String(repeating: "a", count: 5000)) == -1)
        slope_temporary_unregister(-1)
    }
}
