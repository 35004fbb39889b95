import Foundation
import Testing
@testable import Slope

// The values inside a model file (crafted, with valid checksums): weights and buffers that are
// not finite, a negative running variance, preprocessing that 32-bit normalisation cannot use,
// image sizes beyond the limit — each refused at load naming the key. Then the other direction:
// export refuses to write what load would refuse, training refuses it earlier, and predictions
// that are not numbers are a typed error.

@Suite struct ModelFileValueTests {
    private func loadError(_ bytes: [UInt8]) -> ModelFileError? {
        caught(ModelFileError.self) { try Learner.load(bytes: bytes, file: "model.slope") }
    }

    /// The small file with tensor `key`'s value at `index` set to `value` (checksums recomputed).
    private func withValue(_ value: Float, at index: Int = 0, in matching: (String) -> Bool) throws -> (bytes: [UInt8], key: String) {
        var tensors = try ModelFileFixtures.smallContents().tensors
        let position = try ModelFileFixtures.firstIndex(tensors) { matching($0.key) }
        tensors[position].tensor.storage[index] = value
        return (try ModelFileFixtures.fileBytes(manifest: try ModelFileFixtures.smallContents().manifest, tensors: tensors),
                tensors[position].key)
    }

    @Test func weightsAndBuffersThatAreNotFiniteAreRefusedNamingTheKey() throws {
        for value in [Float.nan, .infinity, -.infinity] {
            for part in ["weight", "bias", "running_mean"] {
                let (bytes, key) = try withValue(value, at: 0) { $0.hasSuffix(part) }
                let error = try #require(loadError(bytes))
                guard case .nonFinite(let file, let found, let index, let stored) = error else {
                    Issue.record("\(value) in \(key): \(error)")
                    continue
                }
                #expect(file == "model.slope" && found == key && index == 0)
                #expect(stored.isNaN == value.isNaN && (value.isNaN || stored == value))
                #expect("\(error)".contains("`\(key)`"))
            }
        }
    }

    @Test func aNegativeRunningVarianceIsRefusedByBatchNormsRule() throws {
        let (bytes, key) = try withValue(-0.5) { $0.hasSuffix("running_var") }
        let error = loadError(bytes)
        #expect(error == .invalidValues(file: "model.slope", key: key, expected: "values with running_var + ε > 0 (ε = 1e-05)",
                                        found: "-0.5 at index 0"))
        // Zero is fine while ε is positive.
        let (zero, _) = try withValue(0) { $0.hasSuffix("running_var") }
        #expect(loadError(zero) == nil)
        // The rule is the layer's: it applies to any model that holds a BatchNorm.
        let norm = BatchNorm1d(features: 3)
        #expect(norm.checkLoadedValues() == nil)
        norm.runningVar.assign(Tensor([1, -2, 1]))
        #expect(norm.checkLoadedValues()?.found == "-2.0 at index 1")
    }

    @Test func loadingIntoALiveModelKeepsItsValuesWhenRefused() throws {
        let model = BatchNorm1d(features: 2)
        let folder = try temporaryFolder("keep")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bad.safetensors").path
        let bad = model.stateDict().map { ($0.key, $0.key == "running_var" ? Tensor([-1, 1]) : Tensor(shape: $0.tensor.shape, scalars: $0.tensor.storage.map { $0 + 5 })) }
        try SafeTensors.write(bad, to: path)
        let before = ModelFileFixtures.bits(model.stateDict())
        #expect(throws: ModelFileError.self) { try model.loadWeights(from: path) }
        #expect(ModelFileFixtures.bits(model.stateDict()) == before)
    }

    /// The small manifest with `preprocessing` edited by `edit`.
    private func withPreprocessing(_ edit: @escaping ([(String, JSON)]) throws -> [(String, JSON)]) throws -> [UInt8] {
        let manifest = try ModelFileFixtures.editedManifest { pairs in
            let index = try ModelFileFixtures.firstIndex(pairs) { $0.0 == "preprocessing" }
            pairs[index].1 = JSON.object(try edit(try #require(pairs[index].1.objectValue)))
        }
        return try ModelFileFixtures.fileBytes(manifest: manifest)
    }

    /// A continuous column's member set to `value`.
    private func continuous(_ member: String, _ value: Double) throws -> [UInt8] {
        try withPreprocessing { pairs in
            try pairs.map { key, entry in
                guard key == "continuous" else { return (key, entry) }
                var columns = try #require(entry.arrayValue)
                var column = try #require(columns[0].objectValue)
                column = column.map { $0.0 == member ? ($0.0, .number(value)) : $0 }
                columns[0] = .object(column)
                return (key, .array(columns))
            }
        }
    }

    @Test func tabularNormalisationOutsideFloatRangeIsRefusedNamingTheField() throws {
        for (member, value) in [("std", 1e-320), ("std", 1e-39), ("std", 0), ("std", -1), ("std", 1e39), ("mean", 1e308), ("mean", -1e39),
                                ("fill", 1e300)] {
            let error = try #require(loadError(try continuous(member, value)), "\(member) \(value) loaded")
            guard case .manifest(let file, let field, let expected) = error else { Issue.record("\(error)"); continue }
            #expect(file == "model.slope")
            #expect(field == "preprocessing.continuous.0.\(member)", "\(member) \(value): \(error)")
            #expect(expected.contains("found a number"), "\(expected)")
        }
        // A std by which the fill value overflows a Float (each fits, the quotient does not).
        let overflowing = try withPreprocessing { pairs in
            try pairs.map { key, entry in
                guard key == "continuous" else { return (key, entry) }
                var columns = try #require(entry.arrayValue)
                columns[0] = .object([("name", try #require(columns[0]["name"])), ("fill", .number(1e30)), ("mean", .number(-1e30)),
                                      ("std", .number(1e-30))])
                return (key, .array(columns))
            }
        }
        let error = loadError(overflowing)
        guard case .manifest(_, let field, _) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(field == "preprocessing.continuous.0.std")
        // Ordinary values still load.
        #expect(loadError(try continuous("std", 0.25)) == nil)
        #expect(loadError(try continuous("mean", -3e38)) == nil)
    }

    @Test func regressionTargetScaleOutsideFloatRangeIsRefused() throws {
        for (member, value) in [("targetStd", 1e-320), ("targetMean", 1e300)] {
            let bytes = try withPreprocessing { pairs in pairs.map { $0.0 == member ? ($0.0, .number(value)) : $0 } }
            guard case .manifest(_, let field, _) = loadError(bytes) else { Issue.record("\(member) loaded"); continue }
            #expect(field == "preprocessing.\(member)")
        }
    }

    /// An image preprocessing in place of the tabular one (it is read before it is compared
    /// with the model).
    private func image(height: Int = 8, width: Int = 8, mean: [Double] = [0.5], std: [Double] = [0.25]) throws -> [UInt8] {
        try withPreprocessing { _ in
            [("kind", .string("image")), ("height", .int(height)), ("width", .int(width)), ("channels", .int(1)),
             ("mean", .array(mean.map(JSON.number))), ("std", .array(std.map(JSON.number)))]
        }
    }

    @Test func imageNormalisationAndSizesOutsideTheLimitsAreRefused() throws {
        let cases: [([UInt8], String)] = [
            (try image(std: [1e-45]), "preprocessing.std.0"), (try image(std: [0]), "preprocessing.std.0"),
            (try image(std: [1e-38]), "preprocessing.std.0"), (try image(mean: [1e39]), "preprocessing.mean.0"),
            (try image(mean: [3e38], std: [0.5]), "preprocessing.std.0"),
            (try image(height: 16_384, width: 16_384), "preprocessing.height"), (try image(height: 0), "preprocessing.height"),
            (try image(mean: [0.5, 0.5]), "preprocessing.mean"),
        ]
        for (bytes, expected) in cases {
            let error = loadError(bytes)
            guard case .manifest(_, let field, _) = error else { Issue.record("\(expected): \(String(describing: error))"); continue }
            #expect(field == expected, "\(String(describing: error))")
        }
        // An acceptable image preprocessing gets past these checks (to the model's shape check).
        guard case .manifest(_, let field, _) = loadError(try image()) else { Issue.record("expected the architecture check"); return }
        #expect(field == "architecture")
    }

    @Test func exportRefusesWhatLoadWouldRefuseAndWritesNothing() throws {
        let learner = try ModelFileFixtures.smallLearner()
        let folder = try temporaryFolder("refuse")
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("model.slope").path
        let weight = try #require(learner.model.namedParameters().first { $0.key.hasSuffix("weight") })
        weight.tensor.storage[0] = .infinity
        let error = caught(ModelFileError.self) { try learner.export(to: target) }
        guard case .wouldNotLoad(let file, let reason) = error else { Issue.record("\(String(describing: error))"); return }
        #expect(file == "model.slope")
        #expect(reason.contains("`\(weight.key)`") && reason.contains("inf"), "\(reason)")
        #expect(ModelFileFixtures.entries(of: folder).isEmpty)
        // Put right, the same learner exports a file that loads.
        weight.tensor.storage[0] = 0.5
        try learner.export(to: target)
        #expect(try Learner.load(from: target).model.namedParameters().first { $0.key == weight.key }?.tensor.storage[0] == 0.5)
    }

    @Test func fittingRefusesAColumnWhoseNormalisationOverflowsAFloat() throws {
        var lines = ["big,small,label"]
        for i in 0..<40 { lines.append("\(Double(i % 7) * 1e200),\(i % 5),\(i % 2 == 0 ? "a" : "b")") }
        let table = try CSVReader().parse(lines.joined(separator: "\n"), source: "big.csv")
        do {
            _ = try TabularPreprocessor.fit(table, target: "label", categoricalColumns: [], continuousColumns: ["big", "small"])
            Issue.record("fitted a column of values near 1e200")
        } catch {
            guard case .notNormalizable(let file, let column, _) = error else { Issue.record("\(error)"); return }
            #expect(file == "big.csv" && column == "big")
            #expect("\(error)".contains("--ignore"))
        }
        // A wide column whose mean, std and normalised values all fit a Float is accepted.
        var tight = ["x,label"]
        for i in 0..<40 { tight.append("\(i == 0 ? 1e30 : 0),\(i % 2 == 0 ? "a" : "b")") }
        let skewed = try CSVReader().parse(tight.joined(separator: "\n"), source: "skewed.csv")
        let fitted = try TabularPreprocessor.fit(skewed, target: "label", categoricalColumns: [], continuousColumns: ["x"])
        #expect(fitted.continuous[0].mean > 1e28 && fitted.continuous[0].std > 1e29)
    }

    @Test func predictionsThatAreNotNumbersAreATypedError() throws {
        let learner = try ModelFileFixtures.smallLearner()
        let table = try CSVReader().parse(ModelFileFixtures.smallCSV, source: "small.csv")
        #expect(try learner.predict(rows: table).count == table.rowCount)
        let weight = try #require(learner.model.namedParameters().last { $0.key.hasSuffix("weight") })
        weight.tensor.storage[0] = .nan
        #expect(throws: PredictionError.notFinite(row: 0)) { try learner.predict(rows: table) }
        // Inputs the model's shape rule refuses.
        do {
            _ = try learner.predict(inputs: Tensor.zeros([2, 99]))
            Issue.record("predicted from inputs of the wrong width")
        } catch {
            guard case .inputShape(let found, _) = error else { Issue.record("\(error)"); return }
            #expect(found == [2, 99])
        }
        // Table rows for a model that takes images.
        let data = DataLoaders(train: DataLoader(TensorDataset(inputs: Tensor.zeros([4, 1, 8, 8]), targets: Tensor([0, 1, 0, 1])), batchSize: 2),
                               valid: DataLoader(TensorDataset(inputs: Tensor.zeros([2, 1, 8, 8]), targets: Tensor([0, 1])), batchSize: 2),
                               task: .classification, classes: ["a", "b"],
                               preprocessing: .image(ImagePreprocessing(height: 8, width: 8, channels: 1, mean: [0], std: [1])))
        let vision = visionLearner(data: data, seed: 1)
        #expect(throws: PredictionError.table(.notATableModel(takes: "image"))) { try vision.predict(rows: table) }
    }
}
