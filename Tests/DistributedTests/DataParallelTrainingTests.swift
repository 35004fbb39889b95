import Foundation
import Testing
import Slope

// `mpiexec -n P slope train ...` ends with the same metrics and weights as one process with the
// same --batch-size and seed, up to the order floats are summed in: tables (batch norm over
// continuous columns and hidden layers, BatchNorm1d), regression (metrics in the target's units),
// images (a CNN with BatchNorm2d), and dropout, over 2 and 3 ranks (3 shares a batch of 16 as 5, 5, 6).

/// How far apart one process and several may end: float sums in another order, over a few
/// epochs of Adam (measured: at most 1e-6 relative; a batch norm on the local shard's statistics,
/// or a share weighted wrongly, moves weights by far more).
private let weightTolerance: Float = 1e-4
private let metricTolerance = 1e-5

/// Trains alone and under `mpiexec -n ranks` with the same arguments; checks the metrics and
/// the exported weights (and batch-norm running statistics) agree.
private func expectSameTraining(ranks: Int, _ arguments: [String], label: String) async throws {
    let folder = try temporaryFolder(label)
    defer { try? FileManager.default.removeItem(at: folder) }
    let alone = try await slope(["train"] + arguments + ["--json", "--export", "one.slope"], in: folder)
    #expect(alone.status == 0, "one process failed:\n\(alone.stderr)")
    let together = try await slopeMPI(ranks: ranks, ["train"] + arguments + ["--json", "--export", "many.slope"], in: folder)
    #expect(together.status == 0, "\(ranks) processes failed:\n\(together.stdout)\n\(together.stderr)")
    // Only rank 0 prints: one JSON line, no second copy.
    #expect(together.stdout.split(separator: "\n").count == 1, "expected one line from rank 0, got:\n\(together.stdout)")
    let one = try alone.json(), many = try together.json()
    let oneMetrics = try #require(one["metrics"] as? [String: Double]), manyMetrics = try #require(many["metrics"] as? [String: Double])
    #expect(Set(oneMetrics.keys) == Set(manyMetrics.keys))
    for (name, value) in oneMetrics {
        let other = try #require(manyMetrics[name])
        #expect(abs(other - value) <= metricTolerance * max(1, abs(value)),
                "\(name): \(value) alone, \(other) over \(ranks) processes")
    }
    #expect(one["epochs"] as? Int == many["epochs"] as? Int)
    try expectSameWeights(folder.appendingPathComponent("many.slope").path, folder.appendingPathComponent("one.slope").path,
                          tolerance: weightTolerance)
    // Only rank 0 writes: nothing else appeared in the folder.
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".std") }
    #expect(Set(files) == ["one.slope", "many.slope"], "unexpected files: \(files)")
}

/// `train-images-idx3-ubyte` and its labels: `count` 8x8 gray images in 3 classes, each class
/// a bright bar in its own rows plus seeded noise.
private func writeImages(count: Int, in folder: URL) throws -> String {
    var generator = SeededGenerator(seed: 7)
    var pixels: [UInt8] = [], labels: [UInt8] = []
    for index in 0..<count {
        let label = index % 3
        labels.append(UInt8(label))
        for row in 0..<8 {
            for _ in 0..<8 {
                let bar = row / 3 == label ? 60 : 0
                pixels.append(UInt8(min(255, bar + Int(generator.next() % 150))))
            }
        }
    }
    let images = folder.appendingPathComponent("train-images-idx3-ubyte").path
    try IDXFile.write(path: images, shape: [count, 8, 8], bytes: pixels)
    try IDXFile.write(path: folder.appendingPathComponent("train-labels-idx1-ubyte").path, shape: [count], bytes: labels)
    return images
}

@Suite("Data-parallel training equals one process", .enabled(if: mpiTestsEnabled), .serialized)
struct DataParallelTrainingTests {
    @Test func tableClassificationOverThreeRanksWithUnevenShares() async throws {
        try await expectSameTraining(ranks: 3, ["\(sharedData)/iris/iris.csv", "--target", "target", "--task", "classification",
                                          "--epochs", "3", "--batch-size", "16", "--lr", "0.01", "--seed", "42"], label: "mpi-iris")
    }

    @Test func dropoutDrawsTheGlobalBatchsMasks() async throws {
        try await expectSameTraining(ranks: 3, ["\(sharedData)/iris/iris.csv", "--target", "target", "--task", "classification",
                                          "--epochs", "3", "--batch-size", "16", "--lr", "0.01", "--dropout", "0.3", "--seed", "9"],
                               label: "mpi-dropout")
    }

    @Test func tableRegressionOverTwoRanks() async throws {
        try await expectSameTraining(ranks: 2, ["\(sharedData)/diabetes/diabetes.csv", "--target", "target", "--epochs", "2",
                                          "--batch-size", "32", "--lr", "0.01", "--layers", "32,16", "--seed", "3"], label: "mpi-diabetes")
    }

    @Test func imagesWithBatchNormOverTwoRanks() async throws {
        let folder = try temporaryFolder("mpi-images")
        defer { try? FileManager.default.removeItem(at: folder) }
        let images = try writeImages(count: 150, in: folder)
        try await expectSameTraining(ranks: 2, [images, "--images", "--epochs", "2", "--batch-size", "16", "--lr", "0.01", "--seed", "5"],
                               label: "mpi-cnn")
    }

    @Test func batchSmallerThanTheWorldIsRefusedWithTheFlagNamed() async throws {
        let folder = try temporaryFolder("mpi-small-batch")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await slopeMPI(ranks: 3, ["train", "\(sharedData)/iris/iris.csv", "--target", "target", "--batch-size", "2",
                                          "--epochs", "1", "--export", "m.slope"], in: folder, timeout: 120)
        #expect(run.status != 0)
        #expect(run.stderr.contains("--batch-size 2 is smaller than the 3 processes"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("m.slope").path))
    }
}
