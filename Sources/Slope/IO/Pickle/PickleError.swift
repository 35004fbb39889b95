/// Why the pickle machine stopped: the byte offset of the opcode and what was wrong.
///
/// ```swift
/// // data.pkl: byte 17: opcode 0x52 (REDUCE) needs a tuple of arguments on the stack, found an int
/// ```
public struct PickleError: Error, Equatable, CustomStringConvertible {
    /// The offset of the opcode in the pickle.
    public let offset: Int
    /// What was wrong.
    public let reason: String

    /// An error at `offset`.
    ///
    /// - Parameters:
    ///   - offset: the opcode's offset.
    ///   - reason: what was wrong.
    public init(offset: Int, _ reason: String) {
        self.offset = offset
        self.reason = reason
    }

    /// `byte N: reason`.
    public var description: String { "byte \(offset): \(reason)" }
}

/// The bounds the pickle machine holds a pickle to, each checked before memory is taken.
///
/// ```swift
/// let graph = try PickleMachine.run(bytes, limits: PickleLimits(nodes: 1000))
/// ```
public struct PickleLimits: Sendable {
    /// The most containers, names and calls a pickle may build.
    public var nodes: Int
    /// The most memo entries.
    public var memo: Int
    /// The deepest the stack may grow.
    public var stack: Int
    /// The most marks open at once.
    public var marks: Int
    /// The longest string or bytes object.
    public var stringBytes: Int

    /// Limits with the defaults (`SLOPE_MAX_PICKLE_NODES` raises the node count).
    ///
    /// - Parameters:
    ///   - nodes: the most nodes (default 2^23).
    ///   - memo: the most memo entries (default 2^23).
    ///   - stack: the deepest stack (default 2^20).
    ///   - marks: the most open marks (default 2^16).
    ///   - stringBytes: the longest string or bytes (default 2^30).
    public init(nodes: Int = PickleLimits.defaultNodes.value, memo: Int = 8_388_608, stack: Int = 1_048_576, marks: Int = 65_536,
                stringBytes: Int = 1_073_741_824) {
        self.nodes = nodes
        self.memo = memo
        self.stack = stack
        self.marks = marks
        self.stringBytes = stringBytes
    }

    /// The default node limit and the environment variable that raises it.
    public static let defaultNodes = InputLimit(setting: "SLOPE_MAX_PICKLE_NODES", default: 1 << 23)
}
