import Foundation

/// Reading and writing the safetensors format: an 8-byte little-endian header length, a JSON
/// header mapping each tensor key to `dtype`, `shape` and `data_offsets` (plus an optional
/// `__metadata__` of string values), then the raw little-endian data. Reading checks every
/// length, offset and shape against the file's size before allocating, so a damaged or hostile
/// file gives one clear error.
///
/// ```swift
/// try SafeTensors.write([("w", Tensor([1, 2]))], metadata: ["note": "hi"], to: "w.safetensors")
/// let file = try SafeTensors.read(from: "w.safetensors")
/// ```
public enum SafeTensors {
    /// The largest header accepted (100 MB, as the reference implementation).
    public static let maxHeaderBytes = 100_000_000

    /// What a safetensors file holds.
    public struct Contents: @unchecked Sendable {
        /// The tensors, by key, in the order of their data.
        public let tensors: [(key: String, tensor: Tensor)]
        /// The `__metadata__` strings.
        public let metadata: [String: String]
        /// The CRC-32 of each tensor's bytes as stored in the file, by key (what a model file's
        /// checksums are compared with); empty for tensors that came from elsewhere.
        public internal(set) var dataCRC32: [String: UInt32] = [:]

        /// The tensor under `key`.
        ///
        /// - Parameter key: A tensor key (`0.weight`).
        /// - Returns: The tensor, or `nil` when the file has none under that key.
        public subscript(key: String) -> Tensor? { tensors.first { $0.key == key }?.tensor }
    }

    // MARK: - Writing

    /// The file's bytes for `tensors` (F32) and `metadata`.
    ///
    /// - Parameters:
    ///   - tensors: The tensors under their keys, written as F32 in this order.
    ///   - metadata: String pairs for `__metadata__` (omitted when empty).
    /// - Returns: The whole file's bytes.
    public static func encode(_ tensors: [(key: String, tensor: Tensor)], metadata: [String: String] = [:]) -> [UInt8] {
        var header: [(String, JSON)] = []
        if !metadata.isEmpty {
            header.append(("__metadata__", .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        var offset = 0
        for (key, tensor) in tensors {
            let size = tensor.count * 4
            header.append((key, .object([
                ("dtype", .string("F32")), ("shape", .array(tensor.shape.map { .int($0) })),
                ("data_offsets", .array([.int(offset), .int(offset + size)])),
            ])))
            offset += size
        }
        var headerBytes = Array(JSON.object(header).description.utf8)
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: headerBytes)
        for (_, tensor) in tensors {
            for value in tensor.storage {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
            }
        }
        return bytes
    }

    /// Writes a safetensors file atomically (a temporary file in the same folder, then a
    /// rename), so a failure never leaves a half-written file where a good one was.
    ///
    /// - Parameters:
    ///   - tensors: The tensors under their keys, written as F32.
    ///   - metadata: String pairs for `__metadata__`.
    ///   - path: The file to write.
    /// - Throws: ``ModelFileError/io(file:reason:)`` when the file cannot be written or `path` is not
    ///   a regular file; an older file there is left as it was.
    public static func write(_ tensors: [(key: String, tensor: Tensor)], metadata: [String: String] = [:], to path: String) throws(ModelFileError) {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: path)
    }

    // MARK: - Reading

    /// Reads and validates a safetensors file.
    ///
    /// - Parameter path: The safetensors file.
    /// - Returns: The tensors (converted to Float32) and the metadata.
    /// - Throws: ``ModelFileError``: `io` when the file is missing or unreadable, or any error of
    ///   ``decode(_:file:)``.
    public static func read(from path: String) throws(ModelFileError) -> Contents {
        try decode(try bytes(of: path), file: (path as NSString).lastPathComponent)
    }

    /// The bytes of the model file at `path`, read through ``FileBytes`` within
    /// ``InputLimits/modelFileBytes``.
    static func bytes(of path: String) throws(ModelFileError) -> [UInt8] {
        let limit = InputLimits.modelFileBytes
        do { return try FileBytes.read(path: path, limit: limit.value, setting: limit.setting) } catch {
            if case .notFound = error { throw .io(file: path, reason: "no such file") }
            throw .io(file: path, reason: error.reason)
        }
    }

    /// Validates and decodes the bytes of a safetensors file; `file` names it in errors.
    ///
    /// - Parameters:
    ///   - bytes: The file's bytes.
    ///   - file: The name used in error messages.
    /// - Returns: The tensors (converted to Float32) in data order, and the metadata.
    /// - Throws: ``ModelFileError``: `unsupportedDType` for a dtype Slope does not read, or
    ///   `malformed` naming what is wrong (the header's length, JSON or fields, a shape, offsets
    ///   outside the data or overlapping).
    public static func decode(_ bytes: [UInt8], file: String) throws(ModelFileError) -> Contents {
        func bad(_ reason: String) -> ModelFileError { .malformed(file: file, reason: reason) }
        guard bytes.count >= 8 else { throw bad("it has \(bytes.count) bytes; a safetensors file starts with an 8-byte header length") }
        let declared = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard declared <= UInt64(maxHeaderBytes) else { throw bad("header length \(declared) is larger than the limit of \(maxHeaderBytes) bytes") }
        let headerLength = Int(declared)
        guard 8 + headerLength <= bytes.count else {
            throw bad("header length \(headerLength) runs past the end of the file (\(bytes.count) bytes)")
        }
        let header: JSON
        do { header = try JSONParser.parse(Array(bytes[8..<(8 + headerLength)]), maxDepth: 16) } catch {
            throw bad("the header is not valid JSON: \(error)")
        }
        guard let entries = header.objectValue else { throw bad("the header is not a JSON object") }
        let dataStart = 8 + headerLength
        let dataSize = bytes.count - dataStart
        var metadata: [String: String] = [:]
        var specs: [(key: String, dtype: String, shape: [Int], begin: Int, end: Int)] = []
        var seen = Set<String>()
        for (key, value) in entries {
            guard seen.insert(key).inserted else { throw bad("the header names `\(key)` twice") }
            if key == "__metadata__" {
                guard let pairs = value.objectValue else { throw bad("`__metadata__` is not an object") }
                for (name, text) in pairs {
                    guard let string = text.stringValue else { throw bad("`__metadata__.\(name)` is not a string") }
                    metadata[name] = string
                }
                continue
            }
            guard let dtype = value["dtype"]?.stringValue else { throw bad("tensor `\(key)` has no string `dtype`") }
            guard let width = elementSize(dtype) else { throw .unsupportedDType(file: file, key: key, dtype: dtype) }
            guard let shapeValues = value["shape"]?.arrayValue, shapeValues.count <= 16 else {
                throw bad("tensor `\(key)` has no `shape` (an array of at most 16 sizes)")
            }
            var shape: [Int] = [], count = 1
            for size in shapeValues {
                guard let number = size.numberValue, number >= 0, number == number.rounded(), number <= Double(Int32.max) else {
                    throw bad("tensor `\(key)` has an invalid size in its shape")
                }
                shape.append(Int(number))
                let (product, overflow) = count.multipliedReportingOverflow(by: Int(number))
                guard !overflow, product <= Int(Int32.max) else { throw bad("tensor `\(key)` has absurd dimensions \(shape)") }
                count = product
            }
            guard let offsets = value["data_offsets"]?.arrayValue, offsets.count == 2,
                  let begin = offsets[0].numberValue, let end = offsets[1].numberValue,
                  begin >= 0, end >= begin, begin == begin.rounded(), end == end.rounded(), end <= Double(dataSize) else {
                throw bad("tensor `\(key)` has `data_offsets` outside the \(dataSize) bytes of data")
            }
            guard Int(end) - Int(begin) == count * width else {
                throw bad("tensor `\(key)` of shape \(shape) needs \(count * width) bytes but its offsets span \(Int(end) - Int(begin))")
            }
            specs.append((key, dtype, shape, Int(begin), Int(end)))
        }
        let ordered = specs.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.begin < previous.end {
            throw bad("the data of `\(previous.key)` and `\(next.key)` overlap")
        }
        let tensors = ordered.map { spec in
            (spec.key, Tensor(unchecked: spec.shape, floats(bytes, from: dataStart + spec.begin, count: spec.shape.reduce(1, *), dtype: spec.dtype)))
        }
        var sums: [String: UInt32] = [:]
        bytes.withUnsafeBytes { raw in
            for spec in ordered {
                sums[spec.key] = ModelFileChecksum.crc32(UnsafeRawBufferPointer(rebasing: raw[(dataStart + spec.begin)..<(dataStart + spec.end)]))
            }
        }
        return Contents(tensors: tensors, metadata: metadata, dataCRC32: sums)
    }

    /// Bytes per value of the dtypes Slope reads (converted to Float32).
    static func elementSize(_ dtype: String) -> Int? {
        switch dtype {
        case "F32", "I32": return 4
        case "F64", "I64": return 8
        default: return nil
        }
    }

    private static func floats(_ bytes: [UInt8], from start: Int, count: Int, dtype: String) -> [Float] {
        bytes.withUnsafeBytes { raw in
            (0..<count).map { i -> Float in
                switch dtype {
                case "F32": return Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self)))
                case "I32": return Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: Int32.self)))
                case "F64": return Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * i, as: UInt64.self))))
                default: return Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * i, as: Int64.self)))
                }
            }
        }
    }
}

/// Writes files so that readers see either the old file or the whole new one.
enum AtomicFile {
    /// Writes `bytes` through ``FileBytes/writeAtomically(_:to:)``: a temporary file beside
    /// `path` (removed on failure or SIGINT/SIGTERM), flushed, then renamed over `path`; a
    /// destination that is not a regular file is refused.
    static func write(_ bytes: [UInt8], to path: String) throws(ModelFileError) {
        do { try FileBytes.writeAtomically(bytes, to: path) } catch { throw .io(file: path, reason: error.reason) }
    }
}
