/// `Decodable` values read through a `JSONReader`, so a type declared once (a module's
/// settings) is rebuilt from a document with the reader's path-naming errors.
extension JSONReader {
    /// Decodes a `Decodable` value from this part of the document; members the type does not
    /// declare are refused, so a misspelt setting is not silently ignored.
    ///
    /// ```swift
    /// struct Window: Decodable { var size: Int; var stride: Int }
    /// let window = try JSONReader(json, path: "config").decode(Window.self)
    /// ```
    ///
    /// - Parameter type: the type to decode.
    /// - Returns: the value.
    /// - Throws: `JSONReadError` naming the first member that is missing or of the wrong kind.
    public func decode<T: Decodable>(_ type: T.Type) throws(JSONReadError) -> T {
        let log = AccessLog()
        let decoded: T
        do {
            decoded = try T(from: ReaderDecoder(reader: self, log: log))
        } catch let error as JSONReadError {
            throw error
        } catch let DecodingError.dataCorrupted(context) {
            throw JSONReadError(path: childPath(context.codingPath.map(\.stringValue).joined(separator: ".")),
                                expected: context.debugDescription, found: "something else")
        } catch {
            throw failure("a valid \(T.self) (\(error))")
        }
        if case .object(let pairs) = value, let unknown = pairs.first(where: { !log.keys.contains($0.0) }) {
            let known = log.keys.sorted().map { "`\($0)`" }.joined(separator: ", ")
            throw JSONReadError(path: childPath(unknown.0), expected: known.isEmpty ? "no members" : "only \(known)",
                                found: "an unknown member")
        }
        return decoded
    }
}

/// The member names a decode asked for at the top level, to refuse members it did not declare.
private final class AccessLog {
    var keys = Set<String>()
}

/// The `Decoder` behind `JSONReader.decode`: every container reads through a `JSONReader`.
private struct ReaderDecoder: Decoder {
    let reader: JSONReader
    /// Set only for the value `decode` was called on.
    var log: AccessLog? = nil
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let members = try reader.members()
        return KeyedDecodingContainer(KeyedReader<Key>(reader: reader, names: members.map(\.name), log: log))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { UnkeyedReader(elements: try reader.array()) }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleReader(reader: reader) }
}

/// Reads one scalar of a Decodable's primitive types through a reader.
private func readScalar<T: Decodable>(_ type: T.Type, _ reader: JSONReader) throws -> T {
    switch type {
    case is Bool.Type: return try reader.bool() as! T
    case is String.Type: return try reader.string() as! T
    case is Double.Type: return try reader.double() as! T
    case is Float.Type: return try reader.float() as! T
    case is Int.Type: return try reader.int() as! T
    case is Int32.Type: return Int32(try reader.int(in: Int(Int32.min)...Int(Int32.max))) as! T
    case is UInt32.Type: return UInt32(try reader.int(in: 0...Int(UInt32.max))) as! T
    case is UInt64.Type, is UInt.Type:
        let value = try reader.int(in: 0...Int.max)
        return (type is UInt64.Type ? UInt64(value) as Any : UInt(value) as Any) as! T
    default: return try T(from: ReaderDecoder(reader: reader))
    }
}

private struct KeyedReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let reader: JSONReader
    let names: [String]
    let log: AccessLog?
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { names.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool {
        member(key).isPresent
    }
    func decodeNil(forKey key: Key) throws -> Bool {
        member(key).value == .null
    }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try readScalar(type, member(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try readScalar(type, member(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try readScalar(type, member(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try readScalar(type, member(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try readScalar(type, member(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try narrow(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try narrow(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try readScalar(type, member(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { Int64(try member(key).int()) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try readScalar(type, member(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try narrow(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try narrow(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try readScalar(type, member(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try readScalar(type, member(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try readScalar(type, member(key)) }

    /// The member's reader, noted as declared.
    private func member(_ key: Key) -> JSONReader {
        log?.keys.insert(key.stringValue)
        return reader[key.stringValue]
    }

    /// A small fixed-width integer, range-checked.
    private func narrow<T: FixedWidthInteger>(_ key: Key) throws -> T {
        T(try member(key).int(in: Int(T.min)...Int(T.max)))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ReaderDecoder(reader: member(key)).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ReaderDecoder(reader: member(key)).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder { ReaderDecoder(reader: reader) }
    func superDecoder(forKey key: Key) throws -> any Decoder { ReaderDecoder(reader: member(key)) }
}

private struct UnkeyedReader: UnkeyedDecodingContainer {
    let elements: [JSONReader]
    var currentIndex = 0
    var codingPath: [any CodingKey] { [] }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// The next element's reader (an absent one past the end, so the error says "found nothing").
    private mutating func next() -> JSONReader {
        defer { currentIndex += 1 }
        return isAtEnd ? JSONReader(nil, path: "element \(currentIndex)") : elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex].value == .null else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try readScalar(type, next()) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try ReaderDecoder(reader: next()).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try ReaderDecoder(reader: next()).unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { ReaderDecoder(reader: next()) }
}

private struct SingleReader: SingleValueDecodingContainer {
    let reader: JSONReader
    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool { reader.value == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try readScalar(type, reader) }
}
