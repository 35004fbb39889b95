import Foundation

/// Parameter groups for discriminative learning rates, as fastai's splitters make them: the
/// body split in two (early layers, late layers), then the head.
///
/// ```swift
/// ParameterGroups.split(ResNet.resnet18(classes: 3))
/// // [["conv1", "bn1", "layer1", "layer2"], ["layer3", "layer4"], ["avgpool", "fc"]]
/// ```
public enum ParameterGroups {
    /// The model's top-level children, in groups of module paths: for a torchvision ``ResNet``
    /// fastai's `_resnet_split` (stem, `layer1` and `layer2`; `layer3` and `layer4`; the
    /// head); for any other model its top-level children with parameters, the last one the
    /// head and the ones before it halved (one group when only one).
    ///
    /// - Parameter model: The model to split.
    /// - Returns: Groups of top-level module names, body first, the head last; children without
    ///   parameters go with the group before them.
    public static func split(_ model: Module) -> [[String]] {
        let children = model.namedChildren()
        if model is ResNet {
            let names = children.map(\.name)
            let late = names.firstIndex(of: "layer3") ?? names.count, head = names.firstIndex(of: "avgpool") ?? names.count
            return [Array(names[..<late]), Array(names[late..<head]), Array(names[head...])].filter { !$0.isEmpty }
        }
        let withParameters = children.indices.filter { !children[$0].module.parameters().isEmpty }
        guard let headStart = withParameters.last, withParameters.count > 1 else { return [children.map(\.name)] }
        let body = withParameters.dropLast()
        let lateStart = body.count > 1 ? body[body.startIndex + body.count / 2] : headStart
        return [Array(children[..<lateStart]), Array(children[lateStart..<headStart]), Array(children[headStart...])]
            .map { $0.map(\.name) }.filter { !$0.isEmpty }
    }

    /// fastai's `even_mults(low, high, n)`: `n` rates from `low` to `high`, evenly spaced on a
    /// log scale, `low · (high/low)^(i/(n-1))`.
    ///
    /// ```swift
    /// ParameterGroups.evenMultiples(1e-5, 1e-3, count: 3)   // [1e-5, 1e-4, 1e-3]
    /// ```
    ///
    /// - Parameters:
    ///   - low: The first group's rate, positive.
    ///   - high: The last group's rate, positive.
    ///   - count: How many rates; one gives `[high]`.
    /// - Returns: The rates, the first group's first.
    public static func evenMultiples(_ low: Float, _ high: Float, count: Int) -> [Float] {
        guard count > 1 else { return count == 1 ? [high] : [] }
        let step = Foundation.pow(Double(high) / Double(low), 1 / Double(count - 1))
        return (0..<count).map { Float(Double(low) * Foundation.pow(step, Double($0))) }
    }
}

extension Learner {
    /// fastai's `fine_tune` for a model whose body was trained before (loaded from a
    /// checkpoint): the body is frozen (every group but the head; batch-norm layers keep
    /// training, fastai's `train_bn`, at `baseLR / 10` as `slice(base_lr)` gives them) for
    /// `freezeEpochs` of one-cycle at `baseLR` (warming up for 99% of it); then everything trains for `epochs` of one-cycle at `baseLR / 2` with
    /// discriminative rates, from `baseLR / 2 / lrMultiplier` for the first group to
    /// `baseLR / 2` for the head, spread evenly on a log scale (``ParameterGroups``).
    ///
    /// ```swift
    /// let model = ResNet.resnet18(classes: data.outputCount)
    /// try model.loadWeights(from: "resnet18.pth", excluding: ["fc"])
    /// let learner = Learner(data: data, model: model, loss: { crossEntropy(logits: $0, targets: $1) }, metrics: [.accuracy])
    /// learner.fineTune(epochs: 3)
    /// ```
    ///
    /// - Parameters:
    ///   - epochs: Epochs with every layer training, at least 0.
    ///   - baseLR: The head's peak rate while the body is frozen (fastai's 2e-3), positive.
    ///   - freezeEpochs: Epochs with the body frozen first (fastai's 1), at least 0.
    ///   - lrMultiplier: How many times slower the first group learns than the head (fastai's 100), at least 1.
    public func fineTune(epochs: Int, baseLR: Float = 2e-3, freezeEpochs: Int = 1, lrMultiplier: Float = 100) {
        require(epochs >= 0 && freezeEpochs >= 0, "fineTune: epochs must not be negative, got \(epochs) and \(freezeEpochs)")
        require(baseLR > 0 && baseLR.isFinite, "fineTune: baseLR must be positive, got \(baseLR)")
        require(lrMultiplier >= 1 && lrMultiplier.isFinite, "fineTune: lrMultiplier must be at least 1, got \(lrMultiplier)")
        let groups = ParameterGroups.split(model)
        let optimizer = self.optimizer ?? makeOptimizer(model, baseLR)
        self.optimizer = optimizer
        if freezeEpochs > 0 {
            freezeBody(groups: groups)
            // fastai's `slice(base_lr)`: the head at base_lr, the body's groups (their batch norms) at a tenth of it.
            let head = Set(groups.last ?? [])
            optimizer.setLearningRateScales { key in head.contains(String(key.prefix { $0 != "." })) ? 1 : 0.1 }
            fitOneCycle(epochs: freezeEpochs, schedule: OneCycleSchedule(maxLR: baseLR, warmupFraction: 0.99))
            model.unfreeze()
            if stopReason != nil { return }
        }
        let rate = baseLR / 2
        let rates = ParameterGroups.evenMultiples(rate / lrMultiplier, rate, count: groups.count)
        var scaleOfChild: [String: Float] = [:]
        for (group, groupRate) in zip(groups, rates) { for name in group { scaleOfChild[name] = groupRate / rate } }
        optimizer.setLearningRateScales { key in scaleOfChild[String(key.prefix { $0 != "." })] ?? 1 }
        fitOneCycle(epochs: epochs, schedule: OneCycleSchedule(maxLR: rate, warmupFraction: 0.3, divFactor: 5))
    }

    /// Stops gradients of every parameter outside the last group, except batch norm's.
    func freezeBody(groups: [[String]]) {
        let frozen = Set(groups.dropLast().joined())
        for (path, module) in model.namedModules() where !(module is BatchNorm) {
            guard let top = path.split(separator: ".").first.map(String.init), frozen.contains(top) else { continue }
            for (key, tensor) in module.namedParameters() where !key.contains(".") { tensor.requiresGrad(false) }
        }
    }
}
