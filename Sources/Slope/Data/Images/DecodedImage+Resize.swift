extension DecodedImage {
    // MARK: - Resizing

    /// The image resampled to exactly `width × height` with a bilinear (triangle) filter.
    ///
    /// Enlarging is plain bilinear interpolation between pixel centres (PyTorch's
    /// `align_corners=False`); shrinking widens the filter to cover every source pixel, so it
    /// averages instead of aliasing (like Pillow's `BILINEAR` and torchvision's `antialias=True`).
    /// Rows and columns are filtered separately; results round to the nearest byte.
    ///
    /// ```swift
    /// let thumbnail = image.resized(width: 64, height: 64)
    /// ```
    ///
    /// - Parameters:
    ///   - targetWidth: The new width in pixels, at least 1.
    ///   - targetHeight: The new height in pixels, at least 1.
    /// - Returns: An image of that size with this image's channels.
    public func resized(width targetWidth: Int, height targetHeight: Int) -> DecodedImage {
        require(targetWidth > 0 && targetHeight > 0, "DecodedImage.resized: size must be positive, got \(targetWidth) x \(targetHeight)")
        require(width > 0 && height > 0, "DecodedImage.resized: cannot resize an empty \(width) x \(height) image")
        if targetWidth == width && targetHeight == height { return self }
        let columns = ResampleWeights(source: width, target: targetWidth)
        let rows = ResampleWeights(source: height, target: targetHeight)
        let channels = channels
        let width = width, height = height
        // Horizontal pass: height × targetWidth × channels floats.
        var horizontal = [Float](repeating: 0, count: height * targetWidth * channels)
        pixels.withUnsafeBufferPointer { input in
            horizontal.withUnsafeMutableBufferPointer { output in
                columns.table.withUnsafeBufferPointer { table in
                    for y in 0 ..< height {
                        let inRow = y * width * channels, outRow = y * targetWidth * channels
                        for x in 0 ..< targetWidth {
                            let first = columns.first[x], offset = x * columns.stride, taps = columns.counts[x]
                            for channel in 0 ..< channels {
                                var sum: Float = 0
                                for tap in 0 ..< taps {
                                    sum += table[offset + tap] * Float(input[inRow + (first + tap) * channels + channel])
                                }
                                output[outRow + x * channels + channel] = sum
                            }
                        }
                    }
                }
            }
        }
        // Vertical pass into bytes.
        let rowLength = targetWidth * channels
        let resized = [UInt8](unsafeUninitializedCapacity: targetHeight * rowLength) { output, filled in
            horizontal.withUnsafeBufferPointer { input in
                rows.table.withUnsafeBufferPointer { table in
                    for y in 0 ..< targetHeight {
                        let first = rows.first[y], offset = y * rows.stride, taps = rows.counts[y]
                        for index in 0 ..< rowLength {
                            var sum: Float = 0
                            for tap in 0 ..< taps {
                                sum += table[offset + tap] * input[(first + tap) * rowLength + index]
                            }
                            output[y * rowLength + index] = UInt8(min(max(sum + 0.5, 0), 255))
                        }
                    }
                }
            }
            filled = targetHeight * rowLength
        }
        return DecodedImage(width: targetWidth, height: targetHeight, channels: channels, pixels: resized)
    }

    /// The image scaled (keeping its aspect ratio) so its shorter side is `shorterSide` pixels;
    /// the longer side is truncated to whole pixels, as torchvision's `Resize(size)` does.
    ///
    /// ```swift
    /// let scaled = image.resized(shorterSide: 256)  // 640 × 480 → 341 × 256
    /// ```
    ///
    /// - Parameter shorterSide: The length of the shorter side after scaling, at least 1.
    /// - Returns: The scaled image, with this image's aspect ratio and channels.
    public func resized(shorterSide: Int) -> DecodedImage {
        require(shorterSide > 0, "DecodedImage.resized: shorterSide must be positive, got \(shorterSide)")
        if width <= height {
            return resized(width: shorterSide, height: max(1, shorterSide * height / max(width, 1)))
        }
        return resized(width: max(1, shorterSide * width / max(height, 1)), height: shorterSide)
    }

    /// The `width × height` window at the centre of the image; where the window is larger than the
    /// image, the border is filled with zeros (black), as torchvision's `CenterCrop` does.
    ///
    /// ```swift
    /// let square = image.resized(shorterSide: 256).centerCropped(width: 224, height: 224)
    /// ```
    ///
    /// - Parameters:
    ///   - targetWidth: The window's width in pixels, at least 1.
    ///   - targetHeight: The window's height in pixels, at least 1.
    /// - Returns: An image of exactly that size.
    public func centerCropped(width targetWidth: Int, height targetHeight: Int) -> DecodedImage {
        require(targetWidth > 0 && targetHeight > 0, "DecodedImage.centerCropped: size must be positive, got \(targetWidth) x \(targetHeight)")
        let left = Self.cropOffset(source: width, target: targetWidth)
        let top = Self.cropOffset(source: height, target: targetHeight)
        let channels = channels, width = width, height = height
        let rowLength = targetWidth * channels
        let cropped = [UInt8](unsafeUninitializedCapacity: targetHeight * rowLength) { output, filled in
            output.initialize(repeating: 0)
            pixels.withUnsafeBufferPointer { input in
                let firstX = max(0, -left), lastX = min(targetWidth, width - left)
                guard firstX < lastX else { return }
                for y in 0 ..< targetHeight {
                    let sourceY = y + top
                    guard sourceY >= 0 && sourceY < height else { continue }
                    let from = (sourceY * width + firstX + left) * channels
                    let to = y * rowLength + firstX * channels
                    for offset in 0 ..< (lastX - firstX) * channels { output[to + offset] = input[from + offset] }
                }
            }
            filled = targetHeight * rowLength
        }
        return DecodedImage(width: targetWidth, height: targetHeight, channels: channels, pixels: cropped)
    }

    /// The image scaled to cover `width × height` (keeping its aspect ratio), then center-cropped to it.
    ///
    /// ```swift
    /// let filled = image.resizedToFill(width: 224, height: 224)
    /// ```
    ///
    /// - Parameters:
    ///   - targetWidth: The output width in pixels, at least 1.
    ///   - targetHeight: The output height in pixels, at least 1.
    /// - Returns: An image of exactly that size with no border: the scaled image's centre.
    public func resizedToFill(width targetWidth: Int, height targetHeight: Int) -> DecodedImage {
        require(targetWidth > 0 && targetHeight > 0, "DecodedImage.resizedToFill: size must be positive, got \(targetWidth) x \(targetHeight)")
        require(width > 0 && height > 0, "DecodedImage.resizedToFill: cannot resize an empty \(width) x \(height) image")
        let scale = max(Double(targetWidth) / Double(width), Double(targetHeight) / Double(height))
        let scaledWidth = max(targetWidth, Int((Double(width) * scale).rounded()))
        let scaledHeight = max(targetHeight, Int((Double(height) * scale).rounded()))
        return resized(width: scaledWidth, height: scaledHeight).centerCropped(width: targetWidth, height: targetHeight)
    }

    /// Where a centred crop starts: `round((source − target) / 2)` (ties to even, like Python's
    /// `round`) when cropping; minus half the padding (rounded down) when padding.
    private static func cropOffset(source: Int, target: Int) -> Int {
        if target <= source { return Int((Double(source - target) / 2).rounded(.toNearestOrEven)) }
        return -((target - source) / 2)
    }
}

/// Triangle-filter taps for one axis: for each output index, the first source index and its weights.
private struct ResampleWeights {
    /// First source index per output index.
    var first: [Int] = []
    /// Weights, `stride` per output index (unused ones are zero), normalised to sum to 1.
    var table: [Float] = []
    /// Taps per output index.
    var counts: [Int] = []
    var stride = 0

    init(source: Int, target: Int) {
        let scale = Double(source) / Double(target)
        let filterScale = max(scale, 1)
        let support = filterScale  // the triangle's half-width, in source pixels
        stride = Int(support.rounded(.up)) * 2 + 1
        table = [Float](repeating: 0, count: stride * target)
        for index in 0 ..< target {
            let center = (Double(index) + 0.5) * scale
            let low = max(Int((center - support + 0.5).rounded(.towardZero)), 0)
            let high = min(Int((center + support + 0.5).rounded(.towardZero)), source)
            var weights: [Double] = []
            for sourceIndex in low ..< max(high, low) {
                let distance = abs((Double(sourceIndex) - center + 0.5) / filterScale)
                weights.append(max(0, 1 - distance))
            }
            let total = weights.reduce(0, +)
            first.append(min(low, source - 1))
            if total > 0 {
                for (tap, weight) in weights.prefix(stride).enumerated() { table[index * stride + tap] = Float(weight / total) }
                counts.append(min(weights.count, stride))
            } else {
                table[index * stride] = 1
                counts.append(1)
            }
        }
    }
}
