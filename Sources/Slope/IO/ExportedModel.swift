import Foundation

/// What a model file holds, ready to predict with and to look inside: the trained model (in
/// evaluation mode), its fitted preprocessing, task and classes, and the training record the
/// file's manifest kept (loss, seed, metrics, history). fastai's `load_learner`, without any
/// training data; `Learner.load(from:)` makes one.
///
/// ```swift
/// let loaded = try Learner.load(from: "titanic.slope")
/// let p = try loaded.predict(["Sex": "female", "Pclass": "1", "Age": "30"])
/// print(p.label, loaded.classes, try loaded.model.getSubmodule("layers.0.0"))
/// ```
///
/// To train further, give its model to a new ``Learner`` with data.
public struct ExportedModel: Predictor {
    /// The trained model, rebuilt from the file's architecture and weights.
    public let model: Module
    /// The preprocessing fitted in training.
    public let preprocessing: Preprocessing
    /// Classification or regression.
    public let task: TabularTask
    /// Class names for classification, by class index; empty for regression.
    public let classes: [String]
    /// For regression, the target's mean and standard deviation (from the preprocessing).
    public let targetScale: (mean: Double, std: Double)?
    /// The loss the model was trained with (`crossEntropy`, `mse` or `custom`).
    public let lossName: String
    /// The seed the model's parameters and the data's split were drawn from, if recorded.
    public let seed: UInt64?
    /// The file's manifest as read: format and Slope versions, architecture, preprocessing,
    /// task, classes, loss, final metrics, seed and per-epoch history (see docs/FORMAT.md).
    public let manifest: JSON

    /// Bundles a model with its preprocessing and manifest; the target's scale comes from a
    /// regression's tabular preprocessing.
    ///
    /// - Parameters:
    ///   - model: The trained model.
    ///   - preprocessing: The preprocessing fitted in training.
    ///   - task: Classification or regression.
    ///   - classes: Class names by index (empty for regression).
    ///   - manifest: The manifest to keep and write again on ``export(to:)``; its `loss` and
    ///     `seed` fill ``lossName`` and ``seed``.
    public init(model: Module, preprocessing: Preprocessing, task: TabularTask, classes: [String], manifest: JSON) {
        self.model = model
        self.preprocessing = preprocessing
        self.task = task
        self.classes = classes
        if case .tabular(let prep) = preprocessing, task == .regression {
            targetScale = (prep.targetMean, prep.targetStd)
        } else {
            targetScale = nil
        }
        lossName = manifest["loss"]?.stringValue ?? "custom"
        seed = manifest["seed"]?.stringValue.flatMap { UInt64($0) }
        self.manifest = manifest
    }

    /// The final metrics the manifest recorded (`accuracy`, `valid_loss`, ...), in file order.
    public var metrics: [(name: String, value: Double)] {
        (manifest["metrics"]?.objectValue ?? []).compactMap { name, value in value.numberValue.map { (name, $0) } }
    }

    /// The manifest with this Slope's format version, version and the model's architecture, and
    /// everything else (preprocessing, metrics, history, seed) as read.
    func manifestForExport() throws(ModelFileError) -> JSON {
        let kept = (manifest.objectValue ?? []).filter { !["formatVersion", "slopeVersion", "architecture"].contains($0.0) }
        return .object([("formatVersion", .int(Learner.formatVersion)), ("slopeVersion", .string(SlopeLibrary.version)),
                        ("architecture", try ModuleSpec(describing: model).json)] + kept)
    }

    /// Writes the model and its manifest to one file again, atomically (the same tensors under
    /// the same keys; the training record as read).
    ///
    /// ```swift
    /// try Learner.load(from: "old.slope").export(to: "copy.slope")
    /// ```
    ///
    /// The file gets fresh checksums (a file written before checksums existed gains them) and
    /// passes every load check before it is written.
    ///
    /// - Parameter path: Where to write the file.
    /// - Throws: ``ModelFileError`` when the file cannot be written, or
    ///   ``ModelFileError/wouldNotLoad(file:reason:)`` when loading would refuse it.
    public func export(to path: String) throws(ModelFileError) {
        try Learner.writeModelFile(model, manifest: try manifestForExport(), to: path)
    }
}
