import Foundation
import Slope

/// Image data for `slope train --images`: a folder with one subfolder per class, or an IDX
/// images file whose labels file (and, for `train-*` files, a `t10k-*` validation pair) sits
/// beside it.
enum ImageDataCommandSupport {
    static func load(_ options: DataOptions) throws -> DataLoaders {
        guard options.size >= 4 && options.size <= 1024 else { throw CommandError("--size must be in 4...1024, got \(options.size)") }
        guard options.channels == 1 || options.channels == 3 else { throw CommandError("--channels must be 1 or 3, got \(options.channels)") }
        let batchSize = options.batchSize ?? 64
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.path, isDirectory: &isFolder) else {
            throw CommandError("\(options.path): no such file or folder")
        }
        do {
            if isFolder.boolValue {
                return try ImageData.fromFolder(options.path, size: options.size, channels: options.channels,
                                                validPercent: options.validPercent, seed: options.seed, batchSize: batchSize)
            }
            let labels = options.path.replacingOccurrences(of: "images-idx3", with: "labels-idx1")
            guard labels != options.path, FileManager.default.fileExists(atPath: labels) else {
                throw CommandError("\(options.path): expected an IDX images file named like train-images-idx3-ubyte.gz with its labels file beside it")
            }
            let validImages = options.path.replacingOccurrences(of: "train-images", with: "t10k-images")
            let hasTestSet = validImages != options.path && FileManager.default.fileExists(atPath: validImages)
            let validLabels = validImages.replacingOccurrences(of: "images-idx3", with: "labels-idx1")
            return try ImageData.fromIDX(images: options.path, labels: labels,
                                         validImages: hasTestSet ? validImages : nil, validLabels: hasTestSet ? validLabels : nil,
                                         validPercent: options.validPercent, seed: options.seed, batchSize: batchSize)
        } catch let error as CommandError {
            throw error
        } catch {
            throw CommandError("\(error)")
        }
    }
}
