import ArgumentParser
import Foundation
import Slope

/// `slope show-batch`: a grid of training images with their labels, as training sees them
/// (after augmentation; fastai's `show_batch`).
struct ShowBatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show-batch", abstract: "Draw a batch of training images with their labels (after augmentation) into a PNG file.")

    @OptionGroup var data: DataOptions
    @Option(help: "The PNG file to write.") var output: String
    @Option(help: "How many images to draw (at most one batch).") var count: Int = 9

    func run() throws {
        guard data.images else { throw CommandError("show-batch draws images; pass --images") }
        guard (1...256).contains(count) else { throw CommandError("--count must be in 1...256, got \(count)") }
        let loaders = try data.load()
        guard case .image(let prep) = loaders.preprocessing else { throw CommandError("\(data.path): not image data") }
        var iterator = loaders.train.makeIterator()
        guard let batch = iterator.next() else { throw CommandError("\(data.path): no training images") }
        let shown = Swift.min(count, batch.inputs.shape[0])
        let plane = prep.height * prep.width, size = prep.channels * plane
        let values = batch.inputs.scalars, targets = batch.targets.scalars
        let tiles = (0..<shown).map { index -> (pixels: [Float], channels: Int, lines: [String]) in
            var pixels = Array(values[(index * size)..<((index + 1) * size)])
            for c in 0..<prep.channels {
                for i in 0..<plane { pixels[c * plane + i] = pixels[c * plane + i] * prep.std[c] + prep.mean[c] }
            }
            return (pixels, prep.channels, [loaders.classes[Int(targets[index])]])
        }
        let grid = ImageGrid(columns: Swift.min(3, shown), tileWidth: prep.width, tileHeight: prep.height, labelLines: 1)
        do { try ImageFile.writePNG(grid.render(tiles), path: output) } catch { throw CommandError("\(error)") }
        print("\(shown) training images (augment: \(data.augment)) written to \(output)")
    }
}
