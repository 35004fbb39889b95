import Synchronization

/// A module type that can be written into a model file and rebuilt from it: a name, the
/// settings its initialiser needs, and a way to build it from them. Loading a file builds only
/// types registered here (Slope's own, plus any a program registers), never code from the file.
///
/// ```swift
/// extension MyBlock: ModuleArchitecture {
///     static var typeName: String { "MyBlock" }
///     var configuration: [(String, JSON)] { [("width", .int(width))] }
///     static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module {
///         MyBlock(width: try spec.int("width"))
///     }
/// }
/// ModuleRegistry.register(MyBlock.self)
/// ```
public protocol ModuleArchitecture: Module {
    /// The name written in files.
    static var typeName: String { get }
    /// The initialiser's settings.
    var configuration: [(String, JSON)] { get }
    /// Builds the module (with fresh parameters; the file's values are loaded afterwards).
    static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module
}

/// One module of an architecture as written in a file: its type, settings and children.
public struct ModuleSpec: Sendable {
    /// The module type's name.
    public let type: String
    /// The initialiser's settings.
    public let configuration: JSON
    /// The children, by name, in order.
    public let children: [(name: String, spec: ModuleSpec)]
    /// The dotted path of this module (for messages).
    public let path: String
    /// The file being read (for messages).
    public let file: String
    /// The most values the modules built from a file may hold, in proportion to what the file
    /// stores (so a damaged or hostile manifest cannot demand an absurd model before its tensors
    /// are compared).
    public let valueBudget: Int

    /// Describes a live module (and its children) for writing.
    public init(describing module: Module, path: String = "") throws(ModelFileError) {
        guard let architecture = module as? any ModuleArchitecture else {
            throw .notExportable(path: path, type: String(describing: Swift.type(of: module)))
        }
        type = Swift.type(of: architecture).typeName
        configuration = .object(architecture.configuration)
        var children: [(name: String, spec: ModuleSpec)] = []
        for (name, child) in module.namedChildren() {
            children.append((name, try ModuleSpec(describing: child, path: path.isEmpty ? name : path + "." + name)))
        }
        self.children = children
        self.path = path
        self.file = ""
        self.valueBudget = Int.max
    }

    /// Reads a spec from its JSON form.
    init(json: JSON, path: String, file: String, valueBudget: Int) throws(ModelFileError) {
        let field = path.isEmpty ? "architecture" : "architecture.\(path)"
        guard let type = json["type"]?.stringValue else { throw .manifest(file: file, field: field + ".type", expected: "a string") }
        let configuration = json["config"] ?? .object([])
        guard configuration.objectValue != nil else { throw .manifest(file: file, field: field + ".config", expected: "an object") }
        var children: [(name: String, spec: ModuleSpec)] = []
        for entry in json["children"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, let module = entry["module"] else {
                throw .manifest(file: file, field: field + ".children", expected: "a list of {name, module}")
            }
            children.append((name, try ModuleSpec(json: module, path: path.isEmpty ? name : path + "." + name, file: file,
                                                  valueBudget: valueBudget)))
        }
        self.type = type
        self.configuration = configuration
        self.children = children
        self.path = path
        self.file = file
        self.valueBudget = valueBudget
    }

    /// The JSON form: `{"type": ..., "config": {...}, "children": [{"name": ..., "module": ...}]}`.
    public var json: JSON {
        var pairs: [(String, JSON)] = [("type", .string(type)), ("config", configuration)]
        if !children.isEmpty {
            pairs.append(("children", .array(children.map { .object([("name", .string($0.name)), ("module", $0.spec.json)]) })))
        }
        return .object(pairs)
    }

    // MARK: - Reading settings

    private func missing(_ key: String, _ expected: String) -> ModelFileError {
        .manifest(file: file, field: (path.isEmpty ? "architecture" : "architecture.\(path)") + ".config.\(key)", expected: expected)
    }

    /// A whole-number setting.
    public func int(_ key: String) throws(ModelFileError) -> Int {
        guard let value = configuration[key]?.numberValue, value == value.rounded(), Swift.abs(value) < 1e9 else {
            throw missing(key, "a whole number")
        }
        return Int(value)
    }

    /// A number setting.
    public func float(_ key: String) throws(ModelFileError) -> Float {
        guard let value = configuration[key]?.numberValue else { throw missing(key, "a number") }
        return Float(value)
    }

    /// A Boolean setting.
    public func bool(_ key: String) throws(ModelFileError) -> Bool {
        guard let value = configuration[key]?.boolValue else { throw missing(key, "true or false") }
        return value
    }

    /// A list of whole numbers.
    public func ints(_ key: String) throws(ModelFileError) -> [Int] {
        guard let values = configuration[key]?.arrayValue else { throw missing(key, "a list of whole numbers") }
        var result: [Int] = []
        for value in values {
            guard let number = value.numberValue, number == number.rounded(), Swift.abs(number) < 1e9 else {
                throw missing(key, "a list of whole numbers")
            }
            result.append(Int(number))
        }
        return result
    }

    /// Checks that a size setting lies in `range` (so a damaged file cannot ask for absurd models).
    public func size(_ key: String, in range: ClosedRange<Int> = 0...100_000_000) throws(ModelFileError) -> Int {
        let value = try int(key)
        guard range.contains(value) else { throw missing(key, "a size in \(range)") }
        return value
    }

    /// Checks that a module about to be built needs no more values than the file holds.
    public func reserve(_ values: Int) throws(ModelFileError) {
        guard values >= 0, values <= valueBudget else {
            throw .manifest(file: file, field: path.isEmpty ? "architecture" : "architecture.\(path)",
                            expected: "a module of at most \(valueBudget) values for this file (it asks for \(values))")
        }
    }

    /// Builds every child through the registry, in order.
    public func makeChildren() throws(ModelFileError) -> [Module] {
        var modules: [Module] = []
        for (_, child) in children { modules.append(try ModuleRegistry.make(child)) }
        return modules
    }
}

/// The module types model files may name: Slope's own, plus those a program registers.
///
/// ```swift
/// ModuleRegistry.register(MyBlock.self)
/// ```
public enum ModuleRegistry {
    private static let types = Mutex<[String: any ModuleArchitecture.Type]>(Dictionary(
        uniqueKeysWithValues: builtInTypes.map { ($0.typeName, $0) }))

    /// Slope's own module types.
    static var builtInTypes: [any ModuleArchitecture.Type] {
        [Linear.self, Sequential.self, ReLU.self, Sigmoid.self, Tanh.self, Flatten.self, Dropout.self, Embedding.self,
         BatchNorm1d.self, BatchNorm2d.self, LayerNorm.self, TabularModel.self, Conv2d.self, MaxPool2d.self, AvgPool2d.self,
         AdaptiveAvgPool2d.self, ResidualBlock.self]
    }

    /// Lets model files name `type`.
    public static func register(_ type: any ModuleArchitecture.Type) {
        types.withLock { $0[type.typeName] = type }
    }

    /// Whether `type` is one of Slope's own module types.
    static func isBuiltIn(_ type: Module.Type) -> Bool {
        builtInTypes.contains { ObjectIdentifier($0) == ObjectIdentifier(type) }
    }

    /// The names files may use.
    public static var knownTypes: [String] { types.withLock { $0.keys.sorted() } }

    /// Builds the module a spec describes.
    public static func make(_ spec: ModuleSpec) throws(ModelFileError) -> Module {
        guard let type = types.withLock({ $0[spec.type] }) else {
            throw .unknownModuleType(file: spec.file, path: spec.path, type: spec.type, known: knownTypes)
        }
        return try type.make(from: spec)
    }
}
