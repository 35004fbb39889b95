import Foundation
import Testing

// Class 1: settings and data that reach a layer's or an op's own rule (a batch norm over one
// row, pooling larger than the image, a validation set that does not match the training set).
// Each must be refused before training with an error that says what to change, or handled as
// fastai handles it.

@Suite(.serialized) struct PreconditionTests {
    static func cases() -> [AdversarialCase] {
        let f = Fixtures.shared
        var cases: [AdversarialCase] = []
        func refuse(_ name: String, _ arguments: [String], _ words: [String]) {
            cases.append(AdversarialCase(name: name, arguments: arguments, expectation: .refuse(mentioning: words), untouched: [f.out]))
        }
        func succeed(_ name: String, _ arguments: [String], _ check: @escaping @Sendable (ChildRun) -> String? = jsonIsFinite) {
            cases.append(AdversarialCase(name: name, arguments: arguments, expectation: .succeed(check: check)))
        }
        let export = f.out + "/model.slope"
        refuse("table --batch-size 1", ["train", f.iris, "--target", "target", "--batch-size", "1", "--epochs", "1", "--export", export],
               ["--batch-size"])
        refuse("lr-find table --batch-size 1", ["lr-find", f.iris, "--target", "target", "--batch-size", "1"], ["--batch-size"])
        // 121 training rows in batches of 8: the last batch holds one row; fastai drops it.
        let rows = (0..<152).map { i in "\(Double(i % 7) * 0.5),\(i % 5),\(i % 3 == 0 ? "x" : "y")" }
        let odd = f.file("precondition/odd.csv", "a,b,label\n" + rows.joined(separator: "\n") + "\n")
        succeed("table whose last batch has one row", ["train", odd, "--target", "label", "--batch-size", "8", "--valid-pct", "0.2",
                                                       "--epochs", "1", "--layers", "4", "--json"])
        // Five rows, four held out: one training row for a batch norm.
        let five = f.file("precondition/five.csv", "a,label\n1,x\n2,y\n3,x\n4,y\n5,x\n")
        refuse("one training row", ["train", five, "--target", "label", "--valid-pct", "0.8", "--epochs", "1"], ["five.csv"])

        let zeroHigh = f.idxPair(folder: "precondition/zero-high", count: 10, height: 0, width: 28)
        refuse("IDX images 0 px high", ["train", zeroHigh, "--images", "--epochs", "1"], ["train-images"])
        let zeroWide = f.idxPair(folder: "precondition/zero-wide", count: 10, height: 28, width: 0)
        refuse("IDX images 0 px wide", ["train", zeroWide, "--images", "--epochs", "1"], ["train-images"])
        for side in [1, 2, 3] {
            let tiny = f.idxPair(folder: "precondition/tiny\(side)", count: 20, height: side, width: side)
            refuse("IDX images \(side)x\(side)", ["train", tiny, "--images", "--epochs", "1"], ["\(side)x\(side)"])
        }
        let narrow = f.idxPair(folder: "precondition/narrow", count: 20, height: 28, width: 2)
        // Sizes are written width x height.
        refuse("IDX images 2 wide, 28 high", ["train", narrow, "--images", "--epochs", "1"], ["2x28"])
        succeed("IDX images 4x4 train", ["train", f.idxPair(folder: "precondition/four", count: 40, height: 4, width: 4),
                                         "--images", "--epochs", "1", "--json"])

        // A t10k pair beside the train pair that does not match it.
        let sizes = f.idxPair(folder: "precondition/t10k-size", count: 30, height: 12, width: 12)
        f.idxPair(folder: "precondition/t10k-size", prefix: "t10k", count: 10, height: 8, width: 8)
        refuse("t10k images of another size", ["train", sizes, "--images", "--epochs", "1"], ["t10k-images"])
        let classes = f.idxPair(folder: "precondition/t10k-classes", count: 30, height: 12, width: 12, labels: [0, 1])
        f.idxPair(folder: "precondition/t10k-classes", prefix: "t10k", count: 10, height: 12, width: 12, labels: [0, 7])
        refuse("t10k labels the training set lacks", ["train", classes, "--images", "--epochs", "1"], ["t10k-labels"])
        let counts = f.idxPair(folder: "precondition/t10k-count", count: 30, height: 12, width: 12)
        f.idxPair(folder: "precondition/t10k-count", prefix: "t10k", count: 10, height: 12, width: 12)
        _ = f.idxPair(folder: "precondition/t10k-count/other", prefix: "t10k", count: 9, height: 12, width: 12)
        try? FileManager.default.removeItem(atPath: f.root + "/precondition/t10k-count/t10k-labels-idx1-ubyte.gz")
        try? FileManager.default.copyItem(atPath: f.root + "/precondition/t10k-count/other/t10k-labels-idx1-ubyte.gz",
                                          toPath: f.root + "/precondition/t10k-count/t10k-labels-idx1-ubyte.gz")
        refuse("t10k images and labels of different counts", ["train", counts, "--images", "--epochs", "1"], ["t10k"])
        let labelsOnly = f.idxPair(folder: "precondition/t10k-missing", count: 30, height: 12, width: 12)
        f.idxPair(folder: "precondition/t10k-missing", prefix: "t10k", count: 10, height: 12, width: 12)
        try? FileManager.default.removeItem(atPath: f.root + "/precondition/t10k-missing/t10k-labels-idx1-ubyte.gz")
        refuse("t10k images without t10k labels", ["train", labelsOnly, "--images", "--epochs", "1"], ["t10k-labels"])
        // A label file whose labels go up to 255 with only two present: 256 classes, most empty, is fine.
        succeed("IDX labels 0 and 255", ["train", f.idxPair(folder: "precondition/labels255", count: 30, height: 8, width: 8, labels: [0, 255]),
                                         "--images", "--epochs", "1", "--json"])
        // Gray folder images resized to a size the model cannot pool.
        let folder = f.imageFolder("precondition/folder", perClass: 3)
        refuse("folder --size 2", ["train", folder, "--images", "--size", "2", "--epochs", "1"], ["--size"])
        succeed("folder --size 4", ["train", folder, "--images", "--size", "4", "--epochs", "1", "--valid-pct", "0.34", "--json"])
        return cases
    }

    @Test func preconditionsReachableFromData() {
        #expect(Fixtures.shared.setupProblems.isEmpty, "\(Fixtures.shared.setupProblems)")
        runClass("preconditions", Self.cases())
    }
}
