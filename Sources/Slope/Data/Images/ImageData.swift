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
    ///   - batchSize: images per training batch, or `nil` for ``automaticBatchSize(trainingImages:)``.
    ///   - source: names the training images in errors.
    ///   - validSource: names the validation images in errors.
    /// - Returns: the loaders.
    /// - Throws: ``ImageDataError``.
    public static func fromImages(_ train: LabeledImages, valid: LabeledImages? = nil, validPercent: Double = 0.2, seed: UInt64 = 42,
                                  batchSize: Int? = nil, source: String = "images", validSource: String = "validation images")
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
        let batchSize = batchSize ?? automaticBatchSize(trainingImages: training.count)
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
    ///   - batchSize: Images per training batch, or `nil` for ``automaticBatchSize(trainingImages:)``.
    /// - Returns: Loaders of `[batch, 1, rows, columns]` normalised images and class-index targets.
    /// - Throws: ``ImageDataError`` from reading either pair (see
    ///   ``IDXFile/readLabeledImages(imagesPath:labelsPath:)``), or from ``fromImages(_:valid:validPercent:seed:batchSize:source:validSource:)``
    ///   (an empty or mismatched validation set, a single class).
    public static func fromIDX(images: String, labels: String, validImages: String? = nil, validLabels: String? = nil,
                               validPercent: Double = 0.2, seed: UInt64 = 42, batchSize: Int? = nil) throws(ImageDataError) -> DataLoaders {
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
    /// resized to `size` x `size` with `channels` channels (3: colour, 1: gray). The validation
    /// images are, in order: `validFolder` when given; else the `valid/` (or `val/`) subfolder
    /// when `root` holds both `train/` and `valid/` (fastai's `GrandparentSplitter`, see
    /// ``splitFolders(in:)``); else a random `validPercent` of the images. Validation classes are
    /// matched to training classes by folder name. The set's size is checked against
    /// ``InputLimits/imageSetFloats`` before any image is decoded.
    ///
    /// ```swift
    /// let data = try ImageData.fromFolder("pets", size: 64)                 // pets/train + pets/valid, or a random 20%
    /// let held = try ImageData.fromFolder("pets", validFolder: "pets-test") // another folder validates
    /// ```
    ///
    /// - Parameters:
    ///   - root: The folder with one subfolder of images per class (or `train/` and `valid/` subfolders of such folders).
    ///   - size: The side of the square every image is resized to, in pixels.
    ///   - channels: 3 for colour, 1 for gray.
    ///   - validPercent: The share of images held out for validation when no validation folder is given or found.
    ///   - seed: The seed of the split and of the training shuffle.
    ///   - batchSize: Images per training batch, or `nil` for ``automaticBatchSize(trainingImages:)``.
    ///   - validFolder: A folder of class subfolders that validates, or `nil`.
    /// - Returns: Loaders of `[batch, channels, size, size]` normalised images and class-index targets.
    /// - Throws: ``ImageDataError``: the folders' errors (see ``ImageFolder/init(root:)``),
    ///   `validationMismatch` for a validation class folder that training lacks,
    ///   `imageSetTooLarge` before decoding, the first file that cannot be decoded, or the split's
    ///   errors (no validation images, a single class).
    public static func fromFolder(_ root: String, size: Int = 64, channels: Int = 3, validPercent: Double = 0.2, seed: UInt64 = 42,
                                  batchSize: Int? = nil, validFolder: String? = nil) throws(ImageDataError) -> DataLoaders {
        let split = validFolder.map { (train: root, valid: $0) } ?? splitFolders(in: root)
        let trainRoot = split?.train ?? root
        let folder = try ImageFolder(root: trainRoot)
        let validation = try split.map { (split) throws(ImageDataError) in try ImageFolder(root: split.valid) }
        if let validation, let split {
            if let stranger = validation.classNames.first(where: { !folder.classNames.contains($0) }) {
                throw .validationMismatch(file: split.valid, reason: "its class folder `\(stranger)` is not a class of the training folder "
                    + "\(trainRoot) (\(folder.classNames.joined(separator: ", ")))")
            }
        }
        let (perImage, overflowA) = (channels * size).multipliedReportingOverflow(by: size)
        let (floats, overflowB) = perImage.multipliedReportingOverflow(by: folder.count + (validation?.count ?? 0))
        let limit = InputLimits.imageSetFloats.value
        if overflowA || overflowB || floats > limit {
            throw .imageSetTooLarge(source: root, images: folder.count + (validation?.count ?? 0),
                                    floats: overflowA || overflowB ? Int.max : floats, limit: limit)
        }
        let raw = ImagePreprocessing(height: size, width: size, channels: channels, normalization: nil)
        var images = try folder.loadAll(preprocessing: raw)
        images.classNames = folder.classNames
        var valid: LabeledImages?
        if let validation {
            var loaded = try validation.loadAll(preprocessing: raw)
            let labelOf = Dictionary(uniqueKeysWithValues: folder.classNames.enumerated().map { ($1, $0) })
            loaded.labels = loaded.labels.map { labelOf[validation.classNames[$0]]! }
            loaded.classNames = folder.classNames
            valid = loaded
        }
        return try fromImages(images, valid: valid, validPercent: validPercent, seed: seed, batchSize: batchSize, source: trainRoot,
                              validSource: split?.valid ?? "")
    }

    /// fastai's 64 images per batch, but at least about 16 batches per epoch for small sets (a
    /// few batches per epoch leave batch norm's running statistics, which evaluation uses, far
    /// from the trained weights' statistics): the power of two at or below `images / 16`, kept
    /// within 8...64 (144 images: 8, 600: 32, 60000: 64).
    ///
    /// ```swift
    /// ImageData.automaticBatchSize(trainingImages: 144)   // 8
    /// ```
    ///
    /// - Parameter trainingImages: The number of training images.
    /// - Returns: A power of two in `8...64`.
    public static func automaticBatchSize(trainingImages: Int) -> Int {
        var size = 8
        while size * 2 <= Swift.min(64, trainingImages / 16) { size *= 2 }
        return size
    }

    /// The training and validation folders of a fastai-style image folder: `root/train` and
    /// `root/valid` (or `root/val`) when `root` holds both (fastai's `GrandparentSplitter`
    /// with `train_name="train"`, `valid_name="valid"`), else `nil` (a random split then).
    ///
    /// ```swift
    /// ImageData.splitFolders(in: "mnist_tiny")   // ("mnist_tiny/train", "mnist_tiny/valid")
    /// ```
    ///
    /// - Parameter root: The image folder.
    /// - Returns: The two folders, or `nil`.
    public static func splitFolders(in root: String) -> (train: String, valid: String)? {
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        guard FileBytes.kind(of: base + "/train") == .folder else { return nil }
        for name in ["valid", "val"] where FileBytes.kind(of: base + "/" + name) == .folder {
            return (base + "/train", base + "/" + name)
        }
        return nil
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
