import Slope

/// The members of a JSON request body, read strictly: the body must be one JSON object (an
/// empty body counts as `{}`), each key may appear once, and every read checks the type and
/// range, throwing a 400 ``InteractError`` that names the member.
///
/// ```swift
/// let fields = try RequestFields(body: Array(#"{"lr":0.01}"#.utf8), allowed: ["lr"])
/// let lr = try fields.number("lr", in: 1e-9...10) ?? 0.01
/// ```
struct RequestFields {
    /// The members in the order written.
    let pairs: [(String, JSON)]

    /// Parses `body`; `allowed` lists the member names the endpoint takes (`nil`: any name,
    /// checked by the caller).
    init(body: [UInt8], allowed: Set<String>?) throws(InteractError) {
        if body.allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) }) {
            pairs = []
            return
        }
        let value: JSON
        do {
            value = try JSONParser.parse(body, maxDepth: 8)
        } catch {
            throw .badRequest("malformed JSON: \(error)")
        }
        guard let pairs = value.objectValue else { throw .badRequest("the request body must be a JSON object") }
        var seen = Set<String>()
        for (key, _) in pairs {
            guard seen.insert(key).inserted else { throw .badRequest("member `\(key)` appears twice") }
            if let allowed, !allowed.contains(key) {
                let names = allowed.sorted().map { "`\($0)`" }.joined(separator: ", ")
                throw .badRequest("unknown member `\(key)`; this endpoint takes \(names.isEmpty ? "no members" : names)")
            }
        }
        self.pairs = pairs
    }

    /// The member's value, if present.
    subscript(key: String) -> JSON? { pairs.first { $0.0 == key }?.1 }

    /// The number under `key` (`nil` if absent); it must be finite and within `range`.
    func number(_ key: String, in range: ClosedRange<Double>) throws(InteractError) -> Double? {
        guard let value = self[key] else { return nil }
        guard let number = value.numberValue else { throw .badRequest("`\(key)` must be a number, got \(value)") }
        guard number.isFinite else { throw .badRequest("`\(key)` must be a finite number, got \(number)") }
        guard range.contains(number) else {
            throw .badRequest("`\(key)` must be between \(JSON.number(range.lowerBound)) and \(JSON.number(range.upperBound)), got \(JSON.number(number))")
        }
        return number
    }

    /// The whole number under `key` (`nil` if absent), within `range`.
    func integer(_ key: String, in range: ClosedRange<Int>) throws(InteractError) -> Int? {
        guard let number = try number(key, in: Double(range.lowerBound)...Double(range.upperBound)) else { return nil }
        guard number == number.rounded() else { throw .badRequest("`\(key)` must be a whole number, got \(JSON.number(number))") }
        return Int(number)
    }

    /// The string under `key` (`nil` if absent).
    func string(_ key: String) throws(InteractError) -> String? {
        guard let value = self[key] else { return nil }
        guard let text = value.stringValue else { throw .badRequest("`\(key)` must be a string, got \(value)") }
        return text
    }
}
