/// Reads and writes IDX files, the format of MNIST and Fashion-MNIST, plain or gzip-compressed.
///
/// An IDX file is `00 00 <type> <n>`, then `n` big-endian 32-bit dimensions, then the elements in
/// row-major order. Only unsigned bytes (type `0x08`) are read: images `[count, rows, columns]`
/// (magic `00 00 08 03`) and labels `[count]` (magic `00 00 08 01`). A file that starts with the
/// gzip magic `1f 8b` is inflated first, whatever its name, and never to more than its header
/// declares. Bad input throws an ``ImageDataError`` naming the file; it never traps.
///
/// ```swift
/// let (shape, bytes) = try IDXFile.read(path: "t10k-labels-idx1-ubyte.gz")
/// print(shape, bytes.prefix(3))  // [10000] [9, 2, 1]
/// ```
public enum IDXFile {
    /// The most elements a file may declare (``InputLimits/idxElements``, 2^28 by default); more
    /// means a corrupt header or a file too large to train on here.
    public static var maxElements: Int { InputLimits.idxElements.value }

    /// The largest file read, compressed or not: a full header plus ``maxElements`` bytes.
    static var maxFileBytes: Int { maxElements + 4 + 4 * 255 }

    // MARK: - Reading

    /// Reads the IDX file at `path` (plain or gzipped) into its shape and its bytes.
    ///
    /// ```swift
    /// let (shape, pixels) = try IDXFile.read(path: "t10k-images-idx3-ubyte.gz")  // [10000, 28, 28]
    /// ```
    ///
    /// - Parameter path: The file to read; gzip is detected from its first bytes, not its name.
    /// - Returns: The dimensions and the elements, row-major.
    /// - Throws: ``ImageDataError``: `fileNotFound`, `unreadable` (a folder, FIFO or device, a file
    ///   over the size limit, a read error), or any error of ``parse(_:source:)``.
    public static func read(path: String) throws(ImageDataError) -> (shape: [Int], bytes: [UInt8]) {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path: path, limit: maxFileBytes, setting: InputLimits.idxElements.setting) } catch {
            throw ImageDataError(error)
        }
        return try parse(bytes, source: path)
    }

    /// Parses the bytes of an IDX file (plain or gzipped); `source` names it in error messages.
    ///
    /// ```swift
    /// let (shape, bytes) = try IDXFile.parse([0, 0, 8, 1, 0, 0, 0, 2, 7, 3], source: "inline")  // [2], [7, 3]
    /// ```
    ///
    /// - Parameters:
    ///   - fileBytes: The file's bytes, plain or gzipped.
    ///   - source: The name used in error messages.
    /// - Returns: The dimensions and the elements, row-major.
    /// - Throws: ``ImageDataError``: `badIDXMagic`, `unsupportedIDXType` for non-byte element types,
    ///   `absurdDimensions` above ``maxElements``, `truncated` or `trailingData` when the size does
    ///   not match the header, or `corruptGzip` for a damaged compressed file.
    public static func parse(_ fileBytes: [UInt8], source: String) throws(ImageDataError) -> (shape: [Int], bytes: [UInt8]) {
        let compressed = Gzip.isCompressed(fileBytes)
        let head = compressed ? try Gzip.inflate(fileBytes, capacity: 4 + 4 * 255, file: source).bytes : fileBytes
        let shape = try parseHeader(head, source: source)
        let headerSize = 4 + 4 * shape.count
        let total = headerSize + shape.reduce(1, *)
        let contents: [UInt8]
        if compressed {
            // Deflate expands at most 1032-fold, so a header that declares more than the stream can
            // hold costs no more memory than the stream could really produce.
            let (bound, overflow) = fileBytes.count.multipliedReportingOverflow(by: 1032)
            let capacity = overflow ? total + 1 : min(total + 1, bound + 1024)
            let (inflated, _) = try Gzip.inflate(fileBytes, capacity: capacity, file: source)
            contents = inflated
        } else {
            contents = fileBytes
        }
        guard contents.count >= total else {
            throw .truncated(file: source, expectedBytes: total, foundBytes: contents.count)
        }
        guard contents.count == total else { throw .trailingData(file: source, expectedBytes: total) }
        return (shape, Array(contents[headerSize...]))
    }

    /// Checks the magic and reads the dimensions; the element count is checked against ``maxElements``.
    private static func parseHeader(_ bytes: [UInt8], source: String) throws(ImageDataError) -> [Int] {
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0, bytes[3] > 0 else {
            if bytes.count < 4, bytes.allSatisfy({ $0 == 0 }) {
                throw .truncated(file: source, expectedBytes: 4, foundBytes: bytes.count)
            }
            throw .badIDXMagic(file: source, found: Array(bytes.prefix(4)))
        }
        let type = bytes[2]
        guard type == 0x08 else {
            if [0x09, 0x0B, 0x0C, 0x0D, 0x0E].contains(type) { throw .unsupportedIDXType(file: source, typeCode: type) }
            throw .badIDXMagic(file: source, found: Array(bytes.prefix(4)))
        }
        let rank = Int(bytes[3])
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw .truncated(file: source, expectedBytes: headerSize, foundBytes: bytes.count)
        }
        var shape: [Int] = []
        var elements = 1
        var absurd = false
        for axis in 0 ..< rank {
            let offset = 4 + 4 * axis
            let dimension = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            shape.append(dimension)
            if !absurd {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                if overflow || product > maxElements { absurd = true } else { elements = product }
            }
        }
        if absurd { throw .absurdDimensions(file: source, shape: shape, limit: maxElements) }
        return shape
    }

    // MARK: - Writing

    /// The bytes of an IDX file of unsigned bytes with the given shape (1 to 255 dimensions).
    ///
    /// ```swift
    /// let file = IDXFile.encode(shape: [2], bytes: [7, 3])  // 00 00 08 01 00 00 00 02 07 03
    /// ```
    ///
    /// - Parameters:
    ///   - shape: The dimensions, 1 to 255 of them, each fitting in 32 bits.
    ///   - bytes: The elements, `shape.reduce(1, *)` of them.
    /// - Returns: The file's bytes (uncompressed).
    public static func encode(shape: [Int], bytes: [UInt8]) -> [UInt8] {
        require((1 ... 255).contains(shape.count), "IDXFile.encode: expected 1 to 255 dimensions, got \(shape.count)")
        require(shape.allSatisfy { (0 ... Int(UInt32.max)).contains($0) }, "IDXFile.encode: dimensions must fit in 32 bits, got \(shape)")
        let (count, overflow) = shape.reduce((1, false)) { partial, dimension in
            let (product, o) = partial.0.multipliedReportingOverflow(by: dimension)
            return (product, partial.1 || o)
        }
        require(!overflow && count == bytes.count, "IDXFile.encode: shape \(shape) needs \(count) bytes, got \(bytes.count)")
        var file: [UInt8] = [0, 0, 0x08, UInt8(shape.count)]
        file.reserveCapacity(4 + 4 * shape.count + bytes.count)
        for dimension in shape {
            file += [UInt8(dimension >> 24 & 0xFF), UInt8(dimension >> 16 & 0xFF), UInt8(dimension >> 8 & 0xFF), UInt8(dimension & 0xFF)]
        }
        file += bytes
        return file
    }

    /// Writes an IDX file of unsigned bytes atomically, gzip-compressed when `compressed` is true.
    ///
    /// ```swift
    /// try IDXFile.write(path: "labels.idx.gz", shape: [3], bytes: [0, 1, 2], compressed: true)
    /// ```
    ///
    /// - Parameters:
    ///   - path: The file to write (replaced atomically).
    ///   - shape: The dimensions, 1 to 255 of them.
    ///   - bytes: The elements, `shape.reduce(1, *)` of them.
    ///   - compressed: Whether to gzip the file.
    /// - Throws: ``ImageDataError/writeFailed(file:reason:)`` when the file cannot be written; an older
    ///   file is left as it was.
    public static func write(path: String, shape: [Int], bytes: [UInt8], compressed: Bool = false) throws(ImageDataError) {
        let file = encode(shape: shape, bytes: bytes)
        do { try FileBytes.writeAtomically(compressed ? Gzip.compress(file) : file, to: path) } catch { throw ImageDataError(error) }
    }
}
