import Foundation
import Testing
@testable import Slope

// Exported model files: a trained learner written with `export(to:)` and read back with
// `Learner.load(from:)` predicts exactly as before; plain weights files; atomic writes; and
// Python's `safetensors` reading the same bytes.

/// A Titanic learner trained for two epochs, exported once, and loaded back.
private struct TitanicRoundTrip: @unchecked Sendable {
    let learner: Learner
    let loaded: ExportedModel
    let path: String
    let testTable: DataTable

    static let shared: Result<TitanicRoundTrip, any Error> = Result {
        let data = try TabularData.fromCSV(ModelFileFixtures.titanicTrain, target: "Survived", seed: 42)
        let learner = tabularLearner(data: data, seed: 42)
        learner.progress = ProgressDisplay(style: .silent)
        learner.fitOneCycle(epochs: 2, maxLR: 1e-2)
        let folder = try temporaryFolder("titanic")
        let path = folder.appendingPathComponent("titanic.slope").path
        try learner.export(to: path)
        return TitanicRoundTrip(learner: learner, loaded: try Learner.load(from: path), path: path,
                                testTable: try CSVReader().read(contentsOfFile: ModelFileFixtures.titanicTest))
    }
}

/// Row `index` of a table as column name → text ("" where missing).
private func rowDictionary(_ table: DataTable, _ index: Int) -> [String: String] {
    Dictionary(uniqueKeysWithValues: zip(table.columnNames, table.rows[index].map { $0 ?? "" }))
}

@Suite(.serialized, .enabled(if: ModelFileFixtures.hasTitanic, "needs shared/data/titanic"))
struct ModelFileTitanicRoundTripTests {
    @Test func loadedModelPredictsBitForBitAsTheOriginal() throws {
        let fixture = try TitanicRoundTrip.shared.get()
        let original = try fixture.learner.predict(rows: fixture.testTable)
        let reloaded = try fixture.loaded.predict(rows: fixture.testTable)
        #expect(original.count == 418)
        #expect(reloaded.count == original.count)
        for (a, b) in zip(original, reloaded) {
            #expect(a.label == b.label)
            #expect(a.probabilities.map(\.label) == b.probabilities.map(\.label))
            #expect(a.probabilities.map(\.probability.bitPattern) == b.probabilities.map(\.probability.bitPattern))
        }
        #expect(original == reloaded)
    }

    @Test func predictOneRowGivesAClassAndProbabilitiesSummingToOne() throws {
        let fixture = try TitanicRoundTrip.shared.get()
        let loaded = fixture.loaded
        #expect(loaded.classes == ["0", "1"])
        for index in [0, 1, 100, 417] {
            let row = rowDictionary(fixture.testTable, index)
            let prediction = try loaded.predict(row)
            #expect(loaded.classes.contains(prediction.label))
            #expect(prediction.value == nil)
            #expect(prediction.probabilities.map(\.label) == ["0", "1"])
            let total = prediction.probabilities.reduce(0) { $0 + $1.probability }
            #expect(abs(total - 1) < 1e-6)
            let best = prediction.probabilities.max { $0.probability < $1.probability }!
            #expect(best.label == prediction.label)
            #expect(try fixture.learner.predict(row) == prediction)
        }
    }

    @Test func unseenCategoryAndMissingValuePredictWithoutError() throws {
        let fixture = try TitanicRoundTrip.shared.get()
        var row = rowDictionary(fixture.testTable, 0)
        row["Embarked"] = "X"
        row["Age"] = ""
        let prediction = try fixture.loaded.predict(row)
        #expect(["0", "1"].contains(prediction.label))
        #expect(abs(prediction.probabilities.reduce(0) { $0 + $1.probability } - 1) < 1e-6)
        #expect(try fixture.learner.predict(row) == prediction)
        // A wholly unknown category is treated as missing (#na#, code 0).
        var missing = row
        missing["Embarked"] = ""
        #expect(try fixture.loaded.predict(missing) == prediction)
    }

    @Test func parametersAndStateMatchKeyForKeyAndValueForValue() throws {
        let fixture = try TitanicRoundTrip.shared.get()
        let a = fixture.learner.model, b = fixture.loaded.model
        #expect(a.namedParameters().map(\.key) == b.namedParameters().map(\.key))
        #expect(a.stateDict().map(\.key) == b.stateDict().map(\.key))
        #expect(a.stateDict().map(\.tensor.shape) == b.stateDict().map(\.tensor.shape))
        #expect(ModelFileFixtures.bits(a.stateDict()) == ModelFileFixtures.bits(b.stateDict()))
        #expect(b.stateDict().map(\.key).contains("layers.0.0.weight"))
        #expect(b.stateDict().map(\.key).contains("bn_cont.running_mean"))
        #expect(b.stateDict().map(\.key).contains("embeds.0.weight"))
        let block = try b.getSubmodule("layers.0.0")
        #expect(block is Linear)
        #expect((block as? Linear)?.outputFeatures == 200)
        #expect(!b.isTraining)
        #expect(b.description == a.description)
    }

    @Test func manifestRecordsFormatMetricsSeedAndPreprocessing() throws {
        let fixture = try TitanicRoundTrip.shared.get()
        let manifest = fixture.loaded.manifest
        #expect(manifest["formatVersion"]?.numberValue == 1)
        #expect(manifest["slopeVersion"]?.stringValue == SlopeLibrary.version)
        #expect(manifest["task"]?.stringValue == "classification")
        #expect(manifest["loss"]?.stringValue == "crossEntropy")
        #expect(manifest["seed"]?.stringValue == "42")
        #expect(fixture.loaded.seed == 42)
        #expect(fixture.loaded.lossName == "crossEntropy")
        #expect(manifest["architecture"]?["type"]?.stringValue == "TabularModel")
        let last = try #require(fixture.learner.recorder.epochs.last)
        #expect(manifest["metrics"]?["accuracy"]?.numberValue == last.value(of: "accuracy"))
        #expect(manifest["metrics"]?["valid_loss"]?.numberValue == last.validLoss)
        #expect(manifest["history"]?.arrayValue?.count == 2)
        #expect(manifest["preprocessing"]?["target"]?.stringValue == "Survived")
        #expect(manifest["preprocessing"] == fixture.learner.data.preprocessing.json)
        #expect(fixture.loaded.preprocessing.json == fixture.learner.data.preprocessing.json)
        // The manifest read back is the manifest written.
        #expect(try fixture.learner.manifest() == manifest)
        // The file is a plain safetensors file whose metadata says so.
        let contents = try SafeTensors.read(from: fixture.path)
        #expect(contents.metadata["format"] == "slope")
        #expect(contents.tensors.map(\.key) == fixture.learner.model.stateDict().map(\.key))
    }
}

@Suite(.enabled(if: ModelFileFixtures.hasDiabetes, "needs shared/data/diabetes"))
struct ModelFileRegressionRoundTripTests {
    @Test func regressionModelRoundTrips() throws {
        let data = try TabularData.fromCSV(ModelFileFixtures.diabetes, target: "target", seed: 42)
        #expect(data.task == .regression)
        let learner = tabularLearner(data: data, seed: 42)
        learner.progress = ProgressDisplay(style: .silent)
        learner.fitOneCycle(epochs: 2, maxLR: 1e-2)
        let folder = try temporaryFolder("diabetes")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("diabetes.slope").path
        try learner.export(to: path)
        let loaded = try Learner.load(from: path)
        #expect(loaded.task == .regression)
        #expect(loaded.lossName == "mse")
        #expect(loaded.targetScale?.mean == learner.data.targetScale?.mean)
        #expect(loaded.targetScale?.std == learner.data.targetScale?.std)
        let table = try CSVReader().read(contentsOfFile: ModelFileFixtures.diabetes)
        let original = try learner.predict(rows: table), reloaded = try loaded.predict(rows: table)
        #expect(reloaded.count == table.rowCount)
        #expect(original == reloaded)
        for prediction in reloaded.prefix(20) {
            let value = try #require(prediction.value)
            #expect(value.isFinite)
            #expect(prediction.probabilities.isEmpty)
            #expect(prediction.label == String(value))
        }
        #expect(ModelFileFixtures.bits(learner.model.stateDict()) == ModelFileFixtures.bits(loaded.model.stateDict()))
    }
}

@Suite struct ModelFileReexportTests {
    @Test func loadedLearnerExportsTheSameModel() throws {
        let folder = try temporaryFolder("reexport")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try ModelFileFixtures.write(try ModelFileFixtures.smallFile.get(), to: folder, name: "first.slope")
        let loaded = try Learner.load(from: first)
        let second = folder.appendingPathComponent("second.slope").path
        try loaded.export(to: second)
        let a = try SafeTensors.read(from: first), b = try SafeTensors.read(from: second)
        #expect(a.tensors.map(\.key) == b.tensors.map(\.key))
        #expect(ModelFileFixtures.bits(a.tensors) == ModelFileFixtures.bits(b.tensors))
        let again = try Learner.load(from: second)
        #expect(again.preprocessing.json == loaded.preprocessing.json)
        #expect(again.classes == loaded.classes)
        #expect(again.seed == loaded.seed)
        #expect(again.lossName == loaded.lossName)
        let table = try CSVReader().parse(ModelFileFixtures.smallCSV)
        #expect(try again.predict(rows: table) == loaded.predict(rows: table))
    }
}

@Suite struct ExportedModelTests {
    /// A small untrained image learner (4x4 grey images, three classes) and its exported file.
    private func imageRoundTrip(_ folder: URL) throws -> (learner: Learner, loaded: ExportedModel) {
        var rng = SeededGenerator(seed: 5)
        let inputs = Tensor.randn([6, 1, 4, 4], generator: &rng)
        let targets = Tensor([0, 1, 2, 0, 1, 2])
        let dataset = TensorDataset(inputs: inputs, targets: targets)
        let prep = ImagePreprocessing(height: 4, width: 4, channels: 1, mean: [0.5], std: [0.25])
        let data = DataLoaders(train: DataLoader(dataset, batchSize: 2), valid: DataLoader(dataset, batchSize: 2),
                               task: .classification, classes: ["a", "b", "c"], preprocessing: .image(prep))
        let learner = visionLearner(data: data, seed: 3)
        let path = folder.appendingPathComponent("image.slope").path
        try learner.export(to: path)
        return (learner, try Learner.load(from: path))
    }

    @Test func loadedImageModelPredictsLikeTheLearnerAndRefusesTableRows() throws {
        let folder = try temporaryFolder("image-model")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (learner, loaded) = try imageRoundTrip(folder)
        #expect(loaded.task == .classification)
        #expect(loaded.classes == ["a", "b", "c"])
        #expect(loaded.preprocessing == learner.preprocessing)
        #expect(loaded.targetScale == nil)
        #expect(loaded.seed == 3)
        #expect(loaded.lossName == "crossEntropy")
        var rng = SeededGenerator(seed: 8)
        let images = Tensor.randn([3, 1, 4, 4], generator: &rng)
        #expect(try loaded.predict(inputs: images) == learner.predict(inputs: images))
        let table = try CSVReader().parse("a,b\n1,2\n", source: "rows.csv")
        #expect(caught(PredictionError.self) { try loaded.predict(rows: table) } == .table(.notATableModel(takes: "image")))
        #expect(caught(PredictionError.self) { try learner.predict(rows: table) } == .table(.notATableModel(takes: "image")))
        #expect(caught(PredictionError.self) { try loaded.predict(["a": "1"]) } == .table(.notATableModel(takes: "image")))
        let message = TabularError.notATableModel(takes: "image").description
        #expect(message.contains("image inputs") && message.contains("predict(inputs:)"))
    }

    @Test func loadedModelKeepsTheFileRecordAndExportsItAgain() throws {
        let folder = try temporaryFolder("exported-model")
        defer { try? FileManager.default.removeItem(at: folder) }
        let learner = try ModelFileFixtures.smallLearner()
        let path = folder.appendingPathComponent("small.slope").path
        try learner.export(to: path)
        let loaded = try Learner.load(from: path)
        #expect(loaded.manifest == (try learner.manifest()))
        let last = try #require(learner.recorder.epochs.last)
        #expect(loaded.metrics.map(\.name) == last.metrics.map(\.name) + ["valid_loss"])
        #expect(loaded.metrics.map(\.value) == last.metrics.map(\.value) + [last.validLoss])
        #expect(loaded.classes == learner.classes && loaded.task == learner.task)
        #expect(!loaded.model.isTraining)
        // Written again, the manifest (history included) is the one read.
        let copy = folder.appendingPathComponent("copy.slope").path
        try loaded.export(to: copy)
        #expect(try Learner.load(from: copy).manifest == loaded.manifest)
    }
}

// MARK: - Weights only

@Suite struct ModelFileWeightsTests {
    private func mlp(seed: UInt64, hidden: Int = 8, bias: Bool = true) -> Sequential {
        var rng = SeededGenerator(seed: seed)
        return Sequential(Linear(inputFeatures: 4, outputFeatures: hidden, bias: bias, generator: &rng), ReLU(),
                          Linear(inputFeatures: hidden, outputFeatures: 3, generator: &rng))
    }

    @Test func saveAndLoadWeightsRestoresValuesExactly() throws {
        let folder = try temporaryFolder("weights")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("x.safetensors").path
        let source = mlp(seed: 1)
        try source.saveWeights(to: path)
        let target = mlp(seed: 2)
        #expect(ModelFileFixtures.bits(source.stateDict()) != ModelFileFixtures.bits(target.stateDict()))
        try target.loadWeights(from: path)
        #expect(ModelFileFixtures.bits(source.stateDict()) == ModelFileFixtures.bits(target.stateDict()))
        let input = Tensor(shape: [2, 4], scalars: [0.5, -1, 2, 0.25, 1, 1, -3, 0])
        #expect(noGrad { source(input) }.scalars == noGrad { target(input) }.scalars)
        // A plain weights file has no manifest.
        let contents = try SafeTensors.read(from: path)
        #expect(contents.metadata.isEmpty)
        #expect(contents.tensors.map(\.key) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(contents["0.weight"]?.shape == [8, 4])
        #expect(caught(ModelFileError.self) { try Learner.load(from: path) } == .notASlopeFile(file: "x.safetensors"))
    }

    @Test func loadingIntoAnotherArchitectureNamesTheKey() throws {
        let folder = try temporaryFolder("weights")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("x.safetensors").path
        try mlp(seed: 1).saveWeights(to: path)

        // Wider hidden layer: the first key's shape differs.
        let wider = mlp(seed: 3, hidden: 9)
        let before = ModelFileFixtures.bits(wider.stateDict())
        let mismatch = caught(ModelFileError.self) { try wider.loadWeights(from: path) }
        #expect(mismatch == .shapeMismatch(file: "x.safetensors", key: "0.weight", expected: [9, 4], found: [8, 4]))
        #expect(mismatch?.description == "shape mismatch for `0.weight`: expected [9, 4], found [8, 4] in x.safetensors")
        // A failed load changes nothing.
        #expect(ModelFileFixtures.bits(wider.stateDict()) == before)

        // A deeper model needs tensors the file lacks.
        var rng = SeededGenerator(seed: 4)
        let deeper = Sequential(Linear(inputFeatures: 4, outputFeatures: 8, generator: &rng), ReLU(),
                                Linear(inputFeatures: 8, outputFeatures: 3, generator: &rng), ReLU(),
                                Linear(inputFeatures: 3, outputFeatures: 1, generator: &rng))
        let missing = caught(ModelFileError.self) { try deeper.loadWeights(from: path) }
        #expect(missing == .missingTensor(file: "x.safetensors", key: "4.weight"))
        #expect(missing?.description.contains("`4.weight`") == true)
        #expect(missing?.description.contains("x.safetensors") == true)

        // A smaller model does not have some of the file's tensors.
        let shallower = Sequential(Linear(inputFeatures: 4, outputFeatures: 8, generator: &rng))
        let unexpected = caught(ModelFileError.self) { try shallower.loadWeights(from: path) }
        #expect(unexpected == .unexpectedTensor(file: "x.safetensors", key: "2.weight"))
        #expect(unexpected?.description.contains("`2.weight`") == true)

        // No bias where the file has one.
        let noBias = mlp(seed: 5, bias: false)
        #expect(caught(ModelFileError.self) { try noBias.loadWeights(from: path) }
            == .unexpectedTensor(file: "x.safetensors", key: "0.bias"))
    }

    @Test func loadsPyTorchStyleDTypesAndScalarBuffers() throws {
        // F64, I64 and I32 tensors convert to Float32; a 0-d I64 `num_batches_tracked` loads
        // into BatchNorm1d's scalar buffer, as from `safetensors.torch.save_file`.
        var rng = SeededGenerator(seed: 0)
        let model = Sequential(Linear(inputFeatures: 2, outputFeatures: 2, generator: &rng), BatchNorm1d(features: 2))
        func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        let f64 = [1.5, -2.25, 3, 4].flatMap { le(($0 as Double).bitPattern) }
        let f32 = ModelFileFixtures.floatBytes([0.5, -0.5])
        let i32: [UInt8] = le(Int32(7)) + le(Int32(-9))
        let i64: [UInt8] = le(Int64(2)) + le(Int64(3))
        let ones = ModelFileFixtures.floatBytes([1, 1]), zeros = ModelFileFixtures.floatBytes([0, 0])
        let scalar = le(Int64(12))
        var offset = 0
        var entries: [String] = []
        var data: [UInt8] = []
        for (key, dtype, shape, bytes) in [("0.weight", "F64", "[2,2]", f64), ("0.bias", "F32", "[2]", f32), ("1.weight", "I32", "[2]", i32),
                                           ("1.bias", "I64", "[2]", i64), ("1.running_mean", "F32", "[2]", zeros),
                                           ("1.running_var", "F32", "[2]", ones), ("1.num_batches_tracked", "I64", "[]", scalar)] {
            entries.append("\"\(key)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(offset),\(offset + bytes.count)]}")
            data += bytes
            offset += bytes.count
        }
        let folder = try temporaryFolder("weights")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try ModelFileFixtures.write(
            ModelFileFixtures.safetensors(header: "{" + entries.joined(separator: ",") + "}", data: data), to: folder, name: "torch.safetensors")
        try model.loadWeights(from: path)
        let state = Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.key, $0.tensor.scalars) })
        #expect(state["0.weight"] == [1.5, -2.25, 3, 4])
        #expect(state["0.bias"] == [0.5, -0.5])
        #expect(state["1.weight"] == [7, -9])
        #expect(state["1.bias"] == [2, 3])
        #expect(state["1.num_batches_tracked"] == [12])
    }
}

// MARK: - Atomic writes

@Suite struct ModelFileAtomicWriteTests {
    @Test func exportIntoAMissingFolderThrowsIOAndLeavesNothing() throws {
        let learner = try ModelFileFixtures.smallLearner()
        let folder = try temporaryFolder("atomic")
        defer { try? FileManager.default.removeItem(at: folder) }
        let missingFolder = folder.appendingPathComponent("missing")
        let path = missingFolder.appendingPathComponent("model.slope").path
        let error = caught(ModelFileError.self) { try learner.export(to: path) }
        guard case .io(let file, _) = error else {
            Issue.record("expected .io, got \(String(describing: error))")
            return
        }
        #expect(file == path)
        #expect(error?.description.contains("model.slope") == true)
        #expect(!FileManager.default.fileExists(atPath: missingFolder.path))
        #expect(ModelFileFixtures.entries(of: folder).isEmpty)
        // The same for plain weights.
        guard case .io = caught(ModelFileError.self, { try learner.model.saveWeights(to: path) }) else {
            Issue.record("saveWeights into a missing folder should throw .io")
            return
        }
        #expect(ModelFileFixtures.entries(of: folder).isEmpty)
    }

    @Test func exportOverAnExistingFileReplacesItCompletely() throws {
        let folder = try temporaryFolder("atomic")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.slope").path
        let big = try ModelFileFixtures.smallLearner(layers: [64, 32])
        try big.export(to: path)
        let bigSize = try Data(contentsOf: URL(fileURLWithPath: path)).count
        let small = try ModelFileFixtures.smallLearner(layers: [4], seed: 9)
        try small.export(to: path)
        let reference = folder.appendingPathComponent("reference.slope").path
        try small.export(to: reference)
        let replaced = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(replaced.count < bigSize)
        #expect(replaced == (try Data(contentsOf: URL(fileURLWithPath: reference))))
        let loaded = try Learner.load(from: path)
        #expect(ModelFileFixtures.bits(loaded.model.stateDict()) == ModelFileFixtures.bits(small.model.stateDict()))
        #expect(ModelFileFixtures.entries(of: folder) == ["model.slope", "reference.slope"])
    }

    @Test func failedWriteLeavesNoTemporaryFileAndKeepsTheTarget() throws {
        let learner = try ModelFileFixtures.smallLearner()
        let folder = try temporaryFolder("atomic")
        defer { try? FileManager.default.removeItem(at: folder) }
        // The target is a non-empty folder, so the final rename fails.
        let target = folder.appendingPathComponent("model.slope")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: target.appendingPathComponent("inside.txt"))
        let error = caught(ModelFileError.self) { try learner.export(to: target.path) }
        guard case .io(let file, _) = error else {
            Issue.record("expected .io, got \(String(describing: error))")
            return
        }
        #expect(file == target.path)
        #expect(ModelFileFixtures.entries(of: folder) == ["model.slope"])
        #expect(ModelFileFixtures.entries(of: target) == ["inside.txt"])
    }

    @Test func successfulWritesLeaveOnlyTheirFiles() throws {
        let learner = try ModelFileFixtures.smallLearner()
        let folder = try temporaryFolder("atomic")
        defer { try? FileManager.default.removeItem(at: folder) }
        for _ in 0..<3 { try learner.export(to: folder.appendingPathComponent("a.slope").path) }
        try learner.model.saveWeights(to: folder.appendingPathComponent("b.safetensors").path)
        try SafeTensors.write([("t", Tensor([1, 2, 3]))], metadata: ["k": "v"], to: folder.appendingPathComponent("c.safetensors").path)
        #expect(ModelFileFixtures.entries(of: folder) == ["a.slope", "b.safetensors", "c.safetensors"])
    }
}

// MARK: - Python interoperability

@Suite struct ModelFilePythonInteropTests {
    // Skipped when python3 lacks safetensors or numpy; .ci/run installs both
    // (`python3 -m pip install safetensors numpy`), so CI runs it.
    @Test(.enabled(if: ModelFileProcess.pythonHasSafetensors, "python3 with safetensors and numpy is not available"))
    func pythonReadsTheExportedFile() throws {
        let learner = try ModelFileFixtures.smallLearner()
        let folder = try temporaryFolder("python")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("small.slope").path
        try learner.export(to: path)
        let script = """
            import json, sys
            from safetensors import safe_open
            from safetensors.numpy import load_file
            tensors = load_file(sys.argv[1])
            with safe_open(sys.argv[1], framework="np") as f:
                metadata = f.metadata()
            print(json.dumps({
                "keys": sorted(tensors),
                "sums": {k: float(v.astype("float64").sum()) for k, v in tensors.items()},
                "shapes": {k: list(v.shape) for k, v in tensors.items()},
                "dtypes": sorted({str(v.dtype) for v in tensors.values()}),
                "format": metadata.get("format"),
                "formatVersion": json.loads(metadata["slope"])["formatVersion"],
            }))
            """
        let python = try #require(ModelFileProcess.python)
        let run = try ModelFileProcess.run(python, ["-c", script, path], timeout: 60)
        try #require(run.succeeded, "python failed: \(run.summary)")
        let result = try JSONParser.parse(Array(run.stdout.utf8))
        let state = learner.model.stateDict()
        #expect(result["keys"]?.arrayValue?.compactMap(\.stringValue) == state.map(\.key).sorted())
        #expect(result["dtypes"]?.arrayValue?.compactMap(\.stringValue) == ["float32"])
        #expect(result["format"]?.stringValue == "slope")
        #expect(result["formatVersion"]?.numberValue == 1)
        for (key, tensor) in state {
            #expect(result["shapes"]?[key]?.arrayValue?.compactMap(\.numberValue).map { Int($0) } == tensor.shape, "\(key)")
            let sum = tensor.scalars.reduce(0.0) { $0 + Double($1) }
            let scale = tensor.scalars.reduce(0.0) { $0 + abs(Double($1)) } + 1
            let pythonSum = try #require(result["sums"]?[key]?.numberValue, "\(key)")
            #expect(abs(pythonSum - sum) <= 1e-9 * scale, "\(key): python \(pythonSum), slope \(sum)")
        }
    }

    @Test(.enabled(if: ModelFileProcess.pythonHasSafetensors, "python3 with safetensors and numpy is not available"))
    func slopeReadsAFileWrittenByPython() throws {
        let folder = try temporaryFolder("python")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("numpy.safetensors").path
        let script = """
            import sys, numpy as np
            from safetensors.numpy import save_file
            save_file({
                "0.weight": np.arange(8, dtype=np.float32).reshape(2, 4) / 4,
                "0.bias": np.array([1.5, -2.5], dtype=np.float64),
                "1.count": np.array(5, dtype=np.int64),
                "1.codes": np.array([-3, 4, 5], dtype=np.int32),
            }, sys.argv[1], metadata={"note": "from numpy"})
            """
        let python = try #require(ModelFileProcess.python)
        let run = try ModelFileProcess.run(python, ["-c", script, path], timeout: 60)
        try #require(run.succeeded, "python failed: \(run.summary)")
        let contents = try SafeTensors.read(from: path)
        #expect(contents.metadata == ["note": "from numpy"])
        #expect(contents["0.weight"]?.shape == [2, 4])
        #expect(contents["0.weight"]?.scalars == [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75])
        #expect(contents["0.bias"]?.scalars == [1.5, -2.5])
        #expect(contents["1.count"]?.shape == [])
        #expect(contents["1.count"]?.scalars == [5])
        #expect(contents["1.codes"]?.scalars == [-3, 4, 5])
    }
}
