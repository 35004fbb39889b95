/// The settings a module type is made from, declared once as a struct of stored properties:
/// the printed tree (`Linear(inputFeatures: 1, outputFeatures: 32, bias: true)`), the
/// manifest's `config` (`{"inputFeatures":1,"outputFeatures":32,"bias":true}`) and the rebuild
/// from a file (`Decodable`, read with path-naming errors) all come from that one declaration.
/// `validate()` is the one rule for which settings are acceptable: the layer's initialiser
/// `require`s it, and a file rebuild throws its error naming the setting's key.
///
/// Properties are written in declaration order; their types must be `SettingValue`s (Int,
/// Float, Double, Bool, String, `IntOrPair`, or arrays of them).
///
/// ```swift
/// public struct Settings: ModuleSettings {
///     public var width: Int
///     public var bias: Bool
///     public func validate() throws(SettingError) {
///         guard (1...100_000).contains(width) else { throw SettingError("width", expected: "1...100000", found: width) }
///     }
///     public var valueCount: Int { width * width + (bias ? width : 0) }
/// }
/// ```
public protocol ModuleSettings: Decodable, Equatable, Sendable {
    /// Throws when a setting is outside what the module accepts, naming the setting.
    ///
    /// - Throws: ``SettingError`` naming the first setting out of range, what it must be and what it is.
    func validate() throws(SettingError)
    /// How many parameter and buffer values a module with these settings holds (checked against
    /// what a file stores before anything is allocated; called only after `validate()` passed).
    var valueCount: Int { get }
}

extension ModuleSettings {
    /// No constraints by default.
    ///
    /// - Throws: Nothing: the default accepts every value; types with constraints implement their own.
    public func validate() throws(SettingError) {}
    /// No values by default (layers without parameters).
    public var valueCount: Int { 0 }

    /// The stored properties in declaration order, with their values.
    var entries: [(name: String, value: any SettingValue)] {
        Mirror(reflecting: self).children.map { child in
            guard let name = child.label, let value = child.value as? any SettingValue else {
                requireFailure("\(Self.self).\(child.label ?? "?"): a setting must be an Int, Float, Double, Bool, String, IntOrPair or an array of them")
            }
            return (name, value)
        }
    }

    /// The manifest form: one member per stored property, in declaration order.
    ///
    /// ```swift
    /// Linear.Settings(inputFeatures: 1, outputFeatures: 2, bias: true).json   // {"inputFeatures":1,"outputFeatures":2,"bias":true}
    /// ```
    public var json: JSON { .object(entries.map { ($0.name, $0.value.settingJSON) }) }

    /// The printed form: `inputFeatures: 1, outputFeatures: 2, bias: true`.
    public var description: String {
        entries.map { "\($0.name): \($0.value.settingDescription)" }.joined(separator: ", ")
    }

    /// These settings, after `require`-ing that they validate (for initialisers: misuse of the
    /// API stops with the setting's name in every build configuration).
    ///
    /// - Parameter module: the module type's name, for the message.
    /// - Returns: the settings.
    func required(by module: String) -> Self {
        do { try validate() } catch { require(false, "\(module): \(error)") }
        return self
    }
}

/// Why a module's settings are not acceptable: the setting and what it must be.
///
/// ```swift
/// // padding: expected at most half the kernel size (2, 2), found (3, 3)
/// ```
public struct SettingError: Error, Equatable, CustomStringConvertible {
    /// The setting's name (the key in the manifest's `config`).
    public let setting: String
    /// What the setting must be.
    public let expected: String
    /// What it is.
    public let found: String

    /// An error for `setting`, showing the value found.
    ///
    /// - Parameters:
    ///   - setting: the setting's name.
    ///   - expected: what it must be.
    ///   - found: its value.
    public init(_ setting: String, expected: String, found: any SettingValue) {
        self.setting = setting
        self.expected = expected
        self.found = found.settingDescription
    }

    /// `setting: expected X, found Y`.
    public var description: String { "\(setting): expected \(expected), found \(found)" }
}

/// A value a module's settings may hold: it knows its manifest form and its printed form.
public protocol SettingValue: Sendable {
    /// The manifest form.
    var settingJSON: JSON { get }
    /// The printed form in a module tree.
    var settingDescription: String { get }
}

extension SettingValue where Self: CustomStringConvertible {
    /// `description`.
    public var settingDescription: String { description }
}

extension Int: SettingValue {
    /// The number.
    public var settingJSON: JSON { .int(self) }
}

extension Float: SettingValue {
    /// The number, with its shortest round-trip digits.
    public var settingJSON: JSON { .float(self) }
}

extension Double: SettingValue {
    /// The number.
    public var settingJSON: JSON { .number(self) }
}

extension Bool: SettingValue {
    /// `true` or `false`.
    public var settingJSON: JSON { .bool(self) }
}

extension String: SettingValue {
    /// The string.
    public var settingJSON: JSON { .string(self) }
    /// The string in quotes.
    public var settingDescription: String { JSON.string(self).description }
}

extension Array: SettingValue where Element: SettingValue {
    /// An array of the elements' forms.
    public var settingJSON: JSON { .array(map(\.settingJSON)) }
    /// `[a, b, c]`.
    public var settingDescription: String { "[" + map(\.settingDescription).joined(separator: ", ") + "]" }
}

extension IntOrPair: SettingValue, Decodable {
    /// `[height, width]`.
    public var settingJSON: JSON { .array([.int(height), .int(width)]) }

    /// Reads `[height, width]`.
    ///
    /// - Parameter decoder: the decoder.
    /// - Throws: when the value is not two whole numbers.
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        guard container.count == 2 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "[height, width]"))
        }
        self.init(try container.decode(Int.self), try container.decode(Int.self))
    }
}

/// The settings of a module that has none (activations, `Sequential`).
public struct NoSettings: ModuleSettings {
    /// No settings.
    public init() {}
}

/// The product of `factors`, or `nil` when it overflows `Int` (for value counts and shapes
/// read from files).
///
/// ```swift
/// checkedProduct([1 << 40, 1 << 40])   // nil
/// ```
func checkedProduct(_ factors: [Int]) -> Int? {
    var product = 1
    for factor in factors {
        let (next, overflow) = product.multipliedReportingOverflow(by: factor)
        if overflow { return nil }
        product = next
    }
    return product
}

/// `a + b`, or `Int.max` when it overflows (value counts only ever grow into a refusal).
func saturatingSum(_ terms: [Int]) -> Int {
    var total = 0
    for term in terms {
        let (next, overflow) = total.addingReportingOverflow(term)
        if overflow { return .max }
        total = next
    }
    return total
}
