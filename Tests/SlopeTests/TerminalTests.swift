import Foundation
import Testing
@testable import Slope

// The terminal: its width, wrapped text, the live progress line fitted to the width, and
// table rows without trailing spaces.

@Suite struct TerminalTests {
    @Test func columnsComeFromCOLUMNSThenTheTerminalThen80() {
        #expect(Terminal.columns(environment: ["COLUMNS": "60"], descriptor: -1) == 60)
        #expect(Terminal.columns(environment: ["COLUMNS": " 132 "], descriptor: -1) == 132)
        for bad in ["", "wide", "5", "100000", "-80"] {
            #expect(Terminal.columns(environment: ["COLUMNS": bad], descriptor: -1) == 80, "COLUMNS=\(bad)")
        }
        #expect(Terminal.columns(environment: [:], descriptor: -1) == 80)
    }

    @Test func wrapBreaksAtSpacesAndKeepsTheIndent() {
        #expect(Terminal.wrap("   one two three", width: 10) == "   one two\n   three")
        #expect(Terminal.wrap("short   ", width: 40) == "short", "no trailing spaces")
        let text = "   " + (1...40).map { "word\($0)" }.joined(separator: " ") + "\nsecond line\n"
        for width in [20, 33, 60] {
            let lines = Terminal.wrap(text, width: width).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.allSatisfy { $0.count <= width }, "width \(width)")
            #expect(lines.dropLast(2).allSatisfy { $0.hasPrefix("   word") }, "continuations keep the indent")
            let words = lines.flatMap { $0.split(separator: " ") }
            #expect(words == text.split(whereSeparator: { $0 == " " || $0 == "\n" }), "no word lost or split")
        }
        #expect(Terminal.wrap("abcdefghijklmnop", width: 5) == "abcdefghijklmnop", "a word longer than the line stays whole")
    }

    @Test func theLiveLineFitsEveryWidth() {
        for width in [19, 30, 39, 45, 59, 79, 119, 199] {
            let line = ProgressDisplay.barLine(epoch: 1, epochs: 5, batch: 12, batches: 40, loss: 0.12345, secondsLeft: 63, width: width)
            #expect(line.count <= width, "width \(width): \(line.count) characters: \(line)")
            #expect(line.hasPrefix("epoch 2/5 ") && line.contains("12/40"), "\(line)")
        }
        let wide = ProgressDisplay.barLine(epoch: 1, epochs: 5, batch: 12, batches: 40, loss: 0.12345, secondsLeft: 63, width: 119)
        // Overall: (1 + 12/40) / 5 = 26% of 30 = 7 marks; this epoch: 30% of 30 = 9.
        #expect(wide == "epoch 2/5 [#######                       ] batch [=========                     ] 12/40  loss 0.1235  01:03 left")
        let narrow = ProgressDisplay.barLine(epoch: 1, epochs: 5, batch: 12, batches: 40, loss: 0.12345, secondsLeft: 63, width: 59)
        #expect(!narrow.contains("#") && narrow.contains("[===") && narrow.hasSuffix("loss 0.1235  01:03 left"), "\(narrow)")
        let tiny = ProgressDisplay.barLine(epoch: 1, epochs: 5, batch: 12, batches: 40, loss: 0.12345, secondsLeft: 63, width: 30)
        #expect(tiny == "epoch 2/5 12/40  loss 0.1235", "\(tiny)")
    }

    @Test func tableRowsHaveNoTrailingSpaces() {
        let record = EpochRecord(epoch: 0, trainLoss: 0.5, validLoss: 0.25, metrics: [("accuracy", 0.875)], seconds: 3)
        let row = ProgressDisplay.rowLine(record)
        #expect(row == "0           0.500000    0.250000    0.875000    00:03")
        let header = ProgressDisplay.tableLine(["epoch", "train_loss", "valid_loss", "accuracy", "time"],
                                               names: ["epoch", "train_loss", "valid_loss", "accuracy", "time"])
        #expect(header == "epoch       train_loss  valid_loss  accuracy    time")
    }
}
