import Testing
@testable import Slope

// The module tree: keys found by reflection, in PyTorch's order and spelling (own parameters
// in declaration order, then each child's, depth first; camelCase becomes snake_case), so a
// PyTorch `state_dict` of the same architecture lines up key for key.

// MARK: - Fixtures

/// A block with a module child, a layer-norm child and a buffer-free body.
private final class NNTestBlock: Module, @unchecked Sendable {
    let linear: Linear
    let norm: LayerNorm

    init(width: Int, generator: inout some RandomNumberGenerator) {
        linear = Linear(inputFeatures: width, outputFeatures: width, generator: &generator)
        norm = LayerNorm(normalizedShape: [width])
    }

    override func forward(_ input: Tensor) -> Tensor { norm(linear(input).relu()) + input }
}

/// A custom model with an own parameter, an own buffer, a tensor array, a module array, a
/// present and an absent optional child, and a layer without bias.
private final class NNTestNet: Module, @unchecked Sendable {
    let scale: Tensor
    @Buffer var stepCount: Tensor
    let inputProjection: Linear
    let blocks: [NNTestBlock]
    let offsets: [Tensor]
    let skip: Linear?
    let missing: Linear?
    let head: Linear

    init(generator: inout some RandomNumberGenerator) {
        scale = Tensor([1]).requiresGrad()
        stepCount = Tensor(0)
        inputProjection = Linear(inputFeatures: 2, outputFeatures: 3, generator: &generator)
        blocks = [NNTestBlock(width: 3, generator: &generator), NNTestBlock(width: 3, generator: &generator)]
        offsets = [Tensor([0, 0, 0]).requiresGrad(), Tensor([1, 1, 1]).requiresGrad()]
        skip = Linear(inputFeatures: 2, outputFeatures: 3, bias: false, generator: &generator)
        missing = nil
        head = Linear(inputFeatures: 3, outputFeatures: 1, bias: false, generator: &generator)
    }

    override func forward(_ input: Tensor) -> Tensor {
        var h = inputProjection(input) + skip!(input)
        for (block, offset) in zip(blocks, offsets) { h = block(h) + offset }
        return head(h) * scale
    }
}

private func smallSequential(seed: UInt64 = 1) -> Sequential {
    var rng = SeededGenerator(seed: seed)
    return Sequential(
        Linear(inputFeatures: 2, outputFeatures: 3, generator: &rng),
        ReLU(),
        Linear(inputFeatures: 3, outputFeatures: 1, generator: &rng))
}

private func smallTabular(seed: UInt64 = 2) -> TabularModel {
    var rng = SeededGenerator(seed: seed)
    return TabularModel(cardinalities: [4, 10], continuousCount: 3, outputCount: 2, hiddenSizes: [8, 5], generator: &rng)
}

@Suite("NN module tree")
struct NNModuleTests {
    // MARK: - Keys

    @Test func sequentialParameterKeys() {
        let model = smallSequential()
        #expect(model.namedParameters().map(\.key) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(model.namedParameters().map(\.tensor.shape) == [[3, 2], [3], [1, 3], [1]])
        #expect(model.namedBuffers().isEmpty)
        #expect(model.stateDict().map(\.key) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        // parameters() is namedParameters() without the keys, as the same objects.
        let tensors = model.parameters()
        #expect(tensors.count == 4)
        for (tensor, named) in zip(tensors, model.namedParameters()) { #expect(tensor === named.tensor) }
        #expect(tensors[0] === (model[0] as! Linear).weight)
    }

    @Test func customModuleParameterKeys() {
        var rng = SeededGenerator(seed: 3)
        let model = NNTestNet(generator: &rng)
        #expect(model.namedParameters().map(\.key) == [
            "scale",
            "offsets.0", "offsets.1",
            "input_projection.weight", "input_projection.bias",
            "blocks.0.linear.weight", "blocks.0.linear.bias", "blocks.0.norm.weight", "blocks.0.norm.bias",
            "blocks.1.linear.weight", "blocks.1.linear.bias", "blocks.1.norm.weight", "blocks.1.norm.bias",
            "skip.weight",
            "head.weight",
        ])
        #expect(model.namedBuffers().map(\.key) == ["step_count"])
        // state_dict order: per module, own parameters then own buffers, then the children.
        #expect(model.stateDict().map(\.key) == [
            "scale", "offsets.0", "offsets.1", "step_count",
            "input_projection.weight", "input_projection.bias",
            "blocks.0.linear.weight", "blocks.0.linear.bias", "blocks.0.norm.weight", "blocks.0.norm.bias",
            "blocks.1.linear.weight", "blocks.1.linear.bias", "blocks.1.norm.weight", "blocks.1.norm.bias",
            "skip.weight",
            "head.weight",
        ])
        #expect(model.stateDict().first { $0.key == "step_count" }?.tensor === model.stepCount)
    }

    @Test func linearWithoutBiasHasNoBiasKey() {
        var rng = SeededGenerator(seed: 4)
        let layer = Linear(inputFeatures: 3, outputFeatures: 2, bias: false, generator: &rng)
        #expect(layer.bias == nil)
        #expect(layer.namedParameters().map(\.key) == ["weight"])
        #expect(layer.parameterCount() == 6)
    }

    @Test func batchNormKeys() {
        let norm = BatchNorm1d(features: 4)
        #expect(norm.namedParameters().map(\.key) == ["weight", "bias"])
        #expect(norm.namedBuffers().map(\.key) == ["running_mean", "running_var", "num_batches_tracked"])
        #expect(norm.stateDict().map(\.key) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        #expect(norm.stateDict().map(\.tensor.shape) == [[4], [4], [4], [4], []])
        // PyTorch's initial values: γ = 1, β = 0, running mean 0, running var 1, count 0.
        #expect(norm.weight.scalars == [1, 1, 1, 1])
        #expect(norm.bias.scalars == [0, 0, 0, 0])
        #expect(norm.runningMean.scalars == [0, 0, 0, 0])
        #expect(norm.runningVar.scalars == [1, 1, 1, 1])
        #expect(norm.numBatchesTracked.scalars == [0])
        #expect(BatchNorm2d(features: 2).stateDict().map(\.key) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
    }

    @Test func tabularModelKeysMatchFastai() {
        let model = smallTabular()
        // fastai: emb sizes min(600, round(1.6·n^0.56)): n=4 → 3, n=10 → 6.
        #expect(TabularModel.embeddingSize(cardinality: 4) == 3)
        #expect(TabularModel.embeddingSize(cardinality: 10) == 6)
        #expect(TabularModel.embeddingSize(cardinality: 1_000_000) == 600)
        #expect(model.namedParameters().map(\.key) == [
            "embeds.0.weight", "embeds.1.weight",
            "bn_cont.weight", "bn_cont.bias",
            "layers.0.0.weight", "layers.0.2.weight", "layers.0.2.bias",
            "layers.1.0.weight", "layers.1.2.weight", "layers.1.2.bias",
            "layers.2.0.weight", "layers.2.0.bias",
        ])
        #expect(model.namedParameters().map(\.tensor.shape) == [
            [4, 3], [10, 6],
            [3], [3],
            [8, 12], [8], [8],
            [5, 8], [5], [5],
            [2, 5], [2],
        ])
        #expect(model.namedBuffers().map(\.key) == [
            "bn_cont.running_mean", "bn_cont.running_var", "bn_cont.num_batches_tracked",
            "layers.0.2.running_mean", "layers.0.2.running_var", "layers.0.2.num_batches_tracked",
            "layers.1.2.running_mean", "layers.1.2.running_var", "layers.1.2.num_batches_tracked",
        ])
        #expect(model.stateDict().count == 12 + 9)
    }

    @Test func tabularModelWithoutContinuousColumnsHasNoBnCont() {
        var rng = SeededGenerator(seed: 5)
        let model = TabularModel(cardinalities: [3], continuousCount: 0, outputCount: 1, hiddenSizes: [4], generator: &rng)
        #expect(model.bnCont == nil)
        #expect(model.namedParameters().map(\.key) == [
            "embeds.0.weight", "layers.0.0.weight", "layers.0.2.weight", "layers.0.2.bias", "layers.1.0.weight", "layers.1.0.bias",
        ])
    }

    /// A layer used twice (weight tying) is one set of parameters. PyTorch's
    /// `named_parameters()`/`named_modules()` drop repeats (`remove_duplicate=True`), so
    /// `Sequential(layer, ReLU(), layer)` has keys `0.weight`, `0.bias` only and an optimizer
    /// made from it holds each tensor once.
    @Test func sharedLayerIsListedOnce() {
        var rng = SeededGenerator(seed: 7)
        let layer = Linear(inputFeatures: 2, outputFeatures: 2, generator: &rng)
        let model = Sequential(layer, ReLU(), layer)
        #expect(model.namedParameters().map(\.key) == ["0.weight", "0.bias"])
        #expect(model.parameterCount() == 6)
        #expect(model.namedModules().map(\.path) == ["", "0", "1"])
    }

    // MARK: - Modules, children, paths

    @Test func namedModulesAndChildren() {
        let model = smallSequential()
        #expect(model.namedModules().map(\.path) == ["", "0", "1", "2"])
        #expect(model.namedChildren().map(\.name) == ["0", "1", "2"])
        #expect(model.children().count == 3)
        #expect(model.children()[1] is ReLU)
        #expect(model.children()[0] === model[0])

        var rng = SeededGenerator(seed: 3)
        let net = NNTestNet(generator: &rng)
        #expect(net.namedChildren().map(\.name) == ["input_projection", "blocks.0", "blocks.1", "skip", "head"])
        #expect(net.namedModules().map(\.path) == [
            "", "input_projection",
            "blocks.0", "blocks.0.linear", "blocks.0.norm",
            "blocks.1", "blocks.1.linear", "blocks.1.norm",
            "skip", "head",
        ])

        #expect(smallTabular().namedModules().map(\.path) == [
            "", "embeds.0", "embeds.1", "emb_drop", "bn_cont", "layers",
            "layers.0", "layers.0.0", "layers.0.1", "layers.0.2",
            "layers.1", "layers.1.0", "layers.1.1", "layers.1.2",
            "layers.2", "layers.2.0",
        ])
    }

    @Test func getSubmoduleWalksDottedPaths() throws {
        let model = smallSequential()
        #expect(try model.getSubmodule("0") === model[0])
        #expect(try model.getSubmodule("2") === model[2])
        #expect(try model.getSubmodule("") === model)

        let tabular = smallTabular()
        let block = try tabular.getSubmodule("layers.0.0")
        #expect(block === (tabular.layers[0] as! Sequential)[0])
        #expect((block as? Linear)?.weight.shape == [8, 12])
        #expect(try tabular.getSubmodule("layers.2") === tabular.layers[2])
        #expect(try tabular.getSubmodule("bn_cont") === tabular.bnCont)
    }

    /// Every path `namedModules()` reports must lead back to its module through
    /// `getSubmodule` (PyTorch: `get_submodule(name)` for every `name` of `named_modules()`),
    /// including children that live in arrays (`embeds.0`, `blocks.1.norm`).
    @Test func getSubmoduleFindsEveryNamedModulePath() {
        var rng = SeededGenerator(seed: 3)
        let models: [Module] = [smallSequential(), smallTabular(), NNTestNet(generator: &rng)]
        for model in models {
            for (path, module) in model.namedModules() {
                do {
                    let found = try model.getSubmodule(path)
                    #expect(found === module, "getSubmodule(\"\(path)\") returned another module")
                } catch {
                    Issue.record("getSubmodule(\"\(path)\") on \(type(of: model)) threw: \(error)")
                }
            }
        }
    }

    @Test func getSubmoduleErrorNamesTheMissingPart() {
        let model = smallSequential()
        #expect(throws: ModuleError.missingSubmodule(path: "5", missing: "5", parent: "", available: ["0", "1", "2"])) {
            try model.getSubmodule("5")
        }
        do {
            _ = try model.getSubmodule("5")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "getSubmodule(\"5\"): the model has no submodule `5`; it has: 0, 1, 2")
        }

        let tabular = smallTabular()
        do {
            _ = try tabular.getSubmodule("layers.7.0")
            Issue.record("expected an error")
        } catch {
            #expect(error == .missingSubmodule(path: "layers.7.0", missing: "7", parent: "layers", available: ["0", "1", "2"]))
            #expect(error.description == "getSubmodule(\"layers.7.0\"): `layers` has no submodule `7`; it has: 0, 1, 2")
        }
        // Walking into a leaf: the leaf is named as the parent and has nothing.
        do {
            _ = try tabular.getSubmodule("layers.0.0.weight")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "getSubmodule(\"layers.0.0.weight\"): `layers.0.0` has no submodule `weight`; it has no submodules")
        }
    }

    // MARK: - Modes and freezing

    @Test func trainAndEvalPropagate() throws {
        let model = smallTabular()
        #expect(model.namedModules().allSatisfy { $0.module.isTraining })
        let returned = model.eval()
        #expect(returned === model)
        #expect(model.namedModules().allSatisfy { !$0.module.isTraining })
        model.train()
        #expect(model.namedModules().allSatisfy { $0.module.isTraining })
        // A subtree alone.
        try model.getSubmodule("layers.1").eval()
        for (path, module) in model.namedModules() {
            #expect(module.isTraining == !path.hasPrefix("layers.1"), "\(path)")
        }
        model.train(false)
        #expect(model.namedModules().allSatisfy { !$0.module.isTraining })
    }

    @Test func freezeAndUnfreeze() throws {
        let model = smallSequential()
        #expect(model.parameterCount() == 3 * 2 + 3 + 1 * 3 + 1)
        #expect(model.parameterCount(trainableOnly: true) == 13)

        try model.getSubmodule("0").freeze()
        #expect(model.parameterCount() == 13)
        #expect(model.parameterCount(trainableOnly: true) == 4)
        let first = model[0] as! Linear, last = model[2] as! Linear
        #expect(!first.weight.requiresGrad && !(first.bias?.requiresGrad ?? true))

        // Frozen parameters get no gradient; the rest do.
        let x = Tensor([[1, -1], [0.5, 2]])
        model(x).sum().backward()
        #expect(first.weight.grad == nil)
        #expect(first.bias?.grad == nil)
        #expect(last.weight.grad != nil)

        model.unfreeze()
        #expect(model.parameterCount(trainableOnly: true) == 13)
        #expect(model.parameters().allSatisfy { $0.requiresGrad })

        model.freeze()
        #expect(model.parameterCount(trainableOnly: true) == 0)
        #expect(model.parameterCount() == 13)
    }

    @Test func zeroGradClearsEveryParameter() {
        let model = smallSequential()
        model(Tensor([[1, 2]])).sum().backward()
        #expect(model.parameters().allSatisfy { $0.grad != nil })
        model.zeroGrad()
        #expect(model.parameters().allSatisfy { $0.grad == nil })
    }

    // MARK: - Printing

    @Test func printedTreeLooksLikePyTorch() {
        let model = smallSequential()
        #expect(model.description == """
            Sequential(
              (0): Linear(inputFeatures: 2, outputFeatures: 3, bias: true)
              (1): ReLU()
              (2): Linear(inputFeatures: 3, outputFeatures: 1, bias: true)
            )
            """)
        var rng = SeededGenerator(seed: 6)
        let nested = Sequential(
            Sequential(Linear(inputFeatures: 1, outputFeatures: 2, bias: false, generator: &rng), Tanh()),
            BatchNorm1d(features: 2),
            Dropout(probability: 0.25, generator: &rng),
            Flatten())
        #expect(nested.description == """
            Sequential(
              (0): Sequential(
                (0): Linear(inputFeatures: 1, outputFeatures: 2, bias: false)
                (1): Tanh()
              )
              (1): BatchNorm1d(features: 2, momentum: 0.1, epsilon: 1e-05)
              (2): Dropout(probability: 0.25)
              (3): Flatten(startAxis: 1, endAxis: -1)
            )
            """)
        #expect(ReLU().description == "ReLU()")
        #expect("\(Embedding(count: 4, dimension: 3, generator: &rng))" == "Embedding(count: 4, dimension: 3)")
    }
}
