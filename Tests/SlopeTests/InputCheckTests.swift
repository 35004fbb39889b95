import Foundation
import Testing
@testable import Slope

// Checks at the boundary of training: column options that contradict each other, splits that
// leave nothing to validate or too little to train, validation images that do not fit, a model
// that cannot take the images, and column lookups that stay O(1) for very wide tables.

@Suite("Input checks before training")
struct InputCheckTests {
    private static let table: DataTable = {
        let rows: [[String?]] = (0..<40).map { (i: Int) -> [String?] in
            let sex: String = i % 2 == 0 ? "a" : "b"
            let label: String = i % 4 == 0 ? "x" : "y"
            return [String(i % 3), String(Double(i) * 0.5), sex, label]
        }
        return try! DataTable(columnNames: ["k", "fare", "sex", "label"], rows: rows, source: "t.csv")
    }()

    @Test func contradictoryColumnOptionsAreRefused() {
        let t = Self.table
        #expect(caught(TabularError.self) { _ = try TabularData.fromTable(t, target: "label", categoricalColumns: ["label", "sex"]) }
            == .targetInOption(file: "t.csv", column: "label", option: "--cat"))
        #expect(caught(TabularError.self) { _ = try TabularData.fromTable(t, target: "label", continuousColumns: ["label"]) }
            == .targetInOption(file: "t.csv", column: "label", option: "--cont"))
        #expect(caught(TabularError.self) { _ = try TabularData.fromTable(t, target: "label", ignoring: ["label"]) }
            == .targetInOption(file: "t.csv", column: "label", option: "--ignore"))
        #expect(caught(TabularError.self) { _ = try TabularData.fromTable(t, target: "label", categoricalColumns: ["fare"], continuousColumns: ["fare"]) }
            == .columnNamedTwice(file: "t.csv", column: "fare", firstOption: "--cat", secondOption: "--cont"))
        #expect(caught(TabularError.self) { _ = try TabularData.fromTable(t, target: "label", categoricalColumns: ["sex", "sex"]) }
            == .columnNamedTwice(file: "t.csv", column: "sex", firstOption: "--cat", secondOption: "--cat"))
        #expect(caught(TabularError.self) { _ = try TabularData.fromTable(t, target: "label", continuousColumns: ["fare"], ignoring: ["fare"]) }
            == .columnNamedTwice(file: "t.csv", column: "fare", firstOption: "--cont", secondOption: "--ignore"))
        // The same rules apply to fitting the preprocessing directly.
        #expect(caught(TabularError.self) { _ = try TabularPreprocessor.fit(t, target: "label", categoricalColumns: ["label"]) }
            == .targetInOption(file: "t.csv", column: "label", option: "--cat"))
        #expect("\(TabularError.targetInOption(file: "t.csv", column: "label", option: "--cat"))".contains("the target column"))
    }

    @Test func splitsThatLeaveNothingAreRefused() {
        let t = Self.table
        #expect(caught(TabularError.self) { _ = try TabularData.fromTable(t, target: "label", validPercent: 0.0001) }
            == .emptyValidation(file: "t.csv", rows: 40, validPercent: 0.0001))
        #expect(caught(TabularError.self) { _ = try TabularData.fromTable(t, target: "label", validPercent: 0.99) }
            == .tooFewTrainingRows(file: "t.csv", rows: 1, validRows: 39))
        #expect(caught(TabularError.self) { _ = try TabularData.fromTable(t, target: "label", batchSize: 1) } == .batchTooSmall(size: 1))
        // A last batch of one row is dropped: every training batch has at least two rows.
        let data = try! TabularData.fromTable(t, target: "label", validPercent: 0.2, batchSize: 31)
        #expect(data.train.dataset.count == 32)
        #expect(Array(data.train).allSatisfy { $0.inputs.shape[0] >= 2 })
    }

    @Test func wideTablesLookUpColumnsByName() throws {
        let names = (0..<50_000).map { "c\($0)" }
        let table = try DataTable(columnNames: names, rows: [names.map { _ in "1" }, names.map { _ in "2" }])
        #expect(try table.columnIndex(named: "c49999") == 49_999)
        #expect(try table.column(named: "c123") == ["1", "2"])
        let error = CSVError.missingColumn(file: "w.csv", name: "nope", available: names)
        #expect("\(error)".count < 600, "a message naming 50,000 columns must stay short")
        #expect("\(error)".contains("and 49980 more"))
    }

    private func images(_ count: Int, side: Int, labels: [Int]) -> LabeledImages {
        LabeledImages(images: [Float](repeating: 0.5, count: count * side * side), count: count, channels: 1, height: side, width: side,
                      labels: (0..<count).map { labels[$0 % labels.count] })
    }

    @Test func validationImagesMustFitTheTrainingImages() {
        let train = images(20, side: 8, labels: [0, 1])
        if case .validationMismatch(let file, let reason)? = caught(ImageDataError.self, { _ = try ImageData.fromImages(train, valid: images(4, side: 6, labels: [0]),
                                                                                                     validSource: "t10k-images") }) {
            #expect(file == "t10k-images")
            #expect(reason.contains("6x6"))
        } else { Issue.record("another image size must be refused") }
        if case .validationMismatch(_, let reason)? = caught(ImageDataError.self, { _ = try ImageData.fromImages(train, valid: images(4, side: 8, labels: [0, 5])) }) {
            #expect(reason.contains("label 5"))
        } else { Issue.record("labels the training set lacks must be refused") }
        if case .noValidationImages? = caught(ImageDataError.self, { _ = try ImageData.fromImages(train, valid: images(0, side: 8, labels: [0])) }) {} else {
            Issue.record("an empty validation set must be refused")
        }
        if case .noValidationImages? = caught(ImageDataError.self, { _ = try ImageData.fromImages(images(2, side: 8, labels: [0, 1]), validPercent: 0.2) }) {} else {
            Issue.record("a split with no validation image must be refused")
        }
        if case .singleClass? = caught(ImageDataError.self, { _ = try ImageData.fromImages(images(10, side: 8, labels: [3])) }) {} else {
            Issue.record("a single class must be refused")
        }
    }

    @Test func theModelsShapeRuleJudgesImageSizes() throws {
        for (side, fits) in [(1, false), (2, false), (3, false), (4, true), (28, true)] {
            var rng = SeededGenerator(seed: 1)
            let model = VisionModels.smallCNN(channels: 1, height: side, width: side, classes: 3, generator: &rng)
            let verdict = ModelInputCheck.check(model, sample: [1, side, side], outputs: 3, batchSize: 8)
            #expect((verdict == .fits) == fits, "\(side)x\(side): \(verdict)")
        }
        var rng = SeededGenerator(seed: 2)
        let resnet = VisionModels.smallResNet(channels: 3, classes: 2, generator: &rng)
        #expect(ModelInputCheck.check(resnet, sample: [3, 64, 64], outputs: 2, batchSize: 64) == .fits)
        if case .activationsTooLarge = ModelInputCheck.check(resnet, sample: [3, 1024, 1024], outputs: 2, batchSize: 64) {} else {
            Issue.record("1024x1024 batches of 64 must be too large")
        }
        // Pooling larger than its (padded) input has no output, whatever `/` rounds to.
        #expect(throws: ShapeError.self) { try MaxPool2d(kernelSize: 2).outputShape(for: [1, 1, 1, 1]) }
        #expect(try MaxPool2d(kernelSize: 2).outputShape(for: [1, 1, 2, 2]) == [1, 1, 1, 1])
    }

    @Test func gradientDescentKeepsABoundedHistory() {
        let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
        let (x, y) = Lesson.noisyQuadratic(a: 1, b: 2, c: 3, points: 20, seed: 42)
        // 10^12 steps asked; the tolerance stops it, and nothing was allocated per step asked.
        let result = gradientDescent(parameters: [abc], lr: 0.01, maxSteps: 1_000_000_000_000, tolerance: 1e-3, window: 10) {
            mse(quadratic(abc)(x), y)
        }
        #expect(result.outcome == .converged)
        #expect(result.history.count == result.steps)
        #expect(result.steps < 100_000)
    }
}
