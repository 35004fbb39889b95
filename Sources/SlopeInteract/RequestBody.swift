import Slope

/// A JSON request body read strictly through Slope's ``JSONReader``: the body must be one JSON
/// object (an empty body counts as `{}`), each member may appear once and only under the names
/// the endpoint takes, and every read checks type and range. Each refusal is a 400
/// ``InteractError`` whose message names the member (`lr: expected a number in 1e-09...10,
/// found a number (50)`).
///
/// ```swift
/// let body = try RequestBody(Array(#"{"lr":0.01}"#.utf8), allowed: ["lr"])
/// let lr = try body.optional("lr") { try $0.double(in: 1e-9...10) } ?? 0.01
/// ```
struct RequestBody {
    /// The whole body.
    let reader: JSONReader
    /// The members in the order written, each with its path.
    let members: [(name: String, value: JSONReader)]

    /// Parses `bytes`; `allowed` lists the member names the endpoint takes (`nil`: any name,
    /// checked by the caller).
    init(_ bytes: [UInt8], allowed: Set<String>?) throws(InteractError) {
        var value = JSON.object([])
        if !bytes.allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) }) {
            do { value = try JSONParser.parse(bytes, maxDepth: 8) } catch { throw .badRequest("malformed JSON: \(error)") }
        }
        guard value.objectValue != nil else { throw .badRequest("the request body must be a JSON object") }
        let reader = JSONReader(value)
        self.reader = reader
        members = try InteractError.reading { try reader.members(allowed: allowed) }
    }

    /// The member `name` read by `read`, or `nil` when the body lacks it.
    ///
    /// - Parameters:
    ///   - name: The member's name.
    ///   - read: How to read it.
    /// - Returns: The value read, or `nil`.
    /// - Throws: A 400 ``InteractError`` naming the member when `read` refuses it.
    func optional<T>(_ name: String, _ read: (JSONReader) throws -> T) throws(InteractError) -> T? {
        let member = reader[name]
        guard member.isPresent else { return nil }
        return try InteractError.reading { try read(member) }
    }

    /// The member `name` read by `read`; absent, it is refused like a value of the wrong kind.
    ///
    /// - Parameters:
    ///   - name: The member's name.
    ///   - read: How to read it.
    /// - Returns: The value read.
    /// - Throws: A 400 ``InteractError`` naming the member.
    func required<T>(_ name: String, _ read: (JSONReader) throws -> T) throws(InteractError) -> T {
        let member = reader[name]
        return try InteractError.reading { try read(member) }
    }
}

extension InteractError {
    /// Runs a read of request members, turning its `JSONReadError` (which names the member's
    /// path) into a 400; an ``InteractError`` it throws (a value the endpoint refuses) stays as it is.
    ///
    /// - Parameter read: The read.
    /// - Returns: What it read.
    /// - Throws: ``InteractError/badRequest(_:)`` with the read error's message.
    static func reading<T>(_ read: () throws -> T) throws(InteractError) -> T {
        do { return try read() } catch let error as InteractError { throw error } catch { throw .badRequest("\(error)") }
    }
}
