/// The fitted preprocessing that turns raw inputs into model inputs, kept with a trained
/// model so predictions later go through exactly the same steps.
public enum Preprocessing: Sendable, Equatable {
    /// Inputs are already tensors.
    case none
    /// Rows of a table (Categorify, FillMissing, Normalize).
    case tabular(TabularPreprocessor)
    /// Images resized and normalised.
    case image(ImagePreprocessing)
}

/// How images become model inputs: size, channels, per-channel normalisation, class names.
public struct ImagePreprocessing: Sendable, Equatable {
    /// Height of the model's input in pixels.
    public let height: Int
    /// Width of the model's input in pixels.
    public let width: Int
    /// Colour channels (1 or 3).
    public let channels: Int
    /// Per-channel mean subtracted (after scaling pixels to [0, 1]).
    public let mean: [Float]
    /// Per-channel standard deviation divided by.
    public let std: [Float]
    /// fastai's `Resize` (crop, squish or pad with Pillow's bilinear filter), for models read from
    /// a fastai export; `nil` for Slope's own resizing.
    public let fastaiResize: FastAIResize?

    /// Makes the description.
    ///
    /// - Parameters:
    ///   - height: The model's input height in pixels.
    ///   - width: The model's input width in pixels.
    ///   - channels: Colour channels, 1 or 3.
    ///   - mean: Per-channel mean subtracted after scaling pixels to `[0, 1]`, `channels` values.
    ///   - std: Per-channel standard deviation divided by, `channels` values.
    ///   - fastaiResize: fastai's resize rule, for a model read from a fastai export (`nil`: Slope's own).
    public init(height: Int, width: Int, channels: Int, mean: [Float], std: [Float], fastaiResize: FastAIResize? = nil) {
        self.height = height
        self.width = width
        self.channels = channels
        self.mean = mean
        self.std = std
        self.fastaiResize = fastaiResize
    }
}

/// The training and validation loaders of one task, with what is needed to read the model's
/// outputs: classification or regression, class names, and the fitted preprocessing
/// (fastai's `DataLoaders`).
///
/// ```swift
/// let data = try TabularData.fromCSV("train.csv", target: "Survived")
/// print(data.classes)   // ["0", "1"]
/// ```
public struct DataLoaders: @unchecked Sendable {
    /// Batches for training (shuffled).
    public let train: DataLoader
    /// Batches for validation (in order).
    public let valid: DataLoader
    /// Classification or regression.
    public let task: TabularTask
    /// Class names for classification, by class index.
    public let classes: [String]
    /// The preprocessing fitted on the training split.
    public let preprocessing: Preprocessing
    /// For regression: the model learns `(y - mean) / std`; metrics are reported in `y`'s units.
    public let targetScale: (mean: Double, std: Double)?

    /// Bundles loaders with their task description.
    ///
    /// - Parameters:
    ///   - train: Batches for training.
    ///   - valid: Batches for validation.
    ///   - task: Classification or regression.
    ///   - classes: Class names by class index (classification).
    ///   - preprocessing: The preprocessing fitted on the training split, saved with the model.
    ///   - targetScale: For regression, the target's mean and standard deviation the model's
    ///     outputs are scaled back with; `nil` otherwise.
    public init(train: DataLoader, valid: DataLoader, task: TabularTask, classes: [String] = [],
                preprocessing: Preprocessing = .none, targetScale: (mean: Double, std: Double)? = nil) {
        self.train = train
        self.valid = valid
        self.task = task
        self.classes = classes
        self.preprocessing = preprocessing
        self.targetScale = targetScale
    }

    /// The number of model outputs: one per class, or one value.
    public var outputCount: Int { task == .classification ? classes.count : 1 }
}
