import Foundation

/// Building image data loaders (fastai's `ImageDataLoaders`): pixels scaled to [0, 1],
/// normalised per channel with statistics measured on the training images only.
public enum ImageData {
    /// Fashion-MNIST's class names, by label.
    public static let fashionMNISTClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                                             "Bag", "Ankle boot"]

    /// Loaders from labelled images in memory: `valid` as the validation set, or else a random
    /// `validPercent` of `train` (seeded). Refuses, naming `source`, a validation set that is
    /// empty or does not fit the training set (another image size, labels training lacks) and
    /// training images of a single class.
    ///
    /// ```swift
    /// let data = try ImageData.fromImages(train, valid: test, batchSize: 64)
    /// ```
    /// - Parameters:
    ///   - train: the training images (all of them when `valid` is nil).
    ///   - valid: the validation images, if separate.
    ///   - validPercent: the share of `train` held out when `valid` is nil.
    ///   - seed: the split's and the shuffling's seed.
    ///   - batchSize: images per training batch.
    ///   - source: names the training images in errors.
    ///   - validSource: names the validation images in errors.
    /// - Returns: the loaders.
    /// - Throws: ``ImageDataError``.
    public static func fromImages(_ train: LabeledImages, valid: LabeledImages? = nil, validPercent: Double = 0.2, seed: UInt64 = 42,
                                  batchSize: Int = 64, source: String = "images", validSource: String = "validation images")
        throws(ImageDataError) -> DataLoaders
    {
        guard train.count > 0 else { throw .unexpectedShape(file: source, expected: "at least one training image", found: [0]) }
        let present = Set(train.labels)
        var training = train, validation: LabeledImages
        if let valid {
            guard valid.count > 0 else { throw .noValidationImages(source: validSource, reason: "the set holds no images") }
            guard (valid.channels, valid.height, valid.width) == (train.channels, train.height, train.width) else {
                throw .validationMismatch(file: validSource, reason: "its images are \(valid.width)x\(valid.height)x\(valid.channels), "
                    + "the training images (\(source)) \(train.width)x\(train.height)x\(train.channels)")
            }
            if let stranger = Set(valid.labels).subtracting(present).min() {
                throw .validationMismatch(file: validSource, reason: "label \(stranger) never occurs in the training labels (\(source): "
                    + "\(present.sorted().map(String.init).joined(separator: ", ")))")
            }
            validation = valid
        } else {
            let (trainRows, validRows) = randomSplit(count: train.count, validPercent: validPercent, seed: seed)
            guard !validRows.isEmpty else {
                let least = 1 / Double(train.count)
                throw .noValidationImages(source: source, reason: "a validation share (--valid-pct) of \(validPercent) of \(train.count) "
                    + "images holds none; use at least \(String(format: "%.4g", least)), or more images")
            }
            training = train.subset(trainRows)
            validation = train.subset(validRows)
        }
        if present.count < 2 {
            let label = present.first ?? 0
            throw .singleClass(source: source, className: train.classNames.indices.contains(label) ? train.classNames[label] : String(label))
        }
        let statistics = ChannelStatistics.measure(training)
        statistics.normalize(&training)
        statistics.normalize(&validation)
        let classes = train.classNames.isEmpty ? (0..<((train.labels.max() ?? 0) + 1)).map(String.init) : train.classNames
        let prep = ImagePreprocessing(height: train.height, width: train.width, channels: train.channels, normalization: statistics)
        return DataLoaders(
            train: DataLoader(training.dataset, batchSize: batchSize, shuffle: true, dropLast: training.count > batchSize, seed: seed),
            valid: DataLoader(validation.dataset, batchSize: batchSize * 2), task: .classification, classes: classes,
            preprocessing: .image(prep))
    }

    /// Loaders from IDX files (MNIST, Fashion-MNIST), gzipped or not; an optional second pair is
    /// the validation set. Fashion-MNIST files get their class names.
    ///
    /// ```swift
    /// let data = try ImageData.fromIDX(images: "train-images-idx3-ubyte.gz", labels: "train-labels-idx1-ubyte.gz",
    ///                                  validImages: "t10k-images-idx3-ubyte.gz", validLabels: "t10k-labels-idx1-ubyte.gz")
    /// ```
    ///
    /// - Parameters:
    ///   - images: The training images file (`[count, rows, columns]`, magic `00 00 08 03`).
    ///   - labels: The training labels file (`[count]`, magic `00 00 08 01`).
    ///   - validImages: The validation images file, or `nil` to split `validPercent` off training.
    ///   - validLabels: The validation labels file (used only together with `validImages`).
    ///   - validPercent: The share of training images held out when there is no validation pair.
    ///   - seed: The seed of the split and of the training shuffle.
    ///   - batchSize: Images per training batch.
    /// - Returns: Loaders of `[batch, 1, rows, columns]` normalised images and class-index targets.
    /// - Throws: ``ImageDataError`` from reading either pair (see
    ///   ``IDXFile/readLabeledImages(imagesPath:labelsPath:)``), or from ``fromImages(_:valid:validPercent:seed:batchSize:source:validSource:)``
    ///   (an empty or mismatched validation set, a single class).
    public static func fromIDX(images: String, labels: String, validImages: String? = nil, validLabels: String? = nil,
                               validPercent: Double = 0.2, seed: UInt64 = 42, batchSize: Int = 64) throws(ImageDataError) -> DataLoaders {
        var train = try IDXFile.readLabeledImages(imagesPath: images, labelsPath: labels)
        var valid: LabeledImages?
        if let validImages, let validLabels { valid = try IDXFile.readLabeledImages(imagesPath: validImages, labelsPath: validLabels) }
        if images.lowercased().contains("fashion"), (train.labels.max() ?? 0) < 10 {
            train.classNames = fashionMNISTClasses
        }
        // The file a mismatch is about: the images for an empty set or another size, else the labels.
        let validSource = valid.map { v in
            v.count > 0 && v.height == train.height && v.width == train.width ? validLabels! : validImages!
        } ?? ""
        return try fromImages(train, valid: valid, validPercent: validPercent, seed: seed, batchSize: batchSize, source: images,
                              validSource: validSource)
    }

    /// Loaders from a folder with one subfolder of PNG/JPEG files per class, every image
    /// resized to `size` x `size` with `channels` channels (3: colour, 1: gray). The set's size
    /// is checked against ``InputLimits/imageSetFloats`` before any image is decoded.
    ///
    /// ```swift
    /// let data = try ImageData.fromFolder("pets", size: 64)
    /// ```
    ///
    /// - Parameters:
    ///   - root: The folder with one subfolder of images per class.
    ///   - size: The side of the square every image is resized to, in pixels.
    ///   - channels: 3 for colour, 1 for gray.
    ///   - validPercent: The share of images held out for validation.
    ///   - seed: The seed of the split and of the training shuffle.
    ///   - batchSize: Images per training batch.
    /// - Returns: Loaders of `[batch, channels, size, size]` normalised images and class-index targets.
    /// - Throws: ``ImageDataError``: the folder's errors (see ``ImageFolder/init(root:)``),
    ///   `imageSetTooLarge` before decoding, the first file that cannot be decoded, or the split's
    ///   errors (no validation images, a single class).
    public static func fromFolder(_ root: String, size: Int = 64, channels: Int = 3, validPercent: Double = 0.2, seed: UInt64 = 42,
                                  batchSize: Int = 64) throws(ImageDataError) -> DataLoaders {
        let folder = try ImageFolder(root: root)
        let (perImage, overflowA) = (channels * size).multipliedReportingOverflow(by: size)
        let (floats, overflowB) = perImage.multipliedReportingOverflow(by: folder.count)
        let limit = InputLimits.imageSetFloats.value
        if overflowA || overflowB || floats > limit {
            throw .imageSetTooLarge(source: root, images: folder.count, floats: overflowA || overflowB ? Int.max : floats, limit: limit)
        }
        let raw = ImagePreprocessing(height: size, width: size, channels: channels, normalization: nil)
        var images = try folder.loadAll(preprocessing: raw)
        images.classNames = folder.classNames
        return try fromImages(images, validPercent: validPercent, seed: seed, batchSize: batchSize, source: root)
    }
}

extension LabeledImages {
    /// The images and labels at `indices`.
    func subset(_ indices: [Int]) -> LabeledImages {
        LabeledImages(images: Kernels.gatherRows(images, rowSize: imageSize, indices: indices), count: indices.count,
                      channels: channels, height: height, width: width, labels: indices.map { labels[$0] }, classNames: classNames)
    }

    /// The images as `[count, channels, height, width]` inputs with class-index targets.
    var dataset: TensorDataset {
        TensorDataset(inputs: Tensor(shape: [count, channels, height, width], scalars: images), targets: Tensor(labels.map(Float.init)))
    }
}
