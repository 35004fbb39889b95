import CImageCodecs

/// gzip compression and bounded decompression over zlib.
///
/// Inflating never produces more than the caller's capacity, so a small file that expands to
/// gigabytes (a "zip bomb") costs at most that capacity.
///
/// ```swift
/// let packed = Gzip.compress([1, 2, 3])
/// let (bytes, complete) = try Gzip.inflate(packed, capacity: 16, file: "inline")
/// ```
enum Gzip {
    /// Whether `bytes` starts with the gzip magic `1f 8b`.
    ///
    /// ```swift
    /// Gzip.isCompressed([0x1f, 0x8b, 8])  // true
    /// ```
    static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Inflates at most `capacity` bytes of a gzip stream; `complete` is false when the stream
    /// holds more than that. A corrupt or cut-short stream throws ``ImageDataError/corruptGzip(file:reason:)``.
    ///
    /// ```swift
    /// let (header, _) = try Gzip.inflate(fileBytes, capacity: 1024, file: "images.gz")
    /// ```
    static func inflate(_ bytes: [UInt8], capacity: Int, file: String) throws(ImageDataError) -> (bytes: [UInt8], complete: Bool) {
        var status = SLOPE_CODEC_OK
        var message = [CChar](repeating: 0, count: Int(SLOPE_CODEC_MESSAGE_SIZE))
        let output = [UInt8](unsafeUninitializedCapacity: max(capacity, 0)) { buffer, count in
            var length = 0
            status = bytes.withUnsafeBufferPointer { input in
                message.withUnsafeMutableBufferPointer { text in
                    slope_gunzip(input.baseAddress, input.count, buffer.baseAddress, buffer.count, &length, text.baseAddress)
                }
            }
            count = length
        }
        switch status {
        case SLOPE_CODEC_OK: return (output, true)
        case SLOPE_CODEC_OUTPUT_FULL: return (output, false)
        default:
            throw .corruptGzip(file: file, reason: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }

    /// Compresses `bytes` as one gzip member (`level` 0-9; 6 is zlib's default).
    ///
    /// ```swift
    /// let packed = Gzip.compress(Array("hello".utf8), level: 9)
    /// ```
    static func compress(_ bytes: [UInt8], level: Int = 6) -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        let status = bytes.withUnsafeBufferPointer { input in
            slope_gzip(input.baseAddress, input.count, Int32(clamping: level), &output, &length)
        }
        defer { slope_codec_free(output) }
        require(status == SLOPE_CODEC_OK && output != nil, "Gzip.compress: zlib failed (out of memory)")
        return Array(UnsafeBufferPointer(start: output, count: length))
    }
}
