import Foundation
import Testing
@testable import Slope

// Validation sets given explicitly (train/ + valid/ subfolders, --valid, --valid-column) and the
// image batch-size default, through `slope` as a process and through the library.

// MARK: - Helpers

/// Writes `count` noisy gray `side`x`side` PNGs per class into `root/<class>/`: `dark` (about
/// 40), `light` (about 210) and `medium` (about 125), or the classes named.
func writeShadeFolder(_ root: URL, classes: [String] = ["dark", "light"], count: Int, side: Int = 16, seed: UInt64 = 7) throws {
    var generator = SeededGenerator(seed: seed)
    let bases = ["dark": 40, "medium": 125, "light": 210]
    for name in classes {
        let folder = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for index in 0..<count {
            let pixels = (0..<(side * side)).map { _ in UInt8((bases[name] ?? 125) + Int(generator.next() % 40)) }
            try ImageFile.writePNG(DecodedImage(width: side, height: side, channels: 1, pixels: pixels),
                                   path: folder.appendingPathComponent("\(index).png").path)
        }
    }
}

/// Writes an easy three-class folder of `side`x`side` gray PNGs: horizontal stripes, vertical
/// stripes and a bright centred square, each with noise and a random offset.
func writePatternFolder(_ root: URL, count: Int, side: Int = 24, seed: UInt64 = 11) throws {
    var generator = SeededGenerator(seed: seed)
    for name in ["horizontal", "square", "vertical"] {
        let folder = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for index in 0..<count {
            let shift = Int(generator.next() % 4)
            var pixels: [UInt8] = []
            for y in 0..<side {
                for x in 0..<side {
                    let on: Bool
                    switch name {
                    case "horizontal": on = (y + shift) / 3 % 2 == 0
                    case "vertical": on = (x + shift) / 3 % 2 == 0
                    default: on = abs(x - side / 2 - shift + 2) < side / 4 && abs(y - side / 2 - shift + 2) < side / 4
                    }
                    pixels.append(UInt8((on ? 170 : 50) + Int(generator.next() % 60)))
                }
            }
            try ImageFile.writePNG(DecodedImage(width: side, height: side, channels: 1, pixels: pixels),
                                   path: folder.appendingPathComponent("\(index).png").path)
        }
    }
}

/// Checks a failed run: a clean non-zero exit with one line on standard error.
private func expectOneLine(_ run: ModelFileProcessRun, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(run.failedCleanly, "\(what): \(run.summary)", sourceLocation: sourceLocation)
    #expect(run.stderrLines.count == 1, "\(what): expected one line on stderr, got:\n\(run.stderr)", sourceLocation: sourceLocation)
}

private let slopeBuilt = ModelFileProcess.slopeExecutable != nil

// MARK: - Library

@Suite struct ImageValidationLibraryTests {
    @Test func automaticBatchSizeKeepsSixteenBatchesForSmallSets() {
        #expect(ImageData.automaticBatchSize(trainingImages: 10) == 8)
        #expect(ImageData.automaticBatchSize(trainingImages: 144) == 8)
        #expect(ImageData.automaticBatchSize(trainingImages: 300) == 16)
        #expect(ImageData.automaticBatchSize(trainingImages: 600) == 32)
        #expect(ImageData.automaticBatchSize(trainingImages: 60_000) == 64)
        for images in [1, 50, 127, 128, 513, 1023, 1024, 5000] {
            let size = ImageData.automaticBatchSize(trainingImages: images)
            #expect(size.nonzeroBitCount == 1 && (8...64).contains(size))
            #expect(size == 8 || images / size >= 16, "\(images) images: \(size) per batch")
        }
    }

    @Test func validSubfolderValidatesWithClassesMatchedByName() throws {
        let root = try temporaryFolder("split")
        try writeShadeFolder(root.appendingPathComponent("train"), count: 6)
        // The validation folder holds only `light`: its label must be training's `light` (1), not 0.
        try writeShadeFolder(root.appendingPathComponent("valid"), classes: ["light"], count: 3)
        #expect(ImageData.splitFolders(in: root.path)?.valid == root.path + "/valid")
        let data = try ImageData.fromFolder(root.path, size: 8, channels: 1)
        #expect(data.classes == ["dark", "light"])
        #expect(data.train.dataset.count == 12 && data.valid.dataset.count == 3)
        #expect(data.valid.dataset.targets.scalars == [1, 1, 1])
        #expect(data.train.batchSize == 8)

        let other = try temporaryFolder("split-other")
        try writeShadeFolder(other, classes: ["dark"], count: 2)
        let explicit = try ImageData.fromFolder(root.path + "/train", size: 8, channels: 1, validFolder: other.path)
        #expect(explicit.valid.dataset.count == 2 && explicit.valid.dataset.targets.scalars == [0, 0])
    }

    @Test func aValidationClassTrainingLacksIsNamed() throws {
        let root = try temporaryFolder("split-bad")
        try writeShadeFolder(root.appendingPathComponent("train"), count: 3)
        try writeShadeFolder(root.appendingPathComponent("valid"), classes: ["dark", "medium"], count: 2)
        do {
            _ = try ImageData.fromFolder(root.path, size: 8, channels: 1)
            Issue.record("a validation class that training lacks was accepted")
        } catch {
            guard case .validationMismatch(let file, let reason) = error else { Issue.record("\(error)"); return }
            #expect(file == root.path + "/valid" && reason.contains("`medium`") && reason.contains("dark, light"), "\(error)")
        }
    }

    @Test func validColumnSplitsRowsAndIsNotAnInput() throws {
        var rows: [[String?]] = []
        for i in 0..<20 {
            let x: String = String(Double(i) / 2), y: String = i % 2 == 0 ? "a" : "b", flag: String = i % 5 == 0 ? "True" : "False"
            rows.append([x, y, flag])
        }
        let table = try DataTable(columnNames: ["x", "y", "is_valid"], rows: rows, source: "t.csv")
        let data = try TabularData.fromTable(table, target: "y", validColumn: "is_valid")
        #expect(data.train.dataset.count == 16 && data.valid.dataset.count == 4)
        guard case .tabular(let prep) = data.preprocessing else { Issue.record("not tabular"); return }
        let inputNames: [String] = prep.categorical.map { $0.name } + prep.continuous.map { $0.name }
        #expect(!inputNames.contains("is_valid"))

        var bad = rows
        bad[3][2] = "maybe"
        let badTable = try DataTable(columnNames: ["x", "y", "is_valid"], rows: bad, source: "t.csv")
        #expect(throws: TabularError.notAValidFlag(file: "t.csv", line: 5, column: "is_valid", found: "maybe")) {
            _ = try TabularData.fromTable(badTable, target: "y", validColumn: "is_valid")
        }
    }
}

// MARK: - Through the CLI

@Suite(.enabled(if: slopeBuilt, "the slope executable was not found"))
struct ImageValidationCLITests {
    @Test func trainAndValidSubfoldersValidateAndTheCountsSaySo() throws {
        let root = try temporaryFolder("cli-split").appendingPathComponent("shades")
        try writeShadeFolder(root.appendingPathComponent("train"), count: 12)
        try writeShadeFolder(root.appendingPathComponent("valid"), count: 5, seed: 8)
        let run = try ModelFileProcess.slope(["train", root.path, "--images", "--size", "16", "--channels", "1", "--epochs", "1"], timeout: 600)
        #expect(run.succeeded, "\(run.summary)")
        #expect(run.stdout.contains("24 training samples, 10 validation samples"), "\(run.stdout)")
        #expect(run.stdout.contains("validation: \(root.path)/valid (beside \(root.path)/train)"), "\(run.stdout)")
    }

    @Test func validOptionNamesTheFolderThatValidates() throws {
        let base = try temporaryFolder("cli-valid")
        try writeShadeFolder(base.appendingPathComponent("train"), count: 10)
        try writeShadeFolder(base.appendingPathComponent("held"), classes: ["light"], count: 4, seed: 9)
        let train = base.appendingPathComponent("train").path, held = base.appendingPathComponent("held").path
        let run = try ModelFileProcess.slope(["train", train, "--images", "--size", "16", "--channels", "1", "--epochs", "1", "--valid", held],
                                             timeout: 600)
        #expect(run.succeeded, "\(run.summary)")
        #expect(run.stdout.contains("20 training samples, 4 validation samples"), "\(run.stdout)")
        #expect(run.stdout.contains("validation: \(held) (--valid)"), "\(run.stdout)")

        let random = try ModelFileProcess.slope(["train", train, "--images", "--size", "16", "--channels", "1", "--epochs", "1"], timeout: 600)
        #expect(random.stdout.contains("16 training samples, 4 validation samples"), "\(random.stdout)")
        #expect(random.stdout.contains("validation: a random 20% of the images (--valid-pct 0.2, --seed 42)"), "\(random.stdout)")
    }

    @Test func badValidationFoldersAreNamedInOneLine() throws {
        let base = try temporaryFolder("cli-valid-bad")
        try writeShadeFolder(base.appendingPathComponent("train"), count: 4)
        let train = base.appendingPathComponent("train").path
        let empty = base.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let args = ["train", train, "--images", "--size", "8", "--channels", "1", "--epochs", "1", "--valid"]

        let none = try ModelFileProcess.slope(args + [empty.path])
        expectOneLine(none, "an empty --valid folder")
        #expect(none.stderr.contains(empty.path) && none.stderr.contains("no class subfolders"), "\(none.stderr)")

        try writeShadeFolder(base.appendingPathComponent("strange"), classes: ["medium"], count: 2)
        let strange = try ModelFileProcess.slope(args + [base.appendingPathComponent("strange").path])
        expectOneLine(strange, "a --valid class training lacks")
        #expect(strange.stderr.contains("`medium`") && strange.stderr.contains("not a class of the training folder"), "\(strange.stderr)")

        let file = try ModelFileProcess.slope(args + [train + "/dark/0.png"])
        expectOneLine(file, "a file as --valid for a folder")
        #expect(file.stderr.contains("expected a folder of class subfolders"), "\(file.stderr)")

        let missing = try ModelFileProcess.slope(args + [base.appendingPathComponent("nowhere").path])
        expectOneLine(missing, "a missing --valid")
        #expect(missing.stderr.contains("nowhere") && missing.stderr.contains("no such file"), "\(missing.stderr)")
    }

    @Test func tablesTakeAValidFileOrAValidColumn() throws {
        let base = try temporaryFolder("cli-valid-table")
        func table(_ rows: Range<Int>, flag: Bool) -> String {
            (flag ? "x,z,y,is_valid\n" : "x,z,y\n") + rows.map { i in
                "\(Double(i) / 4),\(i % 3),\(i % 2 == 0 ? "a" : "b")" + (flag ? (i % 5 == 0 ? ",1" : ",0") : "")
            }.joined(separator: "\n") + "\n"
        }
        let train = base.appendingPathComponent("train.csv"), valid = base.appendingPathComponent("valid.csv")
        try Data(table(0..<40, flag: false).utf8).write(to: train)
        try Data(table(40..<52, flag: false).utf8).write(to: valid)
        let run = try ModelFileProcess.slope(["train", train.path, "--target", "y", "--epochs", "1", "--valid", valid.path])
        #expect(run.succeeded, "\(run.summary)")
        #expect(run.stdout.contains("40 training samples, 12 validation samples"), "\(run.stdout)")
        #expect(run.stdout.contains("validation: \(valid.path) (--valid)"), "\(run.stdout)")

        let lacking = base.appendingPathComponent("lacking.csv")
        try Data("x,y\n1,a\n2,b\n".utf8).write(to: lacking)
        let bad = try ModelFileProcess.slope(["train", train.path, "--target", "y", "--epochs", "1", "--valid", lacking.path])
        expectOneLine(bad, "a validation file without column z")
        #expect(bad.stderr.contains(lacking.path) && bad.stderr.contains("z"), "\(bad.stderr)")

        let flagged = base.appendingPathComponent("flagged.csv")
        try Data(table(0..<50, flag: true).utf8).write(to: flagged)
        let column = try ModelFileProcess.slope(["train", flagged.path, "--target", "y", "--epochs", "1", "--valid-column", "is_valid"])
        #expect(column.succeeded, "\(column.summary)")
        #expect(column.stdout.contains("40 training samples, 10 validation samples"), "\(column.stdout)")
        #expect(column.stdout.contains("validation: the rows whose `is_valid` is true (--valid-column)"), "\(column.stdout)")
        #expect(!column.stdout.contains("continuous: x, z, is_valid") && !column.stdout.contains("is_valid,"), "\(column.stdout)")

        let unknown = try ModelFileProcess.slope(["train", flagged.path, "--target", "y", "--valid-column", "held_out"])
        expectOneLine(unknown, "an unknown --valid-column")
        #expect(unknown.stderr.contains("held_out"), "\(unknown.stderr)")
    }
}
