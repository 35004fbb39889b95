/// Why a JSON value is not what a reader expected: the dotted path of the value in its document
/// (`architecture.children.0.module.config.kernelSize`, `preprocessing.continuous.2.std`,
/// `lr`), what was expected there and what was found.
///
/// ```swift
/// // architecture.config.bias: expected true or false, found a number (1)
/// ```
public struct JSONReadError: Error, Equatable, CustomStringConvertible {
    /// The dotted path of the value (`""` for the whole document).
    public let path: String
    /// What the reader wanted (`an integer in 1...4096`).
    public let expected: String
    /// What the document holds there (`a string`, `nothing`).
    public let found: String

    /// `path: expected X, found Y`.
    public var description: String { "\(path.isEmpty ? "the document" : path): expected \(expected), found \(found)" }
}

/// One value of a parsed JSON document together with its dotted path, read through typed
/// accessors that throw a `JSONReadError` naming the path, what was expected and what was found.
/// The manifest of a model file, its preprocessing, module settings and the interact server's
/// request bodies are all read through it.
///
/// A member that is absent gives a reader whose `value` is `nil`: reading it throws ("found
/// nothing") unless it is read with `optional`.
///
/// ```swift
/// let body = JSONReader(try JSONParser.parse(Array(#"{"lr":0.01,"steps":[1,2]}"#.utf8)))
/// let lr = try body["lr"].double(in: 1e-9...10)            // 0.01
/// let steps = try body["steps"].array().map { try $0.int() }  // [1, 2]
/// try body["tol"].optional { try $0.double() }              // nil
/// ```
public struct JSONReader: Sendable {
    /// The value, or `nil` when the member is absent.
    public let value: JSON?
    /// The dotted path of the value in its document.
    public let path: String

    /// A reader for a whole document (or a part of one, at `path`).
    ///
    /// - Parameters:
    ///   - value: the parsed value.
    ///   - path: where it sits (`""` for a whole document).
    public init(_ value: JSON?, path: String = "") {
        self.value = value
        self.path = path
    }

    /// The path of a member or element below this one.
    func childPath(_ name: String) -> String { path.isEmpty ? name : path + "." + name }

    /// The member `key` of an object (absent when this is not an object or lacks it; reading it
    /// then names the member's path).
    ///
    /// ```swift
    /// let std = try reader["std"].double()
    /// ```
    ///
    /// - Parameter key: A member name.
    /// - Returns: A reader at `path.key`; its value is `nil` when this is not an object or lacks the member.
    public subscript(key: String) -> JSONReader {
        JSONReader(value?[key], path: childPath(key))
    }

    /// Whether the member exists (is not absent; `null` counts as present).
    public var isPresent: Bool { value != nil }

    /// An error at this path: `expected`, and a description of what is here.
    ///
    /// - Parameter expected: what the caller wanted (`a positive number`).
    /// - Returns: the error, to throw.
    public func failure(_ expected: String) -> JSONReadError {
        JSONReadError(path: path, expected: expected, found: JSONReader.describe(value))
    }

    /// A short description of a value for messages: `a string ("x")`, `a number (3.5)`, `nothing`.
    static func describe(_ value: JSON?) -> String {
        switch value {
        case nil: return "nothing"
        case .null: return "null"
        case .bool(let flag): return "\(flag)"
        case .number: return "a number (\(value!))"
        case .string(let text): return text.count <= 40 ? "a string (\(JSON.string(text)))" : "a string"
        case .array(let values): return "an array of \(values.count)"
        case .object: return "an object"
        }
    }

    // MARK: - Typed reads

    /// The value, read by `read` when present; `nil` when the member is absent.
    ///
    /// ```swift
    /// let window = try body["window"].optional { try $0.int(in: 1...10_000) } ?? 20
    /// ```
    ///
    /// - Parameter read: how to read a present value.
    /// - Returns: the value read, or `nil` when absent.
    /// - Throws: what `read` throws.
    public func optional<T>(_ read: (JSONReader) throws(JSONReadError) -> T) throws(JSONReadError) -> T? {
        isPresent ? try read(self) : nil
    }

    /// A finite number, optionally within `range`.
    ///
    /// - Parameter range: the numbers accepted (`nil`: any finite number).
    /// - Returns: the number.
    /// - Throws: `JSONReadError` when this is not a number or is outside `range`.
    public func double(in range: ClosedRange<Double>? = nil) throws(JSONReadError) -> Double {
        guard case .number(let number) = value, number.isFinite else {
            throw failure(range.map { "a number in \(JSONReader.show($0))" } ?? "a number")
        }
        if let range, !range.contains(number) { throw failure("a number in \(JSONReader.show(range))") }
        return number
    }

    /// A number that fits a Float (finite after conversion), optionally within `range`.
    ///
    /// - Parameter range: the numbers accepted (`nil`: any finite Float).
    /// - Returns: the number as a Float.
    /// - Throws: `JSONReadError` when this is not such a number.
    public func float(in range: ClosedRange<Float>? = nil) throws(JSONReadError) -> Float {
        let expected = range.map { "a number in \(JSONReader.show(Double($0.lowerBound)...Double($0.upperBound)))" } ?? "a number that fits a Float"
        guard case .number(let number) = value, Float(number).isFinite else { throw failure(expected) }
        if let range, !range.contains(Float(number)) { throw failure(expected) }
        return Float(number)
    }

    /// A whole number, optionally within `range` (any whole number within ±2⁵³ otherwise).
    ///
    /// - Parameter range: the integers accepted.
    /// - Returns: the integer.
    /// - Throws: `JSONReadError` when this is not such an integer.
    public func int(in range: ClosedRange<Int>? = nil) throws(JSONReadError) -> Int {
        let expected = range.map { "an integer in \($0.lowerBound)...\($0.upperBound)" } ?? "an integer"
        guard case .number(let number) = value, number == number.rounded(), Swift.abs(number) <= 9_007_199_254_740_992 else {
            throw failure(expected)
        }
        let integer = Int(number)
        if let range, !range.contains(integer) { throw failure(expected) }
        return integer
    }

    /// `true` or `false`.
    ///
    /// - Returns: the Boolean.
    /// - Throws: `JSONReadError` when this is not a Boolean.
    public func bool() throws(JSONReadError) -> Bool {
        guard case .bool(let flag) = value else { throw failure("true or false") }
        return flag
    }

    /// A string.
    ///
    /// - Returns: the string.
    /// - Throws: `JSONReadError` when this is not a string.
    public func string() throws(JSONReadError) -> String {
        guard case .string(let text) = value else { throw failure("a string") }
        return text
    }

    /// The elements of an array, each with its path (`classes.0`, `classes.1`, ...).
    ///
    /// - Parameter count: the element counts accepted (`nil`: any).
    /// - Returns: one reader per element.
    /// - Throws: `JSONReadError` when this is not an array of an accepted length.
    public func array(count: ClosedRange<Int>? = nil) throws(JSONReadError) -> [JSONReader] {
        let expected = count.map { $0.lowerBound == $0.upperBound ? "an array of \($0.lowerBound)" : "an array of \($0.lowerBound)...\($0.upperBound) elements" } ?? "an array"
        guard case .array(let values) = value else { throw failure(expected) }
        if let count, !count.contains(values.count) { throw failure(expected) }
        return values.enumerated().map { JSONReader($0.element, path: childPath(String($0.offset))) }
    }

    /// The members of an object in the order written, each with its path; a key written twice,
    /// or one outside `allowed`, is refused.
    ///
    /// - Parameter allowed: the member names accepted (`nil`: any).
    /// - Returns: name and reader of each member.
    /// - Throws: `JSONReadError` when this is not an object, or repeats or adds a member.
    public func members(allowed: Set<String>? = nil) throws(JSONReadError) -> [(name: String, value: JSONReader)] {
        guard case .object(let pairs) = value else { throw failure("an object") }
        var seen = Set<String>()
        for (key, member) in pairs {
            guard seen.insert(key).inserted else {
                throw JSONReadError(path: childPath(key), expected: "a member written once", found: "it twice")
            }
            if let allowed, !allowed.contains(key) {
                let names = allowed.sorted().map { "`\($0)`" }.joined(separator: ", ")
                throw JSONReadError(path: childPath(key), expected: names.isEmpty ? "no members" : "only \(names)",
                                    found: "an unknown member (\(JSONReader.describe(member)))")
            }
        }
        return pairs.map { ($0.0, JSONReader($0.1, path: childPath($0.0))) }
    }

    /// A list of strings.
    ///
    /// - Returns: the strings.
    /// - Throws: `JSONReadError` naming the first element that is not a string.
    public func strings() throws(JSONReadError) -> [String] {
        var result: [String] = []
        for element in try array() { result.append(try element.string()) }
        return result
    }

    /// `1e-09...10` written as JSON numbers are (`0.001...1000`).
    private static func show(_ range: ClosedRange<Double>) -> String {
        "\(JSON.number(range.lowerBound))...\(JSON.number(range.upperBound))"
    }
}
