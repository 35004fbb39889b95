import Foundation
import Testing
@testable import Slope

// `slope train FOLDER --images --from CHECKPOINT`: a ResNet body from a checkpoint, a new head
// for the folder's classes, fastai's fine_tune; and the refusals, each one line naming the
// problem.

private let slopeBuilt = ModelFileProcess.slopeExecutable != nil

/// The largest |a - b| over two tensors of the same shape.
private func largestDifference(_ a: Tensor, _ b: Tensor) -> Float {
    zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? .infinity
}

@Suite(.enabled(if: slopeBuilt)) struct FineTuneCLITests {
    /// A small ResNet (one basic block per stage) on gray images, with a 7-class head, written
    /// as safetensors with torchvision's keys; its values drawn from `seed`.
    private func checkpoint(in root: URL, channels: Int = 1, seed: UInt64 = 5) throws -> (path: String, model: ResNet) {
        var rng = SeededGenerator(seed: seed)
        let model = ResNet(settings: .init(block: "basic", layers: [1, 1, 1, 1], classes: 7, inputChannels: channels), generator: &rng)
        let path = root.appendingPathComponent("body-\(channels).safetensors").path
        try model.saveWeights(to: path)
        return (path, model)
    }

    @Test func fineTuningKeepsTheBodyAndReplacesTheHead() throws {
        let root = try temporaryFolder("finetune")
        defer { try? FileManager.default.removeItem(at: root) }
        try writePatternFolder(root.appendingPathComponent("images"), count: 12, side: 64)
        let (body, source) = try checkpoint(in: root)
        let export = root.appendingPathComponent("tuned.slope").path
        let run = try ModelFileProcess.slope(["train", root.appendingPathComponent("images").path, "--images", "--size", "64", "--channels", "1",
                                              "--from", body, "--epochs", "1", "--export", export], timeout: 600)
        #expect(run.status == 0, "\(run.summary)")
        #expect(run.stdout.contains("fine-tuning: 1 epoch with the body frozen, then 1 with every layer"), "\(run.stdout)")
        let tuned = try #require(try Learner.load(from: export).model as? ResNet)
        #expect(tuned.settings.layers == [1, 1, 1, 1] && tuned.settings.classes == 3, "the head is for the folder's 3 classes")
        #expect(tuned.fc.weight.shape == [3, 512])
        // The body came from the checkpoint and moved only a little (its rates are 1/100 and 1/10 of the head's).
        let start = try #require(source.namedParameters().first { $0.key == "conv1.weight" }?.tensor)
        let spread = start.scalars.map(abs).max() ?? 0
        #expect(largestDifference(tuned.conv1.weight, start) < 0.05 * spread, "conv1 moved far from the checkpoint")
        #expect(largestDifference(tuned.conv1.weight, start) > 0, "conv1 never trained after unfreezing")
        // Prediction works on the exported file.
        let predict = try ModelFileProcess.slope(["predict", export, root.appendingPathComponent("images/square/0.png").path])
        #expect(predict.status == 0, "\(predict.summary)")
    }

    @Test(.enabled(if: FastAIFixtures.available)) func aFastaiVisionExportGivesItsBody() throws {
        let root = try temporaryFolder("finetune-fastai")
        defer { try? FileManager.default.removeItem(at: root) }
        try writePatternFolder(root.appendingPathComponent("images"), count: 8, side: 64)
        let exportPkl = FastAIFixtures.path("fashion3_resnet18.pkl"), tunedPath = root.appendingPathComponent("tuned.slope").path
        let run = try ModelFileProcess.slope(["train", root.appendingPathComponent("images").path, "--images", "--size", "64", "--channels", "3",
                                              "--from", exportPkl, "--epochs", "1", "--freeze-epochs", "0", "--export", tunedPath], timeout: 600)
        #expect(run.status == 0, "\(run.summary)")
        let tuned = try #require(try Learner.load(from: tunedPath).model as? ResNet)
        #expect(tuned.settings.layers == [2, 2, 2, 2] && tuned.settings.block == "basic", "resnet18's layout")
        let fastaiBody = try #require(try Learner.load(from: exportPkl).model.stateDict().first { $0.key == "0.4.1.conv2.weight" }?.tensor)
        let spread = fastaiBody.scalars.map(abs).max() ?? 0
        #expect(largestDifference(tuned.layer1[1].namedParameters().first { $0.key == "conv2.weight" }!.tensor, fastaiBody) < 0.05 * spread,
                "layer1.1.conv2 is fastai's 0.4.1.conv2")
    }

    @Test func checkpointsThatDoNotFitAreRefusedInOneLine() throws {
        let root = try temporaryFolder("finetune-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        let images = root.appendingPathComponent("images").path
        try writePatternFolder(URL(fileURLWithPath: images), count: 4, side: 64)
        let (colour, _) = try checkpoint(in: root, channels: 3)
        func train(_ extra: [String]) throws -> ModelFileProcessRun {
            try ModelFileProcess.slope(["train", images, "--images", "--size", "64", "--channels", "1", "--epochs", "1"] + extra)
        }
        let channels = try train(["--from", colour])
        #expect(channels.failedCleanly && channels.stderr.contains("3 channels") && channels.stderr.contains("--channels 3"), "\(channels.summary)")
        // A PyTorch state_dict that is not a ResNet (fastai's small CNN fixture): the missing key is named.
        let cnn = ModelFileFixtures.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/fastai/cnn_state_dict.pth").path
        if FileManager.default.fileExists(atPath: cnn) {
            let notResNet = try train(["--from", cnn])
            #expect(notResNet.failedCleanly && notResNet.stderr.contains("conv1.weight"), "\(notResNet.summary)")
        }
        let missing = try train(["--from", root.appendingPathComponent("nothing.pth").path])
        #expect(missing.failedCleanly && missing.stderr.contains("nothing.pth"), "\(missing.summary)")
        let tooSmall = try ModelFileProcess.slope(["train", images, "--images", "--size", "32", "--channels", "1", "--from",
                                                   try checkpoint(in: root).path])
        #expect(tooSmall.failedCleanly && tooSmall.stderr.contains("too small for a ResNet"), "\(tooSmall.summary)")
        let table = try ModelFileProcess.slope(["train", ModelFileFixtures.sharedData.appendingPathComponent("iris/iris.csv").path, "--target", "target", "--from", colour])
        #expect(table.failedCleanly && table.stderr.contains("for images"), "\(table.summary)")
        let freezeAlone = try train(["--freeze-epochs", "2"])
        #expect(freezeAlone.failedCleanly && freezeAlone.stderr.contains("--from"), "\(freezeAlone.summary)")
    }
}
