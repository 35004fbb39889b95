/// A bounded reader of the zip archives `torch.save` writes: the central directory (with ZIP64
/// records and extra fields), stored (uncompressed) entries, every offset and size checked
/// against the file before use. PyTorch writes every entry stored (so that storages can be
/// memory-mapped and 64-byte aligned), so compressed entries are refused by name rather than
/// inflated. Written here instead of taking a zip library because it needs ~150 lines, no
/// dependency, and each bound is one that Slope's fuzz test exercises.
///
/// ```swift
/// let archive = try ZipArchive(bytes, file: "model.pt")
/// let pickle = try archive.contents(of: "model/data.pkl")
/// ```
public struct ZipArchive: Sendable {
    /// One entry of the central directory.
    public struct Entry: Sendable, Equatable {
        /// The entry's name (`archive/data/0`).
        public let name: String
        /// The compression method (0: stored).
        public let method: Int
        /// The stored size.
        public let compressedSize: Int
        /// The size once extracted.
        public let size: Int
        /// The offset of the entry's local header.
        public let localHeaderOffset: Int
    }

    /// The archive's bytes.
    public let bytes: [UInt8]
    /// The file name, for messages.
    public let file: String
    /// The entries, in central-directory order.
    public let entries: [Entry]
    private let index: [String: Int]

    /// The most entries an archive may list.
    public static let maxEntries = 1 << 20

    /// Reads the central directory.
    ///
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - file: its name, for messages.
    /// - Throws: ``ModelFileError/malformed(file:reason:)`` naming what is wrong.
    public init(_ bytes: [UInt8], file: String) throws(ModelFileError) {
        self.bytes = bytes
        self.file = file
        func fail(_ reason: String) -> ModelFileError { .malformed(file: file, reason: "zip archive: " + reason) }
        func read(_ offset: Int, _ count: Int) throws(ModelFileError) -> UInt64 {
            guard offset >= 0, count <= 8, offset <= bytes.count - count else { throw fail("a record runs past the end of the file") }
            var value: UInt64 = 0
            for shift in 0..<count { value |= UInt64(bytes[offset + shift]) << (8 * UInt64(shift)) }
            return value
        }
        func int(_ offset: Int, _ count: Int) throws(ModelFileError) -> Int {
            let value = try read(offset, count)
            guard value <= UInt64(Int.max / 2) else { throw fail("a size or offset of \(value)") }
            return Int(value)
        }
        // The end-of-central-directory record: within the last 64 KiB + 22 bytes.
        guard bytes.count >= 22 else { throw fail("too short to be a zip archive") }
        var end = -1
        var candidate = bytes.count - 22
        let lowest = Swift.max(0, bytes.count - 22 - 65_535)
        while candidate >= lowest {
            if bytes[candidate] == 0x50, bytes[candidate + 1] == 0x4B, bytes[candidate + 2] == 0x05, bytes[candidate + 3] == 0x06 {
                end = candidate
                break
            }
            candidate -= 1
        }
        guard end >= 0 else { throw fail("no end-of-central-directory record") }
        var count = try int(end + 10, 2)
        var directorySize = try int(end + 12, 4)
        var directoryOffset = try int(end + 16, 4)
        // ZIP64: a locator just before the record points to the ZIP64 end record.
        if end >= 20, try read(end - 20, 4) == 0x0706_4B50 {
            let record = try int(end - 20 + 8, 8)
            guard try read(record, 4) == 0x0606_4B50 else { throw fail("the ZIP64 locator points at no ZIP64 record") }
            count = try int(record + 32, 8)
            directorySize = try int(record + 40, 8)
            directoryOffset = try int(record + 48, 8)
        }
        guard count <= ZipArchive.maxEntries else { throw fail("\(count) entries, more than the limit of \(ZipArchive.maxEntries)") }
        guard directoryOffset <= bytes.count, directorySize <= bytes.count - directoryOffset else {
            throw fail("the central directory lies outside the file")
        }
        var entries: [Entry] = []
        var index: [String: Int] = [:]
        var offset = directoryOffset
        for _ in 0..<count {
            guard try read(offset, 4) == 0x0201_4B50 else { throw fail("a central-directory entry without its signature") }
            let method = try int(offset + 10, 2)
            var compressed = try int(offset + 20, 4)
            var size = try int(offset + 24, 4)
            let nameLength = try int(offset + 28, 2), extraLength = try int(offset + 30, 2), commentLength = try int(offset + 32, 2)
            var local = try int(offset + 42, 4)
            let nameStart = offset + 46
            guard nameStart + nameLength + extraLength <= bytes.count else { throw fail("an entry's name runs past the end of the file") }
            let name = String(decoding: bytes[nameStart..<(nameStart + nameLength)], as: UTF8.self)
            // The ZIP64 extra field holds, in order, whichever of the sizes and offset were 0xFFFFFFFF.
            var extra = nameStart + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let tag = try int(extra, 2), length = try int(extra + 2, 2)
                guard extra + 4 + length <= extraEnd else { throw fail("entry `\(name)`: an extra field runs past its entry") }
                if tag == 1 {
                    var field = extra + 4
                    for slot in 0..<3 {
                        let needed = [size, compressed, local][slot] == 0xFFFF_FFFF
                        guard needed else { continue }
                        guard field + 8 <= extra + 4 + length else { throw fail("entry `\(name)`: a short ZIP64 extra field") }
                        let value = try int(field, 8)
                        if slot == 0 { size = value } else if slot == 1 { compressed = value } else { local = value }
                        field += 8
                    }
                }
                extra += 4 + length
            }
            guard index[name] == nil else { throw fail("two entries named `\(name)`") }
            index[name] = entries.count
            entries.append(Entry(name: name, method: method, compressedSize: compressed, size: size, localHeaderOffset: local))
            offset = extraEnd + commentLength
            guard offset <= directoryOffset + directorySize else { throw fail("the central directory is longer than it says") }
        }
        self.entries = entries
        self.index = index
    }

    /// Whether an entry of that name exists.
    ///
    /// - Parameter name: the entry's name.
    /// - Returns: whether it is listed.
    public func contains(_ name: String) -> Bool { index[name] != nil }

    /// The bytes of a stored entry, without copying.
    ///
    /// - Parameter name: the entry's name.
    /// - Returns: its bytes.
    /// - Throws: ``ModelFileError/malformed(file:reason:)`` when it is missing, compressed or out of bounds.
    public func contents(of name: String) throws(ModelFileError) -> ArraySlice<UInt8> {
        func fail(_ reason: String) -> ModelFileError { .malformed(file: file, reason: "zip entry `\(name)`: " + reason) }
        guard let position = index[name] else { throw fail("missing") }
        let entry = entries[position]
        guard entry.method == 0 else { throw fail("compressed with method \(entry.method); PyTorch stores entries uncompressed (method 0)") }
        guard entry.size == entry.compressedSize else { throw fail("a stored entry whose sizes differ") }
        let local = entry.localHeaderOffset
        guard local >= 0, local <= bytes.count - 30,
              bytes[local] == 0x50, bytes[local + 1] == 0x4B, bytes[local + 2] == 0x03, bytes[local + 3] == 0x04 else {
            throw fail("no local header at offset \(local)")
        }
        let nameLength = Int(bytes[local + 26]) | Int(bytes[local + 27]) << 8
        let extraLength = Int(bytes[local + 28]) | Int(bytes[local + 29]) << 8
        let start = local + 30 + nameLength + extraLength
        guard start <= bytes.count, entry.size <= bytes.count - start else { throw fail("its data runs past the end of the file") }
        return bytes[start..<(start + entry.size)]
    }
}
