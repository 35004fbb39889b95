import CZlib

/// The CRC-32 checksums that let loading tell a damaged model file from a good one: one per
/// tensor, of the tensor's bytes as stored, in the manifest's `tensorCRC32` object, and one of the
/// manifest's own text in `__metadata__.slopeManifestCRC32`. The file stays a plain safetensors
/// file (other readers ignore both). CRC-32 (zlib's, the polynomial of gzip and PNG) catches every
/// flipped bit and every burst of up to 32 bits; it guards against damage, not against someone who
/// edits a file on purpose and recomputes the checksums (what the load checks are for).
///
/// A file written before checksums existed has neither and loads without them; a file with one
/// and not the other is damaged (docs/FORMAT.md).
///
/// ```swift
/// ModelFileChecksum.hex(ModelFileChecksum.crc32(Array("123456789".utf8)))  // "cbf43926"
/// ```
enum ModelFileChecksum {
    /// The `__metadata__` key of the manifest's checksum.
    static let manifestKey = "slopeManifestCRC32"
    /// The manifest member that maps each tensor key to its checksum.
    static let tensorsField = "tensorCRC32"

    /// The CRC-32 of `bytes`, continuing from `previous` (0 for a fresh checksum).
    ///
    /// - Parameters:
    ///   - bytes: the bytes.
    ///   - previous: the checksum of the bytes before these.
    /// - Returns: the checksum.
    static func crc32(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        var crc = UInt(previous)
        var start = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var left = bytes.count
        while left > 0, let pointer = start {
            // zlib takes a 32-bit length: feed it at most 1 GiB at a time.
            let chunk = Swift.min(left, 1 << 30)
            crc = CZlib.crc32(crc, pointer, UInt32(chunk))
            start = pointer + chunk
            left -= chunk
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    /// The CRC-32 of a byte array.
    ///
    /// - Parameter bytes: the bytes.
    /// - Returns: the checksum.
    static func crc32(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { crc32($0) } }

    /// The CRC-32 of `values` written as safetensors writes them (F32, little-endian).
    ///
    /// - Parameter values: the values.
    /// - Returns: the checksum.
    static func crc32(float32 values: [Float]) -> UInt32 {
        #if _endian(little)
        return values.withUnsafeBytes { crc32($0) }
        #else
        return values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { crc32($0) }
        #endif
    }

    /// Eight lowercase hexadecimal digits.
    ///
    /// - Parameter value: the checksum.
    /// - Returns: its text form.
    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// The checksum a text form gives, or nil when it is not eight hexadecimal digits.
    static func parse(_ text: String) -> UInt32? {
        guard text.utf8.count == 8, text.utf8.allSatisfy({ $0 < 0x80 && Character(UnicodeScalar($0)).isHexDigit }) else { return nil }
        return UInt32(text, radix: 16)
    }

    // MARK: - Writing

    /// The bytes of a model file: `tensors` and `manifest` (whose `tensorCRC32` is replaced by the
    /// tensors' checksums), with the manifest's checksum beside it in `__metadata__`.
    ///
    /// - Parameters:
    ///   - tensors: the state dict.
    ///   - manifest: the manifest, an object.
    /// - Returns: the safetensors bytes.
    static func encodeModelFile(_ tensors: [(key: String, tensor: Tensor)], manifest: JSON) -> [UInt8] {
        let text = withTensorChecksums(manifest, of: tensors).description
        return SafeTensors.encode(tensors, metadata: ["format": "slope", "slope": text,
                                                      manifestKey: hex(crc32(Array(text.utf8)))])
    }

    /// `manifest` (an object) with its `tensorCRC32` member, last, set to the checksums of
    /// `tensors` as export writes them.
    ///
    /// - Parameters:
    ///   - manifest: the manifest.
    ///   - tensors: the state dict.
    /// - Returns: the manifest with the checksums.
    static func withTensorChecksums(_ manifest: JSON, of tensors: [(key: String, tensor: Tensor)]) -> JSON {
        let sums = JSON.object(tensors.map { ($0.key, .string(hex(crc32(float32: $0.tensor.storage)))) })
        return .object((manifest.objectValue ?? []).filter { $0.0 != tensorsField } + [(tensorsField, sums)])
    }

    // MARK: - Checking

    /// Checks a loaded file's checksums: the manifest text against `__metadata__`'s, and every
    /// tensor's bytes against the manifest's `tensorCRC32` (which must list exactly the file's
    /// tensors). A file with neither (written before checksums existed) passes.
    ///
    /// - Parameters:
    ///   - contents: the decoded file.
    ///   - manifestText: the manifest as stored.
    ///   - manifest: the parsed manifest.
    ///   - file: the file's name, for messages.
    /// - Throws: ``ModelFileError/damaged(file:part:)`` naming what does not match.
    static func verify(_ contents: SafeTensors.Contents, manifestText: String, manifest: JSON, file: String) throws(ModelFileError) {
        let table = manifest[tensorsField]
        guard let stored = contents.metadata[manifestKey] else {
            if table == nil { return }  // written before checksums existed
            throw .damaged(file: file, part: "the manifest has tensor checksums but `__metadata__` has no \(manifestKey)")
        }
        guard let expected = parse(stored) else {
            throw .damaged(file: file, part: "`__metadata__.\(manifestKey)` is not eight hexadecimal digits")
        }
        let actual = crc32(Array(manifestText.utf8))
        guard actual == expected else {
            throw .damaged(file: file, part: "the manifest's CRC-32 is \(hex(actual)), not the \(hex(expected)) stored with it")
        }
        guard let table else {
            throw .damaged(file: file, part: "`__metadata__` has a \(manifestKey) but the manifest has no \(tensorsField)")
        }
        try verifyTensors(contents, table: table, file: file)
    }

    private static func verifyTensors(_ contents: SafeTensors.Contents, table: JSON, file: String) throws(ModelFileError) {
        guard let pairs = table.objectValue else { throw .damaged(file: file, part: "manifest.\(tensorsField) is not an object") }
        var expected: [String: UInt32] = [:]
        for (key, value) in pairs {
            guard let text = value.stringValue, let sum = parse(text), expected.updateValue(sum, forKey: key) == nil else {
                throw .damaged(file: file, part: "manifest.\(tensorsField) has a bad entry for `\(key)`")
            }
        }
        for (key, _) in contents.tensors {
            guard let sum = expected.removeValue(forKey: key) else {
                throw .damaged(file: file, part: "tensor `\(key)` has no checksum in manifest.\(tensorsField)")
            }
            let actual = contents.dataCRC32[key] ?? 0
            guard actual == sum else {
                throw .damaged(file: file, part: "the data of tensor `\(key)` has CRC-32 \(hex(actual)), not the \(hex(sum)) the manifest records")
            }
        }
        if let missing = expected.keys.sorted().first {
            throw .damaged(file: file, part: "manifest.\(tensorsField) lists tensor `\(missing)`, which the file does not hold")
        }
    }
}
