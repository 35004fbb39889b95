/// What Slope reads from a fastai `export.pkl` (`learn.export()`): the trained model (`.model`)
/// and the preprocessing of its `DataLoaders`, turned into Slope values by exact class name.
/// Nothing in the file is run. Read: `TabularModel` and its layers, `Categorify`, `FillMissing`,
/// `Normalize`, the target's `Categorize`/`RegressionSetup`; vision models made of torchvision
/// ResNet blocks and fastai's head, `Resize`, `IntToFloatTensor`, `Normalize`. Skipped: the
/// optimizer, callbacks, recorder, loss function, metrics, training-only augmentations, the
/// pickled training table, paths, label functions and any cloudpickled code.
///
/// ```swift
/// let export = try FastAIExport(TorchFile.read(path: "export.pkl"))
/// print(export.task, export.classes)   // classification ["0", "1"]
/// ```
public struct FastAIExport {
    /// The model, in eval mode.
    public let model: Module
    /// Classification or regression.
    public let task: TabularTask
    /// The class names (the target's vocabulary), for classification.
    public let classes: [String]
    /// The preprocessing, as Slope applies it.
    public let preprocessing: Preprocessing

    private let torch: TorchFile
    private var graph: PickleGraph { torch.graph }
    private var file: String { torch.file }

    /// Reads an export.
    ///
    /// - Parameter torch: the file, read with ``TorchFile/read(path:)``.
    /// - Throws: ``ModelFileError`` naming what Slope cannot rebuild.
    public init(_ torch: TorchFile) throws(ModelFileError) {
        self.torch = torch
        let graph = torch.graph
        let root = graph.root
        guard let learnerClass = graph.className(root), learnerClass.hasPrefix("fastai."), learnerClass.hasSuffix("Learner") else {
            let found = graph.className(root).map { "a `\($0)`" } ?? "no learner object"
            throw .malformed(file: torch.file, reason: "not a fastai export: the pickle holds \(found), not a fastai Learner")
        }
        guard let modelValue = graph.attribute(root, "model") else { throw .malformed(file: torch.file, reason: "the learner has no `model`") }
        model = try TorchModuleDecoder(torch, rootName: "model").module(modelValue)
        guard let dls = graph.attribute(root, "dls"), let loaders = graph.attribute(dls, "loaders").flatMap(graph.items),
              let train = loaders.first else {
            throw .malformed(file: torch.file, reason: "the learner has no `dls.loaders`")
        }
        let (task, classes, preprocessing) = try FastAIExport.readPreprocessing(torch, loader: train, loaders: loaders)
        self.task = task
        self.classes = classes
        self.preprocessing = preprocessing
    }

    // MARK: - Values

    /// A number: an int, float or bool, or a NumPy scalar (`numpy.core.multiarray.scalar(dtype, bytes)`).
    static func number(_ graph: PickleGraph, _ value: PickleValue) -> Double? {
        switch value {
        case .int(let number): return Double(number)
        case .float(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        default: break
        }
        guard let scalar = numpyScalar(graph, value) else { return nil }
        return scalar.number
    }

    /// A NumPy scalar's value and whether it is a bool.
    struct NumPyScalar {
        /// The value.
        var number: Double
        /// Whether the dtype is bool.
        var isBool: Bool
    }

    /// A NumPy scalar's value and whether it is a bool.
    static func numpyScalar(_ graph: PickleGraph, _ value: PickleValue) -> NumPyScalar? {
        guard let instance = graph.instance(value), let name = graph.globalName(instance.callee),
              name.hasPrefix("numpy."), name.hasSuffix("multiarray.scalar"), instance.arguments.count == 2,
              let dtype = graph.instance(instance.arguments[0]), case .string(let code)? = dtype.arguments.first else { return nil }
        var raw: [UInt8]
        switch instance.arguments[1] {
        case .bytes(let bytes): raw = bytes
        default:
            // Protocol 2 writes bytes as _codecs.encode(latin-1 text, 'latin1').
            guard let encode = graph.instance(instance.arguments[1]), graph.globalName(encode.callee) == "_codecs.encode",
                  case .string(let text)? = encode.arguments.first else { return nil }
            raw = []
            for scalar in text.unicodeScalars {
                guard scalar.value < 256 else { return nil }
                raw.append(UInt8(scalar.value))
            }
        }
        var bigEndian = false
        if let state = dtype.state, let items = graph.items(state), items.count > 1, case .string(let order) = items[1] { bigEndian = order == ">" }
        if bigEndian { raw.reverse() }
        func bits(_ count: Int) -> UInt64? {
            guard raw.count == count else { return nil }
            var value: UInt64 = 0
            for (shift, byte) in raw.enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
            return value
        }
        switch code {
        case "f8": return bits(8).map { NumPyScalar(number: Double(bitPattern: $0), isBool: false) }
        case "f4": return bits(4).map { NumPyScalar(number: Double(Float(bitPattern: UInt32($0))), isBool: false) }
        case "f2": return bits(2).map { NumPyScalar(number: Double(TorchFile.halfToFloat(UInt16($0))), isBool: false) }
        case "i8": return bits(8).map { NumPyScalar(number: Double(Int64(bitPattern: $0)), isBool: false) }
        case "i4": return bits(4).map { NumPyScalar(number: Double(Int32(truncatingIfNeeded: $0)), isBool: false) }
        case "i2": return bits(2).map { NumPyScalar(number: Double(Int16(truncatingIfNeeded: $0)), isBool: false) }
        case "i1": return bits(1).map { NumPyScalar(number: Double(Int8(truncatingIfNeeded: $0)), isBool: false) }
        case "u8", "u4", "u2", "u1": return bits(Int(code.dropFirst())!).map { NumPyScalar(number: Double($0), isBool: false) }
        case "b1": return bits(1).map { NumPyScalar(number: $0 == 0 ? 0 : 1, isBool: true) }
        default: return nil
        }
    }

    /// A vocabulary entry as Slope compares table values: text as is, numbers in Slope's
    /// canonical form (`3`, `2.5`), bools as `False`/`True` (Python's `str`).
    static func label(_ graph: PickleGraph, _ value: PickleValue) -> String? {
        switch value {
        case .string(let text): return text
        case .bool(let flag): return flag ? "True" : "False"
        case .int(let number): return String(number)
        case .float(let number): return TabularPreprocessor.canonical(String(number))
        default:
            guard let scalar = numpyScalar(graph, value) else { return nil }
            if scalar.isBool { return scalar.number != 0 ? "True" : "False" }
            let number = scalar.number
            return number == number.rounded() && Swift.abs(number) < 1e15 ? String(Int64(number)) : String(number)
        }
    }

    /// The items of a fastcore `L` (or a plain list or tuple).
    static func list(_ graph: PickleGraph, _ value: PickleValue) -> [PickleValue]? {
        if let items = graph.items(value) { return items }
        if let inner = graph.attribute(value, "items") { return list(graph, inner) }
        return nil
    }

    /// The strings of a fastcore `L` of names.
    static func names(_ torch: TorchFile, _ value: PickleValue?, _ field: String) throws(ModelFileError) -> [String] {
        guard let value, let items = list(torch.graph, value) else { throw .malformed(file: torch.file, reason: "no `\(field)` list") }
        var names: [String] = []
        for item in items {
            guard case .string(let name) = item else { throw .malformed(file: torch.file, reason: "`\(field)` holds something other than names") }
            names.append(name)
        }
        return names
    }

    /// A `CategoryMap`'s items as labels.
    static func vocabulary(_ torch: TorchFile, _ value: PickleValue, _ field: String) throws(ModelFileError) -> [String] {
        guard let items = list(torch.graph, value) else { throw .malformed(file: torch.file, reason: "`\(field)` is not a CategoryMap") }
        var labels: [String] = []
        for item in items {
            guard let label = label(torch.graph, item) else { throw .malformed(file: torch.file, reason: "`\(field)` holds a value that is not text, a number or a bool") }
            labels.append(label)
        }
        return labels
    }

    // MARK: - Preprocessing

    /// The transforms of a fastai `Pipeline`.
    static func transforms(_ graph: PickleGraph, _ pipeline: PickleValue?) -> [PickleValue] {
        guard let pipeline, let fs = graph.attribute(pipeline, "fs") else { return [] }
        return list(graph, fs) ?? []
    }

    /// Whether a transform runs only on the training set (`split_idx == 0`: augmentations).
    static func trainingOnly(_ graph: PickleGraph, _ transform: PickleValue) -> Bool {
        graph.attribute(transform, "split_idx") == .int(0)
    }

    private static func readPreprocessing(_ torch: TorchFile, loader: PickleValue,
                                          loaders: [PickleValue]) throws(ModelFileError) -> (TabularTask, [String], Preprocessing) {
        let graph = torch.graph
        if let dataset = graph.attribute(loader, "dataset"), graph.className(dataset) == "fastai.tabular.core.TabularPandas" {
            return try tabular(torch, dataset)
        }
        return try vision(torch, loader)
    }

    private static func tabular(_ torch: TorchFile, _ dataset: PickleValue) throws(ModelFileError) -> (TabularTask, [String], Preprocessing) {
        let graph = torch.graph, file = torch.file
        let categoricalNames = try names(torch, graph.attribute(dataset, "cat_names"), "cat_names")
        let continuousNames = try names(torch, graph.attribute(dataset, "cont_names"), "cont_names")
        let targets = try names(torch, graph.attribute(dataset, "y_names"), "y_names")
        guard targets.count == 1 else {
            throw .unsupportedClass(file: file, path: "dls.y_names", className: "fastai.tabular.core.TabularPandas",
                                    reason: "\(targets.count) targets; Slope predicts one")
        }
        var vocabularies: [String: [String]] = [:], fills: [String: Double] = [:], means: [String: Double] = [:], stds: [String: Double] = [:]
        var task: TabularTask?
        var classes: [String] = []
        for proc in transforms(graph, graph.attribute(dataset, "procs")) {
            let name = graph.className(proc) ?? "?"
            func numbers(_ attribute: String) throws(ModelFileError) -> [String: Double] {
                guard let dict = graph.attribute(proc, attribute), let entries = graph.entries(dict) else {
                    throw .malformed(file: file, reason: "`\(name).\(attribute)` is not a dict")
                }
                var result: [String: Double] = [:]
                for entry in entries {
                    guard case .string(let column) = entry.key, let value = number(graph, entry.value) else {
                        throw .malformed(file: file, reason: "`\(name).\(attribute)` holds something other than column numbers")
                    }
                    result[column] = value
                }
                return result
            }
            switch name {
            case "fastai.tabular.core.Categorify":
                guard let dict = graph.attribute(proc, "classes"), let entries = graph.entries(dict) else {
                    throw .malformed(file: file, reason: "`Categorify.classes` is not a dict")
                }
                for entry in entries {
                    guard case .string(let column) = entry.key else { throw .malformed(file: file, reason: "`Categorify.classes` key") }
                    vocabularies[column] = try vocabulary(torch, entry.value, "Categorify.classes.\(column)")
                }
            case "fastai.tabular.core.FillMissing":
                fills = try numbers("na_dict")
            case "fastai.data.transforms.Normalize":
                means = try numbers("means")
                stds = try numbers("stds")
            case "fastai.data.transforms.Categorize":
                guard let vocab = graph.attribute(proc, "vocab") else { throw .malformed(file: file, reason: "`Categorize` without a vocab") }
                classes = try vocabulary(torch, vocab, "Categorize.vocab")
                task = .classification
            case "fastai.data.transforms.RegressionSetup":
                task = .regression
            default:
                throw .unsupportedClass(file: file, path: "dls.procs", className: name,
                                        reason: "Slope applies Categorify, FillMissing, Normalize, Categorize and RegressionSetup")
            }
        }
        guard let task else {
            throw .malformed(file: file, reason: "the procs set up no target (no Categorize or RegressionSetup)")
        }
        var categorical: [TabularPreprocessor.Categorical] = []
        for column in categoricalNames {
            guard let vocabulary = vocabularies[column], vocabulary.first == TabularPreprocessor.missing, Set(vocabulary).count == vocabulary.count else {
                throw .malformed(file: file, reason: "categorical column `\(column)` has no vocabulary starting with #na# in Categorify")
            }
            var indicatorOf: String?
            if column.hasSuffix("_na"), fills[String(column.dropLast(3))] != nil { indicatorOf = String(column.dropLast(3)) }
            if indicatorOf != nil, vocabulary != [TabularPreprocessor.missing, "False", "True"] {
                throw .malformed(file: file, reason: "missing-value indicator `\(column)` has vocabulary \(vocabulary)")
            }
            categorical.append(.init(name: column, vocabulary: vocabulary, indicatorOf: indicatorOf))
        }
        var continuous: [TabularPreprocessor.Continuous] = []
        for column in continuousNames {
            let mean = means[column] ?? 0, std = stds[column] ?? 1
            guard mean.isFinite, std.isFinite, std > 0 else { throw .malformed(file: file, reason: "Normalize of `\(column)`: mean \(mean), std \(std)") }
            // A value missing where training had none: fastai refuses (issue 2911); Slope uses the training mean.
            continuous.append(.init(name: column, fill: fills[column] ?? mean, mean: mean, std: std))
        }
        if task == .classification, classes.count < 2 {
            throw .malformed(file: file, reason: "the target's vocabulary has \(classes.count) classes")
        }
        let prep = TabularPreprocessor(categorical: categorical, continuous: continuous, target: targets[0], task: task,
                                       classes: task == .classification ? classes : [], targetMean: 0, targetStd: 1)
        return (task, task == .classification ? classes : [], .tabular(prep))
    }

    private static func vision(_ torch: TorchFile, _ loader: PickleValue) throws(ModelFileError) -> (TabularTask, [String], Preprocessing) {
        let graph = torch.graph, file = torch.file
        var size: (width: Int, height: Int)?
        var resize = FastAIResize()
        for transform in transforms(graph, graph.attribute(loader, "after_item")) {
            let name = graph.className(transform) ?? "?"
            switch name {
            case "fastai.vision.augment.Resize":
                guard let sizeValue = graph.attribute(transform, "size"),
                      let items = graph.items(sizeValue) ?? graph.instance(sizeValue)?.arguments.first.flatMap(graph.items),
                      items.count == 2, case .int(let width) = items[0], case .int(let height) = items[1],
                      (1...16_384).contains(width), (1...16_384).contains(height) else {
                    throw .malformed(file: file, reason: "`Resize.size` is not two sizes in 1...16384")
                }
                guard case .string(let methodName)? = graph.attribute(transform, "method"), let method = FastAIResize.Method(rawValue: methodName) else {
                    throw .unsupportedClass(file: file, path: "dls.after_item", className: name, reason: "a method other than crop, squish or pad")
                }
                guard case .string(let padName)? = graph.attribute(transform, "pad_mode"), let padMode = FastAIResize.PadMode(rawValue: padName) else {
                    throw .unsupportedClass(file: file, path: "dls.after_item", className: name, reason: "a pad mode other than zeros, border or reflection")
                }
                if let mode = graph.attribute(transform, "mode"), let resample = graph.instance(mode)?.arguments.first, resample != .int(2) {
                    throw .unsupportedClass(file: file, path: "dls.after_item", className: name,
                                            reason: "resampling filter \(resample); Slope applies Pillow's BILINEAR (fastai's default)")
                }
                size = (width, height)
                resize = FastAIResize(method: method, padMode: padMode)
            case "fastai.data.transforms.ToTensor":
                continue
            default:
                if trainingOnly(graph, transform) { continue }
                throw .unsupportedClass(file: file, path: "dls.after_item", className: name,
                                        reason: "Slope applies Resize and ToTensor to items (training-only augmentations are skipped)")
            }
        }
        guard let size else {
            throw .malformed(file: file, reason: "no Resize in dls.after_item: Slope needs the size fastai fed the model")
        }
        var scale: Float = 1
        var mean: [Float] = [0, 0, 0], std: [Float] = [1, 1, 1]
        var sawScale = false
        for transform in transforms(graph, graph.attribute(loader, "after_batch")) {
            let name = graph.className(transform) ?? "?"
            switch name {
            case "fastai.data.transforms.IntToFloatTensor":
                guard let div = graph.attribute(transform, "div").flatMap({ number(graph, $0) }), div > 0 else {
                    throw .malformed(file: file, reason: "`IntToFloatTensor.div` is not a positive number")
                }
                scale = Float(div)
                sawScale = true
            case "fastai.data.transforms.Normalize":
                guard let meanValue = graph.attribute(transform, "mean"), let stdValue = graph.attribute(transform, "std") else {
                    throw .malformed(file: file, reason: "`Normalize` without mean and std")
                }
                mean = try torch.tensor(meanValue, key: "dls.after_batch.Normalize.mean").scalars
                std = try torch.tensor(stdValue, key: "dls.after_batch.Normalize.std").scalars
            default:
                if trainingOnly(graph, transform) { continue }
                throw .unsupportedClass(file: file, path: "dls.after_batch", className: name,
                                        reason: "Slope applies IntToFloatTensor and Normalize to batches (training-only augmentations are skipped)")
            }
        }
        guard sawScale, scale == 255 else {
            throw .unsupportedClass(file: file, path: "dls.after_batch", className: "fastai.data.transforms.IntToFloatTensor",
                                    reason: "Slope scales pixels by 1/255 (IntToFloatTensor(div=255)), found div \(scale)")
        }
        let channels = graph.globalNames.contains("fastai.vision.core.PILImageBW") ? 1 : 3
        guard mean.count == channels, std.count == channels, std.allSatisfy({ $0 > 0 && $0.isFinite }), mean.allSatisfy(\.isFinite) else {
            throw .malformed(file: file, reason: "Normalize has \(mean.count) means and \(std.count) stds for \(channels) channels")
        }
        // The target: the one Categorize in the data pipeline.
        var vocabularies: [[String]] = []
        for index in graph.nodes.indices where graph.className(.node(index)) == "fastai.data.transforms.Categorize" {
            guard let vocab = graph.attribute(.node(index), "vocab") else { continue }
            let classes = try vocabulary(torch, vocab, "Categorize.vocab")
            if !vocabularies.contains(classes) { vocabularies.append(classes) }
        }
        if graph.globalNames.contains("fastai.data.transforms.MultiCategorize") {
            throw .unsupportedClass(file: file, path: "dls", className: "fastai.data.transforms.MultiCategorize",
                                    reason: "multi-label targets; Slope predicts one class per image")
        }
        guard vocabularies.count == 1, vocabularies[0].count >= 2 else {
            throw .malformed(file: file, reason: "expected one class vocabulary (Categorize) for the images, found \(vocabularies.count)")
        }
        let prep = ImagePreprocessing(height: size.height, width: size.width, channels: channels, mean: mean, std: std, fastaiResize: resize)
        return (.classification, vocabularies[0], .image(prep))
    }
}
