import Slope

/// The family of functions a page fits, each with named parameters:
///
/// - `quadratic`: the lesson's `c*x² + b*x + a`, parameters `a, b, c`;
/// - `relu`: the lesson's rectified linear `max(m*x + b, 0)`, parameters `m, b`;
/// - `relus:N`: a sum of `N` of them with output weights and a bias, as ``ReLUSum`` computes it,
///   `bias + Σᵢ wᵢ · max(mᵢ·x + bᵢ, 0)`, parameters `m1…mN, b1…bN, w1…wN, bias`;
/// - a ``Formula`` in `x` and named parameters, such as `a*sin(b*x) + c`;
/// - a ``CustomFunction`` written in Swift (``Interact``'s closure).
///
/// ```swift
/// let family = try FunctionFamily(parsing: "relus:3")
/// print(family.parameterNames)   // ["m1", "m2", "m3", "b1", "b2", "b3", "w1", "w2", "w3", "bias"]
/// ```
public enum FunctionFamily: Sendable, Equatable, CustomStringConvertible {
    /// `c*x² + b*x + a`.
    case quadratic
    /// `max(m*x + b, 0)`.
    case relu
    /// `bias + Σᵢ wᵢ · max(mᵢ·x + bᵢ, 0)` with `count` pieces.
    case relus(count: Int)
    /// A formula such as `a*sin(b*x) + c`; its parameters in alphabetical order.
    case formula(Formula)
    /// A function written in Swift, with its own parameter names and starting values.
    case custom(CustomFunction)

    /// The most pieces `relus:N` may have (each adds three sliders).
    public static let maxPieces = 16

    /// Reads `quadratic`, `relu`, `relus:N` (1 ≤ N ≤ ``maxPieces``) or a ``Formula`` in `x`.
    ///
    /// ```swift
    /// let family = try FunctionFamily(parsing: "relu")
    /// let wave = try FunctionFamily(parsing: "a*sin(b*x) + c")
    /// ```
    ///
    /// - Parameter text: `quadratic`, `relu`, `relus:N` or a formula.
    /// - Throws: ``InteractError/badRequest(_:)`` for a piece count outside `1...maxPieces`, or
    ///   text that is no family name and no formula (the message gives the formula's error column).
    public init(parsing text: String) throws(InteractError) {
        switch text {
        case "quadratic": self = .quadratic
        case "relu": self = .relu
        default:
            let prefix = "relus:"
            guard text.hasPrefix(prefix) else {
                do {
                    self = .formula(try Formula(parsing: text))
                    return
                } catch {
                    let shown = text.count > 80 ? text.prefix(80) + "… (\(text.count) characters)" : text
                    throw .badRequest("function must be quadratic, relu, relus:N (like relus:3) or a formula in x "
                        + "(like a*sin(b*x) + c); `\(shown)`: \(error)")
                }
            }
            guard let count = Int(text.dropFirst(prefix.count)) else {
                throw .badRequest("function relus:N needs a whole number N (like relus:3), got `\(text)`")
            }
            guard (1...FunctionFamily.maxPieces).contains(count) else {
                throw .badRequest("relus:N needs 1 ≤ N ≤ \(FunctionFamily.maxPieces), got \(count)")
            }
            self = .relus(count: count)
        }
    }

    /// The name as the command line and the API write it: `quadratic`, `relu`, `relus:3`.
    public var description: String {
        switch self {
        case .quadratic: "quadratic"
        case .relu: "relu"
        case .relus(let count): "relus:\(count)"
        case .formula(let formula): formula.source
        case .custom(let function): function.name
        }
    }

    /// The formula, for people.
    public var formula: String {
        switch self {
        case .quadratic: "c*x^2 + b*x + a"
        case .relu: "max(m*x + b, 0)"
        case .relus(let count): "bias + sum of w_i * max(m_i*x + b_i, 0), i = 1..\(count)"
        case .formula(let formula): formula.source
        case .custom(let function): function.name
        }
    }

    /// The parameter names in the order of their values.
    public var parameterNames: [String] {
        switch self {
        case .quadratic: ["a", "b", "c"]
        case .relu: ["m", "b"]
        case .relus(let count):
            ["m", "b", "w"].flatMap { kind in (1...count).map { "\(kind)\($0)" } } + ["bias"]
        case .formula(let formula): formula.parameterNames
        case .custom(let function): function.parameterNames
        }
    }

    /// Where the sliders start: the lesson's `1.5` for `a, b, c` and `m, b`; for `relus:N`,
    /// pieces whose kinks are spread evenly over `domain`, the left half falling and the right
    /// half rising (a V that bends towards the data), with weight 1 and bias 0; 1 for every
    /// parameter of a formula; a custom function's own starting values.
    ///
    /// ```swift
    /// FunctionFamily.quadratic.initialValues(over: -2...2)   // [1.5, 1.5, 1.5]
    /// ```
    ///
    /// - Parameter domain: The x range of the points.
    /// - Returns: One starting value per parameter, in ``parameterNames`` order.
    public func initialValues(over domain: ClosedRange<Float>) -> [Float] {
        switch self {
        case .quadratic: return [1.5, 1.5, 1.5]
        case .relu: return [1.5, 1.5]
        case .relus(let count):
            let width = Swift.max(domain.upperBound - domain.lowerBound, 1e-3)
            let kinks = (0..<count).map { domain.lowerBound + (Float($0) + 0.5) * width / Float(count) }
            let slopes = (0..<count).map { 2 * $0 < count - 1 ? Float(-1) : 1 }
            let intercepts = zip(slopes, kinks).map { -$0 * $1 }
            return slopes + intercepts + [Float](repeating: 1, count: count) + [0]
        case .formula(let formula): return [Float](repeating: 1, count: formula.parameterNames.count)
        case .custom(let function): return function.initialValues
        }
    }

    /// The range a parameter's slider spans before it widens to hold a larger value.
    ///
    /// - Parameter index: The parameter's position in ``parameterNames``.
    /// - Returns: `-10...10` for the intercepts and the bias of `relus:N`, `-5...5` otherwise.
    public func sliderRange(ofParameterAt index: Int) -> ClosedRange<Float> {
        switch self {
        case .quadratic, .relu, .formula: return -5...5
        case .custom(let function): return function.sliderRanges[index]
        case .relus(let count):
            let isIntercept = index >= count && index < 2 * count
            return isIntercept || index == 3 * count ? -10...10 : -5...5
        }
    }

    /// The parameter values as leaf tensors that require grad, grouped the way ``predict(_:at:)``
    /// takes them; their scalars, concatenated, are `values` in order.
    ///
    /// ```swift
    /// let leaves = family.leaves(from: [1, 2, 3])
    /// ```
    ///
    /// - Parameter values: One value per parameter, in ``parameterNames`` order.
    /// - Returns: `[abc]` for `quadratic`, `[m, b]` for `relu`, `[m, b, w, bias]` for `relus:N`,
    ///   one scalar per parameter for a formula or a custom function.
    public func leaves(from values: [Float]) -> [Tensor] {
        require(values.count == parameterNames.count, "leaves: \(description) has \(parameterNames.count) parameters, got \(values.count)")
        switch self {
        case .quadratic:
            return [Tensor(values).requiresGrad()]
        case .relu:
            return [Tensor(values[0]).requiresGrad(), Tensor(values[1]).requiresGrad()]
        case .relus(let count):
            let groups = (0..<3).map { Tensor(Array(values[($0 * count)..<(($0 + 1) * count)])).requiresGrad() }
            return groups + [Tensor(values[3 * count]).requiresGrad()]
        case .formula, .custom:
            return values.map { Tensor($0).requiresGrad() }
        }
    }

    /// The function at each value of a rank-1 `x`, recorded for autograd through `leaves`.
    ///
    /// ```swift
    /// let prediction = family.predict(family.leaves(from: values), at: x)
    /// ```
    ///
    /// - Parameters:
    ///   - leaves: Tensors from ``leaves(from:)``.
    ///   - x: The inputs, rank 1.
    /// - Returns: The predictions, `x`'s shape.
    public func predict(_ leaves: [Tensor], at x: Tensor) -> Tensor {
        switch self {
        case .quadratic:
            return Slope.quadratic(leaves[0])(x)
        case .relu:
            return rectifiedLinear(m: leaves[0], b: leaves[1], x: x)
        case .relus:
            // The same computation as `ReLUSum.callAsFunction`: one piece per column.
            let pieces = rectifiedLinear(m: leaves[0], b: leaves[1], x: x.unsqueezed(axis: 1))
            return pieces.matmul(leaves[2]) + leaves[3]
        case .formula(let formula):
            return formula(Dictionary(uniqueKeysWithValues: zip(formula.parameterNames, leaves)), at: x)
        case .custom(let function):
            return function(Dictionary(uniqueKeysWithValues: zip(function.parameterNames, leaves)), at: x)
        }
    }
}
