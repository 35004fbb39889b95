import Foundation
import Testing
@testable import Slope

/// The `slope` binary on fastai exports. The vision export (a 47 MB resnet18) is read only in child
/// processes, so that this test process stays small.
@Suite(.serialized, .enabled(if: ModelFileProcess.slopeExecutable != nil && FastAIFixtures.available,
                             "needs the slope executable and ../shared/fixtures/fastai"))
struct FastAICLITests {
    /// The titanic JSON's rows written as a CSV file.
    private func titanicCSV(in folder: String) throws -> (path: String, expected: [[Double]]) {
        let json = try FastAIFixtures.json("titanic.json")
        let rows = try #require(json["rows"]?.arrayValue)
        let names = try #require(rows.first?.objectValue).map(\.0)
        var text = names.joined(separator: ",") + "\n"
        for row in rows {
            text += names.map { name -> String in
                let field = row[name].flatMap(FastAIFixtures.text) ?? ""
                return field.contains(",") || field.contains("\"") ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }.joined(separator: ",") + "\n"
        }
        let path = folder + "/test.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, try FastAIFixtures.predictions(json))
    }

    private func probabilities(_ csv: String) throws -> [[Double]] {
        let table = try CSVReader().parse(csv, source: "stdout")
        let columns = table.columnNames.enumerated().filter { $0.element.hasPrefix("probability_") }.map(\.offset)
        return table.rows.map { row in columns.map { Double(row[$0] ?? "") ?? .nan } }
    }

    @Test func predictConvertAndInspectATabularExport() throws {
        try withTemporaryFolder("fastai-cli") { folder in
            let (csv, expected) = try titanicCSV(in: folder)
            let run = try ModelFileProcess.slope(["predict", FastAIFixtures.path("titanic.pkl"), csv])
            try #require(run.succeeded, "\(run.summary)")
            let got = try probabilities(run.stdout)
            #expect(got.count == expected.count)
            let worst = zip(got, expected).flatMap { zip($0, $1).map { abs($0 - $1) } }.max() ?? .nan
            #expect(worst < 1e-4, "max difference \(worst)")

            let converted = try ModelFileProcess.slope(["convert", FastAIFixtures.path("titanic.pkl"), folder + "/titanic.slope"])
            try #require(converted.succeeded, "\(converted.summary)")
            let again = try ModelFileProcess.slope(["predict", folder + "/titanic.slope", csv])
            #expect(again.stdout == run.stdout)

            let inspect = try ModelFileProcess.slope(["inspect", FastAIFixtures.path("titanic.pkl"), "--submodule", "layers.0.0"])
            try #require(inspect.succeeded, "\(inspect.summary)")
            #expect(inspect.stdout.contains("Linear(inputFeatures: 16, outputFeatures: 200, bias: false)"))
            #expect(inspect.stdout.contains("weight [200, 16]"))
            let tree = try ModelFileProcess.slope(["inspect", FastAIFixtures.path("diabetes.pkl")])
            #expect(tree.succeeded && tree.stdout.contains("a fastai export") && tree.stdout.contains("SigmoidRange"))
        }
    }

    @Test func predictAVisionExportOnImagesOfOtherSizes() throws {
        let json = try FastAIFixtures.json("fashion3_resnet18.json")
        let images = try #require(json["images"]?.arrayValue).compactMap(\.stringValue)
        let expected = try FastAIFixtures.predictions(json)
        let classes = try #require(json["classes"]?.arrayValue).compactMap(\.stringValue)
        try withTemporaryFolder("fastai-vision") { folder in
            // One test image per class at each of the three sizes (a debug build's resnet18 is slow).
            let chosen = images.indices.filter { images[$0].contains("-0-") }
            #expect(chosen.count == 9)
            for index in chosen {
                try FileManager.default.copyItem(atPath: FastAIFixtures.path(images[index]),
                                                 toPath: folder + "/" + (images[index] as NSString).lastPathComponent)
            }
            let run = try ModelFileProcess.slope(["predict", FastAIFixtures.path("fashion3_resnet18.pkl"), folder, "--json"])
            try #require(run.succeeded, "\(run.summary)")
            var byFile: [String: [Double]] = [:]
            for line in run.stdout.split(separator: "\n") {
                let object = try JSONParser.parse(Array(line.utf8), maxDepth: 8)
                let file = try #require(object["file"]?.stringValue)
                byFile[(file as NSString).lastPathComponent] = classes.map { object["probabilities"]?[$0]?.numberValue ?? .nan }
            }
            #expect(byFile.count == chosen.count)
            var worst = 0.0
            for index in chosen {
                let got = try #require(byFile[(images[index] as NSString).lastPathComponent])
                worst = max(worst, zip(got, expected[index]).map { abs($0 - $1) }.max() ?? .nan)
            }
            print("fashion3_resnet18: max probability difference from fastai \(worst)")
            #expect(worst < 2e-3, "max difference \(worst)")
        }
        let inspect = try ModelFileProcess.slope(["inspect", FastAIFixtures.path("fashion3_resnet18.pkl"), "--submodule", "0.4.0"])
        #expect(inspect.succeeded && inspect.stdout.contains("BasicBlock(") && !inspect.stdout.contains("(downsample)"))
    }

    @Test func boobyTrappedExportFailsCleanlyNamingTheGlobal() throws {
        try? FileManager.default.removeItem(atPath: "/tmp/slope-was-tricked")
        for command in [["predict", FastAIFixtures.path("evil_export.pkl"), "x.csv"], ["inspect", FastAIFixtures.path("evil_os_system.pth")],
                        ["convert", FastAIFixtures.path("evil_export.pkl"), "/tmp/slope-evil.slope"]] {
            let run = try ModelFileProcess.slope(command)
            #expect(run.failedCleanly, "\(run.summary)")
            #expect(run.stderr.contains("`posix.system`"), "\(run.summary)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/slope-was-tricked"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/slope-evil.slope"))
    }
}
