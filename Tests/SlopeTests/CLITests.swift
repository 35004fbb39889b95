import Dispatch
import Foundation
import Testing
import Slope

// Runs the built `slope` executable as a separate process (no stdin, stdout and stderr as
// pipes) and checks its output, exit status and files. `swift build --build-tests` builds the
// executable product next to the test runner.

// MARK: - Locating and running `slope`

private let cliPackageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private let cliDataFolder = cliPackageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")

private let cliTitanic: String? = {
    let path = cliDataFolder.appendingPathComponent("titanic/train.csv").path
    return FileManager.default.fileExists(atPath: path) ? path : nil
}()

private let cliDiabetes = cliDataFolder.appendingPathComponent("diabetes/diabetes.csv").path

/// The `slope` executable of this build: next to the test runner (the products directory),
/// else the package's default `.build/debug/slope`.
private let slopeExecutable: URL? = {
    var candidates: [URL] = []
    #if os(Linux)
    // The test runner is itself an executable in the products directory.
    let runner = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    candidates.append(runner.deletingLastPathComponent().appendingPathComponent("slope"))
    #endif
    // macOS: the products directory holds the `.xctest` bundle.
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("slope"))
    }
    candidates.append(Bundle.main.bundleURL.appendingPathComponent("slope"))
    candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("slope"))
    if let argument = CommandLine.arguments.first {
        candidates.append(URL(fileURLWithPath: argument).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("slope"))
    }
    candidates.append(cliPackageRoot.appendingPathComponent(".build/debug/slope"))
    return candidates.first { path in
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: path.path)
    }
}()

/// What one run of `slope` did.
private struct SlopeRun {
    let status: Int32
    let stdout: String
    let stderr: String
    let timedOut: Bool

    /// Standard error without the trailing line break, as lines.
    var stderrLines: [Substring] { stderr.trimmingCharacters(in: .newlines).split(separator: "\n", omittingEmptySubsequences: false) }

    /// Standard output parsed as one JSON object.
    func json() throws -> [String: Any] {
        let text = stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!text.contains("\n"), "expected one line of JSON, got:\n\(stdout)")
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(value as? [String: Any], "not a JSON object: \(text)")
    }
}

/// Collects the bytes read from a pipe on another thread.
private final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        DispatchQueue.global().async {
            let bytes = handle.readDataToEndOfFile()
            self.data = bytes
            self.done.signal()
        }
    }

    var text: String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Runs `slope arguments` with no standard input, waiting at most `timeout` seconds.
private func slope(_ arguments: [String], in directory: URL? = nil, timeout: TimeInterval = 300,
                   environment: [String: String] = [:]) throws -> SlopeRun {
    let executable = try #require(slopeExecutable, "the slope executable was not found; run `swift build --build-tests`")
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    process.standardInput = FileHandle.nullDevice
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    if let directory { process.currentDirectoryURL = directory }
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    let stdout = PipeReader(out.fileHandleForReading)
    let stderr = PipeReader(err.fileHandleForReading)
    var timedOut = false
    if exited.wait(timeout: .now() + timeout) == .timedOut {
        timedOut = true
        process.terminate()
        exited.wait()
    }
    let run = SlopeRun(status: process.terminationStatus, stdout: stdout.text, stderr: stderr.text, timedOut: timedOut)
    #expect(!run.timedOut, "slope \(arguments.joined(separator: " ")) ran past \(Int(timeout)) s")
    return run
}


private func number(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }

/// Checks a failed run: non-zero exit and exactly one line on standard error.
private func expectOneLineError(_ run: SlopeRun, _ arguments: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(run.status != 0, "slope \(arguments) should fail", sourceLocation: sourceLocation)
    #expect(run.stderrLines.count == 1, "slope \(arguments): expected one line on stderr, got:\n\(run.stderr)",
            sourceLocation: sourceLocation)
    #expect(!run.stderr.isEmpty, sourceLocation: sourceLocation)
}

private let cliReady = slopeExecutable != nil

// MARK: - The executable

@Suite struct CLIExecutableTests {
    /// The other CLI suites are skipped without the executable; this one says so as a failure.
    @Test func slopeExecutableIsBuiltNextToTheTests() throws {
        let executable = try #require(slopeExecutable, "no slope executable; `swift build --build-tests` builds it")
        #expect(executable.lastPathComponent == "slope")
        let run = try slope(["--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("USAGE") || run.stdout.contains("Usage"))
    }
}

// MARK: - slope fit

@Suite(.enabled(if: cliReady, "the slope executable was not found")) struct CLIFitTests {
    @Test func fitQuadraticJSON() throws {
        let run = try slope(["fit", "quadratic", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(run.stderr.isEmpty)
        let json = try run.json()
        let params = try #require(json["params"] as? [String: Any])
        #expect(abs(try #require(number(params["a"])) - 0.5735) < 1e-3)
        #expect(abs(try #require(number(params["b"])) - 1.1403) < 1e-3)
        #expect(abs(try #require(number(params["c"])) - 2.7604) < 1e-3)
        #expect(abs(try #require(number(json["loss"])) - 1.69237) < 1e-4)
        #expect(number(json["steps"]) == 10_000)
        #expect(json["outcome"] as? String == "reachedStepLimit")
        #expect(number(json["seconds"]) != nil)
    }

    @Test func fitQuadraticText() throws {
        let run = try slope(["fit", "quadratic"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("found  a=0.57"))
        #expect(run.stdout.contains("true   a=1.0000  b=2.0000  c=3.0000"))
        #expect(!run.stdout.contains("\u{1B}") && !run.stdout.contains("\r"))
    }

    @Test func fitReLUsJSON() throws {
        let run = try slope(["fit", "relus", "--count", "4", "--target", "abs", "--json", "--steps", "500"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let json = try run.json()
        #expect(number(json["count"]) == 4)
        #expect(number(json["steps"]) == 500)
        let params = try #require(json["params"] as? [String: Any])
        for key in ["slopes", "intercepts", "weights"] {
            #expect((params[key] as? [Any])?.count == 4, "\(key)")
        }
        #expect(number(params["bias"]) != nil)
        let loss = try #require(number(json["loss"]))
        #expect(loss.isFinite && loss >= 0 && loss < 0.1, "4 ReLUs fit |x| well, loss \(loss)")
    }

    @Test func plotWritesAnSVG() throws {
        let folder = try temporaryFolder("cli")
        let quadratic = folder.appendingPathComponent("fit.svg")
        let run = try slope(["fit", "quadratic", "--steps", "200", "--plot", quadratic.path])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let svg = try String(contentsOf: quadratic, encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("</svg>"))
        // The title gives the parameters and the loss; the true function is dashed; a desc says what it shows.
        #expect(svg.contains("<title>c*x^2 + b*x + a fitted: a="), "\(svg.prefix(400))")
        #expect(svg.contains(" mse ") && svg.contains("true 3x^2 + 2x + 1") && svg.contains("stroke-dasharray=\"7 5\""))
        #expect(svg.contains("<desc>20 points and fit, true 3x^2 + 2x + 1 over x from -2 to 2.</desc>"))

        let relus = folder.appendingPathComponent("relus.svg")
        let second = try slope(["fit", "relus", "--count", "3", "--steps", "50", "--json", "--plot", relus.path])
        #expect(second.status == 0, "stderr: \(second.stderr)")
        #expect(try String(contentsOf: relus, encoding: .utf8).contains("</svg>"))
    }

    @Test func fitOnACSVFile() throws {
        let folder = try temporaryFolder("cli")
        let file = folder.appendingPathComponent("points.csv")
        // y = 2x^2 + 1 exactly.
        try Data("x,y\n-1,3\n0,1\n1,3\n2,9\n".utf8).write(to: file)
        let run = try slope(["fit", "quadratic", "--data", file.path, "--steps", "20000", "--lr", "0.02", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let params = try #require(try run.json()["params"] as? [String: Any])
        #expect(abs(try #require(number(params["a"])) - 1) < 0.05)
        #expect(abs(try #require(number(params["b"]))) < 0.05)
        #expect(abs(try #require(number(params["c"])) - 2) < 0.05)
    }

    @Test(arguments: [
        (["fit", "quadratic", "--lr", "0"], "--lr"),
        (["fit", "quadratic", "--lr", "nan"], "--lr"),
        (["fit", "quadratic", "--lr=-1"], "--lr"),  // `--lr -1` reads -1 as an option (ArgumentParser)
        (["fit", "quadratic", "--steps=-1"], "--steps"),
        (["fit", "quadratic", "--data", "missing.csv"], "missing.csv"),
        (["fit", "quadratic", "--init", "1,2"], "--init"),
        (["fit", "relus", "--count", "0"], "--count"),
        (["fit", "relus", "--target", "cosine"], "--target"),
        (["fit", "relus", "--momentum", "1"], "--momentum"),
    ])
    func badFlagsFailWithOneLine(arguments: [String], mentions: String) throws {
        let run = try slope(arguments)
        expectOneLineError(run, arguments.joined(separator: " "))
        #expect(run.stderr.contains(mentions), "stderr: \(run.stderr)")
    }

    @Test func malformedCSVNamesFileLineAndColumn() throws {
        let folder = try temporaryFolder("cli")
        let file = folder.appendingPathComponent("bad.csv")
        try Data("x,y\n1,2\n2,abc\n3,4\n".utf8).write(to: file)
        let run = try slope(["fit", "quadratic", "--data", file.path])
        expectOneLineError(run, "fit quadratic --data bad.csv")
        #expect(run.stderr.contains("bad.csv"))
        #expect(run.stderr.contains("line 3"))
        #expect(run.stderr.contains("`y`"))
        #expect(run.stderr.contains("abc"))
    }

    @Test func raggedCSVNamesFileAndLine() throws {
        let folder = try temporaryFolder("cli")
        let file = folder.appendingPathComponent("ragged.csv")
        try Data("x,y\n1,2\n2\n".utf8).write(to: file)
        let run = try slope(["fit", "relus", "--target", file.path])
        expectOneLineError(run, "fit relus --target ragged.csv")
        #expect(run.stderr.contains("ragged.csv") && run.stderr.contains("line 3"))
    }

    @Test func divergentFitFailsAndSuggestsASmallerLearningRate() throws {
        for extra in [[], ["--json"]] {
            let run = try slope(["fit", "quadratic", "--lr", "5"] + extra)
            expectOneLineError(run, "fit quadratic --lr 5 \(extra.joined())")
            #expect(run.stderr.contains("smaller --lr"), "stderr: \(run.stderr)")
            #expect(!run.stdout.contains("{"), "no JSON result for a failed fit")
        }
    }

    @Test func unknownOptionFails() throws {
        let run = try slope(["fit", "quadratic", "--no-such-option"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("no-such-option"))
    }
}

// MARK: - slope info, bench and the tour

@Suite(.enabled(if: cliReady, "the slope executable was not found")) struct CLIInfoTests {
    @Test func infoJSON() throws {
        let run = try slope(["info", "--json"])
        #expect(run.status == 0)
        let json = try run.json()
        #expect((json["version"] as? String)?.isEmpty == false)
        #expect(json["matmul"] is String && json["blas"] is String && json["builtIn"] is String)
        #expect((number(json["threads"]) ?? 0) >= 1)
        #if os(Linux)
        #expect(json["keepsFreedMemory"] as? Bool == true, "glibc: Slope keeps freed buffers for reuse by default")
        #endif
        let defaults = try slope(["info", "--json"], environment: ["SLOPE_MALLOC_DEFAULTS": "1"])
        #expect(try defaults.json()["keepsFreedMemory"] as? Bool == false)
    }

    @Test func infoText() throws {
        let run = try slope(["info"])
        #expect(run.status == 0)
        #expect(run.stdout.hasPrefix("Slope "))
        #expect(run.stdout.contains("matmul backend:"))
    }

    @Test func tourRunsAndPrintsTheFoundParameters() throws {
        let run = try slope([], timeout: 120, environment: ["COLUMNS": "60"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let wide = run.stdout.split(separator: "\n").filter { $0.count > 60 }
        #expect(wide.isEmpty, "the tour wraps at COLUMNS=60: \(wide)")
        #expect(!run.stdout.split(separator: "\n").contains { $0.hasSuffix(" ") }, "no trailing spaces")
        let line = try #require(run.stdout.split(separator: "\n").first { $0.contains("found a=") }, "no `found a=` line")
        // "   found a=0.5735 b=1.1403 c=2.7604   true a=1 b=2 c=3"
        var found: [String: Double] = [:]
        for word in line.split(separator: " ").prefix(4) where word.contains("=") {
            let parts = word.split(separator: "=")
            found[String(parts[0])] = Double(parts[1])
        }
        #expect(abs((found["a"] ?? .nan) - 0.5735) < 1e-3, "\(line)")
        #expect(abs((found["b"] ?? .nan) - 1.1403) < 1e-3, "\(line)")
        #expect(abs((found["c"] ?? .nan) - 2.7604) < 1e-3, "\(line)")
        #expect(run.stdout.contains("ReLU"))
    }

    @Test func benchT1PrintsItsJSONLine() throws {
        let run = try slope(["bench", "t1"], timeout: 240)
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let json = try run.json()
        #expect(json["bench"] as? String == "t1_quadratic")
        #expect(number(json["us_per_step"]) != nil)
        #expect(number(json["steps"]) == 10_000)
        #expect(abs((number(json["final_mse"]) ?? .nan) - 1.69237) < 1e-3)
    }

    @Test func benchUnknownTaskFails() throws {
        let run = try slope(["bench", "t99"])
        expectOneLineError(run, "bench t99")
        #expect(run.stderr.contains("t99"))
    }
}

// MARK: - slope train

@Suite(.enabled(if: cliReady && cliTitanic != nil, "the slope executable or the shared data was not found"))
struct CLITrainTests {
    @Test func trainJSON() throws {
        let run = try slope(["train", cliTitanic!, "--target", "Survived", "--epochs", "2", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let json = try run.json()
        #expect(json["task"] as? String == "classification")
        let metrics = try #require(json["metrics"] as? [String: Any])
        let accuracy = try #require(number(metrics["accuracy"]))
        #expect(accuracy > 0.5 && accuracy <= 1)
        let validLoss = try #require(number(metrics["valid_loss"]))
        #expect(validLoss.isFinite && validLoss > 0)
        #expect(number(json["epochs"]) == 2)
        #expect((number(json["seconds"]) ?? -1) >= 0)
        #expect(number(json["lr"]) != nil)
    }

    @Test func plainTrainOutputHasTheTableAndNoControlCharacters() throws {
        // Standard output is a pipe, so the progress display is plain.
        let run = try slope(["train", cliTitanic!, "--target", "Survived", "--epochs", "2"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        #expect(!run.stdout.contains("\u{1B}"), "escape characters in plain output")
        #expect(!run.stdout.contains("\r"), "carriage returns in plain output")
        #expect(!run.stderr.contains("\u{1B}") && !run.stderr.contains("\r"))
        let controls = run.stdout.unicodeScalars.filter { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }
        #expect(controls.isEmpty, "control characters: \(controls.map(\.value))")

        let lines = run.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        let header = try #require(lines.firstIndex { $0 == ["epoch", "train_loss", "valid_loss", "accuracy", "time"] },
                                  "no header row in:\n\(run.stdout)")
        let rows = lines[(header + 1)...].filter { !$0.isEmpty }
        #expect(rows.count == 2)
        for (index, row) in rows.enumerated() {
            #expect(row.count == 5)
            #expect(row.first == String(index))
            #expect(row.dropFirst().prefix(3).allSatisfy { Double($0) != nil })
            #expect(row.last?.contains(":") == true, "time as mm:ss")
        }
        #expect(run.stdout.contains("713 training") && run.stdout.contains("178 validation"), "the split summary")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: cliDiabetes), "shared data not found"))
    func trainRegressionJSON() throws {
        let diabetes = cliDiabetes
        let run = try slope(["train", diabetes, "--target", "target", "--epochs", "1", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let json = try run.json()
        #expect(json["task"] as? String == "regression")
        let metrics = try #require(json["metrics"] as? [String: Any])
        #expect(number(metrics["rmse"]) != nil && number(metrics["r2"]) != nil && number(metrics["valid_loss"]) != nil)
        #expect((number(metrics["rmse"]) ?? 0) > 1, "rmse in the target's units (tens), not standardised")
    }

    @Test func trainWritesTheLossPlot() throws {
        let plot = try temporaryFolder("cli").appendingPathComponent("loss.svg")
        let run = try slope(["train", cliTitanic!, "--target", "Survived", "--epochs", "1", "--json", "--plot-loss", plot.path])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let svg = try String(contentsOf: plot, encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("</svg>"))
    }

    @Test func divergentTrainingFailsAndSuggestsASmallerLearningRate() throws {
        let run = try slope(["train", cliTitanic!, "--target", "Survived", "--epochs", "2", "--lr", "1e6", "--json"])
        expectOneLineError(run, "train --lr 1e6")
        #expect(run.stderr.contains("smaller learning rate"), "stderr: \(run.stderr)")
        #expect(!run.stdout.contains("{"), "no JSON result for a failed fit")
    }

    @Test func lrFindPrintsTheCurveAndItsSuggestion() throws {
        let plot = try temporaryFolder("cli").appendingPathComponent("lr.svg")
        let run = try slope(["lr-find", cliTitanic!, "--target", "Survived", "--json", "--plot", plot.path])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let object = try run.json()
        let rates = try #require(object["learningRates"] as? [Any]).compactMap(number)
        let suggestion = try #require(number(object["suggestion"]))
        #expect(rates.count >= 10 && zip(rates, rates.dropFirst()).allSatisfy { $0 < $1 }, "the rates rise")
        #expect(suggestion >= rates.first! && suggestion <= rates.last!)
        #expect(try String(contentsOf: plot, encoding: .utf8).contains("learning rate"))
    }

    @Test func trainWithAutoLearningRate() throws {
        let run = try slope(["train", cliTitanic!, "--target", "Survived", "--epochs", "1", "--lr", "auto", "--json"])
        #expect(run.status == 0, "stderr: \(run.stderr)")
        let lr = try #require(number(try run.json()["lr"]))
        #expect(lr > 0 && lr < 10)
    }

    @Test func trainWithAMissingTargetColumnFailsWithOneLine() throws {
        let run = try slope(["train", cliTitanic!, "--target", "Survivd"])
        expectOneLineError(run, "train --target Survivd")
        #expect(run.stderr.contains("train.csv") && run.stderr.contains("`Survivd`"))
    }

    @Test func trainWithTextInAContinuousColumnNamesFileLineAndColumn() throws {
        let folder = try temporaryFolder("cli")
        let file = folder.appendingPathComponent("table.csv")
        var text = "x,y\n"
        for i in 0..<20 { text += (i == 6 ? "n/a" : "\(Double(i) + 0.5)") + ",\(i % 2)\n" }
        try Data(text.utf8).write(to: file)
        let run = try slope(["train", file.path, "--target", "y", "--cont", "x", "--epochs", "1"])
        expectOneLineError(run, "train table.csv --cont x")
        #expect(run.stderr.contains("table.csv") && run.stderr.contains("line 8") && run.stderr.contains("`x`"),
                "stderr: \(run.stderr)")
    }

    @Test(arguments: [
        (["--epochs", "0"], "--epochs"),
        (["--lr", "0"], "--lr"),
        (["--lr", "fast"], "--lr"),
        (["--layers", "200,0"], "--layers"),
        (["--valid-pct", "1"], "--valid-pct"),
        (["--dropout", "1"], "--dropout"),
        (["--task", "ranking"], "--task"),
    ])
    func badTrainFlagsFailWithOneLine(extra: [String], mentions: String) throws {
        let run = try slope(["train", cliTitanic!, "--target", "Survived"] + extra)
        expectOneLineError(run, "train " + extra.joined(separator: " "))
        #expect(run.stderr.contains(mentions), "stderr: \(run.stderr)")
    }

    @Test func trainWithoutTargetFails() throws {
        let run = try slope(["train", cliTitanic!])
        expectOneLineError(run, "train without --target")
        #expect(run.stderr.contains("--target"))
    }
}

// MARK: - Image models end to end

@Suite(.enabled(if: cliReady, "the slope executable was not found"))
struct CLIImageTests {
    /// A folder with a `dark` and a `light` class of small noisy gray PNG files.
    private func imageFolder() throws -> URL {
        let root = try temporaryFolder("cli").appendingPathComponent("shades")
        var generator = SeededGenerator(seed: 7)
        for (name, base) in [("dark", 40), ("light", 210)] {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for index in 0..<10 {
                let pixels = (0..<(16 * 16)).map { _ in UInt8(base + Int(generator.next() % 40)) }
                try ImageFile.writePNG(DecodedImage(width: 16, height: 16, channels: 1, pixels: pixels),
                                       path: folder.appendingPathComponent("\(index).png").path)
            }
        }
        return root
    }

    @Test func trainExportPredictAndInspectAnImageModel() throws {
        let root = try imageFolder()
        let model = root.deletingLastPathComponent().appendingPathComponent("shades.slope").path
        let train = try slope(["train", root.path, "--images", "--size", "16", "--channels", "1", "--epochs", "10",
                               "--batch-size", "4", "--export", model, "--json"])
        #expect(train.status == 0, "stderr: \(train.stderr)")
        #expect(try train.json()["task"] as? String == "classification")

        let folder = try slope(["predict", model, root.appendingPathComponent("light").path, "--json"])
        #expect(folder.status == 0, "stderr: \(folder.stderr)")
        let lines = folder.stdout.split(separator: "\n")
        #expect(lines.count == 10)
        let light = lines.filter { $0.contains("\"prediction\":\"light\"") }.count
        #expect(light >= 8, "predictions for the light images: \(folder.stdout)")

        let one = try slope(["predict", model, root.appendingPathComponent("dark/0.png").path])
        #expect(one.status == 0, "stderr: \(one.stderr)")
        #expect(one.stdout.hasPrefix("file,prediction,probability_dark,probability_light\n"), "\(one.stdout)")

        let inspect = try slope(["inspect", model])
        #expect(inspect.status == 0 && inspect.stdout.contains("Conv2d") && inspect.stdout.contains("images 1x16x16"), "\(inspect.stdout)")
        let submodule = try slope(["inspect", model, "--submodule", "0.0"])
        #expect(submodule.status == 0 && submodule.stdout.contains("Conv2d"), "\(submodule.stdout)")
    }

    @Test func aCorruptImageIsNamedInOneLine() throws {
        let root = try imageFolder()
        try Data("not a png".utf8).write(to: root.appendingPathComponent("dark/broken.png"))
        let run = try slope(["train", root.path, "--images", "--size", "16", "--epochs", "1"])
        expectOneLineError(run, "train on a folder with a corrupt image")
        #expect(run.stderr.contains("broken.png"), "stderr: \(run.stderr)")
    }
}
