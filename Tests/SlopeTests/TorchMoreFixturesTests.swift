import Foundation
import Testing
@testable import Slope

/// The reference files of `Tests/Fixtures/torch` (made by its make_more_fixtures.py with PyTorch 2.15
/// and fastai 2.8.12): torchvision blocks, every dtype, a strided view, pickle protocol 4, a
/// big-endian archive, and fastai vision exports with a non-square Resize by pad and by squish.
enum TorchFixtures {
    static let folder = ModelFileFixtures.packageRoot.appendingPathComponent("Tests/Fixtures/torch")
    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
    static func json(_ name: String) throws -> JSON {
        try JSONParser.parse(Array(try Data(contentsOf: folder.appendingPathComponent(name))), maxDepth: 64)
    }
}

@Suite("PyTorch and fastai files beyond the shared fixtures")
struct TorchMoreFixturesTests {
    /// Slope's copy of the fixture's network: a torchvision BasicBlock and a grouped Bottleneck.
    private func blocks() -> Sequential {
        Sequential(BasicBlock(settings: .init(inputChannels: 16, planes: 32, stride: 2, downsample: true)),
                   Bottleneck(settings: .init(inputChannels: 32, planes: 8, groups: 2, baseWidth: 32, downsample: true)),
                   AdaptiveMaxPool2d(outputSize: IntOrPair(2, 1)), Flatten(), Linear(settings: .init(inputFeatures: 64, outputFeatures: 3)))
    }

    @Test func torchvisionBlocksSavedWholeWithProtocol4() throws {
        let model = try Module.load(from: TorchFixtures.path("blocks_whole.pt"))
        #expect(try model.getSubmodule("0") is BasicBlock && model.getSubmodule("1") is Bottleneck)
        #expect(model.stateDict().map(\.key) == blocks().stateDict().map(\.key))
        let json = try TorchFixtures.json("blocks.json")
        assertClose(noGrad { model(try! FastAIFixtures.tensor(json, "x")) }, try FastAIFixtures.tensor(json, "y"), tolerance: 1e-4)
    }

    @Test func torchvisionBlocksFromAStateDict() throws {
        let model = blocks()
        try model.loadWeights(from: TorchFixtures.path("blocks_state_dict.pth"))
        model.eval()
        let json = try TorchFixtures.json("blocks.json")
        assertClose(noGrad { model(try! FastAIFixtures.tensor(json, "x")) }, try FastAIFixtures.tensor(json, "y"), tolerance: 1e-4)
    }

    @Test(arguments: ["dtypes.pth", "dtypes_big_endian.pth"])
    func everyDTypeStridedViewsAndByteOrder(file: String) throws {
        let tensors = try TorchFile.read(path: TorchFixtures.path(file)).stateDict()
        let json = try TorchFixtures.json("dtypes.json")
        let expected = try #require(json.objectValue)
        #expect(tensors.map(\.key) == expected.map(\.0))
        for (key, tensor) in tensors {
            let reference = try #require(json[key])
            #expect(tensor.shape == (reference["shape"]?.arrayValue ?? []).compactMap { $0.numberValue.map { Int($0) } }, "\(key)")
            #expect(tensor.scalars == (reference["values"]?.arrayValue ?? []).compactMap { $0.numberValue.map { Float($0) } }, "\(file): \(key)")
        }
    }

    @Test(arguments: ["small_vision_pad", "small_vision_squish"])
    func nonSquareResizeByPadAndSquish(name: String) throws {
        let loaded = try Learner.load(from: TorchFixtures.path(name + ".pkl"))
        guard case .image(let prep) = loaded.preprocessing else { Issue.record("not an image model"); return }
        #expect(prep.width == 32 && prep.height == 24)
        #expect(prep.fastaiResize?.method == (name.hasSuffix("pad") ? .pad : .squish))
        let json = try TorchFixtures.json(name + ".json")
        let images = try #require(json["images"]?.arrayValue).compactMap(\.stringValue)
        let expected = try FastAIFixtures.predictions(json)
        var worst = 0.0
        for (image, reference) in zip(images, expected) {
            let pixels = try prep.load(path: TorchFixtures.path(image))
            let prediction = try loaded.predict(inputs: Tensor(shape: [1, 3, 24, 32], scalars: pixels))[0]
            worst = max(worst, zip(prediction.probabilities, reference).map { abs($0.probability - $1) }.max() ?? .nan)
        }
        print("\(name): max probability difference from fastai \(worst)")
        #expect(images.count == 4 && worst < 2e-3, "max difference \(worst)")
    }
}
