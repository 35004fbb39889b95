/// A value on the pickle machine's stack: a scalar, or a reference to a node of the
/// ``PickleGraph`` (containers, class names, symbolic calls). Containers live in the graph's
/// flat node array, so a deep or cyclic pickle is never a deep Swift value (nothing recurses
/// when it is freed).
///
/// ```swift
/// let graph = try PickleMachine.run(bytes, file: "data.pkl")
/// if case .string(let text) = graph.root { print(text) }
/// ```
public enum PickleValue: Sendable, Equatable, Hashable {
    /// Python's `None`.
    case none
    /// `True` or `False`.
    case bool(Bool)
    /// An integer that fits 64 bits.
    case int(Int)
    /// An integer too large for 64 bits: its little-endian two's-complement bytes.
    case largeInt([UInt8])
    /// A float.
    case float(Double)
    /// A text string.
    case string(String)
    /// A bytes or bytearray object.
    case bytes([UInt8])
    /// A container, class name or symbolic call: the index of its node in the graph.
    case node(Int)
}

/// What a graph node holds. Nothing here was imported or called: a `global` is a class or
/// function *name*, and an `instance` records "call (or instantiate) this name with these
/// arguments, then set this state".
public enum PickleNode: Sendable {
    /// A tuple.
    case tuple([PickleValue])
    /// A list (items appended as the pickle is read).
    case list([PickleValue])
    /// A dict, in insertion order.
    case dict([PickleEntry])
    /// A set or frozenset.
    case set([PickleValue])
    /// A reference by name to a module-level class or function (`GLOBAL`, `STACK_GLOBAL`).
    case global(module: String, name: String)
    /// The symbolic result of `REDUCE`, `NEWOBJ`, `NEWOBJ_EX`, `INST` or `OBJ`.
    case instance(PickleInstance)
    /// A persistent id (`PERSID`, `BINPERSID`): in PyTorch files, a storage reference.
    case persistentID(PickleValue)
}

/// A dict entry.
public struct PickleEntry: Sendable {
    /// The key.
    public var key: PickleValue
    /// The value.
    public var value: PickleValue
}

/// A symbolic call: what Python would call (a ``PickleNode/global(module:name:)`` node, or any
/// other value a hostile pickle puts there), its arguments, and what `BUILD`, `APPEND(S)` and
/// `SETITEM(S)` later added to the result.
public struct PickleInstance: Sendable {
    /// How the call was made.
    public enum Kind: Sendable {
        /// `REDUCE`: `callee(*arguments)`.
        case reduce
        /// `NEWOBJ`/`NEWOBJ_EX`/`INST`/`OBJ`: `callee.__new__(callee, *arguments)`.
        case newObject
    }

    /// How the call was made.
    public var kind: Kind
    /// What would be called.
    public var callee: PickleValue
    /// The positional arguments.
    public var arguments: [PickleValue]
    /// Keyword arguments (`NEWOBJ_EX`), if any.
    public var keywordArguments: PickleValue?
    /// The state `BUILD` set (`__setstate__` or `__dict__.update`), if any.
    public var state: PickleValue?
    /// Items `APPEND`/`APPENDS` added.
    public var listItems: [PickleValue] = []
    /// Entries `SETITEM`/`SETITEMS` added (an `OrderedDict`'s contents).
    public var dictItems: [PickleEntry] = []
}

/// The symbolic object graph one pickle describes: its nodes and the value `STOP` returned.
public struct PickleGraph: Sendable {
    /// Every container, name and call, indexed by ``PickleValue/node(_:)``.
    public internal(set) var nodes: [PickleNode]
    /// The unpickled value.
    public internal(set) var root: PickleValue

    /// The node a value refers to, or `nil` for a scalar.
    ///
    /// - Parameter value: a value of this graph.
    /// - Returns: its node.
    public func node(_ value: PickleValue) -> PickleNode? {
        guard case .node(let index) = value, nodes.indices.contains(index) else { return nil }
        return nodes[index]
    }

    /// `module.name` when `value` is a class or function name.
    ///
    /// - Parameter value: a value of this graph.
    /// - Returns: the dotted name.
    public func globalName(_ value: PickleValue) -> String? {
        guard case .global(let module, let name)? = node(value) else { return nil }
        return module + "." + name
    }

    /// The instance a value refers to, if it is one.
    ///
    /// - Parameter value: a value of this graph.
    /// - Returns: the instance.
    public func instance(_ value: PickleValue) -> PickleInstance? {
        guard case .instance(let instance)? = node(value) else { return nil }
        return instance
    }

    /// The class or function name an instance was made by (`torch.nn.modules.linear.Linear`).
    ///
    /// - Parameter value: a value of this graph.
    /// - Returns: the callee's dotted name, when it is a plain name.
    public func className(_ value: PickleValue) -> String? {
        instance(value).flatMap { globalName($0.callee) }
    }

    /// The items of a tuple or list (or a set's).
    ///
    /// - Parameter value: a value of this graph.
    /// - Returns: the items.
    public func items(_ value: PickleValue) -> [PickleValue]? {
        switch node(value) {
        case .tuple(let items)?, .list(let items)?, .set(let items)?: return items
        default: return nil
        }
    }

    /// The entries of a dict, or of an instance filled by `SETITEMS` (an `OrderedDict`).
    ///
    /// - Parameter value: a value of this graph.
    /// - Returns: the entries in order.
    public func entries(_ value: PickleValue) -> [PickleEntry]? {
        switch node(value) {
        case .dict(let entries)?: return entries
        case .instance(let instance)?: return instance.dictItems
        default: return nil
        }
    }

    /// The value under a string key of a dict (or `OrderedDict`).
    ///
    /// - Parameters:
    ///   - value: a dict of this graph.
    ///   - key: the key.
    /// - Returns: the value, if present.
    public func member(_ value: PickleValue, _ key: String) -> PickleValue? {
        entries(value)?.last { $0.key == .string(key) }?.value
    }

    /// An instance's attributes: its `BUILD` state when that is a dict, or the dict of a
    /// `(dict, slots)` state pair.
    ///
    /// - Parameter value: an instance of this graph.
    /// - Returns: the attribute dict's value, if any.
    public func attributes(_ value: PickleValue) -> PickleValue? {
        guard let state = instance(value)?.state else { return nil }
        if entries(state) != nil, case .dict? = node(state) { return state }
        if let pair = items(state), pair.count == 2 {
            if case .dict? = node(pair[0]) { return pair[0] }
            if case .dict? = node(pair[1]) { return pair[1] }
        }
        return nil
    }

    /// One attribute of an instance (see ``attributes(_:)``).
    ///
    /// - Parameters:
    ///   - value: an instance of this graph.
    ///   - name: the attribute.
    /// - Returns: its value, if present.
    public func attribute(_ value: PickleValue, _ name: String) -> PickleValue? {
        attributes(value).flatMap { member($0, name) }
    }

    /// Every distinct class or function name the pickle mentions, in first-seen order.
    public var globalNames: [String] {
        var seen = Set<String>()
        var names: [String] = []
        for node in nodes {
            if case .global(let module, let name) = node, seen.insert(module + "." + name).inserted { names.append(module + "." + name) }
        }
        return names
    }

    /// The names that are called (`REDUCE`, `NEWOBJ`, ...) anywhere in the graph, in order.
    public var calledNames: [String] {
        var seen = Set<String>()
        var names: [String] = []
        for node in nodes {
            if case .instance(let instance) = node, let name = globalName(instance.callee), seen.insert(name).inserted { names.append(name) }
        }
        return names
    }
}
