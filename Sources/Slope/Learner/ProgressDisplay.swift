import Foundation

/// Shows training progress: on a terminal, a live line rewritten in place, fitted to the
/// terminal's width (``Terminal/columns(environment:descriptor:)``), with an overall bar over the
/// epochs, a bar of this epoch's batches, the smoothed loss and the time left, plus one table row
/// per epoch; elsewhere (CI logs, pipes) the table rows alone, with no control codes. `silent`
/// prints nothing (for `--json`). Table rows have no trailing spaces.
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
        print(ProgressDisplay.tableLine(columns, names: columns))
        fflush(nil)
    }

    func row(_ record: EpochRecord) {
        guard style != .silent else { return }
        if style == .live { print("\r\u{1B}[2K", terminator: "") }
        print(ProgressDisplay.rowLine(record))
        fflush(nil)
    }

    /// One table row: each cell padded to its column's name (at least 10 wide), two spaces
    /// apart, with no trailing spaces.
    static func rowLine(_ record: EpochRecord) -> String {
        var cells = [String(record.epoch), String(format: "%.6f", record.trainLoss), String(format: "%.6f", record.validLoss)]
        cells += record.metrics.map { String(format: "%.6f", $0.value) }
        cells.append(ProgressDisplay.clock(record.seconds))
        let names = ["epoch", "train_loss", "valid_loss"] + record.metrics.map(\.name) + ["time"]
        return tableLine(cells, names: names)
    }

    /// Cells padded to their columns, two spaces apart, trailing spaces dropped.
    static func tableLine(_ cells: [String], names: [String]) -> String {
        let line = zip(cells, names).map { $0.padding(toLength: Swift.max($0.count, $1.count, 10), withPad: " ", startingAt: 0) }
            .joined(separator: "  ")
        return line.trimmingTrailingSpaces()
    }

    mutating func bar(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double, elapsed: Double) {
        guard style == .live, batches > 0, batch == batches || Date().timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = Date()
        let left = batch > 0 ? elapsed / Double(batch) * Double(batches - batch) : 0
        // One column short of the width, so the cursor never wraps onto a new line.
        let line = ProgressDisplay.barLine(epoch: epoch, epochs: epochs, batch: batch, batches: batches, loss: loss,
                                           secondsLeft: left, width: Terminal.columns() - 1)
        print("\r\u{1B}[2K" + line, terminator: "")
        fflush(nil)
    }

    /// The live line, as fastprogress draws its two bars: the overall bar over the epochs and
    /// the bar of this epoch's batches, the smoothed loss and the time this epoch has left,
    /// `epoch 2/5 [######        ] batch [=====     ] 12/40  loss 0.1234  00:03 left`, fitted
    /// to `width` characters (the overall bar goes first, then the time, when there is no room).
    static func barLine(epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double, secondsLeft: Double, width: Int) -> String {
        func bar(_ fraction: Double, _ size: Int, _ mark: Character) -> String {
            let done = Swift.min(size, Swift.max(0, Int(Double(size) * fraction)))
            return "[" + String(repeating: mark, count: done) + String(repeating: " ", count: size - done) + "]"
        }
        let count = "\(batch)/\(batches)", lossText = "loss " + String(format: "%.4f", loss), time = "\(clock(secondsLeft)) left"
        let overall = (Double(epoch) + Double(batch) / Double(batches)) / Double(Swift.max(epochs, 1))
        let head = "epoch \(epoch + 1)/\(epochs) "
        // Both bars when each can be at least 8 wide; then one bar; then no time left; then cut.
        let fixedBoth = head.count + "batch ".count + 1 + count.count + 2 + lossText.count + 2 + time.count + 5
        let both = Swift.min(30, (width - fixedBoth) / 2)
        if both >= 8 {
            return head + bar(overall, both, "#") + " batch " + bar(Double(batch) / Double(batches), both, "=")
                + " \(count)  \(lossText)  \(time)"
        }
        let fixedOne = head.count + 1 + count.count + 2 + lossText.count + 2 + time.count + 2
        if width - fixedOne >= 8 {
            return head + bar(Double(batch) / Double(batches), Swift.min(30, width - fixedOne), "=") + " \(count)  \(lossText)  \(time)"
        }
        return String((head + count + "  " + lossText).prefix(Swift.max(width, 0)))
    }

    /// `mm:ss` like fastai's table.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return String(format: "%02d:%02d", total / 60, total % 60)
    }
}
