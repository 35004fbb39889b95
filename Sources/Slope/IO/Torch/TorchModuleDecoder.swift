/// Turns pickled PyTorch modules (`torch.save(model)`, the `.model` of a fastai export) into
/// Slope modules, by exact class name: each known class is rebuilt from its pickled settings
/// (`in_features`, `kernel_size`, ...) through the layer's own `Settings.validate()`, its children
/// in order, then every parameter and buffer copied in with the strict key and shape check of
/// `.slope` files. A class Slope does not know is an error naming it and where it sits.
///
/// ```swift
/// let torch = try TorchFile.read(path: "model.pt")
/// let model = try TorchModuleDecoder(torch).module(torch.graph.root)
/// ```
public struct TorchModuleDecoder {
    /// The file the modules come from.
    public let torch: TorchFile
    /// The name of the tree's root in messages (`model` for a fastai export).
    public let rootName: String

    /// A decoder for modules of `torch`.
    ///
    /// - Parameters:
    ///   - torch: the file.
    ///   - rootName: how messages name the root (`model`).
    public init(_ torch: TorchFile, rootName: String = "model") {
        self.torch = torch
        self.rootName = rootName
    }

    private var graph: PickleGraph { torch.graph }
    private var file: String { torch.file }
    private static let maxDepth = 64

    /// The classes this decoder rebuilds.
    public static let knownClasses: [String] = [
        "torch.nn.modules.container.Sequential", "fastai.layers.LinBnDrop", "torch.nn.modules.linear.Linear",
        "torch.nn.modules.activation.ReLU", "torch.nn.modules.activation.Sigmoid", "torch.nn.modules.activation.Tanh",
        "torch.nn.modules.batchnorm.BatchNorm1d", "torch.nn.modules.batchnorm.BatchNorm2d", "torch.nn.modules.dropout.Dropout",
        "torch.nn.modules.sparse.Embedding", "fastai.layers.Embedding", "torch.nn.modules.conv.Conv2d",
        "torch.nn.modules.pooling.MaxPool2d", "torch.nn.modules.pooling.AvgPool2d", "torch.nn.modules.pooling.AdaptiveAvgPool2d",
        "torch.nn.modules.pooling.AdaptiveMaxPool2d", "torch.nn.modules.flatten.Flatten", "fastai.layers.Flatten",
        "fastai.layers.AdaptiveConcatPool2d", "fastai.layers.SigmoidRange", "torchvision.models.resnet.BasicBlock",
        "torchvision.models.resnet.Bottleneck", "torchvision.models.resnet.ResNet", "fastai.tabular.model.TabularModel",
        "torch.nn.modules.normalization.LayerNorm",
    ]

    // MARK: - Entry point

    /// Rebuilds the module a value describes, with its parameters and buffers, in eval mode.
    ///
    /// - Parameter value: a pickled module.
    /// - Returns: the Slope module.
    /// - Throws: ``ModelFileError/unsupportedClass(file:path:className:reason:)`` for a class Slope
    ///   does not rebuild, or the strict state check's errors.
    public func module(_ value: PickleValue) throws(ModelFileError) -> Module {
        let model = try build(value, path: rootName, depth: 0)
        var state: [(key: String, tensor: Tensor)] = []
        try collectState(value, prefix: "", depth: 0, into: &state)
        try model.loadState(SafeTensors.Contents(tensors: state, metadata: [:]), file: file)
        model.eval()
        return model
    }

    // MARK: - Reading attributes

    private func unsupported(_ path: String, _ className: String, _ reason: String) -> ModelFileError {
        .unsupportedClass(file: file, path: path, className: className, reason: reason)
    }

    private func bad(_ path: String, _ what: String) -> ModelFileError {
        .malformed(file: file, reason: "`\(path)`: \(what)")
    }

    private func attribute(_ value: PickleValue, _ name: String, _ path: String) throws(ModelFileError) -> PickleValue {
        guard let found = graph.attribute(value, name) else { throw bad(path, "no attribute `\(name)`") }
        return found
    }

    private func int(_ value: PickleValue, _ name: String, _ path: String) throws(ModelFileError) -> Int {
        guard case .int(let number) = try attribute(value, name, path) else { throw bad(path, "`\(name)` is not a whole number") }
        return number
    }

    private func float(_ value: PickleValue, _ name: String, _ path: String) throws(ModelFileError) -> Float {
        switch try attribute(value, name, path) {
        case .float(let number): return Float(number)
        case .int(let number): return Float(number)
        default: throw bad(path, "`\(name)` is not a number")
        }
    }

    private func bool(_ value: PickleValue, _ name: String, _ path: String, default fallback: Bool? = nil) throws(ModelFileError) -> Bool {
        guard let found = graph.attribute(value, name) else {
            if let fallback { return fallback }
            throw bad(path, "no attribute `\(name)`")
        }
        guard case .bool(let flag) = found else { throw bad(path, "`\(name)` is not a bool") }
        return flag
    }

    private func pair(_ value: PickleValue, _ name: String, _ path: String) throws(ModelFileError) -> IntOrPair {
        let found = try attribute(value, name, path)
        if case .int(let number) = found { return IntOrPair(number) }
        if let items = graph.items(found), items.count == 2, case .int(let height) = items[0], case .int(let width) = items[1] {
            return IntOrPair(height, width)
        }
        if let items = graph.items(found), items.count == 1, case .int(let side) = items[0] { return IntOrPair(side) }
        throw bad(path, "`\(name)` is not a whole number or a pair of them")
    }

    /// The module's children in `_modules` order (`None` entries skipped).
    private func children(_ value: PickleValue, _ path: String) throws(ModelFileError) -> [(name: String, value: PickleValue)] {
        guard let modules = graph.attribute(value, "_modules") else { return [] }
        guard let entries = graph.entries(modules) else { throw bad(path, "`_modules` is not a dict") }
        var result: [(name: String, value: PickleValue)] = []
        for entry in entries {
            guard case .string(let name) = entry.key else { throw bad(path, "a child name that is not a string") }
            if entry.value == .none { continue }
            result.append((name, entry.value))
        }
        return result
    }

    private func child(_ value: PickleValue, _ name: String, _ path: String) throws(ModelFileError) -> PickleValue? {
        try children(value, path).first { $0.name == name }?.value
    }

    private func settings<S: ModuleSettings>(_ settings: S, _ path: String, _ className: String) throws(ModelFileError) -> S {
        do { try settings.validate() } catch { throw unsupported(path, className, "its setting \(error)") }
        guard settings.valueCount <= InputLimits.modelParameters.value else {
            throw unsupported(path, className, "it would hold \(settings.valueCount) values, more than \(InputLimits.modelParameters)")
        }
        return settings
    }

    private func requireDefault(_ value: PickleValue, _ name: String, is expected: PickleValue, _ path: String, _ className: String,
                                _ why: String) throws(ModelFileError) {
        guard let found = graph.attribute(value, name), found != expected else { return }
        throw unsupported(path, className, why)
    }

    // MARK: - Building

    private func build(_ value: PickleValue, path: String, depth: Int) throws(ModelFileError) -> Module {
        guard depth < TorchModuleDecoder.maxDepth else { throw bad(path, "modules nested more than \(TorchModuleDecoder.maxDepth) deep") }
        guard let className = graph.className(value) else {
            throw .malformed(file: file, reason: "`\(path)` is not a module object")
        }
        switch className {
        case "torch.nn.modules.container.Sequential", "fastai.layers.LinBnDrop":
            var layers: [Module] = []
            for (name, child) in try children(value, path) {
                layers.append(try build(child, path: path + "." + name, depth: depth + 1))
            }
            return Sequential(layers)
        case "torch.nn.modules.linear.Linear":
            let bias = graph.member(try attribute(value, "_parameters", path), "bias").map { $0 != .none } ?? false
            return Linear(settings: try settings(Linear.Settings(inputFeatures: try int(value, "in_features", path),
                                                                 outputFeatures: try int(value, "out_features", path), bias: bias),
                                                 path, className))
        case "torch.nn.modules.activation.ReLU": return ReLU()
        case "torch.nn.modules.activation.Sigmoid": return Sigmoid()
        case "torch.nn.modules.activation.Tanh": return Tanh()
        case "torch.nn.modules.batchnorm.BatchNorm1d", "torch.nn.modules.batchnorm.BatchNorm2d":
            guard try bool(value, "affine", path, default: true), try bool(value, "track_running_stats", path, default: true) else {
                throw unsupported(path, className, "Slope's batch norm has affine weights and running statistics (affine=True, track_running_stats=True)")
            }
            var momentum: Float = 0.1
            if case .float(let number)? = graph.attribute(value, "momentum") { momentum = Float(number) }
            let norm = try settings(BatchNorm.Settings(features: try int(value, "num_features", path), momentum: momentum,
                                                       epsilon: try float(value, "eps", path)), path, className)
            return className.hasSuffix("1d") ? BatchNorm1d(settings: norm) : BatchNorm2d(settings: norm)
        case "torch.nn.modules.dropout.Dropout":
            let probability = try float(value, "p", path)
            return Dropout(settings: try settings(Dropout.Settings(probability: probability), path, className))
        case "torch.nn.modules.sparse.Embedding", "fastai.layers.Embedding":
            try requireDefault(value, "max_norm", is: .none, path, className, "Slope's embedding does not renormalise rows (max_norm=None)")
            return Embedding(settings: try settings(Embedding.Settings(count: try int(value, "num_embeddings", path),
                                                                       dimension: try int(value, "embedding_dim", path)), path, className))
        case "torch.nn.modules.conv.Conv2d":
            try requireDefault(value, "padding_mode", is: .string("zeros"), path, className, "Slope pads convolutions with zeros (padding_mode='zeros')")
            if case .string(let mode)? = graph.attribute(value, "padding") {
                throw unsupported(path, className, "padding='\(mode)'; Slope reads numeric padding")
            }
            let bias = graph.member(try attribute(value, "_parameters", path), "bias").map { $0 != .none } ?? false
            return Conv2d(settings: try settings(Conv2d.Settings(
                inputChannels: try int(value, "in_channels", path), outputChannels: try int(value, "out_channels", path),
                kernelSize: try pair(value, "kernel_size", path), stride: try pair(value, "stride", path),
                padding: try pair(value, "padding", path), dilation: try pair(value, "dilation", path),
                groups: try int(value, "groups", path), bias: bias), path, className))
        case "torch.nn.modules.pooling.MaxPool2d", "torch.nn.modules.pooling.AvgPool2d":
            try requireDefault(value, "ceil_mode", is: .bool(false), path, className, "Slope's pooling rounds down (ceil_mode=False)")
            try requireDefault(value, "return_indices", is: .bool(false), path, className, "Slope's pooling returns values only")
            if className.hasSuffix("MaxPool2d"), try pair(value, "dilation", path) != IntOrPair(1) {
                throw unsupported(path, className, "Slope's max pooling has no dilation")
            }
            try requireDefault(value, "divisor_override", is: .none, path, className, "Slope's average pooling divides by the window size")
            let kernel = try pair(value, "kernel_size", path)
            var stride = kernel
            if graph.attribute(value, "stride") != PickleValue.none { stride = try pair(value, "stride", path) }
            let pool = try settings(Pool2d.Settings(kernelSize: kernel, stride: stride, padding: try pair(value, "padding", path)), path, className)
            return className.hasSuffix("MaxPool2d") ? MaxPool2d(settings: pool) : AvgPool2d(settings: pool)
        case "torch.nn.modules.pooling.AdaptiveAvgPool2d":
            return AdaptiveAvgPool2d(settings: try settings(AdaptiveAvgPool2d.Settings(outputSize: try pair(value, "output_size", path)), path, className))
        case "torch.nn.modules.pooling.AdaptiveMaxPool2d":
            try requireDefault(value, "return_indices", is: .bool(false), path, className, "Slope's pooling returns values only")
            return AdaptiveMaxPool2d(settings: try settings(AdaptiveMaxPool2d.Settings(outputSize: try pair(value, "output_size", path)), path, className))
        case "torch.nn.modules.flatten.Flatten":
            return Flatten(settings: try settings(Flatten.Settings(startAxis: try int(value, "start_dim", path), endAxis: try int(value, "end_dim", path)),
                                                  path, className))
        case "fastai.layers.Flatten":
            return Flatten(startAxis: try bool(value, "full", path, default: false) ? 0 : 1)
        case "fastai.layers.AdaptiveConcatPool2d":
            var size = IntOrPair(1)
            if let found = graph.attribute(value, "size"), found != .none { size = try pair(value, "size", path) }
            return AdaptiveConcatPool2d(settings: try settings(AdaptiveConcatPool2d.Settings(outputSize: size), path, className))
        case "fastai.layers.SigmoidRange":
            return SigmoidRange(settings: try settings(SigmoidRange.Settings(low: try float(value, "low", path), high: try float(value, "high", path)),
                                                       path, className))
        case "torch.nn.modules.normalization.LayerNorm":
            guard try bool(value, "elementwise_affine", path, default: true) else {
                throw unsupported(path, className, "Slope's layer norm has affine weights (elementwise_affine=True)")
            }
            guard let shapeItems = graph.items(try attribute(value, "normalized_shape", path)) else { throw bad(path, "normalized_shape") }
            var shape: [Int] = []
            for item in shapeItems { guard case .int(let size) = item else { throw bad(path, "normalized_shape") }; shape.append(size) }
            return LayerNorm(settings: try settings(LayerNorm.Settings(normalizedShape: shape, epsilon: try float(value, "eps", path)), path, className))
        case "torchvision.models.resnet.BasicBlock":
            return try basicBlock(value, path: path)
        case "torchvision.models.resnet.Bottleneck":
            return try bottleneck(value, path: path)
        case "torchvision.models.resnet.ResNet":
            return try resNet(value, path: path)
        case "fastai.tabular.model.TabularModel":
            return try tabularModel(value, path: path)
        default:
            throw unsupported(path, className, "Slope rebuilds these module classes: "
                              + TorchModuleDecoder.knownClasses.map { $0.split(separator: ".").last.map(String.init) ?? $0 }.joined(separator: ", "))
        }
    }

    private func conv(_ value: PickleValue, _ name: String, _ path: String) throws(ModelFileError) -> PickleValue {
        guard let found = try child(value, name, path), graph.className(found) == "torch.nn.modules.conv.Conv2d" else {
            throw bad(path, "no Conv2d `\(name)`")
        }
        return found
    }

    private func basicBlock(_ value: PickleValue, path: String) throws(ModelFileError) -> Module {
        let conv1 = try conv(value, "conv1", path)
        let stride = try pair(conv1, "stride", path + ".conv1")
        let block = try settings(BasicBlock.Settings(inputChannels: try int(conv1, "in_channels", path), planes: try int(conv1, "out_channels", path),
                                                     stride: stride.height, downsample: try child(value, "downsample", path) != nil),
                                 path, "torchvision.models.resnet.BasicBlock")
        let made = BasicBlock(settings: block)
        try checkSameTree(made, value, path: path)
        return made
    }

    private func bottleneck(_ value: PickleValue, path: String) throws(ModelFileError) -> Module {
        let conv1 = try conv(value, "conv1", path), conv2 = try conv(value, "conv2", path), conv3 = try conv(value, "conv3", path)
        let groups = try int(conv2, "groups", path + ".conv2")
        let width = try int(conv1, "out_channels", path + ".conv1")
        let planes = try int(conv3, "out_channels", path + ".conv3") / 4
        let block = try settings(Bottleneck.Settings(inputChannels: try int(conv1, "in_channels", path), planes: planes,
                                                     stride: try pair(conv2, "stride", path + ".conv2").height, groups: groups,
                                                     baseWidth: planes > 0 && groups > 0 ? width * 64 / (planes * groups) : 0,
                                                     downsample: try child(value, "downsample", path) != nil),
                                 path, "torchvision.models.resnet.Bottleneck")
        let made = Bottleneck(settings: block)
        try checkSameTree(made, value, path: path)
        return made
    }

    private func resNet(_ value: PickleValue, path: String) throws(ModelFileError) -> Module {
        var counts: [Int] = []
        var kind = "basic"
        for stage in 1...4 {
            guard let layer = try child(value, "layer\(stage)", path) else { throw bad(path, "no `layer\(stage)`") }
            let blocks = try children(layer, path + ".layer\(stage)")
            counts.append(blocks.count)
            if let first = blocks.first, graph.className(first.value) == "torchvision.models.resnet.Bottleneck" { kind = "bottleneck" }
        }
        guard let fc = try child(value, "fc", path), let conv1 = try child(value, "conv1", path) else { throw bad(path, "no `fc` or `conv1`") }
        let net = try settings(ResNet.Settings(block: kind, layers: counts, classes: try int(fc, "out_features", path + ".fc"),
                                               inputChannels: try int(conv1, "in_channels", path + ".conv1")), path, "torchvision.models.resnet.ResNet")
        let made = ResNet(settings: net)
        try checkSameTree(made, value, path: path)
        return made
    }

    /// For modules whose children follow from their settings: every pickled child must be the
    /// class Slope's module has at that place (so a customised block is refused, not misread).
    private func checkSameTree(_ made: Module, _ value: PickleValue, path: String, depth: Int = 0) throws(ModelFileError) {
        guard depth < TorchModuleDecoder.maxDepth else { throw bad(path, "modules nested too deeply") }
        let pickled = try children(value, path)
        let own = made.namedChildren()
        guard pickled.map(\.name) == own.map(\.name) else {
            throw unsupported(path, graph.className(value) ?? "?", "its children are [\(pickled.map(\.name).joined(separator: ", "))]; "
                              + "Slope's \(type(of: made)) has [\(own.map(\.name).joined(separator: ", "))]")
        }
        for ((name, child), (_, module)) in zip(pickled, own) {
            let className = graph.className(child) ?? "?"
            let expected = String(describing: type(of: module))
            guard className.hasSuffix("." + expected) else {
                throw unsupported(path + "." + name, className, "Slope's \(type(of: made)) has a \(expected) here")
            }
            try checkSameTree(module, child, path: path + "." + name, depth: depth + 1)
        }
    }

    private func tabularModel(_ value: PickleValue, path: String) throws(ModelFileError) -> Module {
        let className = "fastai.tabular.model.TabularModel"
        var cardinalities: [Int] = [], sizes: [Int] = []
        if let embeds = try child(value, "embeds", path) {
            for (name, embedding) in try children(embeds, path + ".embeds") {
                cardinalities.append(try int(embedding, "num_embeddings", path + ".embeds." + name))
                sizes.append(try int(embedding, "embedding_dim", path + ".embeds." + name))
            }
        }
        let continuous = try int(value, "n_cont", path)
        if continuous > 0, try child(value, "bn_cont", path) == nil {
            throw unsupported(path, className, "a model made with bn_cont=False; Slope's TabularModel normalises the continuous inputs")
        }
        guard let layers = try child(value, "layers", path) else { throw bad(path, "no `layers`") }
        var blocks = try children(layers, path + ".layers")
        var yRange: [Float] = []
        if let last = blocks.last, graph.className(last.value) == "fastai.layers.SigmoidRange" {
            yRange = [try float(last.value, "low", path), try float(last.value, "high", path)]
            blocks.removeLast()
        }
        guard let output = blocks.popLast() else { throw bad(path, "no layers") }
        var hidden: [Int] = [], dropouts = Set<Float>()
        for (name, block) in blocks {
            let members = try children(block, path + ".layers." + name)
            let names = members.map { graph.className($0.value)?.split(separator: ".").last.map(String.init) ?? "?" }
            guard names == ["Linear", "ReLU", "BatchNorm1d"] || names == ["Linear", "ReLU", "BatchNorm1d", "Dropout"] else {
                throw unsupported(path + ".layers." + name, graph.className(block) ?? "?",
                                  "its layers are [\(names.joined(separator: ", "))]; Slope's TabularModel has Linear, ReLU, BatchNorm1d, "
                                  + "Dropout (fastai's defaults: lin_first=True, use_bn=True, act_cls=ReLU)")
            }
            hidden.append(try int(members[0].value, "out_features", path + ".layers." + name + ".0"))
            var dropout: Float = 0
            if members.count == 4 { dropout = try float(members[3].value, "p", path + ".layers." + name + ".3") }
            dropouts.insert(dropout)
        }
        let outputMembers = try children(output.value, path + ".layers." + output.name)
        guard outputMembers.count == 1, graph.className(outputMembers[0].value) == "torch.nn.modules.linear.Linear" else {
            throw unsupported(path + ".layers." + output.name, graph.className(output.value) ?? "?",
                              "Slope's TabularModel ends with one Linear layer (fastai's bn_final=False)")
        }
        guard dropouts.count <= 1 else { throw unsupported(path, className, "different dropout in each block (\(dropouts.sorted())); Slope's has one") }
        var embeddingDropout: Float = 0
        if let drop = try child(value, "emb_drop", path) { embeddingDropout = try float(drop, "p", path + ".emb_drop") }
        let rule = cardinalities.map { TabularModel.embeddingSize(cardinality: $0) }
        let model = try settings(TabularModel.Settings(
            cardinalities: cardinalities, continuousCount: continuous,
            outputCount: try int(outputMembers[0].value, "out_features", path + ".layers." + output.name + ".0"), hiddenSizes: hidden,
            dropout: dropouts.first ?? 0, embeddingDropout: embeddingDropout, embeddingSizes: sizes == rule ? [] : sizes, yRange: yRange),
            path, className)
        return TabularModel(settings: model)
    }

    // MARK: - State

    /// Every parameter and buffer under its dotted key, as PyTorch's `state_dict()` lists them.
    private func collectState(_ value: PickleValue, prefix: String, depth: Int, into state: inout [(key: String, tensor: Tensor)]) throws(ModelFileError) {
        guard depth < TorchModuleDecoder.maxDepth else { throw bad(prefix, "modules nested too deeply") }
        var skipped = Set<String>()
        if let nonPersistent = graph.attribute(value, "_non_persistent_buffers_set"),
           let items = graph.instance(nonPersistent)?.arguments.first.flatMap(graph.items) ?? graph.items(nonPersistent) {
            for case .string(let name) in items { skipped.insert(name) }
        }
        for slot in ["_parameters", "_buffers"] {
            guard let tensors = graph.attribute(value, slot), let entries = graph.entries(tensors) else { continue }
            for entry in entries {
                guard case .string(let name) = entry.key, entry.value != .none, !skipped.contains(name) else { continue }
                let key = prefix + name
                state.append((key, try torch.tensor(entry.value, key: key)))
            }
        }
        for (name, child) in try children(value, prefix.isEmpty ? rootName : prefix) {
            try collectState(child, prefix: prefix + name + ".", depth: depth + 1, into: &state)
        }
    }
}
