/// Problems reading or writing a model file, each naming the file and, where it applies, the
/// dotted tensor key or manifest field.
///
/// ```swift
/// do { _ = try Learner.load(from: "model.slope") } catch { print(error) }
/// // shape mismatch for `layers.0.0.weight`: expected [200, 12], found [12, 200] in model.slope
/// ```
public enum ModelFileError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read or written.
    case io(file: String, reason: String)
    /// The bytes are not a valid safetensors file.
    case malformed(file: String, reason: String)
    /// A tensor uses a dtype Slope cannot read.
    case unsupportedDType(file: String, key: String, dtype: String)
    /// A valid safetensors file without Slope's manifest.
    case notASlopeFile(file: String)
    /// The file was written by a newer Slope.
    case newerFormat(file: String, found: Int, supported: Int)
    /// The manifest is missing a field or has one of the wrong kind.
    case manifest(file: String, field: String, expected: String)
    /// The architecture names a module type this program does not know.
    case unknownModuleType(file: String, path: String, type: String, known: [String])
    /// A tensor the model needs is not in the file.
    case missingTensor(file: String, key: String)
    /// The file has a tensor the model does not.
    case unexpectedTensor(file: String, key: String)
    /// A tensor's shape differs from the model's.
    case shapeMismatch(file: String, key: String, expected: [Int], found: [Int])
    /// A module cannot be exported because its type cannot be rebuilt from a file.
    case notExportable(path: String, type: String)
    /// The file's bytes do not match its checksums (`part` says which: the manifest, or a tensor
    /// by key).
    case damaged(file: String, part: String)
    /// A tensor holds NaN or an infinity (at flat `index`).
    case nonFinite(file: String, key: String, index: Int, value: Float)
    /// A tensor's values break the rule of the module that holds it (a negative running variance).
    case invalidValues(file: String, key: String, expected: String, found: String)
    /// Export refused to write a file that loading would refuse: `reason` is what loading says.
    case wouldNotLoad(file: String, reason: String)
    /// A pickle (in a PyTorch or fastai file) names a function that would run code if Python
    /// loaded it (`posix.system`); Slope refuses the file (it never runs anything from one).
    case refusedGlobal(file: String, global: String)
    /// A PyTorch or fastai file holds, where the model or its preprocessing needs one, an object
    /// of a class Slope does not rebuild; `path` is where it sits (`model.layers.0`).
    case unsupportedClass(file: String, path: String, className: String, reason: String)

    /// A manifest field that a `JSONReader` refused: its path, what was expected and found.
    ///
    /// - Parameters:
    ///   - file: the file's name.
    ///   - error: the reader's error.
    /// - Returns: `.manifest` with the error's path.
    static func manifest(file: String, _ error: JSONReadError) -> ModelFileError {
        .manifest(file: file, field: error.path, expected: "\(error.expected), found \(error.found)")
    }

    /// The message for the user.
    public var description: String {
        switch self {
        case .io(let file, let reason): return "\(file): \(reason)"
        case .malformed(let file, let reason): return "\(file) is not a valid model file: \(reason)"
        case .unsupportedDType(let file, let key, let dtype):
            return "\(file): tensor `\(key)` has dtype \(dtype); Slope reads F32, F64, I64 and I32"
        case .notASlopeFile(let file):
            return "\(file) is a safetensors file without Slope's manifest (not exported by Slope); load its weights with Module.loadWeights(from:)"
        case .newerFormat(let file, let found, let supported):
            return "\(file) was written in model format \(found) by a newer Slope; this Slope reads format \(supported) and older"
        case .manifest(let file, let field, let expected):
            return "\(file): manifest.\(field): expected \(expected)"
        case .unknownModuleType(let file, let path, let type, let known):
            let place = path.isEmpty ? "the model" : "`\(path)`"
            return "\(file): \(place) is a `\(type)`, which this program does not know (register it with ModuleRegistry.register); known types: \(known.joined(separator: ", "))"
        case .missingTensor(let file, let key): return "\(file) has no tensor `\(key)`, which the model needs"
        case .unexpectedTensor(let file, let key): return "\(file) has a tensor `\(key)` that the model does not have"
        case .shapeMismatch(let file, let key, let expected, let found):
            return "shape mismatch for `\(key)`: expected \(expected), found \(found) in \(file)"
        case .notExportable(let path, let type):
            let place = path.isEmpty ? "the model" : "`\(path)`"
            return "cannot export \(place): `\(type)` does not conform to ModuleArchitecture"
        case .damaged(let file, let part):
            return "\(file): the file is damaged: \(part)"
        case .nonFinite(let file, let key, let index, let value):
            return "\(file): tensor `\(key)` holds \(value) at index \(index); a model's weights and buffers must be finite numbers"
        case .invalidValues(let file, let key, let expected, let found):
            return "\(file): tensor `\(key)`: expected \(expected), found \(found)"
        case .wouldNotLoad(let file, let reason):
            return "cannot export \(file): Slope could not load the file it would write: \(reason)"
        case .refusedGlobal(let file, let global):
            return "\(file): refused: its pickle calls `\(global)`, which would run code if Python loaded the file; "
                + "Slope runs nothing from a file and rebuilds only classes it knows"
        case .unsupportedClass(let file, let path, let className, let reason):
            return "\(file): `\(path)` is a `\(className)`, which is not a class Slope can rebuild: \(reason)"
        }
    }
}
