import Foundation

/// One file that holds a trained model and everything needed to use it: a standard
/// safetensors file whose tensors are the model's parameters and buffers under their dotted
/// keys, and whose `__metadata__` holds Slope's manifest (format version, architecture,
/// fitted preprocessing, task, classes, loss, metrics, seed, history). See docs/FORMAT.md.
extension Learner {
    /// The model format this Slope writes and the newest it reads.
    public static let formatVersion = 1

    /// The manifest written into exported files, with the CRC-32 of each of the model's tensors
    /// in `tensorCRC32` (docs/FORMAT.md).
    ///
    /// - Returns: The manifest object: format and Slope versions, architecture, task, classes,
    ///   preprocessing, loss, metrics, seed, history and the tensors' checksums.
    /// - Throws: ``ModelFileError/notExportable(path:type:)`` when a module in the tree is not a
    ///   ``ModuleArchitecture``, so the architecture cannot be written.
    public func manifest() throws(ModelFileError) -> JSON {
        ModelFileChecksum.withTensorChecksums(try manifestWithoutChecksums(), of: model.stateDict())
    }

    private func manifestWithoutChecksums() throws(ModelFileError) -> JSON {
        let last = recorder.epochs.last
        var metrics: [(String, JSON)] = (last?.metrics ?? []).map { ($0.name, .number($0.value)) }
        if let last { metrics.append(("valid_loss", .number(last.validLoss))) }
        let history: [JSON] = recorder.epochs.map { row in
            .object([("epoch", .int(row.epoch)), ("train_loss", .number(row.trainLoss)), ("valid_loss", .number(row.validLoss))]
                    + row.metrics.map { ($0.name, .number($0.value)) } + [("seconds", .number(row.seconds))])
        }
        var pairs: [(String, JSON)] = [
            ("formatVersion", .int(Learner.formatVersion)), ("slopeVersion", .string(SlopeLibrary.version)),
            ("architecture", try ModuleSpec(describing: model).json),
            ("task", .string(data.task.rawValue)), ("classes", .array(data.classes.map(JSON.string))),
            ("preprocessing", data.preprocessing.json), ("loss", .string(lossName)),
            ("metrics", .object(metrics)), ("seed", seed.map { .string(String($0)) } ?? .null),
            ("history", .array(history)),
        ]
        if let augmenter = data.train.augmenter { pairs.append(("augmentation", augmenter.json)) }
        return .object(pairs)
    }

    /// Writes the model and its preprocessing to one file, atomically.
    ///
    /// ```swift
    /// try learner.export(to: "titanic.slope")
    /// ```
    ///
    /// What export writes, loading reads: the bytes are put through every check of
    /// `load(from:)` (a path) before they are written, and a model or preprocessing that
    /// loading would refuse (a weight that is not finite, a normalisation that does not fit a
    /// Float) is refused here, with nothing written.
    ///
    /// - Parameter path: The file to write (usually `.slope`); replaced atomically.
    /// - Throws: ``ModelFileError``: `notExportable` for a module that cannot be described,
    ///   ``ModelFileError/wouldNotLoad(file:reason:)`` naming what loading would refuse, or `io`
    ///   when the file cannot be written (an older file is left as it was).
    public func export(to path: String) throws(ModelFileError) {
        try Learner.writeModelFile(model, manifest: try manifest(), to: path)
    }

    /// Writes `model` and `manifest` as a model file (with checksums), after putting the bytes
    /// through every check of loading: what export writes, load reads. Used by every export.
    ///
    /// - Parameters:
    ///   - model: the model whose state dict is written.
    ///   - manifest: the manifest (its `tensorCRC32` is recomputed).
    ///   - path: the file to write.
    /// - Throws: ``ModelFileError/wouldNotLoad(file:reason:)`` or the error of writing.
    static func writeModelFile(_ model: Module, manifest: JSON, to path: String) throws(ModelFileError) {
        let bytes = ModelFileChecksum.encodeModelFile(model.stateDict(), manifest: manifest)
        let name = (path as NSString).lastPathComponent
        // The model's own module types count as known (a program that loads the file registers them).
        var ownTypes: [String: any ModuleArchitecture.Type] = [:]
        for (_, module) in model.namedModules() {
            if let type = Swift.type(of: module) as? any ModuleArchitecture.Type { ownTypes[type.typeName] = type }
        }
        do { _ = try Learner.load(bytes: bytes, file: name, extraTypes: ownTypes) } catch {
            throw .wouldNotLoad(file: name, reason: "\(error)")
        }
        try AtomicFile.write(bytes, to: path)
    }

    /// Writes the model and its preprocessing to a file URL, atomically.
    ///
    /// ```swift
    /// try learner.export(to: URL(fileURLWithPath: "titanic.slope"))
    /// ```
    ///
    /// - Parameter url: A `file:` URL of the file to write.
    /// - Throws: The errors of the path form of `export(to:)`.
    public func export(to url: URL) throws(ModelFileError) { try export(to: url.path) }

    /// Loads a model file from a file URL (see `load(from:)` with a path).
    ///
    /// ```swift
    /// let loaded = try Learner.load(from: URL(fileURLWithPath: "titanic.slope"))
    /// ```
    ///
    /// - Parameter url: The file's URL.
    /// - Returns: The model, its preprocessing and the file's training record.
    /// - Throws: ``ModelFileError`` naming the file and the key or field at fault.
    public static func load(from url: URL) throws(ModelFileError) -> ExportedModel { try load(from: url.path) }

    /// Loads a file written by `export(to:)` (fastai's `load_learner`), or a fastai `export.pkl`
    /// (told apart by content; see ``FastAIExport``): rebuilds the architecture from known module
    /// types only, checks every tensor key and shape strictly, and restores the preprocessing.
    /// What it gives predicts exactly as the exported learner did and holds no training data.
    ///
    /// ```swift
    /// let loaded = try Learner.load(from: "titanic.slope")
    /// let prediction = try loaded.predict(["Sex": "female", "Pclass": "1", "Age": "30"])
    /// ```
    ///
    /// - Parameter path: The file written by `export(to:)`, or a fastai `export.pkl`.
    /// - Returns: The model, its preprocessing and the file's training record.
    /// - Throws: ``ModelFileError`` naming the file and the key or field at fault (docs/FORMAT.md
    ///   lists every check), ``ModelFileError/damaged(file:part:)`` when the checksums disagree.
    public static func load(from path: String) throws(ModelFileError) -> ExportedModel {
        if ModelFileKind.of(path: path) == .torch { return try loadTorch(from: path) }
        return try load(bytes: try SafeTensors.bytes(of: path), file: (path as NSString).lastPathComponent)
    }

    /// Loads a model file from its bytes (see `load(from:)` (a path)); `file` names it in errors.
    ///
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - file: the file's name, for messages.
    ///   - extraTypes: module types it may build besides the registered ones.
    /// - Returns: the model, its preprocessing and the file's training record.
    /// - Throws: ``ModelFileError`` naming the file and the key or field at fault.
    static func load(bytes: [UInt8], file name: String,
                     extraTypes: [String: any ModuleArchitecture.Type] = [:]) throws(ModelFileError) -> ExportedModel {
        let contents = try SafeTensors.decode(bytes, file: name)
        guard contents.metadata["format"] == "slope", let text = contents.metadata["slope"] else { throw .notASlopeFile(file: name) }
        let manifest: JSON
        do { manifest = try JSONParser.parse(Array(text.utf8), maxDepth: 64) } catch {
            // Damage shows first as a manifest that no longer parses: say so when its checksum disagrees.
            if let stored = contents.metadata[ModelFileChecksum.manifestKey].flatMap(ModelFileChecksum.parse),
               stored != ModelFileChecksum.crc32(Array(text.utf8)) {
                throw .damaged(file: name, part: "the manifest does not match its CRC-32 (and is not valid JSON: \(error))")
            }
            throw .manifest(file: name, field: "(the whole manifest)", expected: "valid JSON (\(error))")
        }
        try ModelFileChecksum.verify(contents, manifestText: text, manifest: manifest, file: name)
        guard let version = manifest["formatVersion"]?.numberValue, version == version.rounded(), version >= 1, version < 1e9 else {
            throw .manifest(file: name, field: "formatVersion", expected: "a positive whole number")
        }
        if Int(version) > formatVersion { throw .newerFormat(file: name, found: Int(version), supported: formatVersion) }
        guard let architecture = manifest["architecture"] else { throw .manifest(file: name, field: "architecture", expected: "an object") }
        // A model may hold no more values than about what the file stores (with room, so that a
        // missing tensor is reported as missing rather than as an oversized architecture).
        let budget = Swift.max(1 << 24, 2 * contents.tensors.reduce(0) { $0 + $1.tensor.count })
        let model = try ModuleRegistry.make(try ModuleSpec(reading: JSONReader(architecture, path: "architecture"), path: "", file: name,
                                                           valueBudget: budget, extraTypes: extraTypes))
        try model.loadState(contents, file: name)
        model.eval()

        guard let preprocessingJSON = manifest["preprocessing"] else { throw .manifest(file: name, field: "preprocessing", expected: "an object") }
        let preprocessing = try Preprocessing(json: preprocessingJSON, file: name)
        guard let task = manifest["task"]?.stringValue.flatMap(TabularTask.init) else {
            throw .manifest(file: name, field: "task", expected: "classification or regression")
        }
        guard let classValues = manifest["classes"]?.arrayValue else { throw .manifest(file: name, field: "classes", expected: "a list of strings") }
        var classes: [String] = []
        for value in classValues {
            guard let label = value.stringValue else { throw .manifest(file: name, field: "classes", expected: "a list of strings") }
            classes.append(label)
        }
        try checkConsistency(model: model, preprocessing: preprocessing, task: task, classes: classes, file: name)
        return ExportedModel(model: model, preprocessing: preprocessing, task: task, classes: classes, manifest: manifest)
    }
}

extension Learner {
    /// Checks that the preprocessing feeds the model inputs it accepts and that the model gives
    /// one output per class, so a loaded learner cannot fail at prediction time.
    static func checkConsistency(model: Module, preprocessing: Preprocessing, task: TabularTask, classes: [String],
                                 file: String) throws(ModelFileError) {
        func fail(_ field: String, _ expected: String) -> ModelFileError { .manifest(file: file, field: field, expected: expected) }
        if task == .classification && (classes.count < 2 || Set(classes).count != classes.count) {
            throw fail("classes", "at least two distinct class names for classification")
        }
        let input: [Int]
        switch preprocessing {
        case .tabular(let prep):
            if prep.task != task || (task == .classification && prep.classes != classes) {
                throw fail("preprocessing.classes", "the same task and classes as the manifest's")
            }
            if let tabular = model as? TabularModel {
                guard tabular.embeds.count == prep.categorical.count,
                      zip(tabular.embeds, prep.categorical).allSatisfy({ $0.count == $1.vocabulary.count }) else {
                    throw fail("preprocessing.categorical", "one vocabulary per embedding of the model, of the embedding's size")
                }
            }
            input = [1, prep.inputWidth]
        case .image(let prep):
            input = [1, prep.channels, prep.height, prep.width]
        case .none:
            return
        }
        let outputs = task == .classification ? classes.count : 1
        let expectation = "a model that takes the preprocessing's inputs \(input) and gives \(outputs) outputs"
        let output: [Int]
        do { output = try model.outputShape(for: input) } catch {
            // A model with a module type that states no shape rule is checked at prediction instead.
            if error.hasNoRule { return }
            throw fail("architecture", expectation + ", found: \(error)")
        }
        guard output == [1, outputs] else { throw fail("architecture", expectation + ", found one that gives \(output)") }
    }
}

extension Module {
    /// Copies values from a file's tensors into this model, checking that every key the model
    /// has is present with the same shape, that the file has no others, that every value is
    /// finite, and that each module accepts its values (``Module/checkLoadedValues()``); on any
    /// failure the model keeps the values it had. Keys under an `excluded` prefix are left out
    /// on both sides (the model keeps those values; the file's are ignored).
    func loadState(_ contents: SafeTensors.Contents, file: String, excluding excluded: [String] = []) throws(ModelFileError) {
        func isExcluded(_ key: String) -> Bool { excluded.contains { key == $0 || key.hasPrefix($0 + ".") } }
        let state = stateDict().filter { !isExcluded($0.key) }
        let ownKeys = Set(state.map(\.key))
        var stored: [String: Tensor] = [:]
        for (key, tensor) in contents.tensors where !isExcluded(key) {
            guard ownKeys.contains(key) else { throw .unexpectedTensor(file: file, key: key) }
            stored[key] = tensor
        }
        var values: [(Tensor, [Float])] = []
        for (key, tensor) in state {
            guard let found = stored[key] else { throw .missingTensor(file: file, key: key) }
            guard found.shape == tensor.shape else { throw .shapeMismatch(file: file, key: key, expected: tensor.shape, found: found.shape) }
            if let index = found.storage.firstIndex(where: { !$0.isFinite }) {
                throw .nonFinite(file: file, key: key, index: index, value: found.storage[index])
            }
            values.append((tensor, found.storage))
        }
        let previous = values.map { $0.0.storage }
        for (tensor, values) in values { tensor.storage = values }
        for (path, module) in namedModules() {
            guard let problem = module.checkLoadedValues() else { continue }
            for ((tensor, _), old) in zip(values, previous) { tensor.storage = old }
            throw .invalidValues(file: file, key: path.isEmpty ? problem.name : path + "." + problem.name,
                                 expected: problem.expected, found: problem.found)
        }
    }

    /// Writes this model's parameters and buffers (its state dict) as a plain safetensors file,
    /// keys as PyTorch names them, atomically.
    ///
    /// ```swift
    /// try model.saveWeights(to: "weights.safetensors")
    /// ```
    ///
    /// - Parameter path: The safetensors file to write; replaced atomically.
    /// - Throws: ``ModelFileError/io(file:reason:)`` when the file cannot be written.
    public func saveWeights(to path: String) throws(ModelFileError) {
        try SafeTensors.write(stateDict(), to: path)
    }

    /// Loads parameters and buffers from a safetensors file (Slope's or PyTorch's
    /// `save_file(model.state_dict())` of the same architecture) or a PyTorch `state_dict` saved
    /// with `torch.save` (told apart by content), strictly by key and shape.
    ///
    /// ```swift
    /// try model.loadWeights(from: "weights.safetensors")
    /// ```
    ///
    /// A body for fine-tuning loads everything but its head: `excluding: ["fc"]` leaves the
    /// model's `fc.weight` and `fc.bias` as they are and ignores the file's.
    ///
    /// ```swift
    /// let model = ResNet.resnet18(classes: 3)
    /// try model.loadWeights(from: "resnet18.pth", excluding: ["fc"])   // torchvision's body, a new head
    /// ```
    ///
    /// - Parameters:
    ///   - path: The safetensors or PyTorch file to read.
    ///   - excluding: Module paths (`fc`, `1.8`) whose tensors are neither read nor required.
    /// - Throws: ``ModelFileError``: `io` or `malformed` for the file, `unsupportedDType`, or
    ///   `missingTensor`, `unexpectedTensor`, `shapeMismatch`, `nonFinite` and `invalidValues`
    ///   naming the key; on an error the model's values are unchanged.
    public func loadWeights(from path: String, excluding: [String] = []) throws(ModelFileError) {
        if ModelFileKind.of(path: path) == .torch { return try loadTorchWeights(from: path, excluding: excluding) }
        try loadState(try SafeTensors.read(from: path), file: (path as NSString).lastPathComponent, excluding: excluding)
    }
}
