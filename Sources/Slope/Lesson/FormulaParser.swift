/// Reads a ``Formula``'s text into its tree: a tokenizer and a recursive-descent parser, both
/// linear in the length, whose recursion is bounded by ``Formula/maxDepth``.
///
/// ```
/// formula := sum
/// sum     := product (('+' | '-') product)*
/// product := unary (('*' | '/') unary)*
/// unary   := ('-' | '+') unary | power
/// power   := atom (('^' | '**') unary)?
/// atom    := number | 'x' | 'pi' | name | function '(' sum (',' sum)* ')' | '(' sum ')'
/// ```
struct FormulaParser {
    /// One token and the 1-based column where it starts.
    struct Token {
        enum Kind: Equatable {
            case number(Float)
            case name(String)
            case symbol(Character)   // + - * / ^ ( ) ,
            case end
        }
        let kind: Kind
        let column: Int
    }

    private let tokens: [Token]
    private var index = 0

    /// Splits `text` into tokens.
    init(_ text: String) throws(FormulaError) {
        let characters = Array(text)
        guard characters.count <= Formula.maxLength else {
            throw FormulaError(column: Formula.maxLength + 1, reason: "a formula may have at most \(Formula.maxLength) characters, this one has \(characters.count)")
        }
        var tokens: [Token] = []
        var i = 0
        while i < characters.count {
            let c = characters[i]
            let column = i + 1
            if c == " " || c == "\t" {
                i += 1
            } else if c.isASCII, c.isNumber || (c == "." && i + 1 < characters.count && characters[i + 1].isASCII && characters[i + 1].isNumber) {
                var j = i
                while j < characters.count, characters[j].isASCII, characters[j].isNumber || characters[j] == "." { j += 1 }
                // An exponent only when digits follow: `2e-3`, but `2e` stays `2` then `e`.
                if j < characters.count, characters[j] == "e" || characters[j] == "E" {
                    var k = j + 1
                    if k < characters.count, characters[k] == "+" || characters[k] == "-" { k += 1 }
                    if k < characters.count, characters[k].isASCII, characters[k].isNumber {
                        while k < characters.count, characters[k].isASCII, characters[k].isNumber { k += 1 }
                        j = k
                    }
                }
                let literal = String(characters[i..<j])
                guard let value = Float(literal), value.isFinite else {
                    throw FormulaError(column: column, reason: "`\(literal)` is not a number")
                }
                tokens.append(Token(kind: .number(value), column: column))
                i = j
            } else if c.isASCII, c.isLetter || c == "_" {
                var j = i
                while j < characters.count, characters[j].isASCII, characters[j].isLetter || characters[j].isNumber || characters[j] == "_" { j += 1 }
                tokens.append(Token(kind: .name(String(characters[i..<j])), column: column))
                i = j
            } else if c == "*", i + 1 < characters.count, characters[i + 1] == "*" {
                tokens.append(Token(kind: .symbol("^"), column: column))
                i += 2
            } else if "+-*/^(),".contains(c) {
                tokens.append(Token(kind: .symbol(c), column: column))
                i += 1
            } else {
                throw FormulaError(column: column, reason: "unexpected `\(c)`; a formula uses numbers, x, parameter names, + - * / ^, parentheses and functions")
            }
        }
        tokens.append(Token(kind: .end, column: characters.count + 1))
        self.tokens = tokens
    }

    /// The whole formula; every token must be used.
    mutating func parseFormula() throws(FormulaError) -> FormulaNode {
        guard tokens.count > 1 else { throw FormulaError(column: 1, reason: "the formula is empty") }
        let node = try sum(depth: 0)
        let last = tokens[index]
        guard last.kind == .end else {
            throw FormulaError(column: last.column, reason: "expected an operator (+ - * / ^) or the end, found \(Self.describe(last))")
        }
        return node.node
    }

    // MARK: - Grammar rules

    /// A subtree and its depth.
    private typealias Parsed = (node: FormulaNode, depth: Int)

    private static func deeper(_ depth: Int, at column: Int) throws(FormulaError) -> Int {
        guard depth < Formula.maxDepth else {
            throw FormulaError(column: column, reason: "the formula nests deeper than \(Formula.maxDepth) operations")
        }
        return depth + 1
    }

    private mutating func sum(depth: Int) throws(FormulaError) -> Parsed {
        try chain(of: "+-", depth: depth) { parser, depth throws(FormulaError) in try parser.product(depth: depth) }
    }

    private mutating func product(depth: Int) throws(FormulaError) -> Parsed {
        try chain(of: "*/", depth: depth) { parser, depth throws(FormulaError) in try parser.unary(depth: depth) }
    }

    /// `operand (op operand)*` for the left-associative operators `operators`, one precedence level.
    private mutating func chain(of operators: String, depth: Int,
                                operand: (inout FormulaParser, Int) throws(FormulaError) -> Parsed) throws(FormulaError) -> Parsed {
        var left = try operand(&self, depth)
        while case .symbol(let op) = tokens[index].kind, operators.contains(op) {
            let column = tokens[index].column
            index += 1
            let right = try operand(&self, depth)
            left = (.binary(op, left.node, right.node), try Self.deeper(Swift.max(left.depth, right.depth), at: column))
        }
        return left
    }

    private mutating func unary(depth: Int) throws(FormulaError) -> Parsed {
        let token = tokens[index]
        if case .symbol(let sign) = token.kind, sign == "-" || sign == "+" {
            _ = try Self.deeper(depth, at: token.column)
            index += 1
            let operand = try unary(depth: depth + 1)
            if sign == "+" { return operand }
            if case .number(let value) = operand.node { return (.number(-value), operand.depth) }
            return (.negate(operand.node), try Self.deeper(operand.depth, at: token.column))
        }
        return try power(depth: depth)
    }

    private mutating func power(depth: Int) throws(FormulaError) -> Parsed {
        let base = try atom(depth: depth)
        guard case .symbol("^") = tokens[index].kind else { return base }
        let column = tokens[index].column
        index += 1
        _ = try Self.deeper(depth, at: column)
        let exponent = try unary(depth: depth + 1)
        let joined = try Self.deeper(Swift.max(base.depth, exponent.depth), at: column)
        if case .number(let value) = exponent.node { return (.power(base.node, value), joined) }
        return (.binary("^", base.node, exponent.node), joined)
    }

    private mutating func atom(depth: Int) throws(FormulaError) -> Parsed {
        let token = tokens[index]
        switch token.kind {
        case .number(let value):
            index += 1
            return (.number(value), 1)
        case .symbol("("):
            _ = try Self.deeper(depth, at: token.column)
            index += 1
            let inner = try sum(depth: depth + 1)
            try expect(")", closing: token)
            return inner
        case .name(let name):
            index += 1
            if let arity = Formula.functions.first(where: { $0.key == name })?.value {
                return try call(name, arity: arity, at: token, depth: depth)
            }
            if case .symbol("(") = tokens[index].kind {
                let known = Formula.functions.map(\.key).joined(separator: ", ")
                throw FormulaError(column: token.column, reason: "unknown function `\(name)`; the functions are \(known)")
            }
            switch name {
            case "x": return (.x, 1)
            case "pi": return (.number(Float.pi), 1)
            default: return (.parameter(name), 1)
            }
        default:
            throw FormulaError(column: token.column, reason: "expected a number, a name or `(`, found \(Self.describe(token))")
        }
    }

    private mutating func call(_ name: String, arity: Int, at token: Token, depth: Int) throws(FormulaError) -> Parsed {
        guard case .symbol("(") = tokens[index].kind else {
            throw FormulaError(column: token.column, reason: "`\(name)` is a function: write \(name)(...)")
        }
        let open = tokens[index]
        index += 1
        _ = try Self.deeper(depth, at: token.column)
        var arguments: [FormulaNode] = []
        var deepest = 0
        while true {
            let argument = try sum(depth: depth + 1)
            arguments.append(argument.node)
            deepest = Swift.max(deepest, argument.depth)
            guard case .symbol(",") = tokens[index].kind else { break }
            index += 1
        }
        try expect(")", closing: open)
        guard arguments.count == arity else {
            let plural = arity == 1 ? "argument" : "arguments"
            throw FormulaError(column: token.column, reason: "`\(name)` takes \(arity) \(plural), got \(arguments.count)")
        }
        return (.call(name, arguments), try Self.deeper(deepest, at: token.column))
    }

    private mutating func expect(_ symbol: Character, closing open: Token) throws(FormulaError) {
        let token = tokens[index]
        guard case .symbol(symbol) = token.kind else {
            throw FormulaError(column: token.column, reason: "expected `\(symbol)` to close the `(` at column \(open.column), found \(Self.describe(token))")
        }
        index += 1
    }

    /// `the end`, `` `+` ``, `` `sin` `` or `` `2.5` ``.
    private static func describe(_ token: Token) -> String {
        switch token.kind {
        case .end: return "the end"
        case .symbol(let c): return "`\(c)`"
        case .name(let name): return "`\(name)`"
        case .number(let value): return "`\(value)`"
        }
    }
}
