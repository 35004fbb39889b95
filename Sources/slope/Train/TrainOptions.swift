import ArgumentParser
import Foundation
import Slope

/// Options shared by `slope train` and `slope lr-find`: the data and how to read it.
struct DataOptions: ParsableArguments {
    @Argument(help: "A CSV file (with --target), an image folder or IDX images file (with --images).")
    var path: String

    @Option(help: "The column to predict (CSV).") var target: String?
    @Flag(help: "Train on images: a folder with one subfolder per class, or an IDX images file.") var images = false
    @Option(name: .customLong("valid-pct"), parsing: .unconditional, help: "Share of rows held out for validation.")
    var validPercent: Double = 0.2
    @Option(help: "Seed for the split, the initial weights and the shuffling.") var seed: UInt64 = 42
    @Option(name: .customLong("batch-size"), help: "Rows or images per batch (default: 64, smaller for small tables and image sets).") var batchSize: Int?
    @Option(help: "The validation set: a folder of class subfolders or an IDX images file (--images), or a CSV file (tables). Default: a `valid/` subfolder beside `train/`, the `t10k-*` IDX pair beside `train-*`, else a random --valid-pct.")
    var valid: String?
    @Option(name: .customLong("valid-column"), help: "Tables: a column of true/false (1/0) marking the validation rows (fastai's ColSplitter), e.g. is_valid.")
    var validColumn: String?
    @Option(help: "Comma-separated categorical columns (default: inferred).") var cat: String?
    @Option(help: "Comma-separated continuous columns (default: inferred).") var cont: String?
    @Option(help: "Comma-separated columns to leave out.") var ignore: String?
    @Option(help: "classification or regression (default: inferred from the target).") var task: String?
    @Option(help: "Image folders: resize every image to SIZE x SIZE.") var size: Int = 64
    @Option(help: "Image folders: 3 for colour, 1 for gray.") var channels: Int = 3
    @Option(help: "Images: seeded random changes to the training images: none, light or default (flips, rotations up to 10°, zooms up to 1.1, lighting up to 0.2).")
    var augment: String = "none"

    /// Splits `a,b,c` into names; an empty name (`a,,b`, an empty list) is refused.
    static func names(_ list: String?, option: String) throws -> [String]? {
        guard let list else { return nil }
        let names = list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.contains(where: \.isEmpty) else {
            throw CommandError("\(option) must be comma-separated column names like Sex,Pclass, got `\(list)` (an empty name)")
        }
        return names
    }

    /// Checks the options and loads the data, with one clear line on failure.
    func load() throws -> DataLoaders {
        guard validPercent.isFinite, validPercent > 0, validPercent < 1 else {
            throw CommandError("--valid-pct must be between 0 and 1 (exclusive), got \(validPercent)")
        }
        if let batchSize, batchSize < 1 { throw CommandError("--batch-size must be at least 1, got \(batchSize)") }
        let batchLimit = InputLimits.batchSize
        if let batchSize, batchSize > batchLimit.value {
            throw CommandError("--batch-size must be at most \(batchLimit), got \(batchSize)")
        }
        let parsedTask: TabularTask?
        if let task {
            guard let value = TabularTask(rawValue: task) else {
                throw CommandError("--task must be classification or regression, got `\(task)`")
            }
            parsedTask = value
        } else {
            parsedTask = nil
        }
        if images {
            if validColumn != nil { throw CommandError("--valid-column is for tables; for images pass --valid FOLDER or a `valid/` subfolder") }
            return try ImageDataCommandSupport.load(self)
        }
        guard let target else { throw CommandError("--target COLUMN is required for a CSV file (or pass --images)") }
        do {
            let categorical = try DataOptions.names(cat, option: "--cat")
            let continuous = try DataOptions.names(cont, option: "--cont")
            let ignoring = try DataOptions.names(ignore, option: "--ignore") ?? []
            if valid != nil && validColumn != nil { throw CommandError("--valid and --valid-column both choose the validation rows; pass one") }
            if let valid, FileBytes.kind(of: valid) == .folder { throw CommandError("--valid \(valid): expected a CSV file of validation rows, found a folder") }
            return try TabularData.fromCSV(path, target: target, validPercent: validPercent, seed: seed, batchSize: batchSize,
                                           task: parsedTask, categoricalColumns: categorical, continuousColumns: continuous, ignoring: ignoring,
                                           validFile: valid, validColumn: validColumn)
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError("\(error)")
        }
    }

    /// ``summary(_:)`` with a line saying which samples validate (``validationSource``).
    func describe(_ data: DataLoaders) -> String {
        DataOptions.summary(data) + "\nvalidation: " + validationSource
    }

    /// A short description of what was loaded, for text output.
    static func summary(_ data: DataLoaders) -> String {
        var lines = ["\(data.train.dataset.count) training samples, \(data.valid.dataset.count) validation samples; "
            + (data.task == .classification ? "classification into \(data.classes.count) classes" : "regression")]
        if case .tabular(let prep) = data.preprocessing {
            lines.append("categorical: " + (prep.categorical.map(\.name).joined(separator: ", ").nonEmpty ?? "none"))
            lines.append("continuous: " + (prep.continuous.map(\.name).joined(separator: ", ").nonEmpty ?? "none"))
        }
        if case .image(let prep) = data.preprocessing {
            lines.append("images \(prep.channels)x\(prep.height)x\(prep.width); classes: " + data.classes.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}

extension DataOptions {
    /// Which samples validate, in words: the file or folder given or found, or the random share.
    var validationSource: String {
        if let valid { return "\(valid) (--valid)" }
        if let validColumn { return "the rows whose `\(validColumn)` is true (--valid-column)" }
        if images {
            if isFolderPath, let split = ImageData.splitFolders(in: path) { return "\(split.valid) (beside \(split.train))" }
            if let pair = ImageDataCommandSupport.testPair(besides: path) { return "\(pair.images) (the test pair beside the training file)" }
        }
        return "a random " + String(format: "%g", validPercent * 100) + "% of " + (images ? "the images" : "the rows")
            + " (--valid-pct " + String(format: "%g", validPercent) + ", --seed \(seed))"
    }

    /// Parses `--layers 200,100`, with one clear line for anything else (an empty size, a size
    /// that is not a positive whole number, or one past ``InputLimits/modelParameters``).
    static func hiddenSizes(_ text: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let sizes = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !text.isEmpty, sizes.count == parts.count, sizes.allSatisfy({ $0 > 0 }) else {
            throw CommandError("--layers must be positive sizes like 200,100, got `\(text)`")
        }
        let limit = InputLimits.modelParameters
        if let large = sizes.first(where: { $0 > limit.value }) {
            throw CommandError("--layers: a layer of \(large) units is more than the model's limit of \(limit) parameters")
        }
        return sizes
    }

    /// The learner that suits the data: fastai's tabular model for tables, the vision models
    /// for images; refused when the model would be larger than ``InputLimits/modelParameters`` or
    /// cannot take the images (checked by the layers' shape rule before anything trains).
    ///
    /// With `checkpoint` (images only), the model is a ResNet whose body comes from that file
    /// (``ResNet/body(from:classes:seed:)``), with a new head for the classes.
    func learner(for loaders: DataLoaders, hidden: [Int], dropout: Float = 0, weightDecay: Float = 0.01,
                 checkpoint: String? = nil) throws -> Learner {
        if let checkpoint {
            guard case .image(let prep) = loaders.preprocessing else {
                throw CommandError("--from \(checkpoint): a checkpoint body is for images (--images); tables train from scratch")
            }
            return try DataOptions.fineTuningLearner(from: checkpoint, loaders: loaders, prep: prep, seed: seed, weightDecay: weightDecay,
                                                     isFolder: isFolderPath, path: path)
        }
        switch loaders.preprocessing {
        case .tabular(let prep):
            try DataOptions.checkTabularSize(inputs: prep.inputWidth, hidden: hidden, outputs: loaders.outputCount,
                                             batchSize: Swift.min(loaders.train.batchSize, loaders.train.dataset.count))
            // The tabular model's own settings rule, before anything is allocated (10,001
            // categorical columns are more than a TabularModel, and so a model file, takes).
            let settings = TabularModel.Settings(cardinalities: prep.categorical.map(\.vocabulary.count),
                                                 continuousCount: prep.continuous.count, outputCount: loaders.outputCount,
                                                 hiddenSizes: hidden, dropout: dropout)
            do { try settings.validate() } catch {
                if error.setting == "hiddenSizes" || error.setting == "dropout" {
                    throw CommandError("--\(error.setting == "dropout" ? "dropout" : "layers"): TabularModel \(error)")
                }
                throw CommandError("\(TabularError.modelTooLarge(file: path, reason: "TabularModel \(error)"))")
            }
            return tabularLearner(data: loaders, layers: hidden, dropout: dropout, weightDecay: weightDecay, seed: seed)
        case .image(let prep):
            let learner = visionLearner(data: loaders, seed: seed, weightDecay: weightDecay)
            let pixels = "\(prep.width)x\(prep.height)"
            switch ModelInputCheck.check(learner.model, sample: [prep.channels, prep.height, prep.width], outputs: loaders.outputCount,
                                         batchSize: Swift.min(loaders.train.batchSize, loaders.train.dataset.count)) {
            case .fits: return learner
            case .rejectsInput, .outputMismatch:
                throw CommandError("\(path): images of \(pixels) pixels are too small for the model: its convolutions and pooling need "
                    + "at least 4x4 (it halves the size twice); use larger images" + (isFolderPath ? " (--size 4 or more)" : ""))
            case .activationsTooLarge(let floats):
                throw CommandError("\(path): a batch of \(Swift.min(loaders.train.batchSize, loaders.train.dataset.count)) images of \(prep.channels)x\(pixels) needs about "
                    + "\(floats) floats of layer outputs, more than the limit of \(InputLimits.batchActivationFloats); "
                    + "use a smaller --size or --batch-size")
            }
        case .none: throw CommandError("no preprocessing for this data")
        }
    }

    /// A learner over a ResNet whose body is read from `checkpoint` and whose head is new,
    /// refused with one line when the checkpoint is no ResNet, takes other channels than the
    /// images have, or cannot take images this small.
    static func fineTuningLearner(from checkpoint: String, loaders: DataLoaders, prep: ImagePreprocessing, seed: UInt64,
                                  weightDecay: Float, isFolder: Bool, path: String) throws -> Learner {
        let model: ResNet
        do { model = try ResNet.body(from: checkpoint, classes: loaders.outputCount, seed: seed) } catch {
            throw CommandError("--from: \(error)")
        }
        let wanted = model.settings.inputChannels
        guard wanted == prep.channels else {
            throw CommandError("--from \(checkpoint): its conv1.weight takes images of \(wanted) channels, these have \(prep.channels)"
                + (isFolder && (wanted == 1 || wanted == 3) ? "; pass --channels \(wanted)" : ""))
        }
        let batch = Swift.min(loaders.train.batchSize, loaders.train.dataset.count)
        switch ModelInputCheck.check(model, sample: [prep.channels, prep.height, prep.width], outputs: loaders.outputCount, batchSize: batch) {
        case .fits: break
        case .rejectsInput(let error):
            throw CommandError("\(path): images of \(prep.width)x\(prep.height) pixels are too small for a ResNet (it halves them "
                + "five times, and its last batch norm needs a 2x2 map: at least 64x64)" + (isFolder ? "; use --size 64 or more" : "") + " (\(error))")
        case .outputMismatch(let shape):
            throw CommandError("--from \(checkpoint): the ResNet gives outputs of shape \(shape) for these images, not [1, \(loaders.outputCount)]")
        case .activationsTooLarge(let floats):
            throw CommandError("\(path): a batch of \(batch) images of \(prep.channels)x\(prep.width)x\(prep.height) needs about \(floats) "
                + "floats of layer outputs in a ResNet, more than the limit of \(InputLimits.batchActivationFloats); use a smaller --size or --batch-size")
        }
        let learner = Learner(data: loaders, model: model, loss: { crossEntropy(logits: $0, targets: $1) }, metrics: [.accuracy],
                              optimizer: fastaiAdam(weightDecay: weightDecay))
        learner.lossName = "crossEntropy"
        learner.seed = seed
        return learner
    }

    /// Whether ``path`` is a folder (an image folder rather than an IDX file).
    var isFolderPath: Bool { FileBytes.kind(of: path) == .folder }

    /// Refuses a tabular model whose linear layers alone would exceed ``InputLimits/modelParameters``
    /// (`inputs × h1 + h1 × h2 + ... + hk × outputs`), or whose hidden outputs for one batch
    /// (`4 × batch × (h1 + ... + hk)`: linear, batch norm, ReLU and dropout outputs) would exceed
    /// ``InputLimits/batchActivationFloats``, before any weight is allocated.
    static func checkTabularSize(inputs: Int, hidden: [Int], outputs: Int, batchSize: Int) throws {
        let widths = [Swift.max(inputs, 1)] + hidden + [outputs]
        var total = 0
        for (a, b) in zip(widths, widths.dropFirst()) {
            let (product, overflow) = a.multipliedReportingOverflow(by: b)
            let (sum, overflowSum) = total.addingReportingOverflow(product)
            total = overflow || overflowSum ? .max : sum
        }
        let limit = InputLimits.modelParameters
        if total > limit.value {
            let shown = total == .max ? "more than \(Int.max)" : "\(total)"
            throw CommandError("--layers \(hidden.map(String.init).joined(separator: ",")) makes a model of \(shown) parameters, "
                + "more than the limit of \(limit); use smaller layers")
        }
        let (activations, overflow) = (4 * hidden.reduce(0, +)).multipliedReportingOverflow(by: Swift.max(batchSize, 1))
        let activationLimit = InputLimits.batchActivationFloats
        if overflow || activations > activationLimit.value {
            throw CommandError("--layers \(hidden.map(String.init).joined(separator: ",")) with batches of \(batchSize) rows needs about "
                + "\(overflow ? Int.max : activations) floats of layer outputs, more than the limit of \(activationLimit); "
                + "use smaller layers or --batch-size")
        }
    }
}

extension String {
    /// `nil` for an empty string.
    var nonEmpty: String? { isEmpty ? nil : self }
}
