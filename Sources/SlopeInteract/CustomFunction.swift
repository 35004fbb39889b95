import Slope
import Synchronization

/// A function with named scalar parameters written in Swift, for ``Interact``: its parameter
/// names, where each slider starts, the slider ranges, and the closure that computes `f(x)` from
/// Slope tensors (so autograd gives the slopes). Two custom functions are equal only when they
/// are the same one (the same `make`).
///
/// ```swift
/// let wave = CustomFunction(parameters: ["a": 1, "b": 2]) { p, x in p.a * (p.b * x).sin() }
/// print(wave.parameterNames)   // ["a", "b"]
/// ```
public struct CustomFunction: Sendable, Equatable {
    /// The name the page shows for the function.
    public let name: String
    /// The parameter names, in the order given.
    public let parameterNames: [String]
    /// Where each parameter starts.
    public let initialValues: [Float]
    /// Each parameter's slider range before it widens: `-5...5`, or wider to hold the start value.
    public let sliderRanges: [ClosedRange<Float>]
    /// Tells functions apart (from a process-wide counter).
    private let identity: Int
    private let body: @Sendable (InteractParameters, Tensor) -> Tensor

    private static let counter = Atomic<Int>(0)

    /// A function of `x` and the named parameters.
    ///
    /// - Parameters:
    ///   - name: What the page calls it (default `your function`).
    ///   - parameters: The names with their starting values, in slider order (at least one,
    ///     names distinct and not `x`, values finite).
    ///   - body: `f(p, x)`: the function at every value of the rank-1 tensor `x`, using `p.a`
    ///     (or `p["a"]`) for each parameter; the result must have `x`'s shape.
    public init(name: String = "your function", parameters: KeyValuePairs<String, Float>,
                _ body: @escaping @Sendable (InteractParameters, Tensor) -> Tensor) {
        let names = parameters.map(\.key)
        require(!names.isEmpty, "CustomFunction: give at least one parameter")
        require(Set(names).count == names.count, "CustomFunction: parameter names must be distinct, got \(names)")
        require(!names.contains("x"), "CustomFunction: `x` is the input, not a parameter name")
        require(parameters.allSatisfy { $0.value.isFinite }, "CustomFunction: starting values must be finite")
        self.name = name
        self.parameterNames = names
        self.initialValues = parameters.map(\.value)
        self.sliderRanges = parameters.map { FitState.sliderRange(-5...5, holding: $0.value) }
        self.identity = CustomFunction.counter.add(1, ordering: .relaxed).newValue
        self.body = body
    }

    /// The function at every value of `x`.
    ///
    /// - Parameters:
    ///   - parameters: One tensor per name in ``parameterNames``.
    ///   - x: The inputs, rank 1.
    /// - Returns: `body(p, x)`, `x`'s shape.
    public func callAsFunction(_ parameters: [String: Tensor], at x: Tensor) -> Tensor {
        let result = body(InteractParameters(values: parameters), x)
        require(result.shape == x.shape, "CustomFunction `\(name)`: f(p, x) must have x's shape \(x.shape), got \(result.shape)")
        return result
    }

    /// Whether two values are the same function.
    ///
    /// - Parameters:
    ///   - lhs: A function.
    ///   - rhs: Another function.
    /// - Returns: Whether both came from the same `init`.
    public static func == (lhs: CustomFunction, rhs: CustomFunction) -> Bool { lhs.identity == rhs.identity }
}

/// The parameters a ``CustomFunction``'s closure reads, by name: `p.a` or `p["a"]`, each a
/// scalar tensor that requires grad.
///
/// ```swift
/// let f = CustomFunction(parameters: ["m": 1, "b": 0]) { p, x in p.m * x + p["b"] }
/// ```
@dynamicMemberLookup
public struct InteractParameters {
    /// The tensors by name.
    let values: [String: Tensor]

    /// The parameter called `name`.
    ///
    /// - Parameter name: One of the function's parameter names.
    /// - Returns: Its scalar tensor.
    public subscript(_ name: String) -> Tensor {
        guard let value = values[name] else {
            requireFailure("InteractParameters: no parameter `\(name)`; the function has \(values.keys.sorted().joined(separator: ", "))")
        }
        return value
    }

    /// The parameter called `name`, as `p.name`.
    ///
    /// - Parameter name: One of the function's parameter names.
    /// - Returns: Its scalar tensor.
    public subscript(dynamicMember name: String) -> Tensor { self[name] }
}
