import Foundation
import Testing
@testable import Slope

// Interpretation (confusion matrix, class scores, top losses), the image grid, augmentation, and
// the `interpret`, `show-batch` and `predict` commands on what `train` accepts.

// MARK: - Library

@Suite struct InterpretationLibraryTests {
    @Test func confusionScoresAndTopLossesFollowTheirFormulas() {
        // Actual 0,0,1,1,2 ; predicted 0,1,1,1,0.
        let probabilities: [[Double]] = [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.2, 0.7, 0.1], [0.1, 0.5, 0.4], [0.5, 0.2, 0.3]]
        let interpretation = Interpretation(classes: ["a", "b", "c"], actual: [0, 0, 1, 1, 2], probabilities: probabilities)
        #expect(interpretation.predicted == [0, 1, 1, 1, 0])
        #expect(interpretation.confusion == [[1, 1, 0], [0, 2, 0], [1, 0, 0]])
        #expect(abs(interpretation.accuracy - 0.6) < 1e-12)
        let scores = interpretation.scores
        // a: precision 1/2 (column 0 holds 1 + 1), recall 1/2, F1 1/2.
        #expect(abs(scores[0].precision - 0.5) < 1e-12 && abs(scores[0].recall - 0.5) < 1e-12 && abs(scores[0].f1 - 0.5) < 1e-12)
        // b: precision 2/3, recall 1, F1 = 2·(2/3)·1 / (5/3) = 0.8.
        #expect(abs(scores[1].precision - 2.0 / 3) < 1e-12 && scores[1].recall == 1 && abs(scores[1].f1 - 0.8) < 1e-12)
        // c: never predicted, never right: all 0, support 1.
        #expect(scores[2].precision == 0 && scores[2].recall == 0 && scores[2].f1 == 0 && scores[2].support == 1)
        // Losses -log p[actual]: 0.223, 1.204, 0.357, 0.693, 1.204 → highest: 1 and 4 (tie, by index), then 3.
        #expect(abs(interpretation.losses[1] + log(0.3)) < 1e-12)
        #expect(interpretation.topLosses(3) == [1, 4, 3])
        let json = interpretation.json
        #expect(json["confusion"] == .array([.array([1, 1, 0].map(JSON.int)), .array([0, 2, 0].map(JSON.int)), .array([1, 0, 0].map(JSON.int))]))
    }

    @Test func confusionSVGCellsSumToTheSampleCountWithClassNames() {
        let probabilities: [[Double]] = (0..<12).map { i in i % 3 == 0 ? [0.9, 0.1] : [0.2, 0.8] }
        let interpretation = Interpretation(classes: ["cat & dog", "bird"], actual: (0..<12).map { $0 % 2 }, probabilities: probabilities)
        let svg = interpretation.confusionSVG()
        let counts = svg.components(separatedBy: "<text class=\"count\"").dropFirst().compactMap { part -> Int? in
            guard let close = part.firstIndex(of: ">"), let end = part.firstIndex(of: "<") else { return nil }
            return Int(part[part.index(after: close)..<end])
        }
        #expect(counts.count == 4 && counts.reduce(0, +) == 12)
        #expect(svg.components(separatedBy: "class=\"cell\"").count - 1 == 4)
        #expect(svg.contains(">cat &amp; dog</text>") && svg.contains(">bird</text>") && svg.hasSuffix("</svg>\n"))
    }

    @Test func imageGridHasOneCellPerTileAndDrawsLabels() {
        let grid = ImageGrid(columns: 3, tileWidth: 8, tileHeight: 8, labelLines: 1)
        let tiles = (0..<4).map { i in ([Float](repeating: Float(i) / 4, count: 64), 1, ["ab"]) }
        let picture = grid.render(tiles)
        #expect(grid.zoom == 8)
        #expect(picture.width == 3 * (64 + 8) && picture.height == 2 * (64 + 10 + 8))
        // Tile 0 is black (value 0): its first pixel, inside the padding.
        #expect(picture.pixel(x: 4, y: 4) == [0, 0, 0])
        // The label row holds black text pixels; the fourth cell of the first row (there is none) stays white.
        let labelTop = 4 + 64 + 3
        let dark = (0..<7).flatMap { dy in (0..<24).map { dx in picture.pixel(x: 1 + dx, y: labelTop + dy) } }.filter { $0 == [0, 0, 0] }
        #expect(dark.count > 10)
        #expect(picture.pixel(x: 2 * 72 + 10, y: 82 + 10) == [255, 255, 255])
    }

    @Test func augmentationIsSeededAndKeepsValuesInRange() {
        let stats = ChannelStatistics(mean: [0.5], std: [0.25])
        var generator = SeededGenerator(seed: 3)
        let values = (0..<(4 * 16 * 16)).map { _ in Float.random(in: -2...2, using: &generator) }
        let batch = Batch(inputs: Tensor(shape: [4, 1, 16, 16], scalars: values), targets: Tensor([0, 1, 0, 1]))
        let first = ImageAugmenter(.standard, statistics: stats, seed: 9).apply(batch)
        let again = ImageAugmenter(.standard, statistics: stats, seed: 9).apply(batch)
        let other = ImageAugmenter(.standard, statistics: stats, seed: 10).apply(batch)
        #expect(first.inputs.scalars == again.inputs.scalars)
        #expect(first.inputs.scalars != other.inputs.scalars && first.inputs.scalars != values)
        #expect(first.targets.scalars == [0, 1, 0, 1])
        #expect(ImageAugmenter(.none, statistics: stats, seed: 9).apply(batch).inputs.scalars == values)
        // Bilinear sampling with reflection never leaves the input's range; lighting moves it by at most
        // the contrast and brightness bounds.
        let affineOnly = ImageAugmentation(name: "affine", flip: true, maxRotate: 10, maxZoom: 1.1, maxLighting: 0, probability: 1)
        let warped = ImageAugmenter(affineOnly, statistics: stats, seed: 9).apply(batch).inputs.scalars
        #expect(warped.allSatisfy { $0 >= -2.0001 && $0 <= 2.0001 })
        // A flip alone mirrors each image exactly or leaves it as it is.
        let flipOnly = ImageAugmentation(name: "flip", flip: true, maxRotate: 0, maxZoom: 1, maxLighting: 0, probability: 0)
        let flipped = ImageAugmenter(flipOnly, statistics: stats, seed: 5).apply(batch).inputs.scalars
        var mirrored = 0
        for image in 0..<4 {
            let original = Array(values[(image * 256)..<((image + 1) * 256)]), out = Array(flipped[(image * 256)..<((image + 1) * 256)])
            let mirror: [Float] = (0..<256).map { (i: Int) -> Float in original[(i / 16) * 16 + 15 - i % 16] }
            #expect(out == original || out == mirror)
            if out == mirror { mirrored += 1 }
        }
        #expect(mirrored > 0 && mirrored < 4, "seed 5 mirrors some of the four images")
    }
}

// MARK: - Through the CLI

private let slopeReady = ModelFileProcess.slopeExecutable != nil

/// Decodes a PNG written by the CLI.
private func decodePNG(_ path: String) throws -> DecodedImage { try ImageFile.decode(path: path) }

@Suite(.serialized, .enabled(if: slopeReady, "the slope executable was not found"))
struct InterpretCLITests {
    /// A trained three-class shade model and its folder.
    private func trainedShades() throws -> (folder: URL, model: String) {
        let base = try temporaryFolder("interpret")
        let folder = base.appendingPathComponent("shades")
        try writeShadeFolder(folder, classes: ["dark", "light", "medium"], count: 8)
        let model = base.appendingPathComponent("shades.slope").path
        let train = try ModelFileProcess.slope(["train", folder.path, "--images", "--size", "16", "--channels", "1", "--epochs", "3",
                                                "--export", model, "--json"], timeout: 600)
        try #require(train.succeeded, "\(train.summary)")
        return (folder, model)
    }

    @Test func interpretWritesAConfusionMatrixTopLossesAndScores() throws {
        let (folder, model) = try trainedShades()
        let svg = folder.deletingLastPathComponent().appendingPathComponent("confusion.svg").path
        let png = folder.deletingLastPathComponent().appendingPathComponent("top.png").path
        let run = try ModelFileProcess.slope(["interpret", model, folder.path, "--confusion", svg, "--top-losses", png, "--count", "4", "--json"])
        try #require(run.succeeded, "\(run.summary)")
        let value = try JSONParser.parse(Array(run.stdout.utf8))
        let matrix = try #require(value["confusion"]?.arrayValue).map { row in (row.arrayValue ?? []).compactMap(\.numberValue) }
        #expect(matrix.count == 3 && matrix.allSatisfy { $0.count == 3 })
        #expect(matrix.joined().reduce(0, +) == 24)
        #expect(matrix.map { $0.reduce(0, +) } == [8, 8, 8], "each actual class has 8 images")
        #expect(value["classes"] == .array(["dark", "light", "medium"].map(JSON.string)))
        let scores = try #require(value["scores"]?.arrayValue)
        #expect(scores.count == 3 && scores.allSatisfy { ($0["f1"]?.numberValue).map { (0...1).contains($0) } == true })
        let top = try #require(value["top_losses"]?.arrayValue)
        #expect(top.count == 4)
        let losses = top.compactMap { $0["loss"]?.numberValue }
        #expect(losses == losses.sorted(by: >), "highest loss first")
        #expect(top.allSatisfy { ($0["name"]?.stringValue ?? "").hasPrefix(folder.path + "/") })

        let text = try String(contentsOfFile: svg, encoding: .utf8)
        let counts = text.components(separatedBy: "<text class=\"count\"").dropFirst().compactMap { part -> Int? in
            guard let close = part.firstIndex(of: ">"), let end = part.firstIndex(of: "<") else { return nil }
            return Int(part[part.index(after: close)..<end])
        }
        #expect(counts.count == 9 && counts.reduce(0, +) == 24)
        for name in ["dark", "light", "medium"] { #expect(text.contains(">\(name)</text>")) }

        let picture = try decodePNG(png)
        let grid = ImageGrid(columns: 3, tileWidth: 16, tileHeight: 16, labelLines: 2)
        #expect((picture.width, picture.height) == (3 * grid.cellWidth, 2 * grid.cellHeight), "4 tiles: 3 across, 2 rows")
        #expect(grid.cellWidth == 16 * 6 + 8)

        let plain = try ModelFileProcess.slope(["interpret", model, folder.path])
        try #require(plain.succeeded, "\(plain.summary)")
        for text in ["accuracy", "confusion matrix (rows: actual, columns: predicted)", "precision", "recall", "f1", "highest losses"] {
            #expect(plain.stdout.contains(text), "`\(text)` missing:\n\(plain.stdout)")
        }
    }

    @Test func interpretRefusesDataItCannotCompare() throws {
        let (folder, model) = try trainedShades()
        let strange = folder.deletingLastPathComponent().appendingPathComponent("strange")
        try writeShadeFolder(strange, classes: ["dark", "grey"], count: 2)
        let run = try ModelFileProcess.slope(["interpret", model, strange.path])
        #expect(run.failedCleanly && run.stderrLines.count == 1, "\(run.summary)")
        #expect(run.stderr.contains("`grey` is not one of the model's classes"), "\(run.stderr)")
        let flat = try ModelFileProcess.slope(["interpret", model, folder.appendingPathComponent("dark").path])
        #expect(flat.failedCleanly && flat.stderr.contains("no labels"), "\(flat.summary)")
    }

    @Test func interpretATableModel() throws {
        let base = try temporaryFolder("interpret-table")
        let csv = base.appendingPathComponent("t.csv")
        let rows = (0..<60).map { i in "\(Double(i % 10) / 3),\(i % 2 == 0 ? "yes" : "no")" }
        try Data(("x,label\n" + rows.joined(separator: "\n") + "\n").utf8).write(to: csv)
        let model = base.appendingPathComponent("t.slope").path
        let train = try ModelFileProcess.slope(["train", csv.path, "--target", "label", "--epochs", "2", "--export", model])
        try #require(train.succeeded, "\(train.summary)")
        let run = try ModelFileProcess.slope(["interpret", model, csv.path, "--json", "--count", "3"])
        try #require(run.succeeded, "\(run.summary)")
        let value = try JSONParser.parse(Array(run.stdout.utf8))
        let matrix = try #require(value["confusion"]?.arrayValue).map { ($0.arrayValue ?? []).compactMap(\.numberValue) }
        #expect(matrix.joined().reduce(0, +) == 60)
        #expect(try #require(value["top_losses"]?.arrayValue).first?["name"]?.stringValue?.hasPrefix("line ") == true)
    }

    @Test func showBatchDrawsTheFirstTrainingBatch() throws {
        let base = try temporaryFolder("show-batch")
        let folder = base.appendingPathComponent("shades")
        try writeShadeFolder(folder, count: 10)
        let png = base.appendingPathComponent("batch.png").path
        let run = try ModelFileProcess.slope(["show-batch", folder.path, "--images", "--size", "16", "--channels", "1", "--count", "5",
                                              "--augment", "default", "--output", png])
        try #require(run.succeeded, "\(run.summary)")
        let picture = try decodePNG(png)
        let grid = ImageGrid(columns: 3, tileWidth: 16, tileHeight: 16, labelLines: 1)
        #expect((picture.width, picture.height) == (3 * grid.cellWidth, 2 * grid.cellHeight))
        #expect(run.stdout.contains("5 training images (augment: default)"))
        let missing = try ModelFileProcess.slope(["show-batch", folder.path, "--images", "--output", png, "--augment", "heavy"])
        #expect(missing.failedCleanly && missing.stderr.contains("--augment must be none, light or default"), "\(missing.summary)")
    }

    @Test func augmentationIsRecordedInTheExport() throws {
        let base = try temporaryFolder("augment-export")
        let folder = base.appendingPathComponent("shades")
        try writeShadeFolder(folder, count: 6)
        let model = base.appendingPathComponent("a.slope").path
        let run = try ModelFileProcess.slope(["train", folder.path, "--images", "--size", "16", "--channels", "1", "--epochs", "1",
                                              "--augment", "light", "--seed", "7", "--export", model])
        try #require(run.succeeded, "\(run.summary)")
        let loaded = try Learner.load(from: model)
        #expect(loaded.manifest["augmentation"]?["level"]?.stringValue == "light")
        #expect(loaded.manifest["augmentation"]?["seed"]?.stringValue == String(UInt64(7) &+ 0x5EED))
    }
}

@Suite(.serialized, .enabled(if: slopeReady, "the slope executable was not found"))
struct PredictInputsCLITests {
    @Test func predictTakesIDXFilesAndClassFoldersWithNames() throws {
        let base = try temporaryFolder("predict-idx")
        var generator = SeededGenerator(seed: 4)
        var bytes: [UInt8] = [], labels: [UInt8] = []
        for index in 0..<40 {
            let label = UInt8(index % 2)
            labels.append(label)
            bytes += (0..<(12 * 12)).map { _ in UInt8((label == 0 ? 30 : 200) + Int(generator.next() % 40)) }
        }
        let images = base.appendingPathComponent("train-images-idx3-ubyte").path
        try IDXFile.write(path: images, shape: [40, 12, 12], bytes: bytes)
        try IDXFile.write(path: base.appendingPathComponent("train-labels-idx1-ubyte").path, shape: [40], bytes: labels)
        let model = base.appendingPathComponent("idx.slope").path
        let train = try ModelFileProcess.slope(["train", images, "--images", "--epochs", "2", "--export", model], timeout: 600)
        try #require(train.succeeded, "\(train.summary)")
        let run = try ModelFileProcess.slope(["predict", model, images, "--json"])
        try #require(run.succeeded, "\(run.summary)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 40)
        let first = try JSONParser.parse(Array(lines[0].utf8)), last = try JSONParser.parse(Array(lines[39].utf8))
        #expect(first["file"]?.stringValue == images + "#0" && last["file"]?.stringValue == images + "#39")
        #expect(first["prediction"]?.stringValue != nil && first["probabilities"]?.objectValue?.count == 2)

        let interpret = try ModelFileProcess.slope(["interpret", model, images, "--json"])
        try #require(interpret.succeeded, "\(interpret.summary)")
        let matrix = try #require(try JSONParser.parse(Array(interpret.stdout.utf8))["confusion"]?.arrayValue)
        #expect(matrix.compactMap { $0.arrayValue }.joined().compactMap(\.numberValue).reduce(0, +) == 40)
    }

    @Test func predictOnAClassFolderAndTableRowsWithIDs() throws {
        let base = try temporaryFolder("predict-folder")
        let folder = base.appendingPathComponent("shades")
        try writeShadeFolder(folder, count: 6)
        let model = base.appendingPathComponent("s.slope").path
        let train = try ModelFileProcess.slope(["train", folder.path, "--images", "--size", "16", "--channels", "1", "--epochs", "1",
                                                "--export", model])
        try #require(train.succeeded, "\(train.summary)")
        let run = try ModelFileProcess.slope(["predict", model, folder.path, "--json"])
        try #require(run.succeeded, "\(run.summary)")
        let names = try run.stdout.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8))["file"]?.stringValue ?? "" }
        #expect(names.count == 12 && names.first == folder.path + "/dark/0.png" && names.last == folder.path + "/light/5.png")

        let csv = base.appendingPathComponent("t.csv")
        let rows = (0..<30).map { i in "p\(i),\(Double(i % 10) / 3),\(i % 2 == 0 ? "yes" : "no")" }
        try Data(("name,x,label\n" + rows.joined(separator: "\n") + "\n").utf8).write(to: csv)
        let tableModel = base.appendingPathComponent("t.slope").path
        let trained = try ModelFileProcess.slope(["train", csv.path, "--target", "label", "--epochs", "1", "--export", tableModel])
        try #require(trained.succeeded, "\(trained.summary)")
        let predicted = try ModelFileProcess.slope(["predict", tableModel, csv.path, "--json", "--id", "name"])
        try #require(predicted.succeeded, "\(predicted.summary)")
        let objects = try predicted.stdout.split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
        #expect(objects.count == 30)
        #expect(objects[0]["row"]?.numberValue == 1 && objects[0]["line"]?.numberValue == 2 && objects[0]["id"]?.stringValue == "p0")
        #expect(objects[29]["row"]?.numberValue == 30 && objects[29]["id"]?.stringValue == "p29")
        let badID = try ModelFileProcess.slope(["predict", tableModel, csv.path, "--json", "--id", "nope"])
        #expect(badID.failedCleanly && badID.stderr.contains("nope"), "\(badID.summary)")
    }
}
