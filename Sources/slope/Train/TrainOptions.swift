import ArgumentParser
import Foundation
import Slope

/// Options shared by `slope train` and `slope lr-find`: the data and how to read it.
struct DataOptions: ParsableArguments {
    @Argument(help: "A CSV file (with --target), an image folder or IDX images file (with --images).")
    var path: String

    @Option(help: "The column to predict (CSV).") var target: String?
    @Flag(help: "Train on images: a folder with one subfolder per class, or an IDX images file.") var images = false
    @Option(name: .customLong("valid-pct"), help: "Share of rows held out for validation.") var validPercent: Double = 0.2
    @Option(help: "Seed for the split, the initial weights and the shuffling.") var seed: UInt64 = 42
    @Option(name: .customLong("batch-size"), help: "Rows per batch (default: 64, smaller for small tables).") var batchSize: Int?
    @Option(help: "Comma-separated categorical columns (default: inferred).") var cat: String?
    @Option(help: "Comma-separated continuous columns (default: inferred).") var cont: String?
    @Option(help: "Comma-separated columns to leave out.") var ignore: String?
    @Option(help: "classification or regression (default: inferred from the target).") var task: String?
    @Option(help: "Image folders: resize every image to SIZE x SIZE.") var size: Int = 64
    @Option(help: "Image folders: 3 for colour, 1 for gray.") var channels: Int = 3

    /// Splits `a,b,c` into names.
    static func names(_ list: String?) -> [String]? {
        list.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    /// Checks the options and loads the data, with one clear line on failure.
    func load() throws -> DataLoaders {
        guard validPercent.isFinite, validPercent > 0, validPercent < 1 else {
            throw CommandError("--valid-pct must be between 0 and 1 (exclusive), got \(validPercent)")
        }
        if let batchSize, batchSize < 1 { throw CommandError("--batch-size must be at least 1, got \(batchSize)") }
        let parsedTask: TabularTask?
        if let task {
            guard let value = TabularTask(rawValue: task) else {
                throw CommandError("--task must be classification or regression, got `\(task)`")
            }
            parsedTask = value
        } else {
            parsedTask = nil
        }
        if images { return try ImageDataCommandSupport.load(self) }
        guard let target else { throw CommandError("--target COLUMN is required for a CSV file (or pass --images)") }
        do {
            return try TabularData.fromCSV(path, target: target, validPercent: validPercent, seed: seed, batchSize: batchSize,
                                           task: parsedTask, categoricalColumns: DataOptions.names(cat),
                                           continuousColumns: DataOptions.names(cont), ignoring: DataOptions.names(ignore) ?? [])
        } catch {
            throw CommandError("\(error)")
        }
    }

    /// A short description of what was loaded, for text output.
    static func summary(_ data: DataLoaders) -> String {
        var lines = ["\(data.train.dataset.count) training samples, \(data.valid.dataset.count) validation samples; "
            + (data.task == .classification ? "classification into \(data.classes.count) classes" : "regression")]
        if case .tabular(let prep) = data.preprocessing {
            lines.append("categorical: " + (prep.categorical.map(\.name).joined(separator: ", ").nonEmpty ?? "none"))
            lines.append("continuous: " + (prep.continuous.map(\.name).joined(separator: ", ").nonEmpty ?? "none"))
        }
        if case .image(let prep) = data.preprocessing {
            lines.append("images \(prep.channels)x\(prep.height)x\(prep.width); classes: " + data.classes.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}

extension DataOptions {
    /// Parses `--layers 200,100`, with one clear line for anything else.
    static func hiddenSizes(_ text: String) throws -> [Int] {
        let parts = text.split(separator: ",")
        let sizes = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.count == parts.count, sizes.allSatisfy({ $0 > 0 }) else {
            throw CommandError("--layers must be positive sizes like 200,100, got `\(text)`")
        }
        return sizes
    }

    /// The learner that suits the data: fastai's tabular model for tables, the vision models
    /// for images.
    func learner(for loaders: DataLoaders, hidden: [Int], dropout: Float = 0, weightDecay: Float = 0.01) throws -> Learner {
        switch loaders.preprocessing {
        case .tabular: return tabularLearner(data: loaders, layers: hidden, dropout: dropout, weightDecay: weightDecay, seed: seed)
        case .image: return visionLearner(data: loaders, seed: seed, weightDecay: weightDecay)
        case .none: throw CommandError("no preprocessing for this data")
        }
    }
}

extension String {
    /// `nil` for an empty string.
    var nonEmpty: String? { isEmpty ? nil : self }
}
