/// fastai's `Resize` as it treats validation and test images, pixel for pixel: `crop` (scale so
/// the image covers the target, center crop), `squish` (resize to the target, changing the
/// aspect) or `pad` (scale so the image fits, pad the rest with zeros, the border, or a
/// reflection), then Pillow's antialiased bilinear resampling of 8-bit images (its fixed-point
/// arithmetic, 22 fractional bits, rounding to bytes between the horizontal and the vertical
/// pass), so the model sees the bytes fastai's `PILImage` gives it.
///
/// ```swift
/// let resize = FastAIResize(method: .crop, padMode: .reflection)
/// let input = resize.apply(to: photo, width: 224, height: 224)
/// ```
public struct FastAIResize: Sendable, Equatable {
    /// fastai's `ResizeMethod`.
    public enum Method: String, Sendable, Equatable, CaseIterable {
        /// Scale to cover the target, then center-crop.
        case crop
        /// Resize to the target, changing the aspect ratio.
        case squish
        /// Scale to fit inside the target, then pad.
        case pad
    }

    /// fastai's `PadMode`.
    public enum PadMode: String, Sendable, Equatable, CaseIterable {
        /// Zeros.
        case zeros
        /// The edge pixels repeated.
        case border
        /// The image mirrored at its edge (NumPy's `reflect`).
        case reflection
    }

    /// How the image reaches the target's aspect.
    public var method: Method
    /// How padding is filled.
    public var padMode: PadMode

    /// The rule.
    ///
    /// - Parameters:
    ///   - method: crop, squish or pad.
    ///   - padMode: zeros, border or reflection.
    public init(method: Method = .crop, padMode: PadMode = .reflection) {
        self.method = method
        self.padMode = padMode
    }

    /// The image as fastai's `Resize` gives it at validation and test time, `width × height`
    /// (a 2- or 4-channel image first loses its alpha channel, as Pillow's `convert` does).
    ///
    /// - Parameters:
    ///   - image: the decoded image.
    ///   - width: the target width.
    ///   - height: the target height.
    /// - Returns: the resized image.
    public func apply(to image: DecodedImage, width: Int, height: Int) -> DecodedImage {
        var current = image.droppingAlpha()
        let (sourceWidth, sourceHeight) = (current.width, current.height)
        guard sourceWidth > 0, sourceHeight > 0 else { return DecodedImage(width: width, height: height, channels: current.channels,
                                                                          pixels: [UInt8](repeating: 0, count: width * height * current.channels)) }
        var size = (sourceWidth, sourceHeight)
        var topLeft = (0, 0)
        if method != .squish {
            let ratioWidth = Double(sourceWidth) / Double(width), ratioHeight = Double(sourceHeight) / Double(height)
            let pick = method == .crop ? ratioWidth < ratioHeight : ratioWidth > ratioHeight
            let scale = pick ? ratioWidth : ratioHeight
            size = (Int(scale * Double(width)), Int(scale * Double(height)))
            topLeft = (Int(0.5 * Double(sourceWidth - size.0)), Int(0.5 * Double(sourceHeight - size.1)))
        }
        // fastai's _do_crop_pad: crop where the window is inside the image, pad where it is outside.
        let inside = topLeft.0 >= 0 || topLeft.1 >= 0 || topLeft.0 + size.0 <= sourceWidth || topLeft.1 + size.1 <= sourceHeight
        if inside {
            let left = Swift.max(topLeft.0, 0), top = Swift.max(topLeft.1, 0)
            let right = Swift.min(topLeft.0 + size.0, sourceWidth), bottom = Swift.min(topLeft.1 + size.1, sourceHeight)
            current = current.cropped(left: left, top: top, right: right, bottom: bottom)
        }
        if topLeft.0 < 0 || topLeft.1 < 0 || topLeft.0 + size.0 >= sourceWidth || topLeft.1 + size.1 >= sourceHeight {
            let padLeft = Swift.max(-topLeft.0, 0), padTop = Swift.max(-topLeft.1, 0)
            let padRight = Swift.max(size.0 - sourceWidth + topLeft.0, 0), padBottom = Swift.max(size.1 - sourceHeight + topLeft.1, 0)
            if padLeft + padTop + padRight + padBottom > 0 {
                current = current.padded(left: padLeft, top: padTop, right: padRight, bottom: padBottom, mode: padMode)
            }
        }
        return current.pillowBilinear(width: width, height: height)
    }
}

extension DecodedImage {
    /// The colour channels alone (gray+alpha becomes gray, RGBA becomes RGB), as Pillow's `convert`.
    func droppingAlpha() -> DecodedImage {
        guard channels == 2 || channels == 4 else { return self }
        let color = channels - 1
        var out = [UInt8](repeating: 0, count: width * height * color)
        for index in 0..<(width * height) {
            for channel in 0..<color { out[index * color + channel] = pixels[index * channels + channel] }
        }
        return DecodedImage(width: width, height: height, channels: color, pixels: out)
    }

    /// The region `[left, right) × [top, bottom)`, as Pillow's `crop` (empty regions give a 0-size image).
    func cropped(left: Int, top: Int, right: Int, bottom: Int) -> DecodedImage {
        let newWidth = Swift.max(right - left, 0), newHeight = Swift.max(bottom - top, 0)
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * channels)
        for row in 0..<newHeight {
            let source = ((top + row) * width + left) * channels
            let target = row * newWidth * channels
            for offset in 0..<(newWidth * channels) { out[target + offset] = pixels[source + offset] }
        }
        return DecodedImage(width: newWidth, height: newHeight, channels: channels, pixels: out)
    }

    /// The image padded on each side, as `np.pad` with `constant` (zeros), `edge` or `reflect`.
    func padded(left: Int, top: Int, right: Int, bottom: Int, mode: FastAIResize.PadMode) -> DecodedImage {
        let newWidth = width + left + right, newHeight = height + top + bottom
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * channels)
        guard width > 0, height > 0 else { return DecodedImage(width: newWidth, height: newHeight, channels: channels, pixels: out) }
        func source(_ index: Int, _ count: Int) -> Int? {
            if index >= 0 && index < count { return index }
            switch mode {
            case .zeros: return nil
            case .border: return Swift.min(Swift.max(index, 0), count - 1)
            case .reflection:
                guard count > 1 else { return 0 }
                let period = 2 * (count - 1)
                var folded = index % period
                if folded < 0 { folded += period }
                return folded < count ? folded : period - folded
            }
        }
        for row in 0..<newHeight {
            guard let sourceRow = source(row - top, height) else { continue }
            for column in 0..<newWidth {
                guard let sourceColumn = source(column - left, width) else { continue }
                for channel in 0..<channels {
                    out[(row * newWidth + column) * channels + channel] = pixels[(sourceRow * width + sourceColumn) * channels + channel]
                }
            }
        }
        return DecodedImage(width: newWidth, height: newHeight, channels: channels, pixels: out)
    }

    /// Pillow's `resize((width, height), BILINEAR)` of an 8-bit image: the triangle filter with
    /// its support widened by the scale when shrinking (antialiasing), coefficients normalised
    /// then rounded to 22 fractional bits, two passes each rounded to bytes, in Pillow 13's order
    /// (`pillowResizesVerticallyFirst(from:to:)`).
    func pillowBilinear(width targetWidth: Int, height targetHeight: Int) -> DecodedImage {
        if targetWidth == width && targetHeight == height { return self }
        guard width > 0, height > 0 else {
            return DecodedImage(width: targetWidth, height: targetHeight, channels: channels,
                                pixels: [UInt8](repeating: 0, count: targetWidth * targetHeight * channels))
        }
        var image = self
        if DecodedImage.pillowResizesVerticallyFirst(from: (width, height), to: (targetWidth, targetHeight)) {
            image = image.pillowPass(horizontal: false, size: targetHeight)
            return targetWidth == width ? image : image.pillowPass(horizontal: true, size: targetWidth)
        }
        if targetWidth != width { image = image.pillowPass(horizontal: true, size: targetWidth) }
        if targetHeight != height { image = image.pillowPass(horizontal: false, size: targetHeight) }
        return image
    }

    /// Whether Pillow 13 runs the vertical pass first: when the height shrinks by more than twice as
    /// many pixels as the width does (`H < h` and `h - H > 2 (w - W)`, Pillow pull request 9549), so
    /// also whenever the width grows while the height shrinks. Pillow 12 and older always ran the
    /// horizontal pass first; the two orders can differ by one level in some pixels.
    ///
    /// ```swift
    /// DecodedImage.pillowResizesVerticallyFirst(from: (24, 52), to: (48, 32))   // true
    /// ```
    /// - Parameters:
    ///   - source: the image's width and height.
    ///   - target: the width and height it is resized to.
    /// - Returns: `true` when the vertical pass comes first.
    static func pillowResizesVerticallyFirst(from source: (width: Int, height: Int), to target: (width: Int, height: Int)) -> Bool {
        target.height < source.height && source.height - target.height > 2 * (source.width - target.width)
    }

    /// Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc`: for each output position, the
    /// first input index, the count, and the fixed-point weights.
    static func pillowCoefficients(input: Int, output: Int) -> (bounds: [(Int, Int)], weights: [[Int32]]) {
        let precision = 22
        let scale = Double(input) / Double(output)
        let filterScale = Swift.max(scale, 1)
        let support = 1.0 * filterScale
        var bounds: [(Int, Int)] = []
        var weights: [[Int32]] = []
        for position in 0..<output {
            let center = (Double(position) + 0.5) * scale
            let inverse = 1 / filterScale
            var low = Int(center - support + 0.5)
            if low < 0 { low = 0 }
            var high = Int(center + support + 0.5)
            if high > input { high = input }
            let count = Swift.max(high - low, 0)
            var raw = [Double](repeating: 0, count: count)
            var total = 0.0
            for index in 0..<count {
                var x = (Double(index + low) - center + 0.5) * inverse
                if x < 0 { x = -x }
                let weight = x < 1 ? 1 - x : 0
                raw[index] = weight
                total += weight
            }
            weights.append(raw.map { value in
                let normalised = total != 0 ? value / total : value
                return Int32(normalised < 0 ? -0.5 + normalised * Double(1 << precision) : 0.5 + normalised * Double(1 << precision))
            })
            bounds.append((low, count))
        }
        return (bounds, weights)
    }

    private func pillowPass(horizontal: Bool, size: Int) -> DecodedImage {
        let (bounds, weights) = DecodedImage.pillowCoefficients(input: horizontal ? width : height, output: size)
        let newWidth = horizontal ? size : width, newHeight = horizontal ? height : size
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * channels)
        let channels = channels, width = width
        pixels.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                for row in 0..<newHeight {
                    for column in 0..<newWidth {
                        let (low, count) = bounds[horizontal ? column : row]
                        let kernel = weights[horizontal ? column : row]
                        for channel in 0..<channels {
                            var sum: Int32 = 1 << 21
                            for tap in 0..<count {
                                let source = horizontal ? (row * width + low + tap) : ((low + tap) * width + column)
                                sum &+= Int32(input[source * channels + channel]) &* kernel[tap]
                            }
                            let shifted = sum >> 22
                            output[(row * newWidth + column) * channels + channel] = UInt8(Swift.min(Swift.max(shifted, 0), 255))
                        }
                    }
                }
            }
        }
        return DecodedImage(width: newWidth, height: newHeight, channels: channels, pixels: out)
    }
}
