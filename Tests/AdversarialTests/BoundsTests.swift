import Foundation
@testable import Slope
import Testing

// Class 2: sizes from flags and files are checked against a stated limit (or the input's real
// size) before memory is taken; the error names the limit.

@Suite(.serialized) struct BoundsTests {
    static func cases() -> [AdversarialCase] {
        let f = Fixtures.shared
        var cases: [AdversarialCase] = []
        func refuse(_ name: String, _ arguments: [String], _ words: [String]) {
            cases.append(AdversarialCase(name: name, arguments: arguments, expectation: .refuse(mentioning: words), untouched: [f.out]))
        }
        func succeed(_ name: String, _ arguments: [String], budget: Int = 1 << 30, _ check: @escaping @Sendable (ChildRun) -> String? = jsonIsFinite) {
            cases.append(AdversarialCase(name: name, arguments: arguments, expectation: .succeed(check: check), memoryBudget: budget))
        }
        let export = f.out + "/model.slope"
        for layers in ["100000000", "100000,100000", "4096,4096,4096,4096,4096,4096,4096,4096,4096,4096,4096,4096,4096,4096,4096,4096,4096",
                       "9223372036854775807", "3000000"] {
            refuse("--layers \(layers.prefix(20))", ["train", f.iris, "--target", "target", "--layers", layers, "--epochs", "1", "--export", export],
                   ["--layers"])
        }
        refuse("lr-find --layers 100000,100000", ["lr-find", f.iris, "--target", "target", "--layers", "100000,100000"], ["--layers"])
        refuse("--epochs 10^12", ["train", f.iris, "--target", "target", "--epochs", "1000000000000"], ["--epochs"])
        refuse("--batch-size 10^12", ["train", f.iris, "--target", "target", "--batch-size", "1000000000000", "--epochs", "1"], ["--batch-size"])
        // A loss history bounded by the window, not by --steps: converges early in little memory.
        succeed("fit quadratic --steps 10^12 --tol", ["fit", "quadratic", "--steps", "1000000000000", "--tol", "0.001", "--window", "10", "--json"],
                budget: 256 << 20)
        refuse("fit quadratic --steps -5", ["fit", "quadratic", "--steps=-5"], ["--steps"])
        refuse("fit quadratic --window 10^12", ["fit", "quadratic", "--window", "1000000000000", "--tol", "0.1"], ["--window"])
        refuse("fit quadratic --points 10^9", ["fit", "quadratic", "--points", "1000000000"], ["--points"])
        refuse("fit relus --count 10^9", ["fit", "relus", "--count", "1000000000"], ["--count"])
        refuse("fit relus --points 10^9", ["fit", "relus", "--points", "1000000000"], ["--points"])
        refuse("fit relus --count 20000 --points 20000", ["fit", "relus", "--count", "20000", "--points", "20000"], ["--count"])
        let folder = f.imageFolder("bounds/folder", perClass: 3)
        refuse("folder --size 1024", ["train", folder, "--images", "--size", "1024", "--epochs", "1"], ["--size"])
        refuse("folder --size 10^6", ["train", folder, "--images", "--size", "1000000", "--epochs", "1"], ["--size"])
        refuse("folder --size 512 --batch-size 64", ["train", folder, "--images", "--size", "512", "--batch-size", "64", "--epochs", "1"],
               ["--size"])

        // An IDX header that promises 2^30 pixels in a small gzip file.
        var header: [UInt8] = [0, 0, 8, 3]
        for dimension in [1 << 14, 256, 256] {
            header += [UInt8(dimension >> 24 & 0xFF), UInt8(dimension >> 16 & 0xFF), UInt8(dimension >> 8 & 0xFF), UInt8(dimension & 0xFF)]
        }
        // gzip members may follow one another: 16 copies of 64 MiB of zeros cost 1 MiB on disk.
        let zeros = Gzip.compress(Array(repeating: 0, count: 64 << 20), level: 9)
        let bombDir = f.folder("bounds/bomb")
        f.bytes("bounds/bomb/train-images-idx3-ubyte.gz", Gzip.compress(header) + Array(Array(repeating: zeros, count: 16).joined()))
        try? IDXFile.write(path: bombDir + "/train-labels-idx1-ubyte.gz", shape: [1 << 14], bytes: Array(repeating: 0, count: 1 << 14),
                           compressed: true)
        refuse("IDX header of 2^30 pixels, gzip", ["train", bombDir + "/train-images-idx3-ubyte.gz", "--images", "--epochs", "1"],
               ["train-images-idx3-ubyte.gz"])
        // A gzip file that inflates to far more than its header promises.
        var small: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28]
        small += Array(repeating: 7, count: 10 * 28 * 28)
        let longDir = f.folder("bounds/long")
        f.bytes("bounds/long/train-images-idx3-ubyte.gz", Gzip.compress(small) + Array(Array(repeating: zeros, count: 8).joined()))
        try? IDXFile.write(path: longDir + "/train-labels-idx1-ubyte.gz", shape: [10], bytes: Array(repeating: 0, count: 10), compressed: true)
        cases.append(AdversarialCase(name: "gzip IDX that inflates past its header", arguments: ["train", longDir + "/train-images-idx3-ubyte.gz",
                                     "--images", "--epochs", "1"], expectation: .refuse(mentioning: ["train-images-idx3-ubyte.gz"]),
                                     memoryBudget: 256 << 20))
        // A model file whose image preprocessing says 16384x16384 (made from the digits model).
        if let model = f.imageModel, let huge = ModelSurgery.rewriteManifest(of: model, as: "bounds/huge-preprocessing.slope", { text in
            text.replacingOccurrences(of: "\"height\":12", with: "\"height\":16384").replacingOccurrences(of: "\"width\":12", with: "\"width\":16384")
        }) {
            let png = f.bytes("bounds/one.png", f.pngBytes())
            refuse("model preprocessing 16384x16384", ["predict", huge, png, "--json"], ["huge-preprocessing.slope"])
        }
        // A CSV larger than the stated limit is refused before it is read (sparse file: no disk used).
        let sparse = f.root + "/bounds/sparse.csv"
        FileManager.default.createFile(atPath: sparse, contents: Data("x,y\n1,2\n".utf8))
        if let handle = FileHandle(forWritingAtPath: sparse) {
            try? handle.truncate(atOffset: UInt64(8) << 30)
            try? handle.close()
        }
        refuse("8 GiB CSV", ["fit", "quadratic", "--data", sparse], ["sparse.csv", "limit"])
        refuse("8 GiB CSV for training", ["train", sparse, "--target", "y"], ["sparse.csv", "limit"])
        return cases
    }

    @Test func upperBoundsBeforeAllocating() {
        runClass("bounds", Self.cases())
    }
}
