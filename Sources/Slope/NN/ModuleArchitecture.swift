import Synchronization

/// A module type that can be written into a model file and rebuilt from it: a name, its
/// settings (declared once, as a `ModuleSettings` struct), and an initialiser from them. The
/// printed tree, the manifest's `config` and the rebuild all come from the settings, and
/// `Settings.validate()` is the one rule for them: `init(settings:)` `require`s it, a rebuild
/// from a file throws its error naming the file and the key. Loading a file builds only types
/// registered here (Slope's own, plus any a program registers), never code from the file.
///
/// A new layer declares itself like this (and gives its shape rule beside `forward`):
///
/// ```swift
/// public final class Scale: Module, ModuleArchitecture {
///     public struct Settings: ModuleSettings {
///         public var features: Int
///         public func validate() throws(SettingError) {
///             guard (1...100_000_000).contains(features) else {
///                 throw SettingError("features", expected: "1...100000000", found: features)
///             }
///         }
///         public var valueCount: Int { features }
///     }
///     public static var typeName: String { "Scale" }
///     public let settings: Settings
///     public let weight: Tensor
///     public init(settings: Settings) {
///         self.settings = settings.required(by: "Scale")
///         weight = Tensor.ones([settings.features]).requiresGrad()
///     }
///     public override func forward(_ x: Tensor) -> Tensor { x * weight }
///     public override func outputShape(for input: [Int]) throws(ShapeError) -> [Int] {
///         guard input.last == settings.features else { throw ShapeError(self, input: input, needs: "a last axis of \(settings.features)") }
///         return input
///     }
/// }
/// ModuleRegistry.register(Scale.self)
/// ```
///
/// Modules whose children come from the file rather than from settings (`Sequential`) override
/// `make(from:)`.
public protocol ModuleArchitecture: Module {
    /// The settings the module is made from.
    associatedtype Settings: ModuleSettings
    /// The name written in files.
    static var typeName: String { get }
    /// The settings this module was made with.
    var settings: Settings { get }
    /// Makes the module from validated settings, with seed-0 initial parameters (a rebuild from a
    /// file loads the file's values afterwards).
    ///
    /// - Parameter settings: Settings that pass `validate()` (initialisers `require` it).
    init(settings: Settings)
    /// Builds the module a file describes; by default from the spec's settings alone.
    ///
    /// - Parameter spec: The module as read from the file: type, settings and children.
    /// - Returns: The module, with seed-0 initial parameters.
    /// - Throws: `ModelFileError` naming the file and key when the settings or children are not
    ///   acceptable.
    static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module
}

extension ModuleArchitecture {
    /// Reads, validates and budget-checks the spec's settings, then calls `init(settings:)`.
    ///
    /// - Parameter spec: the module as written in the file.
    /// - Returns: the module, with seed-0 initial parameters.
    /// - Throws: `ModelFileError.manifest` naming the setting's key.
    public static func make(from spec: ModuleSpec) throws(ModelFileError) -> Module {
        Self(settings: try spec.settings(Settings.self))
    }

    /// The settings as written into a file's `config`.
    public var configuration: JSON { settings.json }

    /// The settings as shown in the printed tree.
    public var settingsDescription: String { settings.description }
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
    /// Where this module's object sits in the manifest (`architecture.children.0.module`).
    public let location: String
    /// The most values the modules built from a file may hold, in proportion to what the file
    /// stores (so a damaged or hostile manifest cannot demand an absurd model before its tensors
    /// are compared).
    public let valueBudget: Int
    /// Module types this read may build besides the registered ones (export's check of what it
    /// is about to write knows the types of the model it writes).
    let extraTypes: [String: any ModuleArchitecture.Type]

    /// Describes a live module (and its children) for writing.
    ///
    /// - Parameters:
    ///   - module: the module.
    ///   - path: its dotted path.
    /// - Throws: `ModelFileError.notExportable` for a module that is not a `ModuleArchitecture`.
    public init(describing module: Module, path: String = "") throws(ModelFileError) {
        guard let architecture = module as? any ModuleArchitecture else {
            throw .notExportable(path: path, type: String(describing: Swift.type(of: module)))
        }
        type = Swift.type(of: architecture).typeName
        configuration = architecture.configuration
        var children: [(name: String, spec: ModuleSpec)] = []
        for (name, child) in module.namedChildren() {
            children.append((name, try ModuleSpec(describing: child, path: path.isEmpty ? name : path + "." + name)))
        }
        self.children = children
        self.path = path
        self.file = ""
        self.location = "architecture"
        self.valueBudget = Int.max
        self.extraTypes = [:]
    }

    /// Reads a spec from its JSON form.
    ///
    /// - Parameters:
    ///   - reader: the module's object in the manifest.
    ///   - path: the module's dotted path.
    ///   - file: the file's name, for messages.
    ///   - valueBudget: the most values the model may hold.
    ///   - extraTypes: types that may be built besides the registered ones.
    /// - Throws: `ModelFileError.manifest` naming the field.
    init(reading reader: JSONReader, path: String, file: String, valueBudget: Int,
         extraTypes: [String: any ModuleArchitecture.Type] = [:]) throws(ModelFileError) {
        do {
            _ = try reader.members(allowed: ["type", "config", "children"])
            let type = try reader["type"].string()
            let configuration = try reader["config"].optional { (config) throws(JSONReadError) -> JSON in
                _ = try config.members()
                return config.value!
            } ?? .object([])
            var children: [(name: String, spec: ModuleSpec)] = []
            for entry in try reader["children"].optional({ (list) throws(JSONReadError) in try list.array(count: 0...100_000) }) ?? [] {
                _ = try entry.members(allowed: ["name", "module"])
                let name = try entry["name"].string()
                children.append((name, try ModuleSpec(reading: entry["module"], path: path.isEmpty ? name : path + "." + name,
                                                      file: file, valueBudget: valueBudget, extraTypes: extraTypes)))
            }
            self.type = type
            self.configuration = configuration
            self.children = children
        } catch let error as JSONReadError {
            throw .manifest(file: file, error)
        } catch let error as ModelFileError {
            throw error
        } catch {
            throw .manifest(file: file, field: reader.path, expected: "a module (\(error))")
        }
        self.path = path
        self.file = file
        self.location = reader.path
        self.valueBudget = valueBudget
        self.extraTypes = extraTypes
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

    /// The module's settings: read from `config` (every member must be one the type declares),
    /// validated by the type's own rule, and checked against the file's value budget.
    ///
    /// ```swift
    /// let settings = try spec.settings(Linear.Settings.self)
    /// ```
    ///
    /// - Parameter type: the settings type.
    /// - Returns: the settings.
    /// - Throws: `ModelFileError.manifest` naming the setting's key.
    public func settings<Settings: ModuleSettings>(_ type: Settings.Type) throws(ModelFileError) -> Settings {
        let config = JSONReader(configuration, path: location + ".config")
        let settings: Settings
        do { settings = try config.decode(type) } catch { throw .manifest(file: file, error) }
        do { try settings.validate() } catch {
            throw .manifest(file: file, field: config.path + "." + error.setting, expected: "\(error.expected), found \(error.found)")
        }
        try reserve(settings.valueCount)
        return settings
    }

    /// Checks that a module about to be built needs no more values than the file holds.
    ///
    /// - Parameter values: the values the module will hold.
    /// - Throws: `ModelFileError.manifest` when they exceed the budget.
    public func reserve(_ values: Int) throws(ModelFileError) {
        guard values >= 0, values <= valueBudget else {
            throw .manifest(file: file, field: location,
                            expected: "a module of at most \(valueBudget) values for this file, found one of \(values)")
        }
    }

    /// Builds every child through the registry, in order.
    ///
    /// - Returns: the children.
    /// - Throws: the first child's `ModelFileError`.
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
         AdaptiveAvgPool2d.self, ResidualBlock.self, SigmoidRange.self, AdaptiveMaxPool2d.self,
         AdaptiveConcatPool2d.self, BasicBlock.self, Bottleneck.self, ResNet.self]
    }

    /// Lets model files name `type`.
    ///
    /// - Parameter type: The module type; a later registration under the same ``ModuleArchitecture/typeName`` replaces the earlier one.
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
    ///
    /// - Parameter spec: The module as read from the file.
    /// - Returns: The module, built by its registered type's `make(from:)`, with seed-0 initial parameters.
    /// - Throws: `ModelFileError.unknownModuleType` (listing the known types) when no type of that
    ///   name is registered, or the type's own `ModelFileError` for its settings or children.
    public static func make(_ spec: ModuleSpec) throws(ModelFileError) -> Module {
        guard let type = types.withLock({ $0[spec.type] }) ?? spec.extraTypes[spec.type] else {
            throw .unknownModuleType(file: spec.file, path: spec.path, type: spec.type, known: knownTypes)
        }
        return try type.make(from: spec)
    }
}
