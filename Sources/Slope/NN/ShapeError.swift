/// Why a module cannot take an input shape, found by its shape rule without computing
/// anything: the module's dotted path and type, the shape it was given, and what it needs.
///
/// ```swift
/// do { _ = try model.outputShape(for: [1, 5]) } catch { print(error) }
/// // `0` (Linear) cannot take an input of shape [1, 5]: it needs a last axis of 4
/// ```
public struct ShapeError: Error, Equatable, CustomStringConvertible {
    /// The dotted path of the module that refused (`""` for the module asked).
    public internal(set) var path: String
    /// The module's type name.
    public let module: String
    /// The input shape it was given.
    public let input: [Int]
    /// What it needs, or `nil` when the module has no shape rule (a type that does not override
    /// `outputShape(for:)`; callers that check shapes skip such models).
    public let reason: String?

    /// A refusal by `module` of `input`, saying what it needs.
    ///
    /// - Parameters:
    ///   - module: the module refusing.
    ///   - input: the shape it was given.
    ///   - reason: what it needs (`a last axis of 4`).
    public init(_ module: Module, input: [Int], needs reason: String) {
        self.path = ""
        self.module = String(describing: type(of: module))
        self.input = input
        self.reason = reason
    }

    /// The error of a module type that has no shape rule.
    init(noRuleFor module: Module, input: [Int]) {
        self.path = ""
        self.module = String(describing: type(of: module))
        self.input = input
        self.reason = nil
    }

    /// Whether the module has no shape rule (rather than refusing the shape).
    public var hasNoRule: Bool { reason == nil }

    /// The message.
    public var description: String {
        let place = path.isEmpty ? "\(module)" : "`\(path)` (\(module))"
        guard let reason else { return "\(place) has no shape rule (it does not override outputShape(for:))" }
        return "\(place) cannot take an input of shape \(input): it needs \(reason)"
    }
}

extension Module {
    /// The output shape of the child named `name` for `input`, with the child's path prefixed to
    /// any error: what composite modules call to compose their children's rules.
    ///
    /// ```swift
    /// var shape = input
    /// for (name, layer) in namedChildren() { shape = try childOutputShape(layer, named: name, for: shape) }
    /// ```
    ///
    /// - Parameters:
    ///   - child: the child module.
    ///   - name: its name in this module (`0`, `conv1`).
    ///   - input: the shape it is given.
    /// - Returns: the child's output shape.
    /// - Throws: the child's `ShapeError`, its path starting with `name`.
    public func childOutputShape(_ child: Module, named name: String, for input: [Int]) throws(ShapeError) -> [Int] {
        do {
            return try child.outputShape(for: input)
        } catch {
            var error = error
            error.path = error.path.isEmpty ? name : name + "." + error.path
            throw error
        }
    }
}
