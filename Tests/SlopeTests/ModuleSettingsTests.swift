import Testing
@testable import Slope

// Each layer declares its settings once: the printed tree, the manifest's `config` and the
// rebuild all come from that one struct, and its `validate()` is the rule both `init` (as
// `require`) and the rebuild from a file (as a thrown error naming the key) use.

/// Rebuilds a module from its manifest JSON as loading does (budget: `budget` values).
private func rebuild(_ json: JSON, budget: Int = 1 << 24) throws(ModelFileError) -> Module {
    try ModuleRegistry.make(try ModuleSpec(reading: JSONReader(json, path: "architecture"), path: "", file: "m.slope", valueBudget: budget))
}

/// The error rebuilding `type` with `config` throws, or `nil`.
private func rebuildError(_ type: String, _ config: JSON) -> ModelFileError? {
    caught(ModelFileError.self) { try rebuild(.object([("type", .string(type)), ("config", config)])) }
}

/// One module of each built-in type, with settings that differ from the defaults.
private func everyBuiltInModule() -> [Module] {
    var rng = SeededGenerator(seed: 11)
    return [
        Linear(inputFeatures: 3, outputFeatures: 2, bias: false, generator: &rng),
        Sequential(ReLU(), Tanh()), ReLU(), Sigmoid(), Tanh(), Flatten(startAxis: 0, endAxis: 2),
        Dropout(probability: 0.25, generator: &rng), Embedding(count: 7, dimension: 3, generator: &rng),
        BatchNorm1d(features: 4, momentum: 0.2, epsilon: 1e-3), BatchNorm2d(features: 2, momentum: 0.05),
        LayerNorm(normalizedShape: [2, 3], epsilon: 1e-6),
        TabularModel(cardinalities: [3, 5], continuousCount: 2, outputCount: 3, hiddenSizes: [6, 4], dropout: 0.1,
                     embeddingDropout: 0.05, generator: &rng),
        Conv2d(inputChannels: 4, outputChannels: 6, kernelSize: IntOrPair(3, 1), stride: 2, padding: [1, 0], dilation: [1, 2], groups: 2,
               generator: &rng),
        MaxPool2d(kernelSize: 3, stride: 2, padding: 1), AvgPool2d(kernelSize: IntOrPair(2, 4)), AdaptiveAvgPool2d(outputSize: IntOrPair(2, 3)),
        ResidualBlock(inputChannels: 2, outputChannels: 4, stride: 2, generator: &rng),
        SigmoidRange(low: -1, high: 3), AdaptiveMaxPool2d(outputSize: IntOrPair(2, 1)), AdaptiveConcatPool2d(outputSize: 2),
        BasicBlock(settings: .init(inputChannels: 4, planes: 8, stride: 2, downsample: true), generator: &rng),
        Bottleneck(settings: .init(inputChannels: 8, planes: 2, stride: 1, groups: 2, baseWidth: 32, downsample: false), generator: &rng),
        ResNet(settings: .init(block: "basic", layers: [1, 1, 1, 1], classes: 3, inputChannels: 1), generator: &rng),
    ]
}

@Suite("Module settings")
struct ModuleSettingsTests {
    @Test func everyBuiltInTypeIsCovered() {
        let covered = Set(everyBuiltInModule().map { String(describing: type(of: $0)) })
        var builtIn = Set<String>()
        for type in ModuleRegistry.builtInTypes { builtIn.insert(type.typeName) }
        #expect(covered == builtIn)
    }

    @Test func manifestDescriptionAndRebuildComeFromTheSameSettings() throws {
        for module in everyBuiltInModule() {
            let spec = try ModuleSpec(describing: module)
            let rebuilt = try rebuild(spec.json)
            // The same architecture: the same description, keys and shapes, and the same config.
            #expect(rebuilt.description == module.description)
            #expect(rebuilt.stateDict().map(\.key) == module.stateDict().map(\.key))
            #expect(rebuilt.stateDict().map(\.tensor.shape) == module.stateDict().map(\.tensor.shape))
            #expect(try ModuleSpec(describing: rebuilt).json == spec.json)
            // The config's members are the settings' stored properties, in order, and the
            // printed settings are the same names.
            let architecture = try #require(module as? any ModuleArchitecture)
            let names = architecture.configuration.objectValue?.map(\.0) ?? []
            let printed = module.extraDescription
            for name in names { #expect(printed.contains("\(name): "), "\(type(of: module)): \(printed)") }
        }
        #expect(Linear(settings: .init(inputFeatures: 1, outputFeatures: 2)).configuration.description
            == #"{"inputFeatures":1,"outputFeatures":2,"bias":true}"#)
        #expect(Conv2d(settings: .init(inputChannels: 1, outputChannels: 2, kernelSize: 3)).extraDescription
            == "inputChannels: 1, outputChannels: 2, kernelSize: (3, 3), stride: (1, 1), padding: (0, 0), dilation: (1, 1), groups: 1, bias: true")
    }

    @Test func valueCountIsWhatTheModuleHolds() {
        for module in everyBuiltInModule() {
            guard let architecture = module as? any ModuleArchitecture, !(module is Sequential) else { continue }
            #expect(architecture.settings.valueCount == module.stateDict().reduce(0) { $0 + $1.tensor.count }, "\(type(of: module))")
        }
    }

    @Test func settingsTheLayerRefusesAreRefusedAtLoadNamingTheKey() {
        let cases: [(String, JSON, String)] = [
            // LayerNorm sizes whose product overflows Int.
            ("LayerNorm", .object([("normalizedShape", .array([.int(1 << 32), .int(1 << 32), .int(1 << 32)])), ("epsilon", .float(1e-5))]),
             "architecture.config.normalizedShape"),
            // Max-pool padding 4096 (more than half the kernel, which pooling requires).
            ("MaxPool2d", .object([("kernelSize", .array([.int(2), .int(2)])), ("stride", .array([.int(2), .int(2)])),
                                   ("padding", .array([.int(4096), .int(4096)]))]), "architecture.config.padding"),
            ("Conv2d", .object([("inputChannels", .int(3)), ("outputChannels", .int(4)), ("kernelSize", .array([.int(3), .int(3)])),
                                ("stride", .array([.int(1), .int(1)])), ("padding", .array([.int(0), .int(0)])),
                                ("dilation", .array([.int(1), .int(1)])), ("groups", .int(2)), ("bias", .bool(true))]), "architecture.config.groups"),
            ("Dropout", .object([("probability", .number(1))]), "architecture.config.probability"),
            ("BatchNorm1d", .object([("features", .int(3)), ("momentum", .number(-1)), ("epsilon", .number(1e-5))]), "architecture.config.momentum"),
            ("Linear", .object([("inputFeatures", .int(-2)), ("outputFeatures", .int(2)), ("bias", .bool(true))]), "architecture.config.inputFeatures"),
            ("Flatten", .object([("startAxis", .int(1_000_000)), ("endAxis", .int(-1))]), "architecture.config.startAxis"),
        ]
        for (type, config, field) in cases {
            guard case .manifest(let file, let named, let expected) = rebuildError(type, config) else {
                Issue.record("\(type) \(config) was not refused with a manifest error")
                continue
            }
            #expect(file == "m.slope" && named == field, "\(type): \(named)")
            #expect(expected.contains("found"), "\(expected)")
        }
    }

    @Test func malformedSettingsNameThePathAndWhatWasFound() {
        let error = rebuildError("Linear", .object([("inputFeatures", .string("3")), ("outputFeatures", .int(2)), ("bias", .bool(true))]))
        #expect(error == .manifest(file: "m.slope", field: "architecture.config.inputFeatures", expected: #"an integer, found a string ("3")"#))
        #expect(error?.description == #"m.slope: manifest.architecture.config.inputFeatures: expected an integer, found a string ("3")"#)
        // A misspelt or extra setting is refused rather than ignored.
        let extra = rebuildError("ReLU", .object([("inplace", .bool(true))]))
        guard case .manifest(_, let field, let expected) = extra else {
            Issue.record("an extra setting was accepted")
            return
        }
        #expect(field == "architecture.config.inplace" && expected.contains("unknown member"))
        // Inside a nested module, the path is the path in the manifest.
        let nested = JSON.object([("type", .string("Sequential")), ("children", .array([
            .object([("name", .string("0")), ("module", .object([("type", .string("Conv2d")), ("config", .object([
                ("inputChannels", .int(1)), ("outputChannels", .int(1)), ("kernelSize", .string("3")),
            ]))]))]),
        ]))])
        #expect(throws: ModelFileError.manifest(file: "m.slope", field: "architecture.children.0.module.config.kernelSize",
                                                expected: #"an array, found a string ("3")"#)) { try rebuild(nested) }
    }

    @Test func aModuleLargerThanTheFileIsRefusedBeforeItIsBuilt() {
        let json = JSON.object([("type", .string("Linear")), ("config", .object([
            ("inputFeatures", .int(100_000_000)), ("outputFeatures", .int(100_000_000)), ("bias", .bool(true))]))])
        guard case .manifest(_, let field, let expected) = caught(ModelFileError.self, { try rebuild(json, budget: 1000) }) else {
            Issue.record("an absurd Linear was built")
            return
        }
        #expect(field == "architecture" && expected.contains("at most 1000 values"))
    }

    @Test func initialisersRequireTheSameRule() async {
        // What a file rebuild refuses, the initialiser stops on, naming the layer and the setting.
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = MaxPool2d(kernelSize: 2, padding: 4096)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("MaxPool2d: padding: expected 0 up to half the kernel size (2, 2), found (4096, 4096)"), "\(message)")
        await #expect(processExitsWith: .failure) { _ = LayerNorm(normalizedShape: [1 << 32, 1 << 32, 1 << 32]) }
    }
}
