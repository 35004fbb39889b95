/// A set of same-sized images with one integer label each, as plain arrays ready for a tensor.
///
/// `images` holds `count` images one after another, each in channel-major (CHW) order, so image
/// `i` is `images[i * channels * height * width ..< (i + 1) * channels * height * width]`.
///
/// ```swift
/// let test = try IDXFile.readLabeledImages(imagesPath: "t10k-images-idx3-ubyte.gz",
///                                          labelsPath: "t10k-labels-idx1-ubyte.gz")
/// print(test.count, test.height, test.width, test.labels[0])  // 10000 28 28 9
/// ```
public struct LabeledImages: Sendable, Equatable {
    /// All pixels, `count × channels × height × width`, each image CHW.
    public var images: [Float]
    /// The number of images.
    public var count: Int
    /// Channels per image: 1 (gray) or 3 (RGB).
    public var channels: Int
    /// Rows per image.
    public var height: Int
    /// Columns per image.
    public var width: Int
    /// One label per image, an index into ``classNames`` when that is not empty.
    public var labels: [Int]
    /// The class names in label order; empty when the source has none (IDX files).
    public var classNames: [String]

    /// Creates a set, checking that the sizes agree.
    ///
    /// ```swift
    /// let tiny = LabeledImages(images: [0, 1], count: 2, channels: 1, height: 1, width: 1, labels: [0, 1])
    /// ```
    ///
    /// - Parameters:
    ///   - images: `count × channels × height × width` floats, each image CHW.
    ///   - count: The number of images.
    ///   - channels: Channels per image.
    ///   - height: Rows per image.
    ///   - width: Columns per image.
    ///   - labels: `count` labels.
    ///   - classNames: The class names in label order, or none.
    public init(images: [Float], count: Int, channels: Int, height: Int, width: Int, labels: [Int], classNames: [String] = []) {
        require(count >= 0 && channels > 0 && height >= 0 && width >= 0, "LabeledImages: sizes must not be negative")
        require(images.count == count * channels * height * width,
                     "LabeledImages: expected \(count) × \(channels) × \(height) × \(width) pixels, got \(images.count)")
        require(labels.count == count, "LabeledImages: expected \(count) labels, got \(labels.count)")
        self.images = images
        self.count = count
        self.channels = channels
        self.height = height
        self.width = width
        self.labels = labels
        self.classNames = classNames
    }

    /// The number of floats in one image (`channels × height × width`).
    ///
    /// ```swift
    /// let first = Array(set.images[0 ..< set.imageSize])
    /// ```
    public var imageSize: Int { channels * height * width }
}
