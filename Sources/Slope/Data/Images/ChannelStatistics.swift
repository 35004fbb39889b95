/// Per-channel mean and standard deviation, measured on a set of images and used to normalise
/// them: `x' = (x − mean[c]) / std[c]` for every value `x` of channel `c`.
///
/// Values are on the 0...1 scale of ``DecodedImage/chwFloats()``.
///
/// ```swift
/// let stats = ChannelStatistics.measure(train)  // Fashion-MNIST train: mean [0.2860], std [0.3530]
/// let inputs = stats.normalized(image.chwFloats())
/// ```
public struct ChannelStatistics: Sendable, Equatable, Codable {
    /// The mean of each channel.
    public let mean: [Float]
    /// The standard deviation of each channel (always positive).
    public let std: [Float]

    /// Creates statistics for `mean.count` channels; every `std` must be positive and finite.
    ///
    /// ```swift
    /// let gray = ChannelStatistics(mean: [0.5], std: [0.5])  // maps 0...1 to -1...1
    /// ```
    ///
    /// - Parameters:
    ///   - mean: One finite mean per channel (at least one channel).
    ///   - std: One positive, finite standard deviation per channel, as many as `mean`.
    public init(mean: [Float], std: [Float]) {
        require(!mean.isEmpty && mean.count == std.count,
                     "ChannelStatistics: expected one mean and one std per channel, got \(mean.count) and \(std.count)")
        require(mean.allSatisfy(\.isFinite), "ChannelStatistics: every mean must be finite, got \(mean)")
        require(std.allSatisfy { $0.isFinite && $0 > 0 }, "ChannelStatistics: every std must be positive and finite, got \(std)")
        self.mean = mean
        self.std = std
    }

    private enum CodingKeys: String, CodingKey { case mean, std }

    /// Decodes statistics, rejecting mismatched counts, non-finite means and non-positive stds.
    ///
    /// ```swift
    /// let stats = try JSONDecoder().decode(ChannelStatistics.self, from: json)
    /// ```
    ///
    /// - Parameter decoder: A decoder holding `{"mean": [...], "std": [...]}`.
    /// - Throws: `DecodingError` when a key is missing or not an array of numbers, when the counts
    ///   differ or are zero, or when a mean is not finite or a std not positive and finite.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let mean = try container.decode([Float].self, forKey: .mean)
        let std = try container.decode([Float].self, forKey: .std)
        guard !mean.isEmpty, mean.count == std.count else {
            throw DecodingError.dataCorruptedError(forKey: .std, in: container,
                                                   debugDescription: "expected one mean and one std per channel, found \(mean.count) and \(std.count)")
        }
        guard mean.allSatisfy(\.isFinite), std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw DecodingError.dataCorruptedError(forKey: .std, in: container,
                                                   debugDescription: "expected finite means and positive finite stds, found \(mean) and \(std)")
        }
        self.init(mean: mean, std: std)
    }

    /// The statistics torchvision's ImageNet models expect (RGB).
    ///
    /// ```swift
    /// let inputs = ChannelStatistics.imageNet.normalized(image.converted(toChannels: 3).chwFloats())
    /// ```
    public static let imageNet = ChannelStatistics(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

    /// The number of channels.
    public var channels: Int { mean.count }

    // MARK: - Measuring

    /// Measures each channel's mean and (population) standard deviation over every pixel of every
    /// image in `set`. A channel that never varies gets std 1, so normalising it cannot divide by zero.
    ///
    /// ```swift
    /// let stats = ChannelStatistics.measure(try IDXFile.readLabeledImages(imagesPath: i, labelsPath: l))
    /// ```
    ///
    /// - Parameter set: The images, on the 0...1 scale.
    /// - Returns: One mean and one std per channel of `set`.
    public static func measure(_ set: LabeledImages) -> ChannelStatistics {
        var accumulator = Accumulator(channels: set.channels)
        accumulator.add(set.images, plane: set.height * set.width)
        return accumulator.statistics
    }

    /// Measures per-channel statistics over images given as CHW float arrays (one array per image,
    /// each `channels × height × width`; sizes may differ between images).
    ///
    /// ```swift
    /// let stats = ChannelStatistics.measure(chwImages: images.map { $0.chwFloats() }, channels: 3)
    /// ```
    ///
    /// - Parameters:
    ///   - chwImages: The images, each `channels × height × width` values in CHW order.
    ///   - channels: The number of channels, at least 1; every image's size must divide by it.
    /// - Returns: One mean and one std per channel.
    public static func measure(chwImages: [[Float]], channels: Int) -> ChannelStatistics {
        require(channels > 0, "ChannelStatistics.measure: channels must be positive, got \(channels)")
        var accumulator = Accumulator(channels: channels)
        for image in chwImages {
            require(image.count % channels == 0, "ChannelStatistics.measure: \(image.count) values are not a \(channels)-channel image")
            accumulator.add(image, plane: image.count / channels)
        }
        return accumulator.statistics
    }

    /// Running sums per channel, in Double.
    private struct Accumulator {
        var sums: [Double], squares: [Double], count = 0

        init(channels: Int) {
            sums = Array(repeating: 0, count: channels)
            squares = sums
        }

        /// Adds concatenated CHW images whose channel planes hold `plane` values each.
        mutating func add(_ values: [Float], plane: Int) {
            let channels = sums.count
            guard plane > 0 else { return }
            values.withUnsafeBufferPointer { buffer in
                for start in stride(from: 0, to: buffer.count, by: channels * plane) {
                    for channel in 0 ..< channels {
                        var sum: Double = 0, square: Double = 0
                        let base = start + channel * plane
                        for index in base ..< base + plane {
                            let x = Double(buffer[index])
                            sum += x
                            square += x * x
                        }
                        sums[channel] += sum
                        squares[channel] += square
                    }
                    count += plane
                }
            }
        }

        var statistics: ChannelStatistics {
            var means: [Float] = [], stds: [Float] = []
            let total = Double(max(count, 1))
            for channel in 0 ..< sums.count {
                let mean = sums[channel] / total
                let std = max(squares[channel] / total - mean * mean, 0).squareRoot()
                means.append(Float(mean))
                stds.append(std > 1e-6 ? Float(std) : 1)
            }
            return ChannelStatistics(mean: means, std: stds)
        }
    }

    // MARK: - Normalising

    /// Normalises one CHW image in place: `x' = (x − mean[c]) / std[c]`, with `values.count / channels`
    /// values per channel.
    ///
    /// ```swift
    /// var chw = image.chwFloats()
    /// ChannelStatistics.imageNet.normalize(&chw)
    /// ```
    ///
    /// - Parameter values: One CHW image of ``channels`` planes, changed in place.
    public func normalize(_ values: inout [Float]) {
        require(values.count % channels == 0, "ChannelStatistics.normalize: \(values.count) values are not a \(channels)-channel image")
        normalize(&values, plane: values.count / channels)
    }

    /// A normalised copy of one CHW image.
    ///
    /// ```swift
    /// let inputs = stats.normalized(image.chwFloats())
    /// ```
    ///
    /// - Parameter values: One CHW image of ``channels`` planes.
    /// - Returns: The normalised values, in the same order.
    public func normalized(_ values: [Float]) -> [Float] {
        var copy = values
        normalize(&copy)
        return copy
    }

    /// Normalises every image of `set` in place; its channel count must match.
    ///
    /// ```swift
    /// ChannelStatistics.measure(train).normalize(&train)
    /// ```
    ///
    /// - Parameter set: The images, changed in place; they must have ``channels`` channels.
    public func normalize(_ set: inout LabeledImages) {
        require(set.channels == channels, "ChannelStatistics.normalize: statistics for \(channels) channels, images have \(set.channels)")
        normalize(&set.images, plane: set.height * set.width)
    }

    /// Normalises concatenated CHW images whose channel planes hold `plane` values each.
    private func normalize(_ values: inout [Float], plane: Int) {
        guard plane > 0 else { return }
        let channels = channels
        let shifts = mean, scales = std
        values.withUnsafeMutableBufferPointer { buffer in
            for start in stride(from: 0, to: buffer.count, by: channels * plane) {
                for channel in 0 ..< channels {
                    let shift = shifts[channel], scale = scales[channel]
                    let base = start + channel * plane
                    for index in base ..< base + plane { buffer[index] = (buffer[index] - shift) / scale }
                }
            }
        }
    }
}
