import Foundation

/// Which kind of model file a path holds, told by its content, not its extension: Slope's
/// safetensors-based files (and plain safetensors), or the zip archives `torch.save` writes
/// (PyTorch `state_dict`s and modules, fastai's `export.pkl`).
///
/// ```swift
/// ModelFileKind.of(path: "export.pkl")   // .torch
/// ```
public enum ModelFileKind: Sendable, Equatable {
    /// A safetensors file (`.slope` or plain weights).
    case safetensors
    /// A `torch.save` zip archive.
    case torch
    /// Neither (or unreadable): the safetensors reader reports why.
    case unknown

    /// The kind of the file at `path`, from its first bytes.
    ///
    /// - Parameter path: the file.
    /// - Returns: its kind.
    public static func of(path: String) -> ModelFileKind {
        guard let head = FileBytes.prefix(path: path, count: 9) else { return .unknown }
        if TorchFile.looksLikeArchive(head) { return .torch }
        if head.count == 9, head[8] == UInt8(ascii: "{") { return .safetensors }
        return .unknown
    }
}

extension Learner {
    /// Loads a fastai export (`learn.export()`) as a model that predicts as fastai does; see
    /// ``FastAIExport`` for what is read and skipped. Its manifest records the task, classes,
    /// preprocessing and loss (fastai's training history is not read).
    ///
    /// - Parameter path: the export.
    /// - Returns: the model and its preprocessing.
    /// - Throws: ``ModelFileError``.
    static func loadTorch(from path: String) throws(ModelFileError) -> ExportedModel {
        let export = try FastAIExport(try TorchFile.read(path: path))
        let name = (path as NSString).lastPathComponent
        try checkConsistency(model: export.model, preprocessing: export.preprocessing, task: export.task, classes: export.classes, file: name)
        let manifest = JSON.object([
            ("task", .string(export.task.rawValue)), ("classes", .array(export.classes.map(JSON.string))),
            ("preprocessing", export.preprocessing.json), ("loss", .string(export.task == .classification ? "crossEntropy" : "mse")),
            ("metrics", .object([])), ("seed", .null), ("history", .array([])), ("source", .string("fastai export \(name)")),
        ])
        return ExportedModel(model: export.model, preprocessing: export.preprocessing, task: export.task, classes: export.classes,
                             manifest: manifest)
    }
}

extension Module {
    /// Loads a whole module: one saved with `torch.save(model)` (made of layers Slope has), or
    /// the model of a Slope file or fastai export; told apart by content.
    ///
    /// ```swift
    /// let model = try Module.load(from: "model.pt")
    /// ```
    ///
    /// - Parameter path: the file.
    /// - Returns: the module, in eval mode.
    /// - Throws: ``ModelFileError`` naming a class Slope does not rebuild, or what is wrong.
    public static func load(from path: String) throws(ModelFileError) -> Module {
        guard ModelFileKind.of(path: path) == .torch else { return try Learner.load(from: path).model }
        let torch = try TorchFile.read(path: path)
        let root = torch.graph.root
        if let name = torch.graph.className(root), name.hasPrefix("fastai."), name.hasSuffix("Learner") {
            return try FastAIExport(torch).model
        }
        if case .dict? = torch.graph.node(root) {
            throw .malformed(file: torch.file, reason: "it holds a dict, not a module; for a state_dict build the architecture and call loadWeights(from:)")
        }
        if torch.graph.className(root) == "collections.OrderedDict" {
            throw .malformed(file: torch.file, reason: "it holds a state_dict (tensors by key), not a module; "
                             + "build the architecture and call loadWeights(from:)")
        }
        return try TorchModuleDecoder(torch, rootName: "model").module(root)
    }

    /// Loads parameters and buffers from a PyTorch `state_dict` file (`torch.save(model.state_dict())`),
    /// strictly by key and shape.
    ///
    /// - Parameter path: the file.
    /// - Throws: ``ModelFileError`` naming the key.
    func loadTorchWeights(from path: String, excluding: [String] = []) throws(ModelFileError) {
        let torch = try TorchFile.read(path: path)
        try loadState(SafeTensors.Contents(tensors: try torch.stateDict(), metadata: [:]), file: torch.file, excluding: excluding)
    }
}
