import ArgumentParser
import Foundation
import Slope

/// `slope inspect MODEL`: the module tree with parameter shapes and counts, the preprocessing
/// and the training metadata; `--submodule PATH` for one submodule with parameter statistics.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Show what an exported model holds: modules, parameters, preprocessing, training.")

    @Argument(help: "A model file written by `slope train --export`, or a fastai export.pkl.") var model: String
    @Option(help: "A dotted path such as layers.0.0: show that submodule and its parameters' statistics.") var submodule: String?
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() throws {
        let loaded: ExportedModel
        do { loaded = try Learner.load(from: model) } catch { throw CommandError("\(error)") }
        if let submodule {
            let module: Module
            do { module = try loaded.model.getSubmodule(submodule) } catch { throw CommandError("\(error)") }
            try showSubmodule(module, path: submodule)
        } else {
            showModel(loaded)
        }
    }

    /// Each module path with its type and its own parameters.
    private func moduleRows(_ root: Module) -> [(path: String, type: String, parameters: [(String, [Int])], count: Int)] {
        root.namedModules().map { path, module in
            let own = (module.ownParameters() + module.ownBuffers()).map { ($0.name, $0.tensor.shape) }
            return (path, String(describing: type(of: module)), own, module.parameterCount())
        }
    }

    private func showModel(_ loaded: ExportedModel) {
        let manifest = loaded.manifest
        let rows = moduleRows(loaded.model)
        if json {
            print(JSON.object([
                ("file", .string(model)), ("formatVersion", manifest["formatVersion"] ?? .null),
                ("slopeVersion", manifest["slopeVersion"] ?? .null), ("parameters", .int(loaded.model.parameterCount())),
                ("modules", .array(rows.map { row in
                    .object([("path", .string(row.path)), ("type", .string(row.type)), ("parameterCount", .int(row.count)),
                             ("tensors", .object(row.parameters.map { ($0.0, .array($0.1.map { .int($0) })) }))])
                })),
                ("task", .string(loaded.task.rawValue)), ("classes", .array(loaded.classes.map(JSON.string))),
                ("preprocessing", loaded.preprocessing.json), ("loss", manifest["loss"] ?? .null),
                ("metrics", manifest["metrics"] ?? .null), ("seed", manifest["seed"] ?? .null), ("history", manifest["history"] ?? .null),
            ]))
            return
        }
        if ModelFileKind.of(path: model) == .torch {
            print("\(model): a fastai export, read by Slope without running anything from it")
        } else {
            print("\(model): Slope model format \(manifest["formatVersion"].map { "\($0)" } ?? "?"), written by Slope \(manifest["slopeVersion"]?.stringValue ?? "?")")
        }
        print("\nModules (\(loaded.model.parameterCount()) parameters):")
        for row in rows {
            let depth = row.path.isEmpty ? 0 : row.path.split(separator: ".").count
            let name = row.path.isEmpty ? "(root)" : row.path
            let tensors = row.parameters.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            print(String(repeating: "  ", count: depth + 1) + "\(name): \(row.type)" + (tensors.isEmpty ? "" : "  \(tensors)")
                  + (row.parameters.isEmpty ? "" : "  (\(row.parameters.reduce(0) { $0 + $1.1.reduce(1, *) }) values)"))
        }
        print("\nPreprocessing:")
        switch loaded.preprocessing {
        case .tabular(let prep):
            print("  target `\(prep.target)` (\(prep.task.rawValue)\(prep.task == .classification ? ": " + prep.classes.joined(separator: ", ") : ""))")
            for column in prep.categorical {
                let source = column.indicatorOf.map { " (missing-value indicator of \($0))" } ?? ""
                print("  categorical \(column.name): \(column.vocabulary.count) codes\(source): " + column.vocabulary.prefix(8).joined(separator: ", ")
                      + (column.vocabulary.count > 8 ? ", ..." : ""))
            }
            for column in prep.continuous {
                print(String(format: "  continuous %@: fill %.4g, mean %.4g, std %.4g", column.name, column.fill, column.mean, column.std))
            }
            if prep.task == .regression { print(String(format: "  target scaled by mean %.4g, std %.4g", prep.targetMean, prep.targetStd)) }
        case .image(let prep):
            print("  images \(prep.channels)x\(prep.height)x\(prep.width), mean \(prep.mean), std \(prep.std); classes: \(loaded.classes.joined(separator: ", "))")
        case .none:
            print("  none")
        }
        print("\nTraining:")
        print("  loss \(manifest["loss"]?.stringValue ?? "?"), seed \(manifest["seed"]?.stringValue ?? "?")")
        func text(_ value: JSON) -> String {
            guard let number = value.numberValue else { return "\(value)" }
            return number == number.rounded() && Swift.abs(number) < 1e9 ? String(Int(number)) : String(format: "%.4f", number)
        }
        if let metrics = manifest["metrics"]?.objectValue, !metrics.isEmpty {
            print("  final: " + metrics.map { "\($0.0) \(text($0.1))" }.joined(separator: ", "))
        }
        for row in manifest["history"]?.arrayValue ?? [] {
            print("  " + (row.objectValue ?? []).map { "\($0.0) \(text($0.1))" }.joined(separator: "  "))
        }
    }

    private func showSubmodule(_ module: Module, path: String) throws {
        let tensors = module.stateDict()
        func stats(_ tensor: Tensor) -> (mean: Double, std: Double, min: Double, max: Double) {
            let values = tensor.scalars.map(Double.init)
            guard !values.isEmpty else { return (.nan, .nan, .nan, .nan) }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            return (mean, variance.squareRoot(), values.min()!, values.max()!)
        }
        if json {
            print(JSON.object([
                ("path", .string(path)), ("type", .string(String(describing: type(of: module)))),
                ("parameters", .int(module.parameterCount())), ("description", .string(module.description)),
                ("tensors", .array(tensors.map { key, tensor in
                    let s = stats(tensor)
                    return .object([("key", .string(key)), ("shape", .array(tensor.shape.map { .int($0) })), ("count", .int(tensor.count)),
                                    ("mean", .number(s.mean)), ("std", .number(s.std)), ("min", .number(s.min)), ("max", .number(s.max))])
                })),
            ]))
            return
        }
        print("\(path): \(module.parameterCount()) parameters")
        print(module.description)
        for (key, tensor) in tensors {
            let s = stats(tensor)
            print(String(format: "  %@ %@  mean %.4g  std %.4g  min %.4g  max %.4g", key, "\(tensor.shape)", s.mean, s.std, s.min, s.max))
        }
    }
}
