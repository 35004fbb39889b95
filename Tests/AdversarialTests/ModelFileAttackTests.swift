import Foundation
import Testing
@testable import Slope

// Class 5 for model files: crafted files (checksums recomputed, as an attacker would) with values
// the model cannot use, damaged files (checksums left alone), tables whose model a file could not
// hold, and a seeded fuzz of the two trained models (bit flips, truncation, header edits). A
// crafted or damaged file is refused with one line naming it; a mutated file that loads must
// predict exactly what the original predicts.

@Suite(.serialized) struct ModelFileAttackTests {
    static let seed: UInt64 = 20_261_203

    /// `slope predict` of the original models, to compare mutants with (nil when it failed).
    static let originals: (table: String?, image: String?, png: String) = {
        let f = Fixtures.shared
        let png = f.bytes("model-attacks/input.png", f.pngBytes(size: 12, channels: 1))
        func output(_ model: String?, _ input: String) -> String? {
            guard let model else { return nil }
            let run = runSlope(["predict", model, input, "--json"], limits: ChildLimits(timeout: 60))
            return run.status == 0 ? run.stdout : nil
        }
        return (output(f.tableModel, f.iris), output(f.imageModel, png), png)
    }()

    static func craftedCases() -> [AdversarialCase] {
        let f = Fixtures.shared
        var cases: [AdversarialCase] = []
        func refuse(_ name: String, _ arguments: [String], _ words: [String]) {
            cases.append(AdversarialCase(name: name, arguments: arguments, expectation: .refuse(mentioning: words), untouched: [f.out]))
        }
        /// Replaces the first `"member":NUMBER` (or `"member":[NUMBER`) of the manifest by `value`.
        func setFirst(_ member: String, to value: String, in text: String) -> String {
            guard let range = text.range(of: "\"\(member)\":\\[?-?[0-9.eE+-]+", options: .regularExpression) else { return text }
            let bracket = text[range].contains("[") ? "[" : ""
            return text.replacingCharacters(in: range, with: "\"\(member)\":\(bracket)\(value)")
        }
        if let model = f.tableModel {
            // Weights and buffers that are not numbers, in every tensor kind.
            for (key, value) in [("layers.0.0.weight", Float.nan), ("embeds", Float.infinity), ("bn_cont.running_mean", -Float.infinity),
                                 ("layers.1.0.bias", Float.nan)] {
                let name = "crafted-\(key.replacingOccurrences(of: ".", with: "-"))-\(value).slope"
                if let path = ModelSurgery.setValue(in: model, as: "model-attacks/" + name, keyPrefix: key, index: 0, to: value) {
                    refuse("table model with \(value) in \(key)", ["predict", path, f.iris, "--json"], [name, "tensor", "finite"])
                }
            }
            if let path = ModelSurgery.setValue(in: model, as: "model-attacks/negative-var.slope", keyPrefix: "bn_cont.running_var", index: 0, to: -2) {
                refuse("negative BatchNorm running_var", ["predict", path, f.iris, "--json"], ["negative-var.slope", "bn_cont.running_var"])
            }
            for (member, value, field) in [("std", "1e-320", "preprocessing.continuous.0.std"), ("std", "0", "preprocessing.continuous.0.std"),
                                           ("mean", "1e308", "preprocessing.continuous.0.mean"), ("fill", "-1e300", "preprocessing.continuous.0.fill"),
                                           ("std", "1e-44", "preprocessing.continuous.0.std")] {
                let name = "crafted-\(member)-\(value).slope"
                if let path = ModelSurgery.rewriteManifest(of: model, as: "model-attacks/" + name, { setFirst(member, to: value, in: $0) }) {
                    refuse("continuous \(member) \(value)", ["predict", path, f.iris, "--json"], [name, field])
                }
            }
            // The model's own settings rule: a hidden layer that disagrees with its neighbours, an absurd dropout.
            if let path = ModelSurgery.rewriteManifest(of: model, as: "model-attacks/dropout.slope", { setFirst("dropout", to: "1.5", in: $0) }) {
                refuse("TabularModel dropout 1.5", ["predict", path, f.iris, "--json"], ["dropout.slope", "dropout"])
            }
            // Damage without recomputed checksums: one flipped bit in each of several tensors, in the manifest, in a key.
            for key in ["layers.0.0.weight", "bn_cont.running_var", "layers.2.0.bias"] {
                let name = "damaged-\(key.replacingOccurrences(of: ".", with: "-")).slope"
                if let path = ModelSurgery.flipBit(in: model, as: "model-attacks/" + name, keyPrefix: key) {
                    refuse("flipped bit in \(key)", ["predict", path, f.iris, "--json"], [name, "damaged", key])
                }
            }
            if let original = FileManager.default.contents(atPath: model).map([UInt8].init),
               let (header, data) = ModelSurgery.split(original), let range = header.range(of: "\"mean\":") {
                // A digit of a mean, changed to another digit: valid JSON, a different model.
                var text = Array(header.utf8)
                let at = header.utf8.distance(from: header.utf8.startIndex, to: range.upperBound.samePosition(in: header.utf8)!)
                if let digit = (at..<text.count).first(where: { (0x30...0x38).contains(text[$0]) }) { text[digit] += 1 }
                let path = f.bytes("model-attacks/damaged-manifest.slope", ModelSurgery.join(header: String(decoding: text, as: UTF8.self), data: data))
                refuse("changed digit in the manifest", ["predict", path, f.iris, "--json"], ["damaged-manifest.slope", "damaged", "manifest"])
            }
        }
        if let model = f.imageModel {
            let png = originals.png
            for (member, value, field) in [("std", "1e-45", "preprocessing.std.0"), ("mean", "1e39", "preprocessing.mean.0"),
                                           ("std", "-0.5", "preprocessing.std.0")] {
                let name = "image-\(member)-\(value).slope"
                if let path = ModelSurgery.rewriteManifest(of: model, as: "model-attacks/" + name, { text in
                    // The preprocessing's (the last) `"std":[` or `"mean":[` list.
                    guard let range = text.range(of: "\"\(member)\":[", options: .backwards),
                          let end = text[range.upperBound...].firstIndex(of: "]") else { return text }
                    return text.replacingCharacters(in: range.upperBound..<end, with: value)
                }) {
                    refuse("image \(member) \(value)", ["predict", path, png, "--json"], [name, field])
                }
            }
            if let path = ModelSurgery.rewriteManifest(of: model, as: "model-attacks/pool-padding.slope", { text in
                text.replacingOccurrences(of: "\"type\":\"MaxPool2d\",\"config\":{\"kernelSize\":[2,2],\"stride\":[2,2],\"padding\":[0,0]",
                                          with: "\"type\":\"MaxPool2d\",\"config\":{\"kernelSize\":[2,2],\"stride\":[2,2],\"padding\":[4096,4096]")
            }) {
                refuse("max-pool padding 4096", ["predict", path, png, "--json"], ["pool-padding.slope", "padding"])
            }
            if let path = ModelSurgery.flipBit(in: model, as: "model-attacks/damaged-conv.slope", keyPrefix: "0.0.weight") {
                refuse("flipped bit in a convolution", ["predict", path, png, "--json"], ["damaged-conv.slope", "damaged", "0.0.weight"])
            }
        }
        // Training refuses what a model file could not hold, before exporting anything.
        let export = f.out + "/model.slope"
        let wideHeader = (0..<10_001).map { "c\($0)" }.joined(separator: ",") + ",y"
        let wideRows = (0..<12).map { row in (0..<10_001).map { ($0 + row) % 2 == 0 ? "a" : "b" }.joined(separator: ",") + ",\(row % 2)" }
        let wide = f.file("model-attacks/cat10001.csv", ([wideHeader] + wideRows).joined(separator: "\n") + "\n")
        refuse("10,001 categorical columns", ["train", wide, "--target", "y", "--epochs", "1", "--layers", "4", "--export", export],
               ["cat10001.csv", "10000"])
        // (One fractional value, so that the inferred split calls the column continuous.)
        let hugeRows = (0..<40).map { "\($0 == 0 ? 0.5 : Double($0 % 9 + 1) * 1e200),\($0 % 5),\($0 % 2 == 0 ? "p" : "q")" }
        let huge = f.file("model-attacks/huge-values.csv", "big,small,label\n" + hugeRows.joined(separator: "\n") + "\n")
        refuse("a column near 1e200", ["train", huge, "--target", "label", "--cont", "big,small", "--epochs", "1", "--export", export],
               ["huge-values.csv", "big"])
        refuse("a column near 1e200 (inferred)", ["train", huge, "--target", "label", "--epochs", "1", "--export", export],
               ["huge-values.csv", "big"])
        return cases
    }

    /// Seeded damage to the two trained models: flips in the data and in the header, cuts,
    /// header-length edits and spliced header text. Each is refused naming the file, or predicts
    /// exactly what the original predicts.
    static func fuzzCases() -> [AdversarialCase] {
        let f = Fixtures.shared
        var cases: [AdversarialCase] = []
        var rng = SeededGenerator(seed: seed)
        func same(_ expected: String?) -> @Sendable (ChildRun) -> String? {
            { run in
                guard let expected else { return "the original model's predictions are unknown" }
                return run.stdout == expected ? nil : "exit 0 with predictions that differ from the original's"
            }
        }
        let models: [(String?, String, String?, String)] = [(f.tableModel, "table", originals.table, f.iris),
                                                           (f.imageModel, "image", originals.image, originals.png)]
        for (model, label, expected, input) in models {
            guard let model, let original = FileManager.default.contents(atPath: model).map([UInt8].init),
                  let (header, _) = ModelSurgery.split(original) else { continue }
            let headerEnd = 8 + header.utf8.count
            for index in 0..<60 {
                var bytes = original
                let kind: String
                switch index % 6 {
                case 0:  // one flipped bit in the tensor data
                    kind = "data bit"
                    bytes[Int.random(in: headerEnd..<bytes.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
                case 1:  // one to four flipped bits in the header text
                    kind = "header bits"
                    for _ in 0..<Int.random(in: 1...4, using: &rng) {
                        bytes[Int.random(in: 8..<headerEnd, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
                    }
                case 2:  // truncated anywhere
                    kind = "truncated"
                    bytes.removeLast(Int.random(in: 1..<bytes.count, using: &rng))
                case 3:  // the header length changed
                    kind = "header length"
                    let length = UInt64(max(0, header.utf8.count + Int.random(in: -64...64, using: &rng)))
                    withUnsafeBytes(of: length.littleEndian) { for i in 0..<8 { bytes[i] = $0[i] } }
                case 4:  // a token spliced into the header, the length kept consistent
                    kind = "header edit"
                    var text = Array(header.utf8)
                    let token = Array(["0", "-1", "1e999", "null", "\"F64\"", "[1,2]", "\\\"", "99999999999", "{}", ","][Int.random(in: 0..<10, using: &rng)].utf8)
                    let at = Int.random(in: 0..<text.count, using: &rng)
                    text.replaceSubrange(at..<min(text.count, at + Int.random(in: 0...3, using: &rng)), with: token)
                    bytes = ModelSurgery.join(header: String(decoding: text, as: UTF8.self), data: Array(original[headerEnd...]))
                default:  // a run of bytes overwritten anywhere
                    kind = "overwritten run"
                    let start = Int.random(in: 0..<bytes.count, using: &rng)
                    let value = [UInt8(0), 0xFF, 0x7F, 0x20][Int.random(in: 0..<4, using: &rng)]
                    for i in start..<min(bytes.count, start + Int.random(in: 1...12, using: &rng)) { bytes[i] = value }
                }
                let name = "fuzz-\(label)-\(index).slope"
                let path = f.bytes("model-attacks/" + name, bytes)
                cases.append(AdversarialCase(name: "\(label) model fuzz \(index) (\(kind))", arguments: ["predict", path, input, "--json"],
                                             expectation: .refuseOrSucceed(mentioning: [name], check: same(expected)), untouched: [f.out]))
            }
        }
        return cases
    }

    @Test func craftedAndDamagedModelFiles() {
        #expect(Fixtures.shared.setupProblems.isEmpty, "\(Fixtures.shared.setupProblems)")
        runClass("model files", Self.craftedCases())
    }

    @Test func seededFuzzOfModelFiles() {
        #expect(Self.originals.table != nil && Self.originals.image != nil, "the original models did not predict")
        runClass("model file fuzz", Self.fuzzCases())
    }
}
