import Foundation
import Testing
@testable import Slope

// Damaged and hostile files: each gives one clear thrown `ModelFileError` that names the file,
// never a crash, a stack overflow or a huge allocation.

private let file = "bad.safetensors"

/// The error decoding `bytes` throws (`nil` when it decodes).
private func decodeError(_ bytes: [UInt8]) -> ModelFileError? {
    caught(ModelFileError.self) { try SafeTensors.decode(bytes, file: file) }
}

/// The reason of a `.malformed` error naming `bad.safetensors`, or a recorded issue.
private func malformedReason(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    let error = decodeError(bytes)
    guard case .malformed(let name, let reason) = error else {
        Issue.record("expected .malformed, got \(String(describing: error))", sourceLocation: sourceLocation)
        return nil
    }
    #expect(name == file, sourceLocation: sourceLocation)
    #expect(error!.description.contains(file), sourceLocation: sourceLocation)
    #expect(!error!.description.contains("\n"), sourceLocation: sourceLocation)
    return reason
}

/// A one-tensor header `{"t": {...}}` with `data`.
private func oneTensor(dtype: String = "F32", shape: String, offsets: String, data: [UInt8]) -> [UInt8] {
    ModelFileFixtures.safetensors(header: "{\"t\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}}", data: data)
}

@Suite struct SafeTensorsCodecTests {
    @Test func encodeDecodeRoundTrip() throws {
        let a = Tensor(shape: [2, 3], scalars: [1, -2, 3.5, .pi, -0.0, .greatestFiniteMagnitude])
        let b = Tensor(shape: [], scalars: [42])
        let c = Tensor(shape: [0, 4], scalars: [])
        let odd = Tensor([7])
        let bytes = SafeTensors.encode([("a", a), ("b.c", b), ("empty", c), ("quote\"back\\slash\nnewline é", odd)],
                                       metadata: ["x": "y \"quoted\"\n", "format": "none"])
        #expect(bytes.count % 4 == 0)
        let length = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + length) % 8 == 0)
        let contents = try SafeTensors.decode(bytes, file: "ok.safetensors")
        #expect(contents.metadata == ["x": "y \"quoted\"\n", "format": "none"])
        #expect(contents.tensors.map(\.key) == ["a", "b.c", "empty", "quote\"back\\slash\nnewline é"])
        #expect(contents["quote\"back\\slash\nnewline é"]?.scalars == [7])
        #expect(contents["a"]?.shape == [2, 3])
        #expect(contents["a"]?.scalars.map(\.bitPattern) == a.scalars.map(\.bitPattern))
        #expect(contents["b.c"]?.shape == [])
        #expect(contents["b.c"]?.scalars == [42])
        #expect(contents["empty"]?.shape == [0, 4])
        #expect(contents["missing"] == nil)
    }

    @Test func headerIsPaddedJSONWithDottedKeys() throws {
        let bytes = SafeTensors.encode([("layers.0.weight", Tensor([1, 2]))])
        let length = Int(bytes[0])
        let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
        #expect(header.trimmingCharacters(in: .whitespaces)
            == "{\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}")
        #expect(Array(bytes[(8 + length)...]) == ModelFileFixtures.floatBytes([1, 2]))
    }
}

@Suite struct SafeTensorsBadFileTests {
    @Test func emptyAndTooShortFiles() {
        #expect(malformedReason([])?.contains("0 bytes") == true)
        #expect(malformedReason([1, 2, 3, 4, 5, 6, 7])?.contains("7 bytes") == true)
    }

    @Test func headerLengthPastTheEnd() {
        let bytes = ModelFileFixtures.safetensors(header: "{}", declaredLength: 100)
        #expect(malformedReason(bytes)?.contains("past the end") == true)
        #expect(malformedReason(ModelFileFixtures.safetensors(header: "{}", declaredLength: 3)) != nil)
    }

    @Test func hugeHeaderLengthsAreRejectedBeforeAllocating() {
        for length: UInt64 in [1 << 63, UInt64.max, UInt64(SafeTensors.maxHeaderBytes) + 1, 1 << 32] {
            let reason = malformedReason(ModelFileFixtures.safetensors(header: "{}", declaredLength: length))
            #expect(reason != nil, "length \(length)")
        }
        #expect(malformedReason(ModelFileFixtures.safetensors(header: "{}", declaredLength: 1 << 63))?.contains("limit") == true)
    }

    @Test func headerNotJSON() {
        #expect(malformedReason(ModelFileFixtures.safetensors(header: "hello world"))?.contains("JSON") == true)
        #expect(malformedReason(ModelFileFixtures.safetensors(header: "{\"t\":")) != nil)
        #expect(malformedReason(ModelFileFixtures.safetensors(header: "")) != nil)
        #expect(malformedReason([8, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFE, 0, 1, 2, 3, 4, 5]) != nil)
    }

    @Test func deeplyNestedHeaderDoesNotOverflowTheStack() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(malformedReason(ModelFileFixtures.safetensors(header: deep))?.contains("deeper") == true)
        let unterminated = String(repeating: "[", count: 10_000)
        #expect(malformedReason(ModelFileFixtures.safetensors(header: unterminated)) != nil)
        let objects = String(repeating: "{\"a\":", count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        #expect(malformedReason(ModelFileFixtures.safetensors(header: objects))?.contains("deeper") == true)
    }

    @Test func headerThatIsNotAnObject() {
        for header in ["[]", "[{\"t\":1}]", "\"text\"", "42", "null", "true"] {
            #expect(malformedReason(ModelFileFixtures.safetensors(header: header))?.contains("not a JSON object") == true, "\(header)")
        }
    }

    @Test func unknownDType() {
        let error = decodeError(oneTensor(dtype: "BF16", shape: "[2]", offsets: "[0,4]", data: [0, 0, 0, 0]))
        #expect(error == .unsupportedDType(file: file, key: "t", dtype: "BF16"))
        #expect(error?.description.contains(file) == true)
        #expect(error?.description.contains("BF16") == true)
        #expect(decodeError(oneTensor(dtype: "F16", shape: "[2]", offsets: "[0,4]", data: [0, 0, 0, 0]))
            == .unsupportedDType(file: file, key: "t", dtype: "F16"))
        // A dtype that is not a string.
        #expect(malformedReason(ModelFileFixtures.safetensors(header: "{\"t\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}",
                                                               data: [0, 0, 0, 0]))?.contains("`t`") == true)
    }

    @Test func invalidShapes() {
        let data = [UInt8](repeating: 0, count: 8)
        for shape in ["[-1]", "[1.5]", "[2,-2]", "[\"2\"]", "[null]", "2", "{}", "[1e300]"] {
            #expect(malformedReason(oneTensor(shape: shape, offsets: "[0,8]", data: data))?.contains("`t`") == true, "\(shape)")
        }
        // More than 16 dimensions.
        let many = "[" + Array(repeating: "1", count: 17).joined(separator: ",") + "]"
        #expect(malformedReason(oneTensor(shape: many, offsets: "[0,4]", data: [0, 0, 0, 0])) != nil)
        // A missing shape.
        #expect(malformedReason(ModelFileFixtures.safetensors(header: "{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}",
                                                               data: [0, 0, 0, 0])) != nil)
    }

    @Test func absurdDimensionsAreRejectedWithoutAllocating() {
        let reason = malformedReason(oneTensor(shape: "[100000,100000,100000]", offsets: "[0,4]", data: [0, 0, 0, 0]))
        #expect(reason?.contains("absurd") == true)
        // Sizes that overflow Int when multiplied.
        let overflow = "[" + Array(repeating: "2147483647", count: 16).joined(separator: ",") + "]"
        #expect(malformedReason(oneTensor(shape: overflow, offsets: "[0,4]", data: [0, 0, 0, 0])) != nil)
        // A zero anywhere makes an empty tensor, whatever the other sizes.
        let empty = try? SafeTensors.decode(oneTensor(shape: "[0,2147483647]", offsets: "[0,0]", data: []), file: file)
        #expect(empty?["t"]?.shape == [0, 2_147_483_647])
    }

    @Test func offsetsOutOfRange() {
        let data = ModelFileFixtures.floatBytes([1, 2])
        for offsets in ["[0,12]", "[4,12]", "[-4,4]", "[8,0]", "[0]", "[0,8,16]", "[0.5,8.5]", "[1e300,1e300]", "\"0,8\"",
                        "[0,18446744073709551616]"] {
            #expect(malformedReason(oneTensor(shape: "[2]", offsets: offsets, data: data))?.contains("`t`") == true, "\(offsets)")
        }
    }

    @Test func overlappingTensors() {
        let header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}"
        let reason = malformedReason(ModelFileFixtures.safetensors(header: header, data: ModelFileFixtures.floatBytes([1, 2, 3])))
        #expect(reason?.contains("overlap") == true)
        #expect(reason?.contains("`a`") == true && reason?.contains("`b`") == true)
        let same = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"
        #expect(malformedReason(ModelFileFixtures.safetensors(header: same, data: ModelFileFixtures.floatBytes([1, 2])))?
            .contains("overlap") == true)
    }

    @Test func shapeSizeDisagreesWithTheBytes() {
        let reason = malformedReason(oneTensor(shape: "[3]", offsets: "[0,8]", data: ModelFileFixtures.floatBytes([1, 2])))
        #expect(reason?.contains("needs 12 bytes") == true)
        #expect(malformedReason(oneTensor(dtype: "F64", shape: "[2]", offsets: "[0,8]", data: ModelFileFixtures.floatBytes([1, 2])))?
            .contains("needs 16 bytes") == true)
    }

    @Test func duplicateKeys() {
        let header = "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}"
        let reason = malformedReason(ModelFileFixtures.safetensors(header: header, data: ModelFileFixtures.floatBytes([1, 2])))
        #expect(reason?.contains("`t` twice") == true)
        let metadata = "{\"__metadata__\":{\"a\":\"1\"},\"__metadata__\":{\"a\":\"2\"}}"
        #expect(malformedReason(ModelFileFixtures.safetensors(header: metadata))?.contains("twice") == true)
    }

    @Test func metadataMustHoldStrings() {
        #expect(malformedReason(ModelFileFixtures.safetensors(header: "{\"__metadata__\":{\"format\":1}}"))?.contains("`__metadata__.format`") == true)
        #expect(malformedReason(ModelFileFixtures.safetensors(header: "{\"__metadata__\":[\"slope\"]}")) != nil)
    }

    @Test func missingFileIsAnIOError() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("slope-none-\(UUID().uuidString).slope").path
        let error = caught(ModelFileError.self) { try SafeTensors.read(from: path) }
        #expect(error == .io(file: path, reason: "no such file"))
        #expect(caught(ModelFileError.self) { try Learner.load(from: path) } == .io(file: path, reason: "no such file"))
    }

    @Test func badFilesThroughLearnerLoadNameTheFile() throws {
        let folder = try temporaryFolder("bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (index, bytes) in [[], [1, 2, 3], ModelFileFixtures.safetensors(header: "[]"),
                               ModelFileFixtures.safetensors(header: "{}", declaredLength: 1 << 63)].enumerated() {
            let path = try ModelFileFixtures.write(bytes, to: folder, name: "bad\(index).slope")
            let error = caught(ModelFileError.self) { try Learner.load(from: path) }
            guard case .malformed(let name, _) = error else {
                Issue.record("bad\(index).slope: expected .malformed, got \(String(describing: error))")
                continue
            }
            #expect(name == "bad\(index).slope")
        }
    }
}

// MARK: - The manifest

@Suite struct SafeTensorsManifestTests {
    /// Writes `bytes` and loads them as a model, returning the error.
    private func loadError(_ bytes: [UInt8], name: String = "model.slope") throws -> ModelFileError? {
        let folder = try temporaryFolder("manifest")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try ModelFileFixtures.write(bytes, to: folder, name: name)
        return caught(ModelFileError.self) { try Learner.load(from: path) }
    }

    /// The manifest with `key` set to `value` (or removed when `value` is nil).
    private func manifest(setting key: String, to value: JSON?) throws -> String {
        try ModelFileFixtures.editedManifest { pairs in
            if let index = pairs.firstIndex(where: { $0.0 == key }) {
                if let value { pairs[index].1 = value } else { pairs.remove(at: index) }
            } else if let value {
                pairs.append((key, value))
            }
        }
    }

    @Test func smallFileLoads() throws {
        let folder = try temporaryFolder("manifest")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try ModelFileFixtures.write(try ModelFileFixtures.smallFile.get(), to: folder, name: "small.slope")
        let loaded = try Learner.load(from: path)
        let prediction = try loaded.predict(["color": "red", "shape": "round", "size": ""])
        #expect(["no", "yes"].contains(prediction.label))
    }

    @Test func newerFormatVersion() throws {
        let error = try loadError(try ModelFileFixtures.fileBytes(manifest: try manifest(setting: "formatVersion", to: .int(99))))
        #expect(error == .newerFormat(file: "model.slope", found: 99, supported: 1))
        #expect(error?.description.contains("model.slope") == true)
        #expect(error?.description.contains("99") == true)
        // The current version and older files' versions load.
        #expect(try loadError(try ModelFileFixtures.fileBytes(manifest: try manifest(setting: "formatVersion", to: .int(1)))) == nil)
    }

    @Test func invalidFormatVersions() throws {
        for value in [JSON.int(0), .int(-1), .number(1.5), .string("1"), .null] {
            let error = try loadError(try ModelFileFixtures.fileBytes(manifest: try manifest(setting: "formatVersion", to: value)))
            #expect(error == .manifest(file: "model.slope", field: "formatVersion", expected: "a positive whole number"), "\(value)")
        }
        #expect(try loadError(try ModelFileFixtures.fileBytes(manifest: try manifest(setting: "formatVersion", to: nil)))
            == .manifest(file: "model.slope", field: "formatVersion", expected: "a positive whole number"))
        // Versions too large for Int are checked in ModelFileCLITests (through a child process,
        // since a trap there would end this test run).
    }

    @Test func plainSafetensorsFileIsNotASlopeFile() throws {
        let plain = SafeTensors.encode([("w", Tensor([1, 2]))])
        let error = try loadError(plain, name: "plain.safetensors")
        #expect(error == .notASlopeFile(file: "plain.safetensors"))
        #expect(error?.description.contains("plain.safetensors") == true)
        #expect(try loadError(SafeTensors.encode([("w", Tensor([1]))], metadata: ["format": "pt"])) == .notASlopeFile(file: "model.slope"))
        #expect(try loadError(SafeTensors.encode([("w", Tensor([1]))], metadata: ["format": "slope"])) == .notASlopeFile(file: "model.slope"))
    }

    @Test func manifestThatIsNotJSON() throws {
        let error = try loadError(try ModelFileFixtures.fileBytes(manifest: "{\"formatVersion\": 1,"))
        guard case .manifest(let name, let field, _) = error else {
            Issue.record("expected .manifest, got \(String(describing: error))")
            return
        }
        #expect(name == "model.slope")
        #expect(field == "(the whole manifest)")
        // Nested 10,000 deep inside the metadata string: rejected, no stack overflow.
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        guard case .manifest(_, _, let expected) = try loadError(try ModelFileFixtures.fileBytes(manifest: deep)) else {
            Issue.record("a deeply nested manifest should be a .manifest error")
            return
        }
        #expect(expected.contains("deeper"))
        #expect(try loadError(try ModelFileFixtures.fileBytes(manifest: "[1]"))
            == .manifest(file: "model.slope", field: "formatVersion", expected: "a positive whole number"))
    }

    @Test func unknownModuleTypeListsKnownTypes() throws {
        let architecture = JSON.object([("type", .string("Transformer")), ("config", .object([]))])
        let error = try loadError(try ModelFileFixtures.fileBytes(manifest: try manifest(setting: "architecture", to: architecture)))
        guard case .unknownModuleType(let name, let path, let type, let known) = error else {
            Issue.record("expected .unknownModuleType, got \(String(describing: error))")
            return
        }
        #expect(name == "model.slope" && path == "" && type == "Transformer")
        for builtIn in ["Linear", "Sequential", "ReLU", "Embedding", "BatchNorm1d", "TabularModel"] {
            #expect(known.contains(builtIn))
            #expect(error!.description.contains(builtIn))
        }
        #expect(error!.description.contains("Transformer"))
        #expect(error!.description.contains("model.slope"))

        // Deeper in the tree, the message names the path.
        let nested = JSON.object([("type", .string("Sequential")), ("config", .object([])), ("children", .array([
            .object([("name", .string("0")), ("module", .object([("type", .string("Linear")), ("config", .object([
                ("inputFeatures", .int(2)), ("outputFeatures", .int(2)), ("bias", .bool(true))]))]))]),
            .object([("name", .string("1")), ("module", .object([("type", .string("Mystery"))]))]),
        ]))])
        let inner = try loadError(try ModelFileFixtures.fileBytes(manifest: try manifest(setting: "architecture", to: nested)))
        guard case .unknownModuleType(_, let innerPath, let innerType, _) = inner else {
            Issue.record("expected .unknownModuleType, got \(String(describing: inner))")
            return
        }
        #expect(innerPath == "1" && innerType == "Mystery")
        #expect(inner!.description.contains("`1`"))
    }

    @Test func missingFieldsAreNamed() throws {
        for (key, field) in [("architecture", "architecture"), ("preprocessing", "preprocessing"), ("task", "task")] {
            let error = try loadError(try ModelFileFixtures.fileBytes(manifest: try manifest(setting: key, to: nil)))
            guard case .manifest(let name, let named, _) = error else {
                Issue.record("without `\(key)`: expected .manifest, got \(String(describing: error))")
                continue
            }
            #expect(name == "model.slope")
            #expect(named == field)
            #expect(error!.description.contains("manifest.\(field):"))
        }
        // A field inside the preprocessing.
        let noTarget = try ModelFileFixtures.editedManifest { pairs in
            let index = try ModelFileFixtures.firstIndex(pairs) { $0.0 == "preprocessing" }
            let inner = try #require(pairs[index].1.objectValue)
            pairs[index].1 = JSON.object(inner.filter { $0.0 != "target" })
        }
        let noTargetError = try loadError(try ModelFileFixtures.fileBytes(manifest: noTarget))
        #expect(noTargetError == .manifest(file: "model.slope", field: "preprocessing.target", expected: "a string, found nothing"))
        // A setting of a module.
        let noBias = JSON.object([("type", .string("Linear")), ("config", .object([("inputFeatures", .int(2)), ("outputFeatures", .int(2))]))])
        let error = try loadError(try ModelFileFixtures.fileBytes(manifest: try manifest(setting: "architecture", to: noBias)))
        #expect(error == .manifest(file: "model.slope", field: "architecture.config.bias", expected: "true or false, found nothing"))
        // A module type that is not a string.
        let untyped = JSON.object([("type", .int(3))])
        #expect(try loadError(try ModelFileFixtures.fileBytes(manifest: try manifest(setting: "architecture", to: untyped)))
            == .manifest(file: "model.slope", field: "architecture.type", expected: "a string, found a number (3)"))
    }

    @Test func classificationWithoutClassesIsAManifestError() throws {
        // The manifest's `classes` name the model's outputs; without them a classification
        // model loads but cannot decode a prediction (see ModelFileCLITests.classesDisagreeWithTheModel).
        let error = try loadError(try ModelFileFixtures.fileBytes(manifest: try manifest(setting: "classes", to: nil)))
        guard case .manifest(let name, let field, _) = error else {
            Issue.record("a classification manifest without `classes` should be a .manifest error naming `classes`, got \(String(describing: error))")
            return
        }
        #expect(name == "model.slope")
        #expect(field == "classes")
    }

    @Test func insaneTabularSettingsAreRejected() throws {
        let (_, text) = try ModelFileFixtures.smallContents()
        let original = try JSONParser.parse(Array(text.utf8))
        for (key, value) in [("hiddenSizes", JSON.array([.int(1_000_000)])), ("cardinalities", .array([.int(0)])),
                             ("dropout", .number(1.5)), ("continuousCount", .int(-1)), ("outputCount", .int(0))] {
            var architecture = try #require(original["architecture"]?.objectValue)
            let configIndex = try ModelFileFixtures.firstIndex(architecture) { $0.0 == "config" }
            var config = try #require(architecture[configIndex].1.objectValue)
            let index = try ModelFileFixtures.firstIndex(config) { $0.0 == key }
            config[index].1 = value
            architecture[configIndex].1 = .object(config)
            let error = try loadError(try ModelFileFixtures.fileBytes(manifest: try manifest(setting: "architecture", to: .object(architecture))))
            guard case .manifest(let name, let field, _) = error else {
                Issue.record("\(key) = \(value): expected .manifest, got \(String(describing: error))")
                continue
            }
            #expect(name == "model.slope")
            #expect(field.hasPrefix("architecture"))
        }
    }

    @Test func tensorsMustMatchTheArchitecture() throws {
        let (tensors, text) = try ModelFileFixtures.smallContents()
        // A tensor missing, one extra, one reshaped.
        #expect(try loadError(try ModelFileFixtures.fileBytes(manifest: text, tensors: tensors.filter { $0.key != "layers.0.0.weight" }))
            == .missingTensor(file: "model.slope", key: "layers.0.0.weight"))
        #expect(try loadError(try ModelFileFixtures.fileBytes(manifest: text, tensors: tensors + [("extra.weight", Tensor([1]))]))
            == .unexpectedTensor(file: "model.slope", key: "extra.weight"))
        let reshaped = tensors.map { key, tensor in
            key == "layers.0.0.weight" ? (key, Tensor(shape: [tensor.shape[1], tensor.shape[0]], scalars: tensor.scalars)) : (key, tensor)
        }
        let shape = try #require(tensors.first { $0.key == "layers.0.0.weight" }?.tensor.shape)
        let error = try loadError(try ModelFileFixtures.fileBytes(manifest: text, tensors: reshaped))
        #expect(error == .shapeMismatch(file: "model.slope", key: "layers.0.0.weight", expected: shape, found: [shape[1], shape[0]]))
        #expect(error?.description == "shape mismatch for `layers.0.0.weight`: expected \(shape), found \([shape[1], shape[0]]) in model.slope")
    }

    @Test func registeredCustomModuleRoundTrips() throws {
        var rng = SeededGenerator(seed: 3)
        let model = Sequential(Linear(inputFeatures: 3, outputFeatures: 4, generator: &rng), ModelFileScale(width: 4, generator: &rng),
                               Tanh())
        let inputs = Tensor(shape: [2, 3], scalars: [1, 2, 3, -1, 0.5, 0])
        let empty = TensorDataset(inputs: Tensor.zeros([0, 3]), targets: Tensor.zeros([0]))
        let data = DataLoaders(train: DataLoader(empty, batchSize: 1), valid: DataLoader(empty, batchSize: 1), task: .regression)
        let learner = Learner(data: data, model: model, loss: mse)
        let folder = try temporaryFolder("custom")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("custom.slope").path
        try learner.export(to: path)
        let manifest = try #require(try SafeTensors.read(from: path).metadata["slope"])
        #expect(manifest.contains("\"ModelFileScale\""))
        #expect(manifest.contains("\"width\":4"))

        if !ModuleRegistry.knownTypes.contains("ModelFileScale") {
            let error = caught(ModelFileError.self) { try Learner.load(from: path) }
            #expect(error == .unknownModuleType(file: "custom.slope", path: "1", type: "ModelFileScale", known: ModuleRegistry.knownTypes))
        }
        ModuleRegistry.register(ModelFileScale.self)
        #expect(ModuleRegistry.knownTypes.contains("ModelFileScale"))
        let loaded = try Learner.load(from: path)
        #expect(try loaded.model.getSubmodule("1") is ModelFileScale)
        #expect(ModelFileFixtures.bits(loaded.model.stateDict()) == ModelFileFixtures.bits(model.stateDict()))
        #expect(try loaded.predict(inputs: inputs) == learner.predict(inputs: inputs))
    }

    @Test func unexportableModuleIsNamed() {
        var rng = SeededGenerator(seed: 3)
        let model = Sequential(Linear(inputFeatures: 3, outputFeatures: 4, generator: &rng), ModelFileUnregistrable())
        let error = caught(ModelFileError.self) { try ModuleSpec(describing: model) }
        #expect(error == .notExportable(path: "1", type: "ModelFileUnregistrable"))
    }
}

/// A custom module for the registry test: multiplies each feature by a learned scale. It has
/// no shape rule, so loading checks it at prediction instead.
final class ModelFileScale: Module, ModuleArchitecture, @unchecked Sendable {
    struct Settings: ModuleSettings {
        var width: Int
        func validate() throws(SettingError) {
            guard (1...1_000_000).contains(width) else { throw SettingError("width", expected: "1...1000000", found: width) }
        }
        var valueCount: Int { width }
    }

    let settings: Settings
    let scale: Tensor

    init(settings: Settings, generator: inout some RandomNumberGenerator) {
        self.settings = settings.required(by: "ModelFileScale")
        scale = Tensor.uniform([settings.width], low: 0.5, high: 1.5, generator: &generator).requiresGrad()
    }

    convenience init(settings: Settings) {
        var rng = SeededGenerator(seed: 0)
        self.init(settings: settings, generator: &rng)
    }

    convenience init(width: Int, generator: inout some RandomNumberGenerator) {
        self.init(settings: Settings(width: width), generator: &generator)
    }

    override func forward(_ input: Tensor) -> Tensor { input * scale }

    static var typeName: String { "ModelFileScale" }
}

/// A module that does not conform to `ModuleArchitecture`.
final class ModelFileUnregistrable: Module, @unchecked Sendable {
    override func forward(_ input: Tensor) -> Tensor { input }
}
