#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads with a size limit, and atomic writes (temporary file + rename), for image data.
///
/// Errors name the file as the caller spelled it.
///
/// ```swift
/// let bytes = try FileBytes.read(path: "digits.idx", limit: 1 << 30)
/// try FileBytes.writeAtomically(bytes, to: "copy.idx")
/// ```
enum FileBytes {
    /// Reads the whole file at `path`, refusing files larger than `limit` bytes before reading them.
    ///
    /// ```swift
    /// let bytes = try FileBytes.read(path: "cat.png", limit: 1 << 28)
    /// ```
    static func read(path: String, limit: Int) throws(ImageDataError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw openError(path: path, code: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .unreadable(file: path, reason: describe(errno))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            let isFolder = (status.st_mode & S_IFMT) == S_IFDIR
            throw .unreadable(file: path, reason: isFolder ? "it is a folder, not a file" : "it is not a regular file")
        }
        let size = Int(status.st_size)
        guard size <= limit else { throw .fileTooLarge(file: path, bytes: size, limit: limit) }
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

    /// Reads up to the first `count` bytes of a file, or `nil` if it cannot be opened or read.
    ///
    /// ```swift
    /// let magic = FileBytes.prefix(path: "maybe-image", count: 8)
    /// ```
    static func prefix(path: String, count: Int) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { posixRead(descriptor, $0.baseAddress!, count) }
        guard got >= 0 else { return nil }
        return Array(bytes.prefix(got))
    }

    /// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so the
    /// destination is either the old file or the complete new one, never half-written.
    ///
    /// ```swift
    /// try FileBytes.writeAtomically([1, 2, 3], to: "out.bin")
    /// ```
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ImageDataError) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty else { throw .writeFailed(file: path, reason: "the path names a folder, not a file") }
        let temporary = "\(folder).\(name).\(getpid()).\(UInt32.random(in: 0 ... .max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let code = errno
            throw .writeFailed(file: path, reason: code == ENOENT ? "the folder does not exist" : describe(code))
        }
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
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw .writeFailed(file: path, reason: describe(failure))
        }
    }

    // MARK: - Helpers

    private static func openError(path: String, code: Int32) -> ImageDataError {
        switch code {
        case ENOENT, ENOTDIR: return .fileNotFound(file: path)
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
