import Foundation
import Testing
@testable import Slope

/// Reference files too large to commit (resnet34/50 fastai exports, torchvision resnet18/34/50 state_dicts),
/// made by `Tests/Fixtures/scripts/make_large_fixtures.py OUT` with fastai 2.8.12 / PyTorch 2.15.
/// Runs when `SLOPE_LARGE_FIXTURES=OUT` names that folder; CI, which has no PyTorch, skips it.
enum LargeFixtures {
    static let folder = ProcessInfo.processInfo.environment["SLOPE_LARGE_FIXTURES"]
    static var available: Bool { folder.map { FileManager.default.fileExists(atPath: $0 + "/resnet50_state_dict.json") } ?? false }
    static func path(_ name: String) -> String { (folder ?? "") + "/" + name }
    static func json(_ name: String) throws -> JSON {
        try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path(name)))), maxDepth: 64)
    }
}

@Suite(.enabled(if: LargeFixtures.available, "set SLOPE_LARGE_FIXTURES to the output of make_large_fixtures.py"))
struct LargeCheckpointTests {
    @Test(arguments: ["resnet18", "resnet34", "resnet50"])
    func torchvisionStateDictPredictsAsPyTorch(architecture: String) throws {
        let json = try LargeFixtures.json("\(architecture)_state_dict.json")
        let model = switch architecture {
        case "resnet18": ResNet.resnet18(classes: 5)
        case "resnet34": ResNet.resnet34(classes: 5)
        default: ResNet.resnet50(classes: 5)
        }
        try model.loadWeights(from: LargeFixtures.path("\(architecture)_state_dict.pth"))
        model.eval()
        let y = noGrad { model(try! FastAIFixtures.tensor(json, "x")) }
        let expected = try FastAIFixtures.tensor(json, "y")
        let worst = zip(y.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? .nan
        print("\(architecture) state_dict: max output difference from PyTorch \(worst)")
        assertClose(y, expected, tolerance: 1e-3)
        let body = try ResNet.body(from: LargeFixtures.path("\(architecture)_state_dict.pth"), classes: 3)
        #expect(body.settings.layers == model.settings.layers && body.settings.block == model.settings.block, "architecture read from the keys")
    }

    @Test(arguments: ["fashion3_resnet34", "fashion4_resnet50", "fashion3_resnet34_pad"])
    func fastaiVisionExportPredictsAsFastAI(name: String) throws {
        let json = try LargeFixtures.json("\(name).json")
        let images = try #require(json["images"]?.arrayValue).compactMap(\.stringValue)
        let expected = try FastAIFixtures.predictions(json)
        let classes = try #require(json["classes"]?.arrayValue).compactMap(\.stringValue)
        let run = try ModelFileProcess.slope(["predict", LargeFixtures.path("\(name).pkl"), LargeFixtures.path("\(name)-images/test"), "--json"],
                                             timeout: 600)
        try #require(run.succeeded, "\(run.summary)")
        var byFile: [String: [Double]] = [:]
        for line in run.stdout.split(separator: "\n") {
            let object = try JSONParser.parse(Array(line.utf8), maxDepth: 8)
            let file = try #require(object["file"]?.stringValue)
            byFile[(file as NSString).lastPathComponent] = classes.map { object["probabilities"]?[$0]?.numberValue ?? .nan }
        }
        #expect(byFile.count == images.count)
        var worst = 0.0
        for (index, image) in images.enumerated() {
            let got = try #require(byFile[(image as NSString).lastPathComponent])
            worst = max(worst, zip(got, expected[index]).map { abs($0 - $1) }.max() ?? .nan)
        }
        print("\(name): \(images.count) images, max probability difference from fastai \(worst)")
        #expect(worst < 2e-3, "max difference \(worst)")
    }
}
