/// A formula in `x` and named parameters, such as `a*sin(b*x) + c`, evaluated as Slope tensor
/// ops so that autograd gives the loss's slope with respect to every parameter.
///
/// The grammar: numbers (`2`, `0.5`, `1e-3`), `x`, `pi`, parameter names (a letter or `_`, then
/// letters, digits or `_`), `+ - * /`, `^` (or `**`, right-associative, binding tighter than a
/// leading minus: `-x^2` is `-(x^2)`), parentheses, and the functions `exp log sin cos tanh abs
/// sqrt relu` (one argument), `max min` (two) and `clamp(value, low, high)`. A formula must use
/// `x`. Its length, nesting and number of parameters are bounded (``maxLength``, ``maxDepth``,
/// ``maxParameters``), so that no input can make parsing or evaluating it run long or deep.
///
/// ```swift
/// let formula = try Formula(parsing: "a*sin(b*x) + c")
/// print(formula.parameterNames)   // ["a", "b", "c"]
/// let p = ["a": Tensor(1).requiresGrad(), "b": Tensor(2).requiresGrad(), "c": Tensor(0).requiresGrad()]
/// let y = formula(p, at: Tensor([0, 0.5, 1]))
/// ```
public struct Formula: Sendable, Equatable, CustomStringConvertible {
    /// The longest formula accepted, in characters.
    public static let maxLength = 1_000
    /// The deepest nesting of operations accepted (`((x))` is not deeper than `x`, `-(-x)` is 3).
    public static let maxDepth = 100
    /// The most distinct parameters a formula may have.
    public static let maxParameters = 32
    /// The functions a formula may call, with their number of arguments.
    public static let functions: KeyValuePairs<String, Int> = [
        "exp": 1, "log": 1, "sin": 1, "cos": 1, "tanh": 1, "abs": 1, "sqrt": 1, "relu": 1,
        "max": 2, "min": 2, "clamp": 3,
    ]

    /// The text as given.
    public let source: String
    /// The parameters, in alphabetical order.
    public let parameterNames: [String]
    /// The parsed expression.
    let root: FormulaNode

    /// Parses `text`.
    ///
    /// ```swift
    /// let formula = try Formula(parsing: "clamp(m*x + b, 0, 1)")
    /// ```
    ///
    /// - Parameter text: The formula, at most ``maxLength`` characters.
    /// - Throws: ``FormulaError`` naming the column of the first problem: a character that is not
    ///   part of the grammar, a missing operand or `)`, an unknown function or the wrong number
    ///   of arguments, a formula without `x`, or one beyond the bounds.
    public init(parsing text: String) throws(FormulaError) {
        var parser = try FormulaParser(text)
        let root = try parser.parseFormula()
        var names = Set<String>()
        var usesX = false
        root.visit { node in
            switch node {
            case .parameter(let name): names.insert(name)
            case .x: usesX = true
            default: break
            }
        }
        guard usesX else {
            throw FormulaError(column: 1, reason: "the formula must use x (it is fitted as a function of x), like `a*x + b`")
        }
        guard names.count <= Formula.maxParameters else {
            throw FormulaError(column: 1, reason: "at most \(Formula.maxParameters) parameters, found \(names.count)")
        }
        self.source = text
        self.parameterNames = names.sorted()
        self.root = root
    }

    /// The formula as given.
    public var description: String { source }

    /// Two formulas are equal when their texts are.
    ///
    /// - Parameters:
    ///   - lhs: A formula.
    ///   - rhs: Another formula.
    /// - Returns: Whether the sources are the same text.
    public static func == (lhs: Formula, rhs: Formula) -> Bool { lhs.source == rhs.source }

    /// The formula at every value of `x`, recorded for autograd through the parameter tensors.
    ///
    /// ```swift
    /// let y = formula(["a": a, "b": b], at: x)   // a and b: scalar tensors that require grad
    /// ```
    ///
    /// - Parameters:
    ///   - parameters: A tensor for every name in ``parameterNames`` (scalars, or any shape
    ///     that broadcasts with `x`).
    ///   - x: The inputs.
    /// - Returns: The formula's value, `x`'s shape broadcast with the parameters'.
    public func callAsFunction(_ parameters: [String: Tensor], at x: Tensor) -> Tensor {
        for name in parameterNames {
            require(parameters[name] != nil, "Formula: no value for parameter `\(name)` of `\(source)`")
        }
        return root.evaluate(parameters, x)
    }
}

// MARK: - The tree

/// A formula's operation tree.
indirect enum FormulaNode: Sendable {
    case number(Float)
    case x
    case parameter(String)
    case negate(FormulaNode)
    case binary(Character, FormulaNode, FormulaNode)
    /// A constant power, `base ^ exponent` with a number exponent.
    case power(FormulaNode, Float)
    case call(String, [FormulaNode])

    /// Calls `body` on every node, parents before children.
    func visit(_ body: (FormulaNode) -> Void) {
        body(self)
        switch self {
        case .number, .x, .parameter: break
        case .negate(let operand), .power(let operand, _): operand.visit(body)
        case .binary(_, let lhs, let rhs): lhs.visit(body); rhs.visit(body)
        case .call(_, let arguments): for argument in arguments { argument.visit(body) }
        }
    }

    /// The value as a tensor; the tree's depth is at most ``Formula/maxDepth``.
    func evaluate(_ parameters: [String: Tensor], _ x: Tensor) -> Tensor {
        switch self {
        case .number(let value): return Tensor(value)
        case .x: return x
        case .parameter(let name): return parameters[name]!
        case .negate(let operand): return -operand.evaluate(parameters, x)
        case .power(let base, let exponent): return base.evaluate(parameters, x).pow(exponent)
        case .binary(let op, let lhs, let rhs):
            let (a, b) = (lhs.evaluate(parameters, x), rhs.evaluate(parameters, x))
            switch op {
            case "+": return a + b
            case "-": return a - b
            case "*": return a * b
            case "/": return a / b
            default: return (b * a.log()).exp()   // `^` with a non-constant exponent: a^b = exp(b·log a)
            }
        case .call(let name, let arguments):
            let values = arguments.map { $0.evaluate(parameters, x) }
            switch name {
            case "exp": return values[0].exp()
            case "log": return values[0].log()
            case "sin": return values[0].sin()
            case "cos": return values[0].cos()
            case "tanh": return values[0].tanh()
            case "abs": return values[0].abs()
            case "sqrt": return values[0].sqrt()
            case "relu": return values[0].relu()
            case "max": return maximum(values[0], values[1])
            case "min": return minimum(values[0], values[1])
            default: return maximum(minimum(values[0], values[2]), values[1])   // clamp(value, low, high)
            }
        }
    }
}
