/// A strict JSON parser with limits, for reading files that may be hostile: nesting deeper than
/// `maxDepth` or text longer than `maxBytes` is rejected before it can exhaust the stack or
/// memory. Errors name the byte offset.
///
/// ```swift
/// let value = try JSONParser.parse(Array("{\"a\": [1, 2]}".utf8))
/// ```
public enum JSONParser {
    /// Why a text is not acceptable JSON.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        /// The byte offset where parsing stopped.
        public let offset: Int
        /// What was wrong there.
        public let reason: String
        /// `reason at byte offset`.
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// Parses `bytes` as one JSON value (whitespace around it allowed).
    ///
    /// - Parameters:
    ///   - bytes: UTF-8 JSON text.
    ///   - maxDepth: The deepest nesting of arrays and objects accepted.
    ///   - maxBytes: The longest text accepted.
    /// - Returns: The value; objects keep their members' order.
    /// - Throws: ``ParseError`` with the byte offset: text over `maxBytes` or nested deeper than
    ///   `maxDepth`, invalid syntax, numbers outside JSON's grammar or Double's range, invalid UTF-8,
    ///   escapes or control characters in strings, or text after the value.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64, maxBytes: Int = 64 << 20) throws(ParseError) -> JSON {
        if bytes.count > maxBytes { throw ParseError(offset: 0, reason: "JSON text of \(bytes.count) bytes is larger than the limit of \(maxBytes)") }
        var parser = Parser(bytes: bytes, maxDepth: maxDepth)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        if parser.position != bytes.count { throw parser.fail("unexpected text after the JSON value") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        let maxDepth: Int
        var position = 0

        func fail(_ reason: String) -> ParseError { ParseError(offset: position, reason: reason) }

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
        }

        mutating func value(depth: Int) throws(ParseError) -> JSON {
            guard depth <= maxDepth else { throw fail("JSON nested deeper than \(maxDepth) levels") }
            guard position < bytes.count else { throw fail("unexpected end of JSON") }
            switch bytes[position] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return .number(try number())
            }
        }

        mutating func literal(_ word: String) throws(ParseError) {
            let expected = Array(word.utf8)
            guard position + expected.count <= bytes.count, Array(bytes[position..<(position + expected.count)]) == expected else {
                throw fail("invalid JSON value")
            }
            position += expected.count
        }

        mutating func object(depth: Int) throws(ParseError) -> JSON {
            position += 1
            var pairs: [(String, JSON)] = []
            skipSpace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(pairs) }
            while true {
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let key = try string()
                skipSpace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("expected `:`") }
                position += 1
                skipSpace()
                pairs.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard position < bytes.count else { throw fail("unexpected end of JSON") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(pairs) }
                throw fail("expected `,` or `}`")
            }
        }

        mutating func array(depth: Int) throws(ParseError) -> JSON {
            position += 1
            var values: [JSON] = []
            skipSpace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(values) }
            while true {
                skipSpace()
                values.append(try value(depth: depth + 1))
                skipSpace()
                guard position < bytes.count else { throw fail("unexpected end of JSON") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(values) }
                throw fail("expected `,` or `]`")
            }
        }

        /// A string, in one pass: bytes are copied into one buffer (escapes written as their
        /// UTF-8), which is validated once at the end, so the time is linear in the length
        /// whatever the number of escapes.
        mutating func string() throws(ParseError) -> String {
            position += 1
            var text: [UInt8] = []
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    guard let string = String(validating: text, as: UTF8.self) else { throw fail("invalid UTF-8 in a string") }
                    return string
                case UInt8(ascii: "\\"):
                    guard position < bytes.count else { throw fail("unterminated string") }
                    let escape = bytes[position]
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
                    case UInt8(ascii: "b"): text.append(0x08)
                    case UInt8(ascii: "f"): text.append(0x0C)
                    case UInt8(ascii: "n"): text.append(0x0A)
                    case UInt8(ascii: "r"): text.append(0x0D)
                    case UInt8(ascii: "t"): text.append(0x09)
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        if (0xD800..<0xDC00).contains(code) {
                            guard position + 6 <= bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                                throw fail("unpaired surrogate in a string")
                            }
                            position += 2
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in a string") }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape") }
                        text.append(contentsOf: UTF8.encode(scalar)!)
                    default: throw fail("invalid escape in a string")
                    }
                default:
                    if byte < 0x20 { throw fail("control character in a string") }
                    text.append(byte)
                }
            }
            throw fail("unterminated string")
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard position + 4 <= bytes.count else { throw fail("short \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                position += 1
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw fail("invalid hex digit in \\u escape")
                }
                value = value * 16 + digit
            }
            return value
        }

        /// JSON's number grammar exactly: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
        mutating func number() throws(ParseError) -> Double {
            let start = position
            func digits() -> Int {
                let first = position
                while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") { position += 1 }
                return position - first
            }
            func invalid() -> ParseError { position = start; return fail("invalid JSON value") }
            if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
            let integerStart = position
            let integerDigits = digits()
            guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { throw invalid() }
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                position += 1
                guard digits() > 0 else { throw invalid() }
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
                guard digits() > 0 else { throw invalid() }
            }
            guard position - start <= 400, let text = String(validating: bytes[start..<position], as: UTF8.self),
                  let value = Double(text), value.isFinite else { throw invalid() }
            return value
        }
    }
}

extension JSON {
    /// The value under `key` of an object, or `nil`.
    ///
    /// - Parameter key: A member name.
    /// - Returns: The first member's value with that name, or `nil` when this is not an object or has no such member.
    public subscript(key: String) -> JSON? {
        if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }

    /// The string, if this is one.
    public var stringValue: String? { if case .string(let value) = self { return value }; return nil }
    /// The number, if this is one.
    public var numberValue: Double? { if case .number(let value) = self { return value }; return nil }
    /// The Boolean, if this is one.
    public var boolValue: Bool? { if case .bool(let value) = self { return value }; return nil }
    /// The elements, if this is an array.
    public var arrayValue: [JSON]? { if case .array(let value) = self { return value }; return nil }
    /// The pairs, if this is an object.
    public var objectValue: [(String, JSON)]? { if case .object(let value) = self { return value }; return nil }
}
