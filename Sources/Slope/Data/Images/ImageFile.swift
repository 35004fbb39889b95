import CImageCodecs

/// Decodes PNG and JPEG files to 8-bit pixels, choosing the decoder by the file's first bytes.
///
/// PNG: palette, 1/2/4/16-bit, transparency, gray + alpha, RGBA and interlaced images all become
/// gray (1 channel) or RGB (3 channels), alpha composited onto white and 16-bit samples scaled to 8.
/// JPEG: gray or RGB; CMYK is refused with a clear error. Corrupt or cut-short files throw an
/// ``ImageDataError`` naming the file; the C libraries' errors are caught and nothing is printed.
///
/// ```swift
/// let image = try ImageFile.decode(path: "cat.jpg")
/// print(image.width, image.height, image.channels)  // 640 480 3
/// ```
public enum ImageFile {
    /// An image file format, recognised by magic bytes.
    ///
    /// ```swift
    /// if ImageFile.format(of: bytes) == .png { print("PNG") }
    /// ```
    public enum Format: String, Sendable {
        /// Portable Network Graphics: starts with `89 50 4E 47 0D 0A 1A 0A`.
        case png = "PNG"
        /// JPEG/JFIF/Exif: starts with `FF D8 FF`.
        case jpeg = "JPEG"
    }

    /// The default limit on `width × height` (``InputLimits/imagePixels``, 2^26 = 8192 × 8192):
    /// larger images are refused before their pixels are allocated, so a corrupt header cannot
    /// take gigabytes.
    public static var defaultMaxPixels: Int { InputLimits.imagePixels.value }

    /// The largest image file read (``InputLimits/imageFileBytes``, 256 MiB).
    public static var maxFileBytes: Int { InputLimits.imageFileBytes.value }

    /// The format `bytes` starts with, or `nil` when it is neither PNG nor JPEG.
    ///
    /// ```swift
    /// ImageFile.format(of: [0xFF, 0xD8, 0xFF, 0xE0])  // .jpeg
    /// ```
    ///
    /// - Parameter bytes: The file's first bytes (8 are enough).
    /// - Returns: `.png`, `.jpeg`, or `nil`.
    public static func format(of bytes: some Collection<UInt8>) -> Format? {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if bytes.starts(with: png) { return .png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        return nil
    }

    // MARK: - Decoding

    /// Reads and decodes the PNG or JPEG file at `path` to gray or RGB pixels.
    ///
    /// ```swift
    /// let image = try ImageFile.decode(path: "photos/dog.png")
    /// ```
    ///
    /// - Parameters:
    ///   - path: The image file (a regular file of at most ``maxFileBytes``).
    ///   - maxPixels: The largest `width × height` accepted.
    /// - Returns: The image, 1 (gray) or 3 (RGB) channels.
    /// - Throws: ``ImageDataError``: `fileNotFound`, `unreadable` (a folder, FIFO or device, a file
    ///   over ``maxFileBytes``, a read error), or any error of ``decode(bytes:source:maxPixels:)``.
    public static func decode(path: String, maxPixels: Int = defaultMaxPixels) throws(ImageDataError) -> DecodedImage {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path: path, limit: maxFileBytes, setting: InputLimits.imageFileBytes.setting) } catch {
            throw ImageDataError(error)
        }
        return try decode(bytes: bytes, source: path, maxPixels: maxPixels)
    }

    /// Decodes PNG or JPEG bytes to gray or RGB pixels; `source` names them in error messages.
    ///
    /// ```swift
    /// let image = try ImageFile.decode(bytes: downloaded, source: "upload")
    /// ```
    ///
    /// - Parameters:
    ///   - bytes: The file's bytes.
    ///   - source: The name used in error messages.
    ///   - maxPixels: The largest `width × height` accepted; larger images are refused before their
    ///     pixels are allocated.
    /// - Returns: The image, 1 (gray) or 3 (RGB) channels.
    /// - Throws: ``ImageDataError``: `unknownImageFormat` (neither PNG nor JPEG), `corruptImage` (bad
    ///   or cut-short data), `imageTooLarge`, `unsupportedImage` (a CMYK JPEG) or `unreadable` when
    ///   memory runs out.
    public static func decode(bytes: [UInt8], source: String, maxPixels: Int = defaultMaxPixels) throws(ImageDataError) -> DecodedImage {
        guard let format = format(of: bytes) else {
            throw .unknownImageFormat(file: source, found: Array(bytes.prefix(8)))
        }
        var pixels: UnsafeMutablePointer<UInt8>?
        var info = slope_image_info()
        let limit = UInt64(max(maxPixels, 0))
        let status = bytes.withUnsafeBufferPointer { data in
            switch format {
            case .png: slope_png_decode(data.baseAddress, data.count, limit, &pixels, &info)
            case .jpeg: slope_jpeg_decode(data.baseAddress, data.count, limit, &pixels, &info)
            }
        }
        defer { slope_codec_free(pixels) }
        let reason = withUnsafeBytes(of: info.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let width = Int(info.width), height = Int(info.height), channels = Int(info.channels)
        switch status {
        case SLOPE_CODEC_OK:
            guard let pixels, channels == 1 || channels == 3 else {
                throw .corruptImage(file: source, format: format.rawValue, reason: "the decoder returned no pixels")
            }
            let decoded = Array(UnsafeBufferPointer(start: pixels, count: width * height * channels))
            return DecodedImage(width: width, height: height, channels: channels, pixels: decoded)
        case SLOPE_CODEC_TRUNCATED:
            throw .corruptImage(file: source, format: format.rawValue, reason: "the file is cut short (\(reason))")
        case SLOPE_CODEC_TOO_LARGE:
            throw .imageTooLarge(file: source, width: width, height: height, limit: maxPixels)
        case SLOPE_CODEC_UNSUPPORTED:
            throw .unsupportedImage(file: source, format: format.rawValue, reason: reason)
        case SLOPE_CODEC_NO_MEMORY:
            throw .unreadable(file: source, reason: "out of memory while decoding the \(format.rawValue) image")
        default:
            throw .corruptImage(file: source, format: format.rawValue, reason: reason.isEmpty ? "invalid data" : reason)
        }
    }
}
