import Foundation

/// Building image data loaders (fastai's `ImageDataLoaders`): pixels scaled to [0, 1],
/// normalised per channel with statistics measured on the training images only.
public enum ImageData {
    /// Fashion-MNIST's class names, by label.
    public static let fashionMNISTClasses = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                                             "Bag", "Ankle boot"]

    /// Loaders from labelled images in memory: `valid` as the validation set, or else a random
    /// `validPercent` of `train` (seeded).
    ///
    /// ```swift
    /// let data = ImageData.fromImages(train, valid: test, batchSize: 64)
    /// ```
    public static func fromImages(_ train: LabeledImages, valid: LabeledImages? = nil, validPercent: Double = 0.2, seed: UInt64 = 42,
                                  batchSize: Int = 64) -> DataLoaders {
        var training = train, validation: LabeledImages
        if let valid {
            validation = valid
        } else {
            let (trainRows, validRows) = randomSplit(count: train.count, validPercent: validPercent, seed: seed)
            training = train.subset(trainRows)
            validation = train.subset(validRows)
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
    public static func fromIDX(images: String, labels: String, validImages: String? = nil, validLabels: String? = nil,
                               validPercent: Double = 0.2, seed: UInt64 = 42, batchSize: Int = 64) throws(ImageDataError) -> DataLoaders {
        var train = try IDXFile.readLabeledImages(imagesPath: images, labelsPath: labels)
        var valid: LabeledImages?
        if let validImages, let validLabels { valid = try IDXFile.readLabeledImages(imagesPath: validImages, labelsPath: validLabels) }
        if images.lowercased().contains("fashion"), (train.labels.max() ?? 0) < 10 {
            train.classNames = fashionMNISTClasses
        }
        return fromImages(train, valid: valid, validPercent: validPercent, seed: seed, batchSize: batchSize)
    }

    /// Loaders from a folder with one subfolder of PNG/JPEG files per class, every image
    /// resized to `size` x `size` with `channels` channels (3: colour, 1: gray).
    ///
    /// ```swift
    /// let data = try ImageData.fromFolder("pets", size: 64)
    /// ```
    public static func fromFolder(_ root: String, size: Int = 64, channels: Int = 3, validPercent: Double = 0.2, seed: UInt64 = 42,
                                  batchSize: Int = 64) throws(ImageDataError) -> DataLoaders {
        let folder = try ImageFolder(root: root)
        let raw = ImagePreprocessing(height: size, width: size, channels: channels, normalization: nil)
        var images = try folder.loadAll(preprocessing: raw)
        images.classNames = folder.classNames
        return fromImages(images, validPercent: validPercent, seed: seed, batchSize: batchSize)
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
