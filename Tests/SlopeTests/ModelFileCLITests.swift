import Foundation
import Testing
@testable import Slope

// `slope train --export`, `slope predict` and `slope inspect`, run as child processes of the
// built executable. (CLITests.swift's runner is private to that file, so ModelFileSupport.swift
// has its own, which also tells an exit from a crash.) Hostile files that would trap inside the
// library are checked here too: a trap ends only the child process, and the test reports it.

/// A Titanic model trained and exported by `slope train` (once).
private struct CLIModel: Sendable {
    let folder: URL
    let path: String
    let trainOutput: String

    static let shared: Result<CLIModel, any Error> = Result {
        let folder = try temporaryFolder("cli")
        let path = folder.appendingPathComponent("titanic.slope").path
        let run = try ModelFileProcess.slope(["train", ModelFileFixtures.titanicTrain, "--target", "Survived", "--epochs", "2",
                                              "--export", path])
        guard run.succeeded else { throw CLIFailure(message: "slope train failed: \(run.summary)") }
        return CLIModel(folder: folder, path: path, trainOutput: run.stdout)
    }
}

private struct CLIFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

private let canRunSlope = ModelFileProcess.slopeExecutable != nil

@Suite(.serialized, .enabled(if: canRunSlope && ModelFileFixtures.hasTitanic, "needs the slope executable and shared/data/titanic"))
struct ModelFileCLITests {
    @Test func trainExportsALoadableFile() throws {
        let model = try CLIModel.shared.get()
        #expect(model.trainOutput.contains("exported to \(model.path)"))
        let loaded = try Learner.load(from: model.path)
        #expect(loaded.manifest["preprocessing"]?["target"]?.stringValue == "Survived")
        #expect(loaded.manifest["history"]?.arrayValue?.count == 2)
        #expect(loaded.seed == 42)
        #expect(ModelFileFixtures.entries(of: model.folder) == ["titanic.slope"])
    }

    @Test func predictPrintsCSVWithPredictionAndProbabilities() throws {
        let model = try CLIModel.shared.get()
        let run = try ModelFileProcess.slope(["predict", model.path, ModelFileFixtures.titanicTest])
        try #require(run.succeeded, "\(run.summary)")
        let input = try CSVReader().read(contentsOfFile: ModelFileFixtures.titanicTest)
        let output = try CSVReader().parse(run.stdout, source: "stdout")
        #expect(output.columnNames == input.columnNames + ["prediction", "probability_0", "probability_1"])
        #expect(output.rowCount == 418)
        #expect(run.stdout.split(separator: "\n").count == 419)
        let expected = try Learner.load(from: model.path).predict(rows: input)
        let width = input.columnNames.count
        for (index, row) in output.rows.enumerated() where index < expected.count {
            #expect(Array(row.prefix(width)) == input.rows[index], "row \(index)")
            #expect(row[width] == expected[index].label, "row \(index)")
            let probabilities = expected[index].probabilities.map { String(format: "%.6f", $0.probability) }
            #expect(Array(row.suffix(2)).map { $0 ?? "" } == probabilities, "row \(index)")
            let total = row.suffix(2).compactMap { $0.flatMap(Double.init) }.reduce(0, +)
            #expect(abs(total - 1) < 1e-5, "row \(index)")
        }
    }

    @Test func predictJSONPrintsOneObjectPerRow() throws {
        let model = try CLIModel.shared.get()
        let run = try ModelFileProcess.slope(["predict", model.path, ModelFileFixtures.titanicTest, "--json"])
        try #require(run.succeeded, "\(run.summary)")
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 418)
        let expected = try Learner.load(from: model.path).predict(rows: try CSVReader().read(contentsOfFile: ModelFileFixtures.titanicTest))
        for (index, line) in lines.enumerated() {
            let value = try JSONParser.parse(Array(line.utf8))
            // The prediction's own JSON, after the row's names (`row`, `line`).
            #expect(value["row"]?.numberValue == Double(index + 1), "line \(index)")
            #expect(value["line"]?.numberValue == Double(index + 2), "line \(index)")
            #expect(Array((value.objectValue ?? []).dropFirst(2)).map(\.0) == (expected[index].json.objectValue ?? []).map(\.0), "line \(index)")
            #expect(value["prediction"] == expected[index].json["prediction"] && value["probabilities"] == expected[index].json["probabilities"],
                    "line \(index)")
            #expect(["0", "1"].contains(value["prediction"]?.stringValue ?? "?"), "line \(index)")
            #expect(value["probabilities"]?.objectValue?.map(\.0) == ["0", "1"], "line \(index)")
        }
    }

    @Test func inspectShowsModulesTargetAndTraining() throws {
        let model = try CLIModel.shared.get()
        let run = try ModelFileProcess.slope(["inspect", model.path])
        try #require(run.succeeded, "\(run.summary)")
        for text in ["TabularModel", "layers.0.0", "Survived", "Slope model format 1", "embeds.0", "bn_cont", "crossEntropy", "seed 42"] {
            #expect(run.stdout.contains(text), "`\(text)` missing from:\n\(run.stdout)")
        }
        let json = try ModelFileProcess.slope(["inspect", model.path, "--json"])
        try #require(json.succeeded, "\(json.summary)")
        let value = try JSONParser.parse(Array(json.stdout.utf8))
        #expect(value["formatVersion"]?.numberValue == 1)
        #expect(value["modules"]?.arrayValue?.contains { $0["path"]?.stringValue == "layers.0.0" && $0["type"]?.stringValue == "Linear" } == true)
        #expect(value["preprocessing"]?["target"]?.stringValue == "Survived")
    }

    @Test func inspectSubmoduleShowsWeightStatistics() throws {
        let model = try CLIModel.shared.get()
        let run = try ModelFileProcess.slope(["inspect", model.path, "--submodule", "layers.0.0"])
        try #require(run.succeeded, "\(run.summary)")
        for text in ["layers.0.0", "weight", "[200, ", "mean", "std", "min", "max"] {
            #expect(run.stdout.contains(text), "`\(text)` missing from:\n\(run.stdout)")
        }
        let json = try ModelFileProcess.slope(["inspect", model.path, "--submodule", "layers.0.0", "--json"])
        try #require(json.succeeded, "\(json.summary)")
        let value = try JSONParser.parse(Array(json.stdout.utf8))
        let weight = try #require(value["tensors"]?.arrayValue?.first { $0["key"]?.stringValue == "weight" })
        let loaded = try Learner.load(from: model.path)
        let scalars = try (loaded.model.getSubmodule("layers.0.0") as? Linear).map { $0.weight.scalars } ?? []
        #expect(weight["count"]?.numberValue == Double(scalars.count))
        #expect(weight["min"]?.numberValue == scalars.min().map(Double.init))
        #expect(weight["max"]?.numberValue == scalars.max().map(Double.init))
    }

    @Test func inspectMissingSubmoduleNamesIt() throws {
        let model = try CLIModel.shared.get()
        let run = try ModelFileProcess.slope(["inspect", model.path, "--submodule", "layers.9"])
        #expect(run.failedCleanly, "\(run.summary)")
        #expect(run.stderrLines.count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("`9`"), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    @Test func corruptFilesFailWithOneLine() throws {
        let model = try CLIModel.shared.get()
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: model.path)))
        let folder = try temporaryFolder("cli-corrupt")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [(String, [UInt8])] = [
            ("text.slope", Array("this is not a model file at all\n".utf8)),
            ("truncated.slope", Array(original.prefix(original.count / 2))),
            ("empty.slope", []),
            ("header.slope", Array(original.prefix(100))),
        ]
        for (name, bytes) in cases {
            let path = try ModelFileFixtures.write(bytes, to: folder, name: name)
            for arguments in [["inspect", path], ["predict", path, ModelFileFixtures.titanicTest]] {
                let run = try ModelFileProcess.slope(arguments)
                #expect(run.failedCleanly, "\(arguments): \(run.summary)")
                #expect(run.stderrLines.count == 1, "\(arguments): \(run.stderr)")
                #expect(run.stderr.contains(name), "\(arguments): \(run.stderr)")
                #expect(run.stdout.isEmpty, "\(arguments)")
            }
        }
        let missing = try ModelFileProcess.slope(["inspect", folder.appendingPathComponent("nothing.slope").path])
        #expect(missing.failedCleanly && missing.stderrLines.count == 1, "\(missing.summary)")
    }
}

// MARK: - Hostile manifests, through a child process

/// Runs `slope arguments` on a crafted file and expects one clean error line naming it.
private func expectCleanFailure(_ arguments: [String], naming name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let run = try ModelFileProcess.slope(arguments, timeout: 60)
    #expect(!run.timedOut, "slope \(arguments.joined(separator: " ")) hung", sourceLocation: sourceLocation)
    guard run.exited else {
        Issue.record("slope \(arguments.first ?? "") crashed on \(name) instead of failing with an error: \(run.brief)",
                     sourceLocation: sourceLocation)
        return
    }
    #expect(run.status != 0, "slope \(arguments.first ?? "") succeeded on \(name)", sourceLocation: sourceLocation)
    #expect(run.stderrLines.count == 1, "expected one line, got:\n\(run.stderr.prefix(2000))", sourceLocation: sourceLocation)
    #expect(run.stderr.contains(name), "the error does not name \(name): \(run.brief)", sourceLocation: sourceLocation)
}

/// Writes the small model with its manifest edited, and the small CSV (plus `extraRows`).
private func craft(_ name: String, extraRows: [String] = [], edit: (inout [(String, JSON)]) throws -> Void)
    throws -> (folder: URL, model: String, csv: String) {
    let folder = try temporaryFolder("cli-hostile")
    let manifest = try ModelFileFixtures.editedManifest(edit)
    let model = try ModelFileFixtures.write(try ModelFileFixtures.fileBytes(manifest: manifest), to: folder, name: name)
    let csv = try ModelFileFixtures.write(Array((ModelFileFixtures.smallCSV + extraRows.map { $0 + "\n" }.joined()).utf8),
                                          to: folder, name: "rows.csv")
    return (folder, model, csv)
}

/// Replaces the value at a path of object keys and array indices.
private func setting(_ value: JSON, at path: [Any], in json: JSON) throws -> JSON {
    guard let first = path.first else { return value }
    let rest = Array(path.dropFirst())
    if let key = first as? String {
        var pairs = try #require(json.objectValue, "not an object at \(key)")
        let index = try ModelFileFixtures.firstIndex(pairs) { $0.0 == key }
        pairs[index].1 = try setting(value, at: rest, in: pairs[index].1)
        return .object(pairs)
    }
    var values = try #require(json.arrayValue, "not an array")
    let index = try #require(first as? Int)
    values[index] = try setting(value, at: rest, in: values[index])
    return .array(values)
}

@Suite(.enabled(if: canRunSlope, "needs the slope executable"))
struct ModelFileCLIHostileTests {
    @Test func untamperedSmallModelPredicts() throws {
        let (folder, model, csv) = try craft("small.slope") { _ in }
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try ModelFileProcess.slope(["predict", model, csv])
        #expect(run.succeeded, "\(run.summary)")
        #expect(run.stdout.split(separator: "\n").count == 61)
    }

    @Test func formatVersionTooLargeForAnInteger() throws {
        // `Int(version)` traps for 1e19; this should be `.newerFormat` (or `.manifest`).
        for version in [1e19, 1e300] {
            let (folder, model, _) = try craft("version.slope") { pairs in
                let index = try ModelFileFixtures.firstIndex(pairs) { $0.0 == "formatVersion" }
                pairs[index].1 = .number(version)
            }
            defer { try? FileManager.default.removeItem(at: folder) }
            try expectCleanFailure(["inspect", model], naming: "version.slope")
        }
    }

    @Test func architectureWithAbsurdLayerSizes() throws {
        // Linear accepts sizes up to 10^8 each, so 10^8 × 10^8 weights (4·10^16 bytes) are
        // allocated before the file's tensors are compared: "nothing is allocated before the
        // sizes are known to fit in the file" (docs/FORMAT.md).
        let (folder, model, _) = try craft("huge.slope") { pairs in
            let index = try ModelFileFixtures.firstIndex(pairs) { $0.0 == "architecture" }
            pairs[index].1 = .object([("type", .string("Linear")), ("config", .object([
                ("inputFeatures", .int(100_000_000)), ("outputFeatures", .int(100_000_000)), ("bias", .bool(true))]))])
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        try expectCleanFailure(["inspect", model], naming: "huge.slope")
    }

    @Test func vocabularyLargerThanTheEmbedding() throws {
        // The preprocessing gives `color` codes up to 7, but the model's embedding has 4 rows.
        let extra = ["purple", "pink", "teal", "gold"]
        let (folder, model, csv) = try craft("vocabulary.slope", extraRows: ["gold,round,1.5,yes"]) { pairs in
            let index = try ModelFileFixtures.firstIndex(pairs) { $0.0 == "preprocessing" }
            let categorical = try #require(pairs[index].1["categorical"]?.arrayValue)
            let position = try ModelFileFixtures.firstIndex(categorical) { $0["name"]?.stringValue == "color" }
            let vocabulary = try #require(categorical[position]["vocabulary"]?.arrayValue)
            pairs[index].1 = try setting(.array(vocabulary + extra.map(JSON.string)), at: ["categorical", position, "vocabulary"],
                                         in: pairs[index].1)
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        try expectCleanFailure(["predict", model, csv], naming: "vocabulary.slope")
    }

    @Test func missingValueIndicatorWithoutTrueAndFalse() throws {
        // `size_na`'s vocabulary must hold "False" and "True"; transform force-unwraps them.
        let (folder, model, csv) = try craft("indicator.slope") { pairs in
            let index = try ModelFileFixtures.firstIndex(pairs) { $0.0 == "preprocessing" }
            let categorical = try #require(pairs[index].1["categorical"]?.arrayValue)
            let position = try ModelFileFixtures.firstIndex(categorical) { $0["indicatorOf"] != nil }
            pairs[index].1 = try setting(.array([.string("#na#"), .string("no"), .string("yes")]),
                                         at: ["categorical", position, "vocabulary"], in: pairs[index].1)
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        try expectCleanFailure(["predict", model, csv], naming: "indicator.slope")
    }

    @Test func preprocessingWidthDifferentFromTheModel() throws {
        // One continuous column fewer than the model's BatchNorm1d expects.
        let (folder, model, csv) = try craft("width.slope") { pairs in
            let index = try ModelFileFixtures.firstIndex(pairs) { $0.0 == "preprocessing" }
            pairs[index].1 = try setting(.array([]), at: ["continuous"], in: pairs[index].1)
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        try expectCleanFailure(["predict", model, csv], naming: "width.slope")
    }

    @Test func classesDisagreeWithTheModel() throws {
        // A classification model whose manifest lists no classes, or more classes than outputs.
        for (name, classes) in [("noclasses.slope", nil), ("threeclasses.slope", ["no", "yes", "maybe"])] as [(String, [String]?)] {
            let (folder, model, csv) = try craft(name) { pairs in
                let index = try ModelFileFixtures.firstIndex(pairs) { $0.0 == "classes" }
                if let classes { pairs[index].1 = .array(classes.map(JSON.string)) } else { pairs.remove(at: index) }
            }
            defer { try? FileManager.default.removeItem(at: folder) }
            try expectCleanFailure(["predict", model, csv], naming: name)
        }
    }
}
