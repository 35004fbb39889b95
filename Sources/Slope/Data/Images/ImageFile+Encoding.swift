import CImageCodecs

extension ImageFile {
    // MARK: - PNG

    /// The PNG encoding of `image` (8 bits per sample; 1 to 4 channels become gray, gray + alpha,
    /// RGB or RGBA), Adam7-interlaced when `interlaced` is true.
    ///
    /// ```swift
    /// let bytes = ImageFile.encodePNG(DecodedImage(width: 1, height: 1, channels: 1, pixels: [128]))
    /// ```
    ///
    /// - Parameters:
    ///   - image: The image to encode, 1 to 4 channels.
    ///   - interlaced: Whether to write Adam7 interlacing.
    /// - Returns: The PNG file's bytes.
    public static func encodePNG(_ image: DecodedImage, interlaced: Bool = false) -> [UInt8] {
        require(image.width > 0 && image.height > 0 && image.width <= 0x7FFF_FFFF && image.height <= 0x7FFF_FFFF,
                     "ImageFile.encodePNG: PNG needs a width and height of 1 to 2^31 - 1, got \(image.width) x \(image.height)")
        let colorTypes = [1: 0, 2: 4, 3: 2, 4: 6]
        do {
            return try encodePNG(rows: image.pixels, width: image.width, height: image.height,
                                 colorType: colorTypes[image.channels]!, bitDepth: 8, interlaced: interlaced)
        } catch {
            requireFailure("ImageFile.encodePNG: libpng refused a valid image: \(error)")
        }
    }

    /// Writes `image` as a PNG file at `path`, atomically (a temporary file renamed into place).
    ///
    /// ```swift
    /// try ImageFile.writePNG(image, path: "out/sample.png")
    /// ```
    ///
    /// - Parameters:
    ///   - image: The image to write, 1 to 4 channels.
    ///   - path: The file to write (replaced atomically).
    ///   - interlaced: Whether to write Adam7 interlacing.
    /// - Throws: ``ImageDataError/writeFailed(file:reason:)`` when the file cannot be written; an
    ///   older file at `path` is left as it was.
    public static func writePNG(_ image: DecodedImage, path: String, interlaced: Bool = false) throws(ImageDataError) {
        do { try FileBytes.writeAtomically(encodePNG(image, interlaced: interlaced), to: path) } catch { throw ImageDataError(error) }
    }

    /// Encodes rows already in PNG sample layout with the given IHDR fields: any color type
    /// (0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA), bit depth, palette and tRNS chunk.
    /// For tests and tools that need PNG variants the public encoder does not write.
    ///
    /// ```swift
    /// let bits = try ImageFile.encodePNG(rows: [0b1010_0000], width: 4, height: 1, colorType: 0, bitDepth: 1)
    /// ```
    static func encodePNG(rows: [UInt8], width: Int, height: Int, colorType: Int, bitDepth: Int, interlaced: Bool = false,
                          palette: [UInt8] = [], transparency: [UInt8] = []) throws(ImageDataError) -> [UInt8] {
        guard height > 0, rows.count % height == 0, width > 0, width <= 0x7FFF_FFFF, height <= 0x7FFF_FFFF else {
            throw .writeFailed(file: "PNG", reason: "\(rows.count) bytes cannot be \(height) rows of a \(width)-pixel-wide image")
        }
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: Int(SLOPE_CODEC_MESSAGE_SIZE))
        let status = rows.withUnsafeBufferPointer { rowBytes in
            palette.withUnsafeBufferPointer { paletteBytes in
                transparency.withUnsafeBufferPointer { transparencyBytes in
                    message.withUnsafeMutableBufferPointer { text in
                        slope_png_encode(rowBytes.baseAddress, rows.count / height, UInt32(width), UInt32(height),
                                         Int32(colorType), Int32(bitDepth), interlaced ? 1 : 0,
                                         paletteBytes.baseAddress, Int32(palette.count / 3),
                                         transparencyBytes.baseAddress, Int32(transparency.count),
                                         &output, &length, text.baseAddress)
                    }
                }
            }
        }
        defer { slope_codec_free(output) }
        guard status == SLOPE_CODEC_OK, let output else {
            throw .writeFailed(file: "PNG", reason: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }

    // MARK: - JPEG

    /// The JPEG encoding of a gray or RGB `image` at `quality` 1...100, optionally progressive.
    /// Alpha, if any, is composited onto white first.
    ///
    /// ```swift
    /// let bytes = ImageFile.encodeJPEG(image, quality: 85)
    /// ```
    ///
    /// - Parameters:
    ///   - image: The image to encode (alpha is composited onto white first).
    ///   - quality: The JPEG quality, 1...100.
    ///   - progressive: Whether to write a progressive JPEG.
    /// - Returns: The JPEG file's bytes.
    public static func encodeJPEG(_ image: DecodedImage, quality: Int = 90, progressive: Bool = false) -> [UInt8] {
        require(image.width > 0 && image.height > 0 && image.width <= 65_500 && image.height <= 65_500,
                     "ImageFile.encodeJPEG: JPEG needs a width and height of 1 to 65500, got \(image.width) x \(image.height)")
        let opaque = image.channels == 1 || image.channels == 3 ? image : image.converted(toChannels: image.channels == 2 ? 1 : 3)
        return encodeJPEG(samples: opaque.pixels, width: opaque.width, height: opaque.height, channels: opaque.channels,
                          quality: quality, progressive: progressive)
    }

    /// Encodes raw HWC samples: 1 channel gray, 3 RGB, 4 CMYK (for tests of the CMYK refusal).
    ///
    /// ```swift
    /// let cmyk = ImageFile.encodeJPEG(samples: Array(repeating: 0, count: 64), width: 4, height: 4, channels: 4)
    /// ```
    static func encodeJPEG(samples: [UInt8], width: Int, height: Int, channels: Int, quality: Int = 90, progressive: Bool = false) -> [UInt8] {
        require(samples.count == width * height * channels, "ImageFile.encodeJPEG: expected \(width * height * channels) samples, got \(samples.count)")
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: Int(SLOPE_CODEC_MESSAGE_SIZE))
        let status = samples.withUnsafeBufferPointer { pixels in
            message.withUnsafeMutableBufferPointer { text in
                slope_jpeg_encode(pixels.baseAddress, UInt32(width), UInt32(height), Int32(channels),
                                  Int32(clamping: quality), progressive ? 1 : 0, &output, &length, text.baseAddress)
            }
        }
        defer { slope_codec_free(output) }
        guard status == SLOPE_CODEC_OK, let output else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            requireFailure("ImageFile.encodeJPEG: libjpeg refused a valid image: \(reason)")
        }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }

    /// Writes `image` as a JPEG file at `path`, atomically (a temporary file renamed into place).
    ///
    /// ```swift
    /// try ImageFile.writeJPEG(image, path: "out/sample.jpg", quality: 85)
    /// ```
    ///
    /// - Parameters:
    ///   - image: The image to write (alpha is composited onto white first).
    ///   - path: The file to write (replaced atomically).
    ///   - quality: The JPEG quality, 1...100.
    ///   - progressive: Whether to write a progressive JPEG.
    /// - Throws: ``ImageDataError/writeFailed(file:reason:)`` when the file cannot be written; an
    ///   older file at `path` is left as it was.
    public static func writeJPEG(_ image: DecodedImage, path: String, quality: Int = 90, progressive: Bool = false) throws(ImageDataError) {
        do { try FileBytes.writeAtomically(encodeJPEG(image, quality: quality, progressive: progressive), to: path) } catch {
            throw ImageDataError(error)
        }
    }
}
