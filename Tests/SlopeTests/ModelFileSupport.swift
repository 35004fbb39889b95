import Dispatch
import Foundation
import Testing
@testable import Slope

// Shared fixtures for the model-file tests (ModelFile*, SafeTensors*, JSONParser*): paths to the
// shared data, temporary folders, a small synthetic tabular learner that needs no data files,
// byte-level builders for hand-made safetensors files, and a runner for the `slope` executable.

enum ModelFileFixtures {
    /// The package root (three levels up from this file).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `shared/data` next to the package root.
    static let sharedData = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")

    static let titanicTrain = sharedData.appendingPathComponent("titanic/train.csv").path
    static let titanicTest = sharedData.appendingPathComponent("titanic/test.csv").path
    static let diabetes = sharedData.appendingPathComponent("diabetes/diabetes.csv").path

    static var hasTitanic: Bool {
        FileManager.default.fileExists(atPath: titanicTrain) && FileManager.default.fileExists(atPath: titanicTest)
    }
    static var hasDiabetes: Bool { FileManager.default.fileExists(atPath: diabetes) }

    /// Every entry of a folder, hidden ones included, sorted.
    static func entries(of folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    // MARK: - A small synthetic tabular learner

    /// A 60-row table with two categorical columns, one continuous column with missing values
    /// (so a `size_na` indicator is fitted) and a two-class target.
    static let smallCSV: String = {
        let colors = ["red", "green", "blue"], shapes = ["round", "square"]
        var lines = ["color,shape,size,label"]
        for i in 0..<60 {
            let size = i % 7 == 3 ? "" : String(Double((i * 37) % 50) / 10)
            let label = (i % 3 == 0) != (i % 2 == 0) ? "yes" : "no"
            lines.append("\(colors[i % 3]),\(shapes[(i / 3) % 2]),\(size),\(label)")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    /// The small table as loaders.
    static func smallData(seed: UInt64 = 42) throws -> DataLoaders {
        let table = try CSVReader().parse(smallCSV, source: "small.csv")
        return try TabularData.fromTable(table, target: "label", seed: seed, categoricalColumns: ["color", "shape"],
                                         continuousColumns: ["size"])
    }

    /// A small tabular learner trained for one epoch (hidden layers `layers`).
    static func smallLearner(layers: [Int] = [8], seed: UInt64 = 7) throws -> Learner {
        let learner = tabularLearner(data: try smallData(), layers: layers, seed: seed)
        learner.progress = ProgressDisplay(style: .silent)
        learner.fitOneCycle(epochs: 1, maxLR: 1e-2)
        return learner
    }

    /// The bytes of an exported small learner (made once). The history's epoch times are set
    /// to 0 so that the bytes are the same on every run (the fuzz test mutates them).
    static let smallFile: Result<[UInt8], any Error> = Result {
        let folder = try temporaryFolder("small")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("small.slope").path
        try smallLearner().export(to: path)
        let contents = try SafeTensors.read(from: path)
        guard let text = contents.metadata["slope"], var pairs = try JSONParser.parse(Array(text.utf8)).objectValue,
              let historyIndex = pairs.firstIndex(where: { pair in pair.0 == "history" }),
              let history = pairs[historyIndex].1.arrayValue else {
            throw FixtureError(message: "the exported manifest has no history")
        }
        pairs[historyIndex].1 = .array(history.map { row in
            .object((row.objectValue ?? []).map { pair in pair.0 == "seconds" ? (pair.0, JSON.int(0)) : pair })
        })
        return ModelFileChecksum.encodeModelFile(contents.tensors, manifest: JSON.object(pairs))
    }

    /// The small exported file's tensors and manifest text.
    static func smallContents() throws -> (tensors: [(key: String, tensor: Tensor)], manifest: String) {
        let contents = try SafeTensors.decode(try smallFile.get(), file: "small.slope")
        return (contents.tensors, try #require(contents.metadata["slope"]))
    }

    /// A model file with the small learner's tensors and `manifest` as its manifest: with fresh
    /// checksums when the manifest is a JSON object (so that the test reaches the check it is
    /// about), as it is otherwise.
    static func fileBytes(manifest: String, tensors: [(key: String, tensor: Tensor)]? = nil) throws -> [UInt8] {
        let tensors = try tensors ?? smallContents().tensors
        if let parsed = try? JSONParser.parse(Array(manifest.utf8)), parsed.objectValue != nil {
            return ModelFileChecksum.encodeModelFile(tensors, manifest: parsed)
        }
        return SafeTensors.encode(tensors, metadata: ["format": "slope", "slope": manifest])
    }

    /// The small learner's manifest, changed by `edit` (on the parsed JSON's pairs).
    static func editedManifest(_ edit: (inout [(String, JSON)]) throws -> Void) throws -> String {
        var pairs = try #require(try JSONParser.parse(Array(smallContents().manifest.utf8)).objectValue)
        try edit(&pairs)
        return JSON.object(pairs).description
    }

    // MARK: - Hand-made safetensors bytes

    /// An 8-byte little-endian length, `header`, then `data`.
    static func safetensors(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> [UInt8] {
        let headerBytes = Array(header.utf8)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: (declaredLength ?? UInt64(headerBytes.count)).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + headerBytes + data
    }

    /// Little-endian bytes of Float32 values.
    static func floatBytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
    }

    /// Writes bytes to `folder/name` and returns the path.
    @discardableResult
    static func write(_ bytes: [UInt8], to folder: URL, name: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// The index of the first element matching `predicate`, or a thrown error. (Used instead of
    /// `#require(x.firstIndex { $0 ... })`: with Swift 6.3, that expansion inside a closure with an
    /// `inout` parameter made later closures in the same body return wrong results.)
    static func firstIndex<T>(_ items: [T], where predicate: (T) -> Bool) throws -> Int {
        for (index, item) in items.enumerated() where predicate(item) { return index }
        throw FixtureError(message: "no matching element among \(items.count)")
    }

    struct FixtureError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// Values of tensors as bit patterns, for exact comparison.
    static func bits(_ state: [(key: String, tensor: Tensor)]) -> [String: [UInt32]] {
        Dictionary(uniqueKeysWithValues: state.map { ($0.key, $0.tensor.scalars.map(\.bitPattern)) })
    }
}

// MARK: - Running processes

/// What a child process did.
struct ModelFileProcessRun: CustomStringConvertible {
    let status: Int32
    /// `true` when the process exited (rather than being ended by a signal).
    let exited: Bool
    let stdout: String
    let stderr: String
    let timedOut: Bool

    /// Standard error without surrounding line breaks, as lines.
    var stderrLines: [Substring] {
        stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The status and the first line of standard error, for failure messages.
    var brief: String {
        "status \(status) (\(exited ? "exit" : "signal"))\(timedOut ? ", timed out" : ""): "
            + (stderr.split(separator: "\n").first.map(String.init) ?? "")
    }

    /// Exited with status 0.
    var succeeded: Bool { exited && status == 0 && !timedOut }
    /// Exited (not crashed) with a non-zero status.
    var failedCleanly: Bool { exited && status != 0 && !timedOut }

    var description: String { brief }

    /// A summary for failure messages.
    var summary: String {
        "status \(status) (\(exited ? "exit" : "signal"))\(timedOut ? ", timed out" : "")\nstderr:\n\(stderr.prefix(1500))"
    }
}

enum ModelFileProcess {
    /// The `slope` executable of this build: next to the test runner, else `.build/debug/slope`.
    static let slopeExecutable: URL? = {
        var candidates: [URL] = []
        #if os(Linux)
        candidates.append(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("slope"))
        #endif
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("slope"))
        }
        if let argument = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: argument).resolvingSymlinksInPath().deletingLastPathComponent()
                .appendingPathComponent("slope"))
        }
        candidates.append(ModelFileFixtures.packageRoot.appendingPathComponent(".build/debug/slope"))
        return candidates.first { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
                && FileManager.default.isExecutableFile(atPath: url.path)
        }
    }()

    /// Runs `executable arguments` with no input; output goes through temporary files (no pipe
    /// can fill up); a run past `timeout` seconds is killed.
    static func run(_ executable: URL, _ arguments: [String], timeout: TimeInterval = 120) throws -> ModelFileProcessRun {
        let folder = try temporaryFolder("process")
        defer { try? FileManager.default.removeItem(at: folder) }
        let outURL = folder.appendingPathComponent("stdout"), errURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        var timedOut = false
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            process.terminate()
            exited.wait()
        }
        try out.close()
        try err.close()
        return ModelFileProcessRun(
            status: process.terminationStatus, exited: process.terminationReason == .exit,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self), timedOut: timedOut)
    }

    /// Runs `slope arguments`.
    static func slope(_ arguments: [String], timeout: TimeInterval = 120) throws -> ModelFileProcessRun {
        let executable = try #require(slopeExecutable, "the slope executable was not found; run `swift build --build-tests`")
        return try run(executable, arguments, timeout: timeout)
    }

    /// The first `python3` on the PATH (or in the usual places).
    static let python: URL? = {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/bin", "/usr/local/bin"]
        return folders.map { URL(fileURLWithPath: $0).appendingPathComponent("python3") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Whether `python3` can import safetensors and numpy.
    static let pythonHasSafetensors: Bool = {
        guard let python else { return false }
        let run = try? ModelFileProcess.run(python, ["-c", "import safetensors, numpy"], timeout: 60)
        return run.map { $0.exited && $0.status == 0 } ?? false
    }()
}
