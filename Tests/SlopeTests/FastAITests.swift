import Foundation
import Testing
@testable import Slope

/// The fastai and PyTorch reference files (`../shared/fixtures/fastai`, made by its make_fixtures.py).
enum FastAIFixtures {
    static let folder = ModelFileFixtures.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/fastai")
    static var available: Bool { FileManager.default.fileExists(atPath: path("titanic.pkl")) }
    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// A fixture's JSON.
    static func json(_ name: String) throws -> JSON {
        try JSONParser.parse(Array(try Data(contentsOf: folder.appendingPathComponent(name))), maxDepth: 64)
    }

    /// A JSON number or null as table text (whole numbers without a decimal point).
    static func text(_ value: JSON) -> String? {
        switch value {
        case .number(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let text): return text
        case .bool(let flag): return flag ? "True" : "False"
        default: return nil
        }
    }

    /// The JSON's `rows` as a table.
    static func table(_ json: JSON) throws -> DataTable {
        let rows = try #require(json["rows"]?.arrayValue)
        let names = try #require(rows.first?.objectValue).map(\.0)
        return try DataTable(columnNames: names, rows: rows.map { row in names.map { row[$0].flatMap(text) } }, source: "fixture")
    }

    /// The JSON's `predictions` as rows of numbers.
    static func predictions(_ json: JSON) throws -> [[Double]] {
        try #require(json["predictions"]?.arrayValue).map { row in (row.arrayValue ?? []).compactMap(\.numberValue) }
    }

    /// The nested-array JSON tensor `key` as shape and values.
    static func tensor(_ json: JSON, _ key: String) throws -> Tensor {
        var shape: [Int] = []
        var level = try #require(json[key])
        while let items = level.arrayValue, let first = items.first { shape.append(items.count); level = first }
        var values: [Float] = []
        func walk(_ value: JSON) { if let items = value.arrayValue { items.forEach(walk) } else if let number = value.numberValue { values.append(Float(number)) } }
        walk(try #require(json[key]))
        return Tensor(shape: shape, scalars: values)
    }
}

@Suite(.enabled(if: FastAIFixtures.available, "needs ../shared/fixtures/fastai"))
struct FastAIExportTests {
    @Test func titanicPredictsFastaisProbabilities() throws {
        let learner = try Learner.load(from: FastAIFixtures.path("titanic.pkl"))
        let json = try FastAIFixtures.json("titanic.json")
        #expect(learner.classes == (json["classes"]?.arrayValue ?? []).compactMap(\.stringValue))
        let predictions = try learner.predict(rows: try FastAIFixtures.table(json))
        let expected = try FastAIFixtures.predictions(json)
        #expect(predictions.count == expected.count)
        var worst = 0.0
        for (prediction, reference) in zip(predictions, expected) {
            for (probability, value) in zip(prediction.probabilities, reference) { worst = max(worst, abs(probability.probability - value)) }
        }
        print("titanic: max probability difference from fastai \(worst)")
        #expect(worst < 1e-4, "max difference \(worst)")
        // The model tree is fastai's, key for key.
        let keys = learner.model.stateDict().map(\.key)
        #expect(keys.prefix(3) == ["embeds.0.weight", "embeds.1.weight", "embeds.2.weight"])
        #expect(keys.contains("layers.0.0.weight") && keys.contains("bn_cont.running_var"))
        #expect(try learner.model.getSubmodule("layers.0.0") is Linear)
    }

    @Test func titanicFillsAValueMissingWhereTrainingHadNone() throws {
        // fastai refuses a missing Fare (issue 2911); Slope fills it with the training mean.
        let learner = try Learner.load(from: FastAIFixtures.path("titanic.pkl"))
        guard case .tabular(let prep) = learner.preprocessing else { Issue.record("not tabular"); return }
        let fare = try #require(prep.continuous.first { $0.name == "Fare" })
        #expect(fare.fill == fare.mean)
        let age = try #require(prep.continuous.first { $0.name == "Age" })
        #expect(age.fill != age.mean)  // Age had missing values: FillMissing's median
        let prediction = try learner.predict(["Pclass": "3", "Sex": "male", "Age": "30", "SibSp": "0", "Parch": "0", "Fare": "", "Embarked": "S"])
        #expect(prediction.probabilities.allSatisfy { $0.probability.isFinite })
    }

    @Test func diabetesRegressionWithYRange() throws {
        let learner = try Learner.load(from: FastAIFixtures.path("diabetes.pkl"))
        let json = try FastAIFixtures.json("diabetes.json")
        #expect(learner.task == .regression)
        #expect(try learner.model.getSubmodule("layers.3") is SigmoidRange)
        let predictions = try learner.predict(rows: try FastAIFixtures.table(json))
        let expected = try FastAIFixtures.predictions(json).map { $0[0] }
        #expect(predictions.count == expected.count)
        for (prediction, value) in zip(predictions, expected) {
            #expect(abs((prediction.value ?? .nan) - value) <= 1e-4 * max(1, abs(value)), "\(prediction.value ?? .nan) vs \(value)")
        }
    }

    @Test func convertedExportPredictsTheSame() throws {
        try withTemporaryFolder("fastai-convert") { folder in
            let learner = try Learner.load(from: FastAIFixtures.path("titanic.pkl"))
            try learner.export(to: folder + "/titanic.slope")
            let converted = try Learner.load(from: folder + "/titanic.slope")
            let table = try FastAIFixtures.table(try FastAIFixtures.json("titanic.json"))
            #expect(try converted.predict(rows: table) == (try learner.predict(rows: table)))
        }
    }
}

@Suite(.enabled(if: FastAIFixtures.available, "needs ../shared/fixtures/fastai"))
struct TorchCheckpointTests {
    @Test func stateDictLoadsIntoTheSameArchitecture() throws {
        var rng = SeededGenerator(seed: 1)
        let model = Sequential(
            Conv2d(inputChannels: 3, outputChannels: 8, kernelSize: 3, padding: 1, generator: &rng), BatchNorm2d(features: 8), ReLU(),
            MaxPool2d(kernelSize: 2), Conv2d(inputChannels: 8, outputChannels: 16, kernelSize: 3, stride: 2, padding: 1, generator: &rng), ReLU(),
            AdaptiveAvgPool2d(outputSize: 1), Flatten(), Linear(inputFeatures: 16, outputFeatures: 4, generator: &rng))
        try model.loadWeights(from: FastAIFixtures.path("cnn_state_dict.pth"))
        model.eval()
        let json = try FastAIFixtures.json("cnn_state_dict.json")
        assertClose(noGrad { model(try! FastAIFixtures.tensor(json, "x")) }, try FastAIFixtures.tensor(json, "y"), tolerance: 1e-4)
    }

    @Test func stateDictMismatchNamesTheKey() throws {
        var rng = SeededGenerator(seed: 1)
        let wrong = Sequential(
            Conv2d(inputChannels: 3, outputChannels: 8, kernelSize: 3, padding: 1, generator: &rng), BatchNorm2d(features: 8), ReLU(),
            MaxPool2d(kernelSize: 2), Conv2d(inputChannels: 8, outputChannels: 16, kernelSize: 3, stride: 2, padding: 1, generator: &rng), ReLU(),
            AdaptiveAvgPool2d(outputSize: 1), Flatten(), Linear(inputFeatures: 16, outputFeatures: 5, generator: &rng))
        let error = caught(ModelFileError.self) { try wrong.loadWeights(from: FastAIFixtures.path("cnn_state_dict.pth")) }
        #expect(error == .shapeMismatch(file: "cnn_state_dict.pth", key: "8.weight", expected: [5, 16], found: [4, 16]))
        let short = Sequential(Conv2d(inputChannels: 3, outputChannels: 8, kernelSize: 3, padding: 1, generator: &rng))
        #expect(caught(ModelFileError.self) { try short.loadWeights(from: FastAIFixtures.path("cnn_state_dict.pth")) }
                == .unexpectedTensor(file: "cnn_state_dict.pth", key: "1.weight"))
    }

    @Test func wholeModuleLoads() throws {
        let model = try Module.load(from: FastAIFixtures.path("mlp_whole_module.pt"))
        #expect(model.stateDict().map(\.key) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(model.description.contains("Linear(inputFeatures: 4, outputFeatures: 16, bias: true)"))
        let json = try FastAIFixtures.json("mlp_whole_module.json")
        assertClose(noGrad { model(try! FastAIFixtures.tensor(json, "x")) }, try FastAIFixtures.tensor(json, "y"), tolerance: 1e-5)
    }

    @Test func boobyTrappedFilesAreRefusedByName() throws {
        let marker = "/tmp/slope-was-tricked"
        try? FileManager.default.removeItem(atPath: marker)
        for name in ["evil_os_system.pth", "evil_export.pkl"] {
            let path = FastAIFixtures.path(name)
            let errors: [ModelFileError?] = [
                caught(ModelFileError.self) { try Learner.load(from: path) },
                caught(ModelFileError.self) { try Module.load(from: path) },
                caught(ModelFileError.self) { try Sequential(ReLU()).loadWeights(from: path) },
            ]
            for error in errors {
                #expect(error == .refusedGlobal(file: name, global: "posix.system"), "\(name): \(String(describing: error))")
                #expect(error.map { "\($0)" }?.contains("`posix.system`") == true)
            }
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}

@Suite("fastai image preprocessing")
struct FastAIResizeTests {
    @Test func theResizeRuleRoundTripsThroughTheManifest() throws {
        for method in FastAIResize.Method.allCases {
            for padMode in FastAIResize.PadMode.allCases {
                let prep = Preprocessing.image(ImagePreprocessing(height: 24, width: 32, channels: 3, mean: [0.5, 0.4, 0.3], std: [0.2, 0.2, 0.2],
                                                                  fastaiResize: FastAIResize(method: method, padMode: padMode)))
                #expect(try Preprocessing(json: prep.json, file: "t") == prep)
            }
        }
    }

    @Test func pillowBilinearMatchesHandComputedValues() {
        // Upscaling 2 -> 4 columns: Pillow's centers 0.25, 0.75, 1.25, 1.75 give weights (1, 0), (0.75, 0.25),
        // (0.25, 0.75), (0, 1) after clipping to the image: 0, 25, 75, 100 from [0, 100].
        let row = DecodedImage(width: 2, height: 1, channels: 1, pixels: [0, 100])
        #expect(row.pillowBilinear(width: 4, height: 1).pixels == [0, 25, 75, 100])
        // Downscaling widens the triangle (antialiasing); its weights sum to one, so a flat image stays flat.
        let flat = DecodedImage(width: 4, height: 4, channels: 3, pixels: [UInt8](repeating: 77, count: 48))
        #expect(flat.pillowBilinear(width: 2, height: 3).pixels == [UInt8](repeating: 77, count: 18))
    }

    @Test func pillowBilinearMatchesPillowPixelForPixel() throws {
        // Tests/Fixtures/pillow/resize_cases.json: Pillow 13's resize of a formula image, every pass order.
        let url = ModelFileFixtures.packageRoot.appendingPathComponent("Tests/Fixtures/pillow/resize_cases.json")
        let json = try JSONParser.parse(Array(try Data(contentsOf: url)), maxDepth: 8)
        let cases = try #require(json["cases"]?.arrayValue)
        #expect(cases.count >= 18)
        var verticalFirst = 0
        for item in cases {
            let (w, h) = (Int(item["width"]?.numberValue ?? 0), Int(item["height"]?.numberValue ?? 0))
            let (tw, th) = (Int(item["targetWidth"]?.numberValue ?? 0), Int(item["targetHeight"]?.numberValue ?? 0))
            var pixels: [UInt8] = []
            for y in 0..<h { for x in 0..<w { for c in 0..<3 { pixels.append(UInt8((x * 37 + y * 101 + c * 59 + (x * y) % 23 * 11) % 256)) } } }
            let hex = Array(try #require(item["pixels"]?.stringValue).utf8)
            let expected = stride(from: 0, to: hex.count, by: 2).map { UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
            let got = DecodedImage(width: w, height: h, channels: 3, pixels: pixels).pillowBilinear(width: tw, height: th)
            #expect(got.pixels == expected, "\(w)x\(h) -> \(tw)x\(th): \(zip(got.pixels, expected).filter { $0 != $1 }.count) bytes differ")
            if DecodedImage.pillowResizesVerticallyFirst(from: (w, h), to: (tw, th)) { verticalFirst += 1 }
        }
        #expect(verticalFirst >= 6 && verticalFirst < cases.count, "both pass orders are covered")
    }

    @Test func cropPadAndSquishGiveTheTargetSize() {
        let image = DecodedImage(width: 40, height: 30, channels: 3, pixels: (0..<3600).map { UInt8($0 % 251) })
        for method in FastAIResize.Method.allCases {
            for padMode in FastAIResize.PadMode.allCases {
                let out = FastAIResize(method: method, padMode: padMode).apply(to: image, width: 32, height: 32)
                #expect(out.width == 32 && out.height == 32 && out.channels == 3)
            }
        }
        // Pad by reflection mirrors without repeating the edge (NumPy's reflect).
        let strip = DecodedImage(width: 3, height: 1, channels: 1, pixels: [1, 2, 3])
        #expect(strip.padded(left: 2, top: 0, right: 2, bottom: 0, mode: .reflection).pixels == [3, 2, 1, 2, 3, 2, 1])
        #expect(strip.padded(left: 1, top: 0, right: 1, bottom: 0, mode: .border).pixels == [1, 1, 2, 3, 3])
        #expect(strip.padded(left: 1, top: 0, right: 1, bottom: 0, mode: .zeros).pixels == [0, 1, 2, 3, 0])
    }
}

@Suite("Pickle machine")
struct PickleMachineTests {
    /// Protocol-4 bytes: FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL, NEWOBJ, BUILD, BINGET.
    @Test func buildsASymbolicGraphAndCallsNothing() throws {
        var bytes: [UInt8] = [0x80, 4, 0x95] + [UInt8](repeating: 0, count: 8)
        bytes += [0x8C, 2] + Array("os".utf8) + [0x94] + [0x8C, 6] + Array("system".utf8) + [0x94, 0x93, 0x94]
        bytes += [0x8C, 5] + Array("touch".utf8) + [0x85, 0x52, 0x94]   // posix.system("touch") as REDUCE
        bytes += [0x7D, 0x8C, 1, 0x61, 0x4B, 7, 0x73, 0x62]             // BUILD({"a": 7})
        bytes += [0x68, 2, 0x86, 0x2E]                                   // (result, the global) and STOP
        let graph = try PickleMachine.run(bytes)
        let items = try #require(graph.items(graph.root))
        #expect(graph.className(items[0]) == "os.system")
        #expect(graph.attribute(items[0], "a") == .int(7))
        #expect(graph.globalName(items[1]) == "os.system")
        #expect(TorchFile.runsCode("os.system") && TorchFile.runsCode("builtins.eval") && !TorchFile.runsCode("builtins.getattr"))
    }

    @Test func everyLimitIsAnError() {
        let deep = [UInt8]([0x80, 2, 0x4E]) + [UInt8](repeating: 0x85, count: 200_000) + [0x2E]   // 200,000 nested tuples
        #expect((try? PickleMachine.run(deep)) != nil)
        let cases: [([UInt8], PickleLimits, String)] = [
            ([0x80, 2, 0x58, 0xFF, 0xFF, 0xFF, 0x00], PickleLimits(), "the pickle ends inside an operand"),
            ([0x80, 2, 0x8E] + [UInt8](repeating: 0xFF, count: 8), PickleLimits(), "more than the limit"),
            ([0x80, 2, 0x4E, 0x4E, 0x4E, 0x2E], PickleLimits(stack: 2), "the stack grew past"),
            ([0x80, 2, 0x5D, 0x71, 0, 0x5D, 0x71, 1, 0x2E], PickleLimits(memo: 1), "memo entries"),
            ([0x80, 2, 0x5D, 0x5D, 0x5D, 0x2E], PickleLimits(nodes: 2), "more than 2 objects"),
            ([0x80, 2, 0x82, 1, 0x2E], PickleLimits(), "extension-registry"),
            ([0x80, 2, 0x68, 9, 0x2E], PickleLimits(), "never stored"),
            ([0x80, 2, 0x4E, 0x4E, 0x52, 0x2E], PickleLimits(), "needs a tuple"),
            ([0x80, 6, 0x2E], PickleLimits(), "protocol 6"),
            ([0x80, 2, 0x4E], PickleLimits(), "without a STOP"),
        ]
        for (bytes, limits, message) in cases {
            let error = caught(PickleError.self) { try PickleMachine.run(bytes, limits: limits) }
            #expect(error?.reason.contains(message) == true, "\(message): \(String(describing: error))")
        }
    }
}

@Suite(.enabled(if: FastAIFixtures.available, "needs ../shared/fixtures/fastai"))
struct TorchFileFuzzTests {
    /// Seeded mutations of real files: every read ends in a value or a thrown error, never a crash or hang.
    @Test func mutatedFilesNeverCrash() throws {
        var rng = SeededGenerator(seed: 2024)
        for (name, rounds) in [("mlp_whole_module.pt", 1500), ("titanic.pkl", 150), ("cnn_state_dict.pth", 800)] {
            let original = Array(try Data(contentsOf: FastAIFixtures.folder.appendingPathComponent(name)))
            // Where the pickle lies, so that half the mutations hit it.
            let torch = try TorchFile(original, file: name)
            let pickle = try #require(torch.archive.entries.first { $0.name.hasSuffix("data.pkl") })
            let start = pickle.localHeaderOffset + 30 + pickle.name.utf8.count
            for _ in 0..<rounds {
                var bytes = original
                for _ in 0..<Int.random(in: 1...8, using: &rng) {
                    let index = Bool.random(using: &rng) ? Int.random(in: start..<(start + pickle.size), using: &rng)
                                                         : Int.random(in: 0..<bytes.count, using: &rng)
                    bytes[index] = UInt8.random(in: 0...255, using: &rng)
                }
                if Int.random(in: 0..<10, using: &rng) == 0 { bytes.removeLast(Int.random(in: 1..<bytes.count, using: &rng)) }
                guard let file = try? TorchFile(bytes, file: name) else { continue }
                _ = try? FastAIExport(file)
                _ = try? TorchModuleDecoder(file).module(file.graph.root)
                _ = try? file.stateDict()
            }
        }
    }
}
