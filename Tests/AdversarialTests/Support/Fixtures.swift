#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
@testable import Slope

// The hostile inputs, made once per test process in a temporary folder: crafted CSV, IDX and
// image files, FIFOs and links, and two small models trained by the binary itself (a table and
// an image model) that the mutation cases damage.

/// The workspace folder removed at exit (set once, by `Fixtures.shared`).
nonisolated(unsafe) private var workspaceToRemove: String?

/// The workspace of crafted inputs.
final class Fixtures: @unchecked Sendable {
    /// The shared instance, built on first use.
    static let shared = Fixtures()

    /// The workspace folder.
    let root: String
    /// An empty folder that exports and plots go to; refused runs must leave it empty.
    let out: String
    /// The iris table (150 rows, 4 numbers and a numeric `target` class).
    let iris = sharedData + "/iris/iris.csv"
    /// The Titanic table.
    let titanic = sharedData + "/titanic/train.csv"
    /// A tabular model trained on iris by the binary (`nil` if training failed).
    private(set) var tableModel: String?
    /// An image model trained on small IDX digits by the binary (`nil` if training failed).
    private(set) var imageModel: String?
    /// Why a model could not be made.
    private(set) var setupProblems: [String] = []

    private init() {
        root = NSTemporaryDirectory() + "slope-adversarial-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        out = root + "/out"
        try? FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        // The workspace (about 80 MB) goes when the test process ends.
        workspaceToRemove = root
        atexit { if let root = workspaceToRemove { try? FileManager.default.removeItem(atPath: root) } }
        makeModels()
    }

    /// A new empty folder inside the workspace.
    func folder(_ name: String) -> String {
        let path = root + "/" + name
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `text` to `name` in the workspace and returns its path.
    @discardableResult
    func file(_ name: String, _ text: String) -> String { bytes(name, Array(text.utf8)) }

    /// Writes `contents` to `name` in the workspace and returns its path.
    @discardableResult
    func bytes(_ name: String, _ contents: [UInt8]) -> String {
        let path = root + "/" + name
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: Data(contents))
        return path
    }

    /// Makes a FIFO called `name` in the workspace (nobody ever writes to it).
    @discardableResult
    func fifo(_ name: String) -> String {
        let path = root + "/" + name
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        unlink(path)
        mkfifo(path, 0o600)
        return path
    }

    /// Makes a symbolic link `name` to `target`.
    @discardableResult
    func link(_ name: String, to target: String) -> String {
        let path = root + "/" + name
        unlink(path)
        symlink(target, path)
        return path
    }

    // MARK: - IDX sets

    /// A pair of IDX files `<prefix>-images-idx3-ubyte[.gz]` and `<prefix>-labels-idx1-ubyte[.gz]`
    /// in `folder`, with `count` images of `height × width` seeded pixels and the given labels
    /// (cycled). Returns the images path.
    @discardableResult
    func idxPair(folder name: String, prefix: String = "train", count: Int, height: Int, width: Int, labels: [UInt8] = [0, 1],
                 compressed: Bool = true, seed: UInt64 = 1) -> String {
        let dir = folder(name)
        var rng = SeededGenerator(seed: seed)
        let pixels = (0..<(count * height * width)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let labelBytes = (0..<count).map { labels[$0 % Swift.max(labels.count, 1)] }
        let suffix = compressed ? ".gz" : ""
        let images = "\(dir)/\(prefix)-images-idx3-ubyte\(suffix)"
        try? IDXFile.write(path: images, shape: [count, height, width], bytes: pixels, compressed: compressed)
        try? IDXFile.write(path: "\(dir)/\(prefix)-labels-idx1-ubyte\(suffix)", shape: [count], bytes: labelBytes, compressed: compressed)
        return images
    }

    // MARK: - Image folders

    /// A folder with one subfolder per class holding `perClass` small PNG files each.
    @discardableResult
    func imageFolder(_ name: String, classes: [String] = ["a", "b"], perClass: Int = 4, size: Int = 8) -> String {
        let dir = folder(name)
        var rng = SeededGenerator(seed: 7)
        for className in classes {
            _ = folder(name + "/" + className)
            for index in 0..<perClass {
                let pixels = (0..<(size * size * 3)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                try? ImageFile.writePNG(DecodedImage(width: size, height: size, channels: 3, pixels: pixels),
                                        path: "\(dir)/\(className)/\(index).png")
            }
        }
        return dir
    }

    /// A small PNG file's bytes.
    func pngBytes(size: Int = 8, channels: Int = 3, seed: UInt64 = 3) -> [UInt8] {
        var rng = SeededGenerator(seed: seed)
        let pixels = (0..<(size * size * channels)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return ImageFile.encodePNG(DecodedImage(width: size, height: size, channels: channels, pixels: pixels))
    }

    /// A small JPEG file's bytes.
    func jpegBytes(size: Int = 16, seed: UInt64 = 4) -> [UInt8] {
        var rng = SeededGenerator(seed: seed)
        let pixels = (0..<(size * size * 3)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return ImageFile.encodeJPEG(DecodedImage(width: size, height: size, channels: 3, pixels: pixels))
    }

    // MARK: - Models

    private func makeModels() {
        let models = folder("models")
        let table = models + "/iris.slope"
        let tableRun = runSlope(["train", iris, "--target", "target", "--epochs", "1", "--layers", "8", "--export", table, "--json"],
                                limits: ChildLimits(timeout: 120))
        if tableRun.status == 0, FileManager.default.fileExists(atPath: table) { tableModel = table } else {
            setupProblems.append("training the iris model failed: \(tableRun.stderr)")
        }
        let images = idxPair(folder: "models/digits", count: 96, height: 12, width: 12, labels: [0, 1, 2])
        let image = models + "/digits.slope"
        let imageRun = runSlope(["train", images, "--images", "--epochs", "1", "--valid-pct", "0.25", "--export", image, "--json"],
                                limits: ChildLimits(timeout: 120))
        if imageRun.status == 0, FileManager.default.fileExists(atPath: image) { imageModel = image } else {
            setupProblems.append("training the digits model failed: \(imageRun.stderr)")
        }
    }
}

// MARK: - Checks of successful runs

/// Every line of `--json` prediction output is an object whose probabilities are all finite
/// numbers (never `null`), or nil when that holds.
@Sendable func predictionsAreFinite(_ run: ChildRun) -> String? {
    let lines = run.stdout.split(separator: "\n")
    if lines.isEmpty { return "no predictions printed" }
    for line in lines {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            return "a line is not a JSON object: \(line.prefix(200))"
        }
        guard object["prediction"] != nil, !(object["prediction"] is NSNull) else { return "a prediction is missing: \(line.prefix(200))" }
        if let probabilities = object["probabilities"] {
            guard let table = probabilities as? [String: Any] else { return "probabilities are not an object: \(line.prefix(200))" }
            for (_, value) in table {
                guard let number = value as? NSNumber, number.doubleValue.isFinite else { return "a probability is not finite: \(line.prefix(200))" }
            }
        }
    }
    return nil
}

/// Exit 0 is enough.
@Sendable func anySuccess(_ run: ChildRun) -> String? { nil }

/// The `--json` object printed by a fit or training run has finite numbers where it has numbers.
@Sendable func jsonIsFinite(_ run: ChildRun) -> String? {
    let text = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    guard let last = text.split(separator: "\n").last,
          let object = try? JSONSerialization.jsonObject(with: Data(last.utf8)) else { return "no JSON object printed" }
    func finite(_ value: Any) -> Bool {
        switch value {
        case let number as NSNumber: return number.doubleValue.isFinite
        case is NSNull: return false
        case let array as [Any]: return array.allSatisfy(finite)
        case let dictionary as [String: Any]: return dictionary.values.allSatisfy(finite)
        default: return true
        }
    }
    return finite(object) ? nil : "the JSON holds null or a non-finite number: \(last.prefix(300))"
}
