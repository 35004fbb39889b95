/// How an image reaches the model's `width × height`.
///
/// ```swift
/// let input = prep.apply(to: image, resize: .fill)  // no distortion: scale to cover, then center-crop
/// ```
public enum ImageResize: String, Sendable, Equatable, Codable {
    /// Resample to exactly `width × height`, changing the aspect ratio if needed.
    case stretch
    /// Scale to cover `width × height` keeping the aspect ratio, then center-crop.
    case fill
}

extension ImagePreprocessing {
    /// Creates the description from measured statistics; `nil` means no normalisation (mean 0, std 1).
    ///
    /// ```swift
    /// let prep = ImagePreprocessing(height: 28, width: 28, channels: 1, normalization: ChannelStatistics.measure(train))
    /// ```
    ///
    /// - Parameters:
    ///   - height: The model's input height in pixels.
    ///   - width: The model's input width in pixels.
    ///   - channels: 1 (gray) or 3 (RGB).
    ///   - normalization: Statistics with `channels` values, or `nil` for none.
    public init(height: Int, width: Int, channels: Int, normalization: ChannelStatistics?) {
        require(height > 0 && width > 0, "ImagePreprocessing: size must be positive, got \(width) x \(height)")
        require(channels == 1 || channels == 3, "ImagePreprocessing: channels must be 1 or 3, got \(channels)")
        require(normalization.map { $0.channels == channels } ?? true,
                     "ImagePreprocessing: normalization has \(normalization?.channels ?? 0) channels, expected \(channels)")
        self.init(height: height, width: width, channels: channels,
                  mean: normalization?.mean ?? Array(repeating: 0, count: channels),
                  std: normalization?.std ?? Array(repeating: 1, count: channels))
    }

    /// The number of floats one image becomes (`channels × height × width`).
    ///
    /// ```swift
    /// ImagePreprocessing(height: 28, width: 28, channels: 1, normalization: nil).outputSize  // 784
    /// ```
    public var outputSize: Int { channels * height * width }

    /// Converts a decoded image to ``channels`` channels, resizes it to ``width`` × ``height``,
    /// scales it to 0...1 and normalises it: `channels × height × width` floats, CHW.
    ///
    /// ```swift
    /// let input = prep.apply(to: try ImageFile.decode(path: "cat.png"))
    /// ```
    ///
    /// - Parameters:
    ///   - image: The decoded image, any size and channel count.
    ///   - resize: `.stretch` to resample to the size, `.fill` to scale and centre-crop.
    /// - Returns: ``outputSize`` floats, CHW.
    public func apply(to image: DecodedImage, resize: ImageResize = .stretch) -> [Float] {
        require(height > 0 && width > 0 && (channels == 1 || channels == 3),
                     "ImagePreprocessing.apply: expected a positive size and 1 or 3 channels, got \(width) x \(height) x \(channels)")
        require(mean.count == channels && std.count == channels,
                     "ImagePreprocessing.apply: expected \(channels) means and stds, got \(mean.count) and \(std.count)")
        if let fastaiResize {
            // Pillow converts to the model's mode first (dropping alpha), then resizes.
            let source = channels == 1 ? image.droppingAlpha().converted(toChannels: 1) : image
            var resized = fastaiResize.apply(to: source, width: width, height: height)
            if resized.channels != channels { resized = resized.converted(toChannels: channels) }
            return normalized(resized.chwFloats())
        }
        var pixels = image.converted(toChannels: channels)
        if pixels.width == 0 || pixels.height == 0 {
            pixels = DecodedImage(width: 1, height: 1, channels: channels, pixels: Array(repeating: 0, count: channels))
        }
        switch resize {
        case .stretch: pixels = pixels.resized(width: width, height: height)
        case .fill: pixels = pixels.resizedToFill(width: width, height: height)
        }
        return normalized(pixels.chwFloats())
    }

    /// `(x − mean) / std` per channel, in place on CHW floats.
    private func normalized(_ chw: [Float]) -> [Float] {
        var floats = chw
        let plane = width * height
        let mean = mean, std = std
        floats.withUnsafeMutableBufferPointer { buffer in
            for channel in 0 ..< channels where mean[channel] != 0 || std[channel] != 1 {
                let shift = mean[channel], scale = std[channel]
                for index in channel * plane ..< (channel + 1) * plane { buffer[index] = (buffer[index] - shift) / scale }
            }
        }
        return floats
    }

    /// Decodes the PNG or JPEG file at `path` and applies ``apply(to:resize:)``.
    ///
    /// ```swift
    /// let input = try prep.load(path: "dog.jpg")
    /// ```
    ///
    /// - Parameters:
    ///   - path: The PNG or JPEG file.
    ///   - resize: `.stretch` to resample to the size, `.fill` to scale and centre-crop.
    ///   - maxPixels: The largest `width × height` accepted.
    /// - Returns: ``outputSize`` floats, CHW.
    /// - Throws: ``ImageDataError`` from ``ImageFile/decode(path:maxPixels:)``.
    public func load(path: String, resize: ImageResize = .stretch, maxPixels: Int = ImageFile.defaultMaxPixels) throws(ImageDataError) -> [Float] {
        apply(to: try ImageFile.decode(path: path, maxPixels: maxPixels), resize: resize)
    }
}
