import Foundation
import Slope

/// Image data for `slope train --images`: a folder with one subfolder per class (or `train/` and
/// `valid/` subfolders of such folders), or an IDX images file whose labels file (and, for
/// `train-*` files, a `t10k-*` validation pair) sits beside it; `--valid` names another folder or
/// IDX images file that validates.
enum ImageDataCommandSupport {
    static func load(_ options: DataOptions) throws -> DataLoaders {
        guard options.size >= 4 && options.size <= 1024 else { throw CommandError("--size must be in 4...1024, got \(options.size)") }
        guard options.channels == 1 || options.channels == 3 else { throw CommandError("--channels must be 1 or 3, got \(options.channels)") }
        let batchSize = options.batchSize
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.path, isDirectory: &isFolder) else {
            throw CommandError("\(options.path): no such file or folder")
        }
        if let valid = options.valid {
            let kind = FileBytes.kind(of: valid)
            if kind == .missing { throw CommandError("--valid \(valid): no such file or folder") }
            if isFolder.boolValue && kind != .folder {
                throw CommandError("--valid \(valid): expected a folder of class subfolders (the training data is a folder), found a file")
            }
            if !isFolder.boolValue && kind == .folder {
                throw CommandError("--valid \(valid): expected an IDX images file with its labels file beside it (the training data is an IDX file), found a folder")
            }
        }
        guard let augmentation = ImageAugmentation.named(options.augment) else {
            throw CommandError("--augment must be none, light or default, got `\(options.augment)`")
        }
        let data = try loadData(options, isFolder: isFolder.boolValue, batchSize: batchSize)
        if !augmentation.isIdentity, case .image(let prep) = data.preprocessing {
            // Its own stream, derived from --seed (recorded in the export with the level).
            data.train.augmenter = ImageAugmenter(augmentation, statistics: ChannelStatistics(mean: prep.mean, std: prep.std),
                                                  seed: options.seed &+ 0x5EED)
        }
        return data
    }

    private static func loadData(_ options: DataOptions, isFolder: Bool, batchSize: Int?) throws -> DataLoaders {
        do {
            if isFolder {
                return try ImageData.fromFolder(options.path, size: options.size, channels: options.channels,
                                                validPercent: options.validPercent, seed: options.seed, batchSize: batchSize,
                                                validFolder: options.valid)
            }
            let labels = try labelsFile(for: options.path, option: nil)
            let validPair = try options.valid.map { (images: $0, labels: try labelsFile(for: $0, option: "--valid")) }
                ?? testPair(besides: options.path)
            return try ImageData.fromIDX(images: options.path, labels: labels,
                                         validImages: validPair?.images, validLabels: validPair?.labels,
                                         validPercent: options.validPercent, seed: options.seed, batchSize: batchSize)
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError("\(error)")
        }
    }

    /// The labels file beside an IDX images file (`...images-idx3...` -> `...labels-idx1...`).
    static func labelsFile(for images: String, option: String?) throws -> String {
        let labels = images.replacingOccurrences(of: "images-idx3", with: "labels-idx1")
        guard labels != images, FileManager.default.fileExists(atPath: labels) else {
            throw CommandError((option.map { "\($0) " } ?? "") + "\(images): expected an IDX images file named like "
                + "train-images-idx3-ubyte.gz with its labels file (train-labels-idx1-ubyte.gz) beside it")
        }
        return labels
    }

    /// The `t10k-*` images and labels beside a `train-*` IDX images file, when the images exist
    /// (a missing labels file then fails the load with its name rather than silently validating
    /// on a random share).
    static func testPair(besides images: String) -> (images: String, labels: String)? {
        let validImages = images.replacingOccurrences(of: "train-images", with: "t10k-images")
        let validLabels = validImages.replacingOccurrences(of: "images-idx3", with: "labels-idx1")
        guard validImages != images, FileManager.default.fileExists(atPath: validImages) else { return nil }
        return (validImages, validLabels)
    }
}
