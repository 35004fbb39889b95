import Foundation
import Testing

// One hostile run of `slope` and what a correct program does with it, judged the same way for
// every class: no signal, no timeout, no memory blow-up; a refusal is a non-zero exit with exactly
// one line on standard error that names the input, and writes nothing; a success gives a right
// answer (the case's own check).

/// What a correct `slope` does with a case.
enum Expectation: Sendable {
    /// Exit non-zero with one line on standard error containing every string (the input's name,
    /// the flag, the limit...).
    case refuse(mentioning: [String])
    /// Exit 0, and `check` finds nothing wrong (it returns a description of what is wrong).
    case succeed(check: @Sendable (ChildRun) -> String?)
    /// Either a refusal as above or a success that passes `check` (for random mutations).
    case refuseOrSucceed(mentioning: [String], check: @Sendable (ChildRun) -> String?)
}

/// How a run went, for the counts.
enum Verdict: String, CaseIterable, Sendable {
    case passed, crashed, hung, blewUp = "blew up", wrong, unclear, leftFiles = "left files"
}

/// One hostile input.
struct AdversarialCase: Sendable, CustomStringConvertible {
    /// A short name for reports.
    let name: String
    /// The arguments after `slope`.
    let arguments: [String]
    let expectation: Expectation
    var limits = ChildLimits.standard
    /// Folders that must not change when the run is refused (nothing written on failure).
    var untouched: [String] = []
    /// Peak resident memory above this counts as a blow-up.
    var memoryBudget = 1 << 30
    var environment: [String: String] = [:]

    var description: String { name }

    /// Runs the case and judges it: the verdict and, when not passed, why.
    func judge() -> (verdict: Verdict, detail: String) {
        let before = untouched.map(listing)
        let run = runSlope(arguments, limits: limits, environment: environment)
        let shown = "slope \(arguments.map(Self.quoteIfNeeded).joined(separator: " "))"
        let tail = "\n  exit \(run.status.map(String.init) ?? "-") signal \(run.signal.map(String.init) ?? "-") "
            + "\(String(format: "%.1f", run.seconds)) s peak \(run.peakBytes >> 20) MiB\n  stderr: \(run.stderr.prefix(600))"
            + "\n  stdout: \(run.stdout.prefix(300))"
        if run.timedOut { return (.hung, "\(shown): still running after \(Int(limits.timeout)) s" + tail) }
        if run.signal != nil {
            return (run.ranOutOfMemory ? .blewUp : .crashed, "\(shown): killed by signal \(run.signal!)" + tail)
        }
        if run.ranOutOfMemory || run.peakBytes > memoryBudget {
            return (.blewUp, "\(shown): peak memory \(run.peakBytes >> 20) MiB (budget \(memoryBudget >> 20) MiB)" + tail)
        }
        let after = untouched.map(listing)
        switch expectation {
        case .refuse(let words):
            if run.status == 0 { return (.wrong, "\(shown): exit 0, expected a refusal" + tail) }
            if let problem = Self.refusalProblem(run, words) { return (.unclear, "\(shown): \(problem)" + tail) }
            if before != after { return (.leftFiles, "\(shown): refused but changed \(zip(before, after).filter { $0 != $1 })" + tail) }
        case .succeed(let check):
            if run.status != 0 { return (.wrong, "\(shown): exit \(run.status!), expected success" + tail) }
            if let problem = check(run) { return (.wrong, "\(shown): \(problem)" + tail) }
        case .refuseOrSucceed(let words, let check):
            if run.status == 0 {
                if let problem = check(run) { return (.wrong, "\(shown): exit 0 but \(problem)" + tail) }
            } else {
                if let problem = Self.refusalProblem(run, words) { return (.unclear, "\(shown): \(problem)" + tail) }
                if before != after { return (.leftFiles, "\(shown): refused but changed files" + tail) }
            }
        }
        return (.passed, "")
    }

    /// What is wrong with a refusal's message, or nil.
    static func refusalProblem(_ run: ChildRun, _ words: [String]) -> String? {
        let lines = run.stderrLines
        if run.stderr.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "refused with nothing on stderr" }
        if lines.count != 1 { return "expected one line on stderr, got \(lines.count)" }
        if lines[0].count > 2_000 { return "the error line is \(lines[0].count) characters long" }
        for word in words where !lines[0].contains(word) { return "the error does not mention `\(word)`" }
        return nil
    }

    /// The names and sizes of everything under `folder`, sorted (hidden files included).
    private func listing(_ folder: String) -> [String] {
        let items = FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []
        return items.sorted().map { item in
            let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/" + item)
            return "\(item):\((attributes?[.size] as? Int) ?? -1)"
        }
    }

    private static func quoteIfNeeded(_ text: String) -> String {
        text.contains(" ") || text.isEmpty ? "'\(text)'" : text
    }
}

/// The counts of one class of cases.
struct Tally: CustomStringConvertible {
    var counts: [Verdict: Int] = [:]
    var total = 0

    var description: String {
        "\(total) cases: " + Verdict.allCases.map { "\(counts[$0, default: 0]) \($0.rawValue)" }.joined(separator: ", ")
    }
}

/// Runs `cases` a few at a time, records an issue for each that does not pass, and prints the
/// class's counts (`adversarial <class>: N cases: ...`), which the hardening report quotes.
func runClass(_ name: String, _ cases: [AdversarialCase]) {
    let results = ResultSlots(count: cases.count)
    let workers = min(3, max(1, ProcessInfo.processInfo.activeProcessorCount))
    let next = Counter()
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while let index = next.take(below: cases.count) {
            results.set(index, cases[index].judge())
        }
    }
    var tally = Tally()
    for (index, result) in results.values.enumerated() {
        tally.total += 1
        tally.counts[result.verdict, default: 0] += 1
        if result.verdict != .passed {
            Issue.record("[\(name)] \(cases[index].name): \(result.verdict.rawValue): \(result.detail)")
        }
    }
    let line = "adversarial \(name): \(tally)\n"
    FileHandle.standardError.write(Data(line.utf8))
    if let log = ProcessInfo.processInfo.environment["SLOPE_ADVERSARIAL_LOG"] {
        appendLine(line, to: log)
        for (index, result) in results.values.enumerated() where result.verdict != .passed {
            appendLine("  \(result.verdict.rawValue): \(cases[index].name)\n", to: log)
        }
    }
}

private func appendLine(_ line: String, to path: String) {
    if let handle = FileHandle(forWritingAtPath: path) {
        handle.seekToEndOfFile()
        handle.write(Data(line.utf8))
        handle.closeFile()
    } else {
        FileManager.default.createFile(atPath: path, contents: Data(line.utf8))
    }
}

private final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [(verdict: Verdict, detail: String)]
    init(count: Int) { slots = Array(repeating: (.passed, ""), count: count) }
    func set(_ index: Int, _ value: (verdict: Verdict, detail: String)) { lock.lock(); slots[index] = value; lock.unlock() }
    var values: [(verdict: Verdict, detail: String)] { lock.lock(); defer { lock.unlock() }; return slots }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(below limit: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}
