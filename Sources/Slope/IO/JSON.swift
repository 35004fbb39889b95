/// A JSON value whose objects keep their keys in the order written, for output that people
/// read (`--json`) and manifests that diff cleanly.
///
/// ```swift
/// let value = JSON.object(["loss": .float(1.69), "steps": .int(10_000)])
/// print(value)   // {"loss":1.69,"steps":10000}
/// ```
public indirect enum JSON: Sendable, Equatable, CustomStringConvertible {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number (non-finite numbers are written as `null`).
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSON])
    /// An object with keys in order.
    case object([(String, JSON)])

    /// An object from a literal list of pairs, keeping their order.
    ///
    /// ```swift
    /// JSON.object(["a": .int(1), "b": .int(2)])
    /// ```
    ///
    /// - Parameter pairs: The members, in the order they are written; keys should be distinct.
    /// - Returns: `.object` with the pairs in that order.
    public static func object(_ pairs: KeyValuePairs<String, JSON>) -> JSON {
        .object(pairs.map { ($0.key, $0.value) })
    }

    /// A Float written with its shortest round-trip digits (`0.5735`, not `0.573500037...`).
    ///
    /// ```swift
    /// JSON.float(0.1)   // 0.1
    /// ```
    ///
    /// - Parameter value: The number.
    /// - Returns: `.number` of the Double nearest its shortest round-trip decimal, or `.null` for
    ///   NaN and infinities.
    public static func float(_ value: Float) -> JSON {
        value.isFinite ? .number(Double("\(value)") ?? Double(value)) : .null
    }

    /// An integer.
    ///
    /// - Parameter value: The integer (exact up to 2⁵³ in magnitude).
    /// - Returns: `.number(Double(value))`.
    public static func int(_ value: Int) -> JSON { .number(Double(value)) }

    /// An array of Floats.
    ///
    /// - Parameter values: The numbers.
    /// - Returns: `.array` of ``float(_:)`` of each value.
    public static func floats(_ values: [Float]) -> JSON { .array(values.map(JSON.float)) }

    /// The compact JSON text.
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let value):
            if !value.isFinite {
                out += "null"
            } else if value == value.rounded(), Swift.abs(value) < 1e15 {
                out += String(Int64(value))
            } else {
                out += "\(value)"
            }
        case .string(let value): JSON.writeString(value, to: &out)
        case .array(let values):
            out += "["
            for (i, value) in values.enumerated() {
                if i > 0 { out += "," }
                value.write(to: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out += "," }
                JSON.writeString(key, to: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// Equal when both write the same JSON text (so member order counts).
    ///
    /// - Parameters:
    ///   - lhs: One value.
    ///   - rhs: The other.
    /// - Returns: Whether `lhs.description == rhs.description`.
    public static func == (lhs: JSON, rhs: JSON) -> Bool { lhs.description == rhs.description }
}
