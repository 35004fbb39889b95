/// Small convolutional networks for image classification.
public enum VisionModels {
    /// Convolution, batch norm and ReLU: the unit every vision model here is built from.
    static func convBlock(_ input: Int, _ output: Int, stride: Int = 1, generator: inout some RandomNumberGenerator) -> Sequential {
        Sequential(Conv2d(inputChannels: input, outputChannels: output, kernelSize: 3, stride: IntOrPair(stride), padding: 1, bias: false,
                          generator: &generator),
                   BatchNorm2d(features: output), ReLU())
    }

    /// A small CNN for images of about 28x28 (MNIST, Fashion-MNIST): two conv-BN-ReLU-maxpool
    /// stages (16 and 32 channels), then a linear classifier over the `height/4 x width/4` map.
    ///
    /// ```swift
    /// let model = VisionModels.smallCNN(channels: 1, height: 28, width: 28, classes: 10, generator: &rng)
    /// ```
    ///
    /// - Parameters:
    ///   - channels: The input's channels (1 for greyscale, 3 for RGB).
    ///   - height: The input's height in pixels (the classifier expects `height / 4` after two pools).
    ///   - width: The input's width in pixels.
    ///   - classes: The number of output logits.
    ///   - generator: The random stream the parameters are drawn from.
    /// - Returns: The model, mapping `[N, channels, height, width]` to `[N, classes]` logits.
    public static func smallCNN(channels: Int, height: Int, width: Int, classes: Int, generator: inout some RandomNumberGenerator) -> Sequential {
        Sequential(
            convBlock(channels, 16, generator: &generator), MaxPool2d(kernelSize: 2),
            convBlock(16, 32, generator: &generator), MaxPool2d(kernelSize: 2),
            Flatten(), Linear(inputFeatures: 32 * (height / 4) * (width / 4), outputFeatures: classes, generator: &generator))
    }

    /// A small ResNet for larger images: a conv-BN-ReLU stem (32 channels) and a 2x2 max pool,
    /// residual blocks of 32, 64 (stride 2), 128 (stride 2) and 256 (stride 2) channels, global
    /// average pooling and a linear classifier. The pool and the four stages give each output a
    /// view of about 100 pixels (a 64x64 input ends as a 4x4 map), so shapes as large as the
    /// image are seen whole; the earlier three-stage version (a 16x16 map of ~40-pixel views)
    /// stayed at chance on upscaled digits.
    ///
    /// ```swift
    /// let model = VisionModels.smallResNet(channels: 3, classes: 5, generator: &rng)
    /// ```
    ///
    /// - Parameters:
    ///   - channels: The input's channels.
    ///   - classes: The number of output logits.
    ///   - generator: The random stream the parameters are drawn from.
    /// - Returns: The model, mapping `[N, channels, H, W]` (any size the strides allow) to `[N, classes]` logits.
    public static func smallResNet(channels: Int, classes: Int, generator: inout some RandomNumberGenerator) -> Sequential {
        Sequential(
            convBlock(channels, 32, generator: &generator), MaxPool2d(kernelSize: 2),
            ResidualBlock(inputChannels: 32, outputChannels: 32, generator: &generator),
            ResidualBlock(inputChannels: 32, outputChannels: 64, stride: 2, generator: &generator),
            ResidualBlock(inputChannels: 64, outputChannels: 128, stride: 2, generator: &generator),
            ResidualBlock(inputChannels: 128, outputChannels: 256, stride: 2, generator: &generator),
            AdaptiveAvgPool2d(outputSize: 1), Flatten(),
            Linear(inputFeatures: 256, outputFeatures: classes, generator: &generator))
    }
}

/// fastai's `vision_learner`, from scratch: the small CNN for inputs up to 32x32 and the small
/// ResNet for larger ones, cross-entropy loss and accuracy, parameters drawn from `seed`.
///
/// ```swift
/// let data = try ImageData.fromIDX(images: "train-images-idx3-ubyte.gz", labels: "train-labels-idx1-ubyte.gz")
/// let learner = visionLearner(data: data, seed: 42)
/// learner.fitOneCycle(epochs: 3, maxLR: 1e-2)
/// ```
///
/// - Parameters:
///   - data: Loaders made by ``ImageData`` (it is a programmer error to pass others).
///   - seed: The seed the parameters are drawn from, recorded on export.
///   - weightDecay: The decoupled weight decay of ``fastaiAdam(weightDecay:)``.
///   - metrics: The metrics, or `nil` for accuracy.
/// - Returns: A learner ready to `fit`.
public func visionLearner(data: DataLoaders, seed: UInt64 = 42, weightDecay: Float = 0.01, metrics: [Metric]? = nil) -> Learner {
    guard case .image(let prep) = data.preprocessing else {
        requireFailure("visionLearner: the data was not made by ImageData (no image preprocessing)")
    }
    var rng = SeededGenerator(seed: seed)
    let model = prep.height <= 32 && prep.width <= 32
        ? VisionModels.smallCNN(channels: prep.channels, height: prep.height, width: prep.width, classes: data.outputCount, generator: &rng)
        : VisionModels.smallResNet(channels: prep.channels, classes: data.outputCount, generator: &rng)
    let learner = Learner(data: data, model: model, loss: { crossEntropy(logits: $0, targets: $1) }, metrics: metrics ?? [.accuracy],
                          optimizer: fastaiAdam(weightDecay: weightDecay))
    learner.lossName = "crossEntropy"
    learner.seed = seed
    return learner
}
