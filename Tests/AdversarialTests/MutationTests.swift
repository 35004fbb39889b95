import Foundation
import Testing
@testable import Slope

// Seeded random damage to every kind of file Slope reads: model files, CSV tables, PNG and JPEG
// images, IDX archives (plain and gzipped). Each damaged file is either refused with one line
// naming it, or gives a sound answer (finite probabilities, finite metrics).

@Suite(.serialized) struct MutationTests {
    static let seed: UInt64 = 20_261_202

    static func cases() -> [AdversarialCase] {
        let f = Fixtures.shared
        var cases: [AdversarialCase] = []
        var mutator = Mutator(seed: seed)
        func add(_ name: String, _ arguments: [String], file: String, _ check: @escaping @Sendable (ChildRun) -> String?) {
            cases.append(AdversarialCase(name: name, arguments: arguments,
                                         expectation: .refuseOrSucceed(mentioning: [file], check: check), untouched: [f.out]))
        }
        if let model = f.tableModel, let original = FileManager.default.contents(atPath: model).map([UInt8].init) {
            for index in 0..<40 {
                let name = "table-\(index).slope"
                f.bytes("mutations/" + name, mutator.mutate(original))
                add("table model mutation \(index)", ["predict", f.root + "/mutations/" + name, f.iris, "--json"], file: name,
                    predictionsAreFinite)
            }
        }
        if let model = f.imageModel, let original = FileManager.default.contents(atPath: model).map([UInt8].init) {
            let png = f.bytes("mutations/input.png", f.pngBytes(size: 12, channels: 1))
            for index in 0..<20 {
                let name = "image-\(index).slope"
                f.bytes("mutations/" + name, mutator.mutate(original))
                add("image model mutation \(index)", ["predict", f.root + "/mutations/" + name, png, "--json"], file: name,
                    predictionsAreFinite)
            }
        }
        if let csv = FileManager.default.contents(atPath: f.iris).map([UInt8].init) {
            for index in 0..<25 {
                let name = "iris-\(index).csv"
                let path = f.bytes("mutations/" + name, mutator.mutate(csv))
                add("CSV mutation \(index)", ["train", path, "--target", "target", "--epochs", "1", "--layers", "8", "--json"], file: name,
                    jsonIsFinite)
            }
        }
        if let model = f.imageModel {
            for (kind, original) in [("png", f.pngBytes(size: 16)), ("jpg", f.jpegBytes(size: 16))] {
                for index in 0..<20 {
                    let name = "image-\(index).\(kind)"
                    let path = f.bytes("mutations/" + name, mutator.mutate(original, protectedPrefix: 8))
                    add("\(kind) mutation \(index)", ["predict", model, path, "--json"], file: name, predictionsAreFinite)
                }
            }
        }
        let images = f.idxPair(folder: "mutations/idx-source", count: 40, height: 12, width: 12, compressed: false)
        let labels = images.replacingOccurrences(of: "images-idx3", with: "labels-idx1")
        if let imageBytes = FileManager.default.contents(atPath: images).map([UInt8].init),
           let labelBytes = FileManager.default.contents(atPath: labels).map([UInt8].init) {
            for index in 0..<20 {
                let compressed = index % 2 == 0
                let folder = f.folder("mutations/idx-\(index)")
                let suffix = compressed ? ".gz" : ""
                var damagedImages = imageBytes, damagedLabels = labelBytes
                if index % 3 == 2 { damagedLabels = mutator.mutate(labelBytes) } else { damagedImages = mutator.mutate(imageBytes, protectedPrefix: 4) }
                let imagePath = folder + "/train-images-idx3-ubyte" + suffix
                f.bytes("mutations/idx-\(index)/train-images-idx3-ubyte" + suffix,
                        compressed ? Gzip.compress(damagedImages) : damagedImages)
                f.bytes("mutations/idx-\(index)/train-labels-idx1-ubyte" + suffix,
                        compressed ? Gzip.compress(damagedLabels) : damagedLabels)
                add("IDX mutation \(index)", ["train", imagePath, "--images", "--epochs", "1", "--json"], file: "-ubyte", jsonIsFinite)
            }
        }
        return cases
    }

    @Test func seededMutationsOfEveryFileKind() {
        runClass("mutations", Self.cases())
    }
}
