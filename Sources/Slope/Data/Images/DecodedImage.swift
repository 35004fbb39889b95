/// An 8-bit image in memory: `height` rows of `width` pixels of `channels` bytes each (HWC order).
///
/// Channels are 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA). ``ImageFile/decode(path:maxPixels:)``
/// always gives 1 or 3, compositing any transparency onto white.
///
/// ```swift
/// let image = DecodedImage(width: 2, height: 1, channels: 3, pixels: [255, 0, 0, 0, 0, 255])  // red, blue
/// print(image.pixel(x: 1, y: 0))  // [0, 0, 255]
/// ```
public struct DecodedImage: Sendable, Equatable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Bytes per pixel: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA.
    public let channels: Int
    /// `height × width × channels` bytes, row after row, each pixel's channels together.
    public let pixels: [UInt8]

    /// Creates an image; `pixels.count` must be `width × height × channels`.
    ///
    /// ```swift
    /// let black = DecodedImage(width: 4, height: 4, channels: 1, pixels: Array(repeating: 0, count: 16))
    /// ```
    ///
    /// - Parameters:
    ///   - width: Columns, not negative.
    ///   - height: Rows, not negative.
    ///   - channels: Bytes per pixel, 1 to 4.
    ///   - pixels: `height × width × channels` bytes in HWC order.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        require(width >= 0 && height >= 0, "DecodedImage: width and height must not be negative, got \(width) x \(height)")
        require((1 ... 4).contains(channels), "DecodedImage: channels must be 1 to 4, got \(channels)")
        require(pixels.count == width * height * channels,
                     "DecodedImage: \(width) x \(height) x \(channels) needs \(width * height * channels) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The channel values of the pixel in column `x`, row `y`.
    ///
    /// ```swift
    /// let topLeft = image.pixel(x: 0, y: 0)
    /// ```
    ///
    /// - Parameters:
    ///   - x: The column, in `0 ..< width`.
    ///   - y: The row, in `0 ..< height`.
    /// - Returns: The pixel's ``channels`` bytes.
    public func pixel(x: Int, y: Int) -> [UInt8] {
        require((0 ..< width).contains(x) && (0 ..< height).contains(y),
                     "DecodedImage.pixel: (\(x), \(y)) is outside \(width) x \(height)")
        let start = (y * width + x) * channels
        return Array(pixels[start ..< start + channels])
    }

    // MARK: - Channels

    /// The same image with 1 (gray) or 3 (RGB) channels: alpha is composited onto white, gray is
    /// repeated into RGB, and RGB becomes gray as `L = (19595 R + 38470 G + 7471 B) / 65536`
    /// rounded (ITU-R 601, as Pillow does).
    ///
    /// ```swift
    /// let rgb = try ImageFile.decode(path: "digit.png").converted(toChannels: 3)
    /// ```
    ///
    /// - Parameter target: 1 for gray or 3 for RGB.
    /// - Returns: The converted image (this image itself when it already has `target` channels).
    public func converted(toChannels target: Int) -> DecodedImage {
        require(target == 1 || target == 3, "DecodedImage.converted: target channels must be 1 or 3, got \(target)")
        let opaque = channels == 2 || channels == 4 ? compositedOnWhite() : self
        if opaque.channels == target { return opaque }
        let count = width * height
        let source = opaque.pixels
        let converted = [UInt8](unsafeUninitializedCapacity: count * target) { output, filled in
            source.withUnsafeBufferPointer { input in
                if target == 3 {
                    for index in 0 ..< count {
                        let value = input[index]
                        output[3 * index] = value
                        output[3 * index + 1] = value
                        output[3 * index + 2] = value
                    }
                } else {
                    for index in 0 ..< count {
                        let red = UInt32(input[3 * index]), green = UInt32(input[3 * index + 1]), blue = UInt32(input[3 * index + 2])
                        output[index] = UInt8((19595 * red + 38470 * green + 7471 * blue + 0x8000) >> 16)
                    }
                }
            }
            filled = count * target
        }
        return DecodedImage(width: width, height: height, channels: target, pixels: converted)
    }

    /// Drops the alpha channel by compositing onto white: `c' = (c·a + 255·(255 − a)) / 255` rounded.
    private func compositedOnWhite() -> DecodedImage {
        let color = channels - 1
        let count = width * height
        let source = pixels
        let opaque = [UInt8](unsafeUninitializedCapacity: count * color) { output, filled in
            source.withUnsafeBufferPointer { input in
                for index in 0 ..< count {
                    let alpha = UInt32(input[index * channels + color])
                    for channel in 0 ..< color {
                        let value = UInt32(input[index * channels + channel])
                        output[index * color + channel] = UInt8((value * alpha + 255 * (255 - alpha) + 127) / 255)
                    }
                }
            }
            filled = count * color
        }
        return DecodedImage(width: width, height: height, channels: color, pixels: opaque)
    }

    // MARK: - Floats

    /// The pixels as floats in 0...1 (`byte / 255`), channel-major (CHW): all of channel 0, then 1, ...
    ///
    /// ```swift
    /// let chw = image.chwFloats()  // count: channels × height × width
    /// ```
    ///
    /// - Returns: `channels × height × width` values.
    public func chwFloats() -> [Float] {
        let plane = width * height
        let channels = channels
        let table = (0 ... 255).map { Float($0) / 255 }
        let source = pixels
        return [Float](unsafeUninitializedCapacity: plane * channels) { output, filled in
            source.withUnsafeBufferPointer { input in
                table.withUnsafeBufferPointer { lookup in
                    for channel in 0 ..< channels {
                        let base = channel * plane
                        for index in 0 ..< plane {
                            output[base + index] = lookup[Int(input[index * channels + channel])]
                        }
                    }
                }
            }
            filled = plane * channels
        }
    }
}
