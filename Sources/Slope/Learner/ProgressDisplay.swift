import Foundation

/// Shows training progress: on a terminal, a live bar with batches done, the loss and the time
/// left, rewritten in place, plus one table row per epoch; elsewhere (CI logs, pipes) the
/// table rows alone, with no control codes. `silent` prints nothing (for `--json`).
///
/// ```swift
/// learner.progress = ProgressDisplay(style: .plain)
/// ```
public struct ProgressDisplay: Sendable {
    /// How progress is written.
    public enum Style: Sendable {
        /// Live bar and table (needs a terminal).
        case live
        /// Table rows only.
        case plain
        /// Nothing.
        case silent
    }

    /// The style in use.
    public var style: Style
    /// When the live bar was last drawn (it is redrawn at most ten times a second).
    private var lastDraw = Date.distantPast

    /// Makes a display; by default live when standard output is a terminal, plain otherwise.
    ///
    /// - Parameter style: `.live`, `.plain` or `.silent`; `nil` picks live on a terminal, plain
    ///   otherwise.
    public init(style: Style? = nil) {
        self.style = style ?? (isatty(STDOUT_FILENO) != 0 ? .live : .plain)
    }

    func header(_ columns: [String]) {
        guard style != .silent else { return }
        print(columns.map { $0.padding(toLength: Swift.max($0.count, 10), withPad: " ", startingAt: 0) }.joined(separator: "  "))
        fflush(nil)
    }

    func row(_ record: EpochRecord) {
        guard style != .silent else { return }
        if style == .live { print("\r\u{1B}[2K", terminator: "") }
        var cells = [String(record.epoch), String(format: "%.6f", record.trainLoss), String(format: "%.6f", record.validLoss)]
        cells += record.metrics.map { String(format: "%.6f", $0.value) }
        cells.append(ProgressDisplay.clock(record.seconds))
        let names = ["epoch", "train_loss", "valid_loss"] + record.metrics.map(\.name) + ["time"]
        print(zip(cells, names).map { $0.padding(toLength: Swift.max($1.count, 10), withPad: " ", startingAt: 0) }.joined(separator: "  "))
        fflush(nil)
    }

    mutating func bar(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double, elapsed: Double) {
        guard style == .live, batches > 0, batch == batches || Date().timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = Date()
        let width = 30
        let done = Int(Double(width) * Double(batch) / Double(batches))
        let left = batch > 0 ? elapsed / Double(batch) * Double(batches - batch) : 0
        let line = "epoch \(epoch + 1)/\(epochs) [" + String(repeating: "=", count: done) + String(repeating: " ", count: width - done)
            + "] \(batch)/\(batches)  loss \(String(format: "%.4f", loss))  \(ProgressDisplay.clock(left)) left"
        print("\r\u{1B}[2K" + line, terminator: "")
        fflush(nil)
    }

    /// `mm:ss` like fastai's table.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return String(format: "%02d:%02d", total / 60, total % 60)
    }
}
