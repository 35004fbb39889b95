import Foundation

extension ResNet {
    /// A torchvision-layout ResNet built from a checkpoint's keys and filled with its body, with a
    /// new head (`fc`, seeded) for `classes` outputs: the body for fine-tuning
    /// (``Learner/fineTune(epochs:baseLR:freezeEpochs:lrMultiplier:)``). The architecture is read
    /// from the file: bottleneck blocks when `layer1.0.conv3.weight` is present, else basic
    /// ones; the blocks per stage from the largest `layerN.M.` index; the input channels from
    /// `conv1.weight`. A `torch.save(model.state_dict())` of torchvision's `resnet18`, `resnet34`,
    /// `resnet50` (or deeper), a safetensors file of the same keys, or a fastai `export.pkl` of a
    /// `vision_learner(resnet…)` (its body, `learn.model[0]`, renamed to torchvision's keys).
    ///
    /// ```swift
    /// let model = try ResNet.body(from: "resnet18.pth", classes: 3)
    /// ```
    ///
    /// - Parameters:
    ///   - path: The PyTorch or safetensors file.
    ///   - classes: Outputs of the new head.
    ///   - seed: The seed the new head is drawn from.
    /// - Returns: The network, body from the file, head new.
    /// - Throws: ``ModelFileError``: the file's own errors; `missingTensor` naming the first key a
    ///   ResNet needs that the file lacks (`conv1.weight`, `layer4.0.conv1.weight`, ...),
    ///   `invalidValues` when the keys describe no ResNet, and the strict loader's errors
    ///   (`shapeMismatch`, `unexpectedTensor`, `nonFinite`) naming the key.
    public static func body(from path: String, classes: Int, seed: UInt64 = 42) throws(ModelFileError) -> ResNet {
        let file = (path as NSString).lastPathComponent
        let tensors = try checkpointTensors(path)
        let keys = Set(tensors.map(\.key))
        guard let stem = tensors.first(where: { $0.key == "conv1.weight" })?.tensor else { throw .missingTensor(file: file, key: "conv1.weight") }
        guard stem.shape.count == 4, stem.shape[0] == 64, stem.shape[2] == 7, stem.shape[3] == 7 else {
            throw .shapeMismatch(file: file, key: "conv1.weight", expected: [64, stem.shape.count > 1 ? stem.shape[1] : 3, 7, 7], found: stem.shape)
        }
        var layers: [Int] = []
        for stage in 1...4 {
            var blocks = 0
            while keys.contains("layer\(stage).\(blocks).conv1.weight") { blocks += 1 }
            guard blocks > 0 else { throw .missingTensor(file: file, key: "layer\(stage).0.conv1.weight") }
            layers.append(blocks)
        }
        let settings = Settings(block: keys.contains("layer1.0.conv3.weight") ? "bottleneck" : "basic", layers: layers, classes: classes,
                                inputChannels: stem.shape[1])
        do { try settings.validate() } catch {
            throw .invalidValues(file: file, key: "ResNet", expected: "a torchvision ResNet's keys", found: "\(error)")
        }
        var rng = SeededGenerator(seed: seed)
        let model = ResNet(settings: settings, generator: &rng)
        try model.loadState(SafeTensors.Contents(tensors: tensors, metadata: [:]), file: file, excluding: ["fc"])
        return model
    }

    /// The tensors of a state dict file (PyTorch or safetensors), or of a fastai vision
    /// learner's body under torchvision's names (`0.0.weight` → `conv1.weight`,
    /// `0.4.0.conv1.weight` → `layer1.0.conv1.weight`; the head, `1.…`, left out).
    static func checkpointTensors(_ path: String) throws(ModelFileError) -> [(key: String, tensor: Tensor)] {
        guard ModelFileKind.of(path: path) == .torch else { return try SafeTensors.read(from: path).tensors }
        let torch = try TorchFile.read(path: path)
        var state: [(key: String, tensor: Tensor)]?, stateError: ModelFileError?
        do { state = try torch.stateDict() } catch { stateError = error }
        if let state, state.contains(where: { $0.key == "conv1.weight" }) { return state }
        // Not a ResNet state dict: perhaps a whole fastai Learner. If it is not that either, the
        // state dict (whose missing key the caller names) or its error says why.
        guard let exported = try? Learner.load(from: path).model else {
            if let state { return state }
            throw stateError ?? .malformed(file: (path as NSString).lastPathComponent, reason: "neither a state dict nor a fastai export")
        }
        let names = ["0": "conv1", "1": "bn1", "4": "layer1", "5": "layer2", "6": "layer3", "7": "layer4"]
        return exported.stateDict().compactMap { entry in
            let parts = entry.key.split(separator: ".", maxSplits: 2).map(String.init)
            guard parts.count == 3, parts[0] == "0", let name = names[parts[1]] else { return nil }
            return (name + "." + parts[2], entry.tensor)
        }
    }
}
