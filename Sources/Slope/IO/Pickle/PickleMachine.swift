import Foundation

/// A pickle virtual machine (protocols 0 to 5) that executes nothing: it builds the symbolic
/// ``PickleGraph`` the opcodes describe. `GLOBAL` and `STACK_GLOBAL` give a class or function
/// *name*; `REDUCE`, `NEWOBJ`, `NEWOBJ_EX`, `INST`, `OBJ` and `BUILD` record "call this name with
/// these arguments, then set this state" — no module is imported and nothing is called, so a
/// pickle that would run `os.system` under Python is, here, a node naming `posix.system`.
/// Every size is checked against ``PickleLimits`` before memory is taken.
///
/// ```swift
/// let graph = try PickleMachine.run(Array(pickleBytes))
/// print(graph.calledNames)   // ["collections.OrderedDict", "torch._utils._rebuild_tensor_v2", ...]
/// ```
public struct PickleMachine {
    private let bytes: [UInt8]
    private let limits: PickleLimits
    private var position = 0
    private var opcodeStart = 0
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    private var nodes: [PickleNode] = []

    /// Runs a pickle to its `STOP` opcode.
    ///
    /// - Parameters:
    ///   - bytes: the pickle.
    ///   - limits: the bounds to hold it to.
    /// - Returns: the graph, with the unpickled value as its root.
    /// - Throws: ``PickleError`` naming the byte offset of the opcode that broke a rule.
    public static func run(_ bytes: [UInt8], limits: PickleLimits = PickleLimits()) throws(PickleError) -> PickleGraph {
        var machine = PickleMachine(bytes: bytes, limits: limits)
        let root = try machine.execute()
        return PickleGraph(nodes: machine.nodes, root: root)
    }

    private init(bytes: [UInt8], limits: PickleLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    // MARK: - Reading operands

    private func fail(_ reason: String) -> PickleError { PickleError(offset: opcodeStart, reason) }

    private mutating func take(_ count: Int) throws(PickleError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - position else {
            throw fail("the pickle ends inside an operand (\(count) bytes needed, \(bytes.count - position) left)")
        }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    private mutating func unsigned(_ count: Int) throws(PickleError) -> UInt64 {
        var value: UInt64 = 0
        for (shift, byte) in try take(count).enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
        return value
    }

    private mutating func length(_ count: Int) throws(PickleError) -> Int {
        let value = try unsigned(count)
        guard value <= UInt64(limits.stringBytes) else { throw fail("a length of \(value) bytes, more than the limit of \(limits.stringBytes)") }
        return Int(value)
    }

    private mutating func line() throws(PickleError) -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw fail("the pickle ends inside a text operand") }
        guard end - position <= limits.stringBytes else { throw fail("a text operand longer than the limit of \(limits.stringBytes) bytes") }
        let text = String(decoding: bytes[position..<end], as: UTF8.self)
        position = end + 1
        return text
    }

    // MARK: - The stack

    private mutating func push(_ value: PickleValue) throws(PickleError) {
        guard stack.count < limits.stack else { throw fail("the stack grew past the limit of \(limits.stack) values") }
        stack.append(value)
    }

    private mutating func pop() throws(PickleError) -> PickleValue {
        guard let value = stack.popLast(), stack.count >= (marks.last ?? 0) else {
            throw fail("the stack is empty (or the value is below the last mark)")
        }
        return value
    }

    private func top() throws(PickleError) -> PickleValue {
        guard let value = stack.last, stack.count > (marks.last ?? 0) else { throw fail("the stack is empty") }
        return value
    }

    private mutating func popToMark() throws(PickleError) -> [PickleValue] {
        guard let mark = marks.popLast() else { throw fail("no mark is set") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private mutating func makeNode(_ node: PickleNode) throws(PickleError) -> PickleValue {
        guard nodes.count < limits.nodes else { throw fail("more than \(limits.nodes) objects (set \(PickleLimits.defaultNodes.setting) to raise it)") }
        nodes.append(node)
        return .node(nodes.count - 1)
    }

    private mutating func remember(_ index: Int) throws(PickleError) {
        guard index >= 0 else { throw fail("a negative memo index") }
        if memo[index] == nil, memo.count >= limits.memo { throw fail("more than \(limits.memo) memo entries") }
        memo[index] = try top()
    }

    private func recall(_ index: Int) throws(PickleError) -> PickleValue {
        guard let value = memo[index] else { throw fail("memo entry \(index) was never stored") }
        return value
    }

    private func kindName(_ value: PickleValue) -> String {
        switch value {
        case .none: return "None"
        case .bool: return "a bool"
        case .int, .largeInt: return "an int"
        case .float: return "a float"
        case .string: return "a string"
        case .bytes: return "bytes"
        case .node(let index):
            switch nodes[index] {
            case .tuple: return "a tuple"
            case .list: return "a list"
            case .dict: return "a dict"
            case .set: return "a set"
            case .global(let module, let name): return "`\(module).\(name)`"
            case .instance: return "an object"
            case .persistentID: return "a persistent id"
            }
        }
    }

    private func tupleItems(_ value: PickleValue, for opcode: String) throws(PickleError) -> [PickleValue] {
        guard case .node(let index) = value, case .tuple(let items) = nodes[index] else {
            throw fail("\(opcode) needs a tuple of arguments, found \(kindName(value))")
        }
        return items
    }

    // MARK: - Mutation

    private mutating func appendItems(_ items: [PickleValue], to target: PickleValue, opcode: String) throws(PickleError) {
        guard case .node(let index) = target else { throw fail("\(opcode) on \(kindName(target))") }
        switch nodes[index] {
        case .list(var list):
            nodes[index] = .tuple([])
            list.append(contentsOf: items)
            nodes[index] = .list(list)
        case .set(var set) where opcode == "ADDITEMS":
            nodes[index] = .tuple([])
            set.append(contentsOf: items)
            nodes[index] = .set(set)
        case .instance(var instance) where opcode != "ADDITEMS":
            nodes[index] = .tuple([])
            instance.listItems.append(contentsOf: items)
            nodes[index] = .instance(instance)
        default: throw fail("\(opcode) on \(kindName(target))")
        }
    }

    private mutating func setItems(_ flat: [PickleValue], on target: PickleValue) throws(PickleError) {
        guard flat.count % 2 == 0 else { throw fail("SETITEMS needs key-value pairs, found an odd number of values") }
        guard case .node(let index) = target else { throw fail("SETITEM(S) on \(kindName(target))") }
        var pairs: [PickleEntry] = []
        pairs.reserveCapacity(flat.count / 2)
        for start in stride(from: 0, to: flat.count, by: 2) { pairs.append(PickleEntry(key: flat[start], value: flat[start + 1])) }
        switch nodes[index] {
        case .dict(var entries):
            nodes[index] = .tuple([])
            entries.append(contentsOf: pairs)
            nodes[index] = .dict(entries)
        case .instance(var instance):
            nodes[index] = .tuple([])
            instance.dictItems.append(contentsOf: pairs)
            nodes[index] = .instance(instance)
        default: throw fail("SETITEM(S) on \(kindName(target))")
        }
    }

    private mutating func build(_ state: PickleValue, on target: PickleValue) throws(PickleError) {
        guard case .node(let index) = target, case .instance(var instance) = nodes[index] else {
            throw fail("BUILD on \(kindName(target))")
        }
        nodes[index] = .tuple([])
        instance.state = state
        nodes[index] = .instance(instance)
    }

    private mutating func call(_ callee: PickleValue, _ arguments: [PickleValue], kind: PickleInstance.Kind,
                               keywords: PickleValue? = nil) throws(PickleError) {
        try push(try makeNode(.instance(PickleInstance(kind: kind, callee: callee, arguments: arguments, keywordArguments: keywords))))
    }

    // MARK: - Integers

    private func integer(littleEndian raw: ArraySlice<UInt8>) -> PickleValue {
        if raw.isEmpty { return .int(0) }
        let negative = raw.last! & 0x80 != 0
        if raw.count <= 8 {
            var value: UInt64 = negative ? .max : 0
            for (shift, byte) in raw.enumerated() {
                value &= ~(UInt64(0xFF) << (8 * UInt64(shift)))
                value |= UInt64(byte) << (8 * UInt64(shift))
            }
            return .int(Int(Int64(bitPattern: value)))
        }
        // Longer encodings may still fit when the high bytes only carry the sign.
        let fill: UInt8 = negative ? 0xFF : 0
        if raw.dropFirst(8).allSatisfy({ $0 == fill }), (raw[raw.startIndex + 7] & 0x80 != 0) == negative {
            return integer(littleEndian: raw.prefix(8))
        }
        return .largeInt(Array(raw))
    }

    private func decimal(_ text: String) throws(PickleError) -> PickleValue {
        var digits = text
        if digits.hasSuffix("L") { digits.removeLast() }
        if digits == "00" { return .bool(false) }
        if digits == "01" { return .bool(true) }
        guard let value = Int(digits) else { throw fail("an integer too large or malformed in text form: \(text.prefix(40))") }
        return .int(value)
    }

    // MARK: - Text strings (protocol 0)

    private func quoted(_ text: String) throws(PickleError) -> PickleValue {
        let characters = Array(text.utf8)
        guard characters.count >= 2, let quote = characters.first, quote == 0x27 || quote == 0x22, characters.last == quote else {
            throw fail("STRING needs a quoted string")
        }
        var out: [UInt8] = []
        var index = 1
        while index < characters.count - 1 {
            let byte = characters[index]
            if byte == 0x5C, index + 1 < characters.count - 1 {
                let next = characters[index + 1]
                index += 2
                switch next {
                case 0x6E: out.append(0x0A)
                case 0x74: out.append(0x09)
                case 0x72: out.append(0x0D)
                case 0x78 where index + 1 < characters.count:
                    guard let value = UInt8(String(decoding: characters[index...(index + 1)], as: UTF8.self), radix: 16) else {
                        throw fail("a bad \\x escape in STRING")
                    }
                    out.append(value)
                    index += 2
                default: out.append(next)
                }
                continue
            }
            out.append(byte)
            index += 1
        }
        return .bytes(out)
    }

    private func rawUnicode(_ text: String) -> PickleValue {
        guard text.contains("\\u") || text.contains("\\U") else { return .string(text) }
        var result = ""
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            if scalar == "\\", let kind = scalars.first, kind == "u" || kind == "U" {
                let width = kind == "u" ? 4 : 8
                let hex = String(String.UnicodeScalarView(scalars.dropFirst().prefix(width)))
                if hex.count == width, let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) {
                    result.unicodeScalars.append(decoded)
                    scalars = scalars.dropFirst(width + 1)
                    continue
                }
            }
            result.unicodeScalars.append(scalar)
        }
        return .string(result)
    }

    // MARK: - The loop

    private mutating func execute() throws(PickleError) -> PickleValue {
        while true {
            opcodeStart = position
            guard position < bytes.count else { throw fail("the pickle ends without a STOP opcode") }
            let opcode = bytes[position]
            position += 1
            switch opcode {
            case 0x80:  // PROTO
                let version = try unsigned(1)
                guard version <= 5 else { throw fail("pickle protocol \(version); Slope reads protocols 0 to 5") }
            case 0x95:  // FRAME: a length hint only
                let size = try unsigned(8)
                guard size <= UInt64(bytes.count - position) else { throw fail("a frame longer than the rest of the pickle") }
            case 0x2E:  // STOP
                guard let root = stack.last else { throw fail("STOP with an empty stack") }
                return root
            case 0x28:  // MARK
                guard marks.count < limits.marks else { throw fail("more than \(limits.marks) open marks") }
                marks.append(stack.count)
            case 0x30: _ = try pop()  // POP
            case 0x31: _ = try popToMark()  // POP_MARK
            case 0x32: try push(try top())  // DUP

            // Scalars
            case 0x4E: try push(.none)  // NONE
            case 0x88: try push(.bool(true))  // NEWTRUE
            case 0x89: try push(.bool(false))  // NEWFALSE
            case 0x4A: try push(.int(Int(Int32(bitPattern: UInt32(try unsigned(4))))))  // BININT
            case 0x4B: try push(.int(Int(try unsigned(1))))  // BININT1
            case 0x4D: try push(.int(Int(try unsigned(2))))  // BININT2
            case 0x8A: try push(integer(littleEndian: try take(try length(1))))  // LONG1
            case 0x8B: try push(integer(littleEndian: try take(try length(4))))  // LONG4
            case 0x49: try push(try decimal(try line()))  // INT
            case 0x4C: try push(try decimal(try line()))  // LONG
            case 0x46:  // FLOAT
                let text = try line()
                guard let value = Double(text) else { throw fail("FLOAT with a malformed number") }
                try push(.float(value))
            case 0x47: try push(.float(Double(bitPattern: try unsignedBigEndian8())))  // BINFLOAT

            // Strings and bytes
            case 0x58: try push(.string(String(decoding: try take(try length(4)), as: UTF8.self)))  // BINUNICODE
            case 0x8C: try push(.string(String(decoding: try take(try length(1)), as: UTF8.self)))  // SHORT_BINUNICODE
            case 0x8D: try push(.string(String(decoding: try take(try length(8)), as: UTF8.self)))  // BINUNICODE8
            case 0x56: try push(rawUnicode(try line()))  // UNICODE
            case 0x54: try push(.bytes(Array(try take(try length(4)))))  // BINSTRING
            case 0x55: try push(.bytes(Array(try take(try length(1)))))  // SHORT_BINSTRING
            case 0x53: try push(try quoted(try line()))  // STRING
            case 0x42: try push(.bytes(Array(try take(try length(4)))))  // BINBYTES
            case 0x43: try push(.bytes(Array(try take(try length(1)))))  // SHORT_BINBYTES
            case 0x8E, 0x96: try push(.bytes(Array(try take(try length(8)))))  // BINBYTES8, BYTEARRAY8
            case 0x97: throw fail("NEXT_BUFFER: out-of-band buffers are not part of a file")
            case 0x98: _ = try top()  // READONLY_BUFFER

            // Containers
            case 0x29: try push(try makeNode(.tuple([])))  // EMPTY_TUPLE
            case 0x85: let a = try pop(); try push(try makeNode(.tuple([a])))  // TUPLE1
            case 0x86: let b = try pop(), a = try pop(); try push(try makeNode(.tuple([a, b])))  // TUPLE2
            case 0x87: let c = try pop(), b = try pop(), a = try pop(); try push(try makeNode(.tuple([a, b, c])))  // TUPLE3
            case 0x74: try push(try makeNode(.tuple(try popToMark())))  // TUPLE
            case 0x5D: try push(try makeNode(.list([])))  // EMPTY_LIST
            case 0x6C: try push(try makeNode(.list(try popToMark())))  // LIST
            case 0x7D: try push(try makeNode(.dict([])))  // EMPTY_DICT
            case 0x64:  // DICT
                let flat = try popToMark()
                let dict = try makeNode(.dict([]))
                try setItems(flat, on: dict)
                try push(dict)
            case 0x8F: try push(try makeNode(.set([])))  // EMPTY_SET
            case 0x91: try push(try makeNode(.set(try popToMark())))  // FROZENSET
            case 0x61: let item = try pop(); try appendItems([item], to: try top(), opcode: "APPEND")  // APPEND
            case 0x65: let items = try popToMark(); try appendItems(items, to: try top(), opcode: "APPENDS")  // APPENDS
            case 0x90: let items = try popToMark(); try appendItems(items, to: try top(), opcode: "ADDITEMS")  // ADDITEMS
            case 0x73: let value = try pop(), key = try pop(); try setItems([key, value], on: try top())  // SETITEM
            case 0x75: let flat = try popToMark(); try setItems(flat, on: try top())  // SETITEMS

            // Memo
            case 0x70: try remember(try decimalIndex(try line()))  // PUT
            case 0x71: try remember(Int(try unsigned(1)))  // BINPUT
            case 0x72: try remember(Int(try unsigned(4)))  // LONG_BINPUT
            case 0x94: try remember(memo.count)  // MEMOIZE
            case 0x67: try push(try recall(try decimalIndex(try line())))  // GET
            case 0x68: try push(try recall(Int(try unsigned(1))))  // BINGET
            case 0x6A: try push(try recall(Int(try unsigned(4))))  // LONG_BINGET

            // Names and calls: recorded, never resolved or called.
            case 0x63:  // GLOBAL
                let module = try line(), name = try line()
                try push(try makeNode(.global(module: module, name: name)))
            case 0x93:  // STACK_GLOBAL
                let name = try pop(), module = try pop()
                guard case .string(let moduleName) = module, case .string(let globalName) = name else {
                    throw fail("STACK_GLOBAL needs two strings")
                }
                try push(try makeNode(.global(module: moduleName, name: globalName)))
            case 0x82, 0x83, 0x84:  // EXT1, EXT2, EXT4
                throw fail("extension-registry codes (EXT1/EXT2/EXT4) name classes by number; Slope accepts only names")
            case 0x52:  // REDUCE
                let arguments = try pop(), callee = try pop()
                try call(callee, try tupleItems(arguments, for: "REDUCE"), kind: .reduce)
            case 0x81:  // NEWOBJ
                let arguments = try pop(), type = try pop()
                try call(type, try tupleItems(arguments, for: "NEWOBJ"), kind: .newObject)
            case 0x92:  // NEWOBJ_EX
                let keywords = try pop(), arguments = try pop(), type = try pop()
                try call(type, try tupleItems(arguments, for: "NEWOBJ_EX"), kind: .newObject, keywords: keywords)
            case 0x69:  // INST
                let module = try line(), name = try line()
                let arguments = try popToMark()
                try call(try makeNode(.global(module: module, name: name)), arguments, kind: .newObject)
            case 0x6F:  // OBJ
                var items = try popToMark()
                guard !items.isEmpty else { throw fail("OBJ needs a class after the mark") }
                let type = items.removeFirst()
                try call(type, items, kind: .newObject)
            case 0x62:  // BUILD
                let state = try pop()
                try build(state, on: try top())
            case 0x50:  // PERSID
                try push(try makeNode(.persistentID(.string(try line()))))
            case 0x51:  // BINPERSID
                let id = try pop()
                try push(try makeNode(.persistentID(id)))
            default:
                throw fail(String(format: "unknown opcode 0x%02x", opcode))
            }
        }
    }

    private mutating func unsignedBigEndian8() throws(PickleError) -> UInt64 {
        var value: UInt64 = 0
        for byte in try take(8) { value = value << 8 | UInt64(byte) }
        return value
    }

    private func decimalIndex(_ text: String) throws(PickleError) -> Int {
        guard let index = Int(text), index >= 0 else { throw fail("a malformed memo index") }
        return index
    }
}
