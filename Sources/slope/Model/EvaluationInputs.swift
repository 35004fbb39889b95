import Foundation
import Slope

/// Inputs for `slope predict` and `slope interpret`, read the way `slope train` reads them and
/// preprocessed by the model's own preprocessing: an image file, a folder of images (flat, or
/// one subfolder per class, whose names are then the labels), an IDX images file (its labels
/// file beside it gives the labels), or a CSV table (the target column, when present, the labels).
struct EvaluationInputs {
    /// The preprocessed inputs, rows first.
    var inputs: Tensor
    /// Each sample's name: the file path, `FILE#index` for IDX images, the line number for table rows.
    var names: [String]
    /// Each sample's class index, when the data carries labels.
    var labels: [Int]?
    /// For images: each sample's pixels in [0, 1] (CHW), for pictures.
    var pixels: [[Float]] = []
    /// For tables: the rows as read, for output.
    var table: DataTable?

    /// Reads image inputs for a model with image preprocessing `prep` and classes `classes`.
    static func images(_ path: String, prep: ImagePreprocessing, classes: [String]) throws -> EvaluationInputs {
        let kind = FileBytes.kind(of: path)
        if kind == .missing { throw CommandError("\(path): no such file or folder") }
        let statistics = ChannelStatistics(mean: prep.mean, std: prep.std)
        let shape = [prep.channels, prep.height, prep.width]
        var isRegular = false
        if case .regular = kind { isRegular = true }
        if isRegular && (path.contains("images-idx3") || FileBytes.prefix(path: path, count: 4).map { Array($0) } == [0, 0, 8, 3]) {
            let labelsPath = path.replacingOccurrences(of: "images-idx3", with: "labels-idx1")
            let hasLabels = labelsPath != path && FileManager.default.fileExists(atPath: labelsPath)
            let set: LabeledImages
            do {
                if hasLabels {
                    set = try IDXFile.readLabeledImages(imagesPath: path, labelsPath: labelsPath)
                } else {
                    let file = try IDXFile.read(path: path)
                    guard file.shape.count == 3 else { throw ImageDataError.unexpectedShape(file: path, expected: "[count, rows, columns] images", found: file.shape) }
                    set = LabeledImages(images: file.bytes.map { Float($0) / 255 }, count: file.shape[0], channels: 1,
                                        height: file.shape[1], width: file.shape[2], labels: [Int](repeating: 0, count: file.shape[0]))
                }
            } catch let error as CommandError { throw error } catch { throw CommandError("\(error)") }
            guard [set.channels, set.height, set.width] == shape else {
                throw CommandError("\(path): the images are \(set.channels)x\(set.height)x\(set.width), the model takes \(shape.map(String.init).joined(separator: "x"))")
            }
            if hasLabels, let bad = set.labels.firstIndex(where: { !classes.indices.contains($0) }) {
                throw CommandError("\(labelsPath): label \(set.labels[bad]) of image \(bad) is not one of the model's \(classes.count) classes")
            }
            let pixels = (0..<set.count).map { Array(set.images[($0 * set.imageSize)..<(($0 + 1) * set.imageSize)]) }
            var normalized = set
            statistics.normalize(&normalized)
            return EvaluationInputs(inputs: Tensor(shape: [set.count] + shape, scalars: normalized.images),
                                    names: (0..<set.count).map { "\(path)#\($0)" }, labels: hasLabels ? set.labels : nil, pixels: pixels)
        }
        var files: [String] = [path]
        var labels: [Int]?
        if kind == .folder {
            let entries = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
            let join = { (name: String) in path.hasSuffix("/") ? path + name : path + "/" + name }
            let flat = entries.map(join).filter { FileBytes.kind(of: $0) != .folder && ImageFolder.isImageFile($0) }
            if flat.isEmpty && entries.contains(where: { FileBytes.kind(of: join($0)) == .folder }) {
                let folder: ImageFolder
                do { folder = try ImageFolder(root: path) } catch { throw CommandError("\(error)") }
                if let stranger = folder.classNames.first(where: { !classes.contains($0) }) {
                    throw CommandError("\(path)/\(stranger): `\(stranger)` is not one of the model's classes (\(classes.joined(separator: ", ")))")
                }
                files = folder.files
                labels = folder.labels.map { classes.firstIndex(of: folder.classNames[$0])! }
            } else {
                files = flat
            }
            guard !files.isEmpty else { throw CommandError("\(path): no PNG or JPEG files in the folder") }
        }
        let raw = ImagePreprocessing(height: prep.height, width: prep.width, channels: prep.channels, mean: [Float](repeating: 0, count: prep.channels),
                                     std: [Float](repeating: 1, count: prep.channels), fastaiResize: prep.fastaiResize)
        var values: [Float] = []
        var pixels: [[Float]] = []
        for file in files {
            let image: [Float]
            do { image = try raw.load(path: file) } catch { throw CommandError("\(error)") }
            pixels.append(image)
            values += statistics.normalized(image)
        }
        return EvaluationInputs(inputs: Tensor(shape: [files.count] + shape, scalars: values), names: files, labels: labels, pixels: pixels)
    }

    /// Reads table rows for a model with tabular preprocessing `prep`; labels from its target column when present.
    static func table(_ path: String, prep: TabularPreprocessor, needLabels: Bool) throws -> EvaluationInputs {
        let table: DataTable
        do { table = try CSVReader().read(contentsOfFile: path) } catch { throw CommandError("\(error)") }
        let hasTarget = table.columnNames.contains(prep.target) && prep.task == .classification
        if needLabels && !hasTarget {
            throw CommandError("\(path): no `\(prep.target)` column (the model's target) to compare the predictions with")
        }
        let inputs: Tensor
        var labels: [Int]?
        do {
            let (encoded, targets) = try prep.transform(table, targets: hasTarget)
            inputs = encoded
            labels = targets.map { $0.scalars.map { Int($0) } }
        } catch { throw CommandError("\(error)") }
        return EvaluationInputs(inputs: inputs, names: table.lineNumbers.map { "line \($0)" }, labels: labels, table: table)
    }
}
