#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CSlope

/// The one way Slope reads and writes whole files: every reader (CSV, PNG/JPEG, IDX, model files)
/// reads through ``read(path:limit:setting:)`` and every writer writes through
/// ``writeAtomically(_:to:)``.
///
/// Reading checks the file's type before opening it (a FIFO is never opened, so it cannot block;
/// a device or folder is refused), then its size against the caller's limit, before a byte is
/// allocated. Writing goes through a temporary file beside the destination and a rename, refuses
/// destinations that are not regular files, follows a symbolic link to the regular file it names,
/// and removes the temporary file if the process gets SIGINT or SIGTERM meanwhile. Errors name the
/// file as the caller spelled it.
///
/// ```swift
/// let bytes = try FileBytes.read(path: "digits.idx", limit: 1 << 30)
/// try FileBytes.writeAtomically(bytes, to: "copy.idx")
/// ```
public enum FileBytes {
    // MARK: - File types

    /// What a path names, by `stat` (links followed) or `lstat` (not followed).
    ///
    /// ```swift
    /// FileBytes.kind(of: "/dev/zero")  // .other("a character device")
    /// ```
    public enum Kind: Equatable, Sendable {
        /// Nothing (or a link to nothing, when links are followed).
        case missing
        /// A regular file of this many bytes.
        case regular(bytes: Int)
        /// A folder.
        case folder
        /// A symbolic link (only when links are not followed).
        case link
        /// A FIFO, device or socket, described (`a FIFO (named pipe)`).
        case other(String)
    }

    /// The kind of `path`, following symbolic links unless `followingLinks` is false. Opens nothing.
    ///
    /// ```swift
    /// if case .regular(let size) = FileBytes.kind(of: "table.csv") { print(size) }
    /// ```
    /// - Parameters:
    ///   - path: the path to look at.
    ///   - followingLinks: `stat` (true) or `lstat` (false).
    /// - Returns: the kind, `.missing` when `stat` fails.
    public static func kind(of path: String, followingLinks: Bool = true) -> Kind {
        var status = stat()
        let result = followingLinks ? stat(path, &status) : lstat(path, &status)
        guard result == 0 else { return .missing }
        return kind(ofMode: status.st_mode, size: Int(status.st_size))
    }

    private static func kind(ofMode mode: mode_t, size: Int) -> Kind {
        switch mode & S_IFMT {
        case S_IFREG: return .regular(bytes: size)
        case S_IFDIR: return .folder
        case S_IFLNK: return .link
        case S_IFIFO: return .other("a FIFO (named pipe)")
        case S_IFCHR: return .other("a character device")
        case S_IFBLK: return .other("a block device")
        case S_IFSOCK: return .other("a socket")
        default: return .other("a special file")
        }
    }

    /// Throws unless `path` is a regular file (links followed); opens nothing.
    ///
    /// ```swift
    /// try FileBytes.requireRegularFile("images/cat/1.png")
    /// ```
    /// - Parameter path: the path to check.
    /// - Returns: the file's size in bytes.
    /// - Throws: ``FileAccessError/notFound(file:)`` or ``FileAccessError/notRegular(file:kind:)``.
    @discardableResult
    public static func requireRegularFile(_ path: String) throws(FileAccessError) -> Int {
        switch kind(of: path) {
        case .regular(let bytes): return bytes
        case .missing:
            if case .link = kind(of: path, followingLinks: false) { throw .notRegular(file: path, kind: "a symbolic link to nothing") }
            throw .notFound(file: path)
        case .folder: throw .notRegular(file: path, kind: "a folder")
        case .link: throw .notRegular(file: path, kind: "a symbolic link")
        case .other(let kind): throw .notRegular(file: path, kind: kind)
        }
    }

    // MARK: - Reading

    /// Reads the whole regular file at `path`, refusing any other kind of file before opening it
    /// and files larger than `limit` bytes before reading them.
    ///
    /// ```swift
    /// let bytes = try FileBytes.read(path: "cat.png", limit: 1 << 28)
    /// ```
    /// - Parameters:
    ///   - path: the file.
    ///   - limit: the most bytes accepted.
    ///   - setting: the environment variable that raises `limit`, named in the error.
    /// - Returns: the file's bytes.
    /// - Throws: ``FileAccessError``.
    public static func read(path: String, limit: Int, setting: String? = nil) throws(FileAccessError) -> [UInt8] {
        try requireRegularFile(path)
        // O_NONBLOCK: if the path was swapped for a FIFO since the check, opening does not wait.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else { throw openError(path: path, code: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(file: path, reason: describe(errno)) }
        guard case .regular(let size) = kind(ofMode: status.st_mode, size: Int(status.st_size)) else {
            throw .notRegular(file: path, kind: "a file that changed while being opened")
        }
        guard size <= limit else { throw .tooLarge(file: path, bytes: size, limit: limit, setting: setting) }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        var failure: Int32 = 0
        bytes.withUnsafeMutableBytes { buffer in
            while filled < size {
                let count = posixRead(descriptor, buffer.baseAddress! + filled, size - filled)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if count == 0 { return }  // the file shrank while being read
                filled += count
            }
        }
        guard failure == 0 else { throw .unreadable(file: path, reason: describe(failure)) }
        if filled < size { bytes.removeLast(size - filled) }
        return bytes
    }

    /// Reads up to the first `count` bytes of a regular file, or `nil` for anything else (a
    /// missing file, a FIFO, a device: never opened).
    ///
    /// ```swift
    /// let magic = FileBytes.prefix(path: "maybe-image", count: 8)
    /// ```
    /// - Parameters:
    ///   - path: the file.
    ///   - count: how many bytes at most.
    /// - Returns: the bytes read, or nil.
    public static func prefix(path: String, count: Int) -> [UInt8]? {
        guard case .regular = kind(of: path) else { return nil }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, case .regular = kind(ofMode: status.st_mode, size: 0) else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { posixRead(descriptor, $0.baseAddress!, count) }
        guard got >= 0 else { return nil }
        return Array(bytes.prefix(got))
    }

    // MARK: - Writing

    /// Writes `bytes` to `path` through a temporary file in the destination's folder and a
    /// rename, so the destination is either the old file or the complete new one, never
    /// half-written. The destination must be a regular file or not exist; a symbolic link is
    /// followed to the regular file it names (the link stays). The temporary file is removed on
    /// failure and on SIGINT/SIGTERM during the write.
    ///
    /// ```swift
    /// try FileBytes.writeAtomically([1, 2, 3], to: "out.bin")
    /// ```
    /// - Parameters:
    ///   - bytes: the whole contents.
    ///   - path: the destination.
    /// - Throws: ``FileAccessError/notRegular(file:kind:)`` or ``FileAccessError/writeFailed(file:reason:)``.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileAccessError) {
        let target = try destination(of: path)
        let slash = target.lastIndex(of: "/")
        let folder = slash.map { String(target[...$0]) } ?? ""
        let name = slash.map { String(target[target.index(after: $0)...]) } ?? target
        guard !name.isEmpty else { throw .notRegular(file: path, kind: "a folder") }
        if !folder.isEmpty, kind(of: folder) != .folder {
            throw .writeFailed(file: path, reason: "the folder `\(folder)` does not exist")
        }
        var existingMode: mode_t?
        var status = stat()
        if stat(target, &status) == 0 { existingMode = status.st_mode & 0o7777 }
        let temporary = "\(folder).\(name).\(getpid()).\(UInt32.random(in: 0 ... .max)).tmp"
        let slot = slope_temporary_register(temporary)
        defer { slope_temporary_unregister(slot) }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            let code = errno
            throw .writeFailed(file: path, reason: code == ENOENT ? "the folder does not exist" : describe(code))
        }
        if let existingMode { fchmod(descriptor, existingMode) }
        var written = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                written += count
            }
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(temporary, target) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw .writeFailed(file: path, reason: describe(failure))
        }
    }

    /// The regular file (or new file) a write to `path` replaces: `path` itself, or where its
    /// symbolic links lead.
    private static func destination(of path: String) throws(FileAccessError) -> String {
        if path.hasSuffix("/") { throw .notRegular(file: path, kind: "a folder") }
        switch kind(of: path, followingLinks: false) {
        case .missing, .regular: return path
        case .folder: throw .notRegular(file: path, kind: "a folder")
        case .other(let kind): throw .notRegular(file: path, kind: kind)
        case .link:
            guard let resolved = realpath(path, nil) else {
                throw .notRegular(file: path, kind: "a symbolic link to nothing (\(describe(errno)))")
            }
            defer { free(resolved) }
            let target = String(cString: resolved)
            switch kind(of: target) {
            case .regular: return target
            case .missing: throw .notRegular(file: path, kind: "a symbolic link to nothing")
            case .folder: throw .notRegular(file: path, kind: "a symbolic link to a folder")
            case .link, .other: throw .notRegular(file: path, kind: "a symbolic link to a special file (\(target))")
            }
        }
    }

    // MARK: - Helpers

    private static func openError(path: String, code: Int32) -> FileAccessError {
        switch code {
        case ENOENT, ENOTDIR: return .notFound(file: path)
        case EACCES: return .unreadable(file: path, reason: "permission denied")
        default: return .unreadable(file: path, reason: describe(code))
        }
    }

    private static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// `read(2)`, named apart from `FileBytes.read(path:limit:)`.
private func posixRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(descriptor, buffer, count)
    #elseif canImport(Musl)
    return Musl.read(descriptor, buffer, count)
    #else
    return Darwin.read(descriptor, buffer, count)
    #endif
}
