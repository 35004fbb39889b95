import Foundation
import Testing
@testable import Slope

// `Formula`: the page's "any formula" parsed into Slope tensor ops. Values against the same
// arithmetic in Swift, gradients against central finite differences, refusals with columns,
// and bounds that keep hostile text from running long or deep.

@Suite("Formulas in x and named parameters")
struct FormulaTests {
    private func parse(_ text: String) throws -> Formula { try Formula(parsing: text) }

    /// The column and reason of the error `text` is refused with (nil when it parses).
    private func refusal(_ text: String) -> FormulaError? {
        do {
            _ = try Formula(parsing: text)
            return nil
        } catch {
            return error
        }
    }

    @Test func parameterNamesAreSortedAndExcludeXAndFunctions() throws {
        #expect(try parse("a*sin(b*x) + c").parameterNames == ["a", "b", "c"])
        #expect(try parse("w2 * relu(m_1*x + b) + w2").parameterNames == ["b", "m_1", "w2"])
        #expect(try parse("x^2").parameterNames == [])
        #expect(try parse("pi * x").parameterNames == [])
    }

    @Test func valuesMatchTheSameArithmeticInSwift() throws {
        let xs: [Float] = [-1.5, -0.25, 0.5, 2]
        let (a, b, c): (Float, Float, Float) = (1.25, -0.75, 2)
        let cases: [(String, (Float) -> Float)] = [
            ("a*sin(b*x) + c", { a * sinf(b * $0) + c }),
            ("c*x^2 + b*x + a", { c * $0 * $0 + b * $0 + a }),
            ("-x^2", { -($0 * $0) }),
            ("2^-1 * x", { 0.5 * $0 }),
            ("a - b - c + x", { a - b - c + $0 }),
            ("x / a / c", { $0 / a / c }),
            ("x ** 3", { $0 * $0 * $0 }),
            ("exp(b*x) + log(c) + cos(x) + tanh(a*x)", { expf(b * $0) + logf(c) + cosf($0) + tanhf(a * $0) }),
            ("abs(x) + sqrt(c) + relu(x - a)", { abs($0) + sqrtf(c) + Swift.max($0 - a, 0) }),
            ("max(x, b) + min(x, a)", { Swift.max($0, b) + Swift.min($0, a) }),
            ("clamp(x, b, a)", { Swift.min(Swift.max($0, b), a) }),
            ("c^x", { powf(c, $0) }),
            ("1.5e-1*x + 2E1 + .5 + pi", { 0.15 * $0 + 20 + 0.5 + Float.pi }),
            ("+x", { $0 }),
        ]
        for (text, expected) in cases {
            let formula = try parse(text)
            let parameters = ["a": Tensor(a), "b": Tensor(b), "c": Tensor(c)].filter { formula.parameterNames.contains($0.key) }
            let y = formula(parameters, at: Tensor(xs)).scalars
            #expect(y.count == xs.count, "\(text)")
            for (index, x) in xs.enumerated() {
                let want = expected(x)
                #expect(abs(y[index] - want) <= 1e-5 * Swift.max(1, abs(want)), "\(text) at x = \(x): \(y[index]) vs \(want)")
            }
        }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        // Every operation and function of the grammar, at values away from kinks and domain edges.
        let x = Tensor([-1.3, -0.4, 0.35, 1.1, 1.9])
        let formulas = [
            "a*sin(b*x) + c",
            "c*x^2 + b*x + a",
            "exp(a*x) / (1 + b^2) - log(c + x^2) * cos(b*x)",
            "tanh(a*x + b) * sqrt(c + 2) + abs(a - 3) * x",
            "relu(a*x + b + 0.3) + max(c*x, 0.1) - min(b*x, -0.2) + clamp(a*x, -0.5, 0.6)",
            "c^x + x / (a + 3) - -b*x",
        ]
        for text in formulas {
            let formula = try parse(text)
            let inputs = [Tensor(0.7), Tensor(0.9), Tensor(1.6)]
            #expect(formula.parameterNames == ["a", "b", "c"], "\(text)")
            checkGradients(text, inputs) { leaves in
                formula(Dictionary(uniqueKeysWithValues: zip(["a", "b", "c"], leaves)), at: x)
            }
        }
    }

    @Test func badFormulasAreRefusedWithTheirColumn() {
        let cases: [(String, Int, String)] = [
            ("a*sin(b*x) +", 13, "expected a number, a name or `(`, found the end"),
            ("a*sin(b*x", 10, "expected `)` to close the `(` at column 6"),
            ("2x + a", 2, "expected an operator"),
            ("a*sine(x)", 3, "unknown function `sine`"),
            ("max(x)", 1, "`max` takes 2 arguments, got 1"),
            ("clamp(x, 1)", 1, "`clamp` takes 3 arguments"),
            ("sin + x", 1, "`sin` is a function"),
            ("a * x $ 2", 7, "unexpected `$`"),
            ("1.2.3 * x", 1, "`1.2.3` is not a number"),
            ("a + b", 1, "must use x"),
            ("", 1, "empty"),
            ("x * ()", 6, "expected a number, a name or `(`, found `)`"),
            ("x é", 3, "unexpected `é`"),
        ]
        for (text, column, words) in cases {
            let error = refusal(text)
            #expect(error?.column == column, "`\(text)`: \(String(describing: error))")
            #expect(error?.description.contains(words) == true, "`\(text)`: \(String(describing: error))")
            #expect(error?.description.hasPrefix("formula column \(column): ") == true)
        }
    }

    @Test func hostileFormulasAreBoundedAndRefusedQuickly() {
        let long = String(repeating: "x+", count: 600) + "x"
        #expect(refusal(long)?.reason.contains("at most \(Formula.maxLength) characters") == true)
        // Nesting that would recurse deeply is refused at the limit, not by overflowing the stack.
        let parentheses = String(repeating: "(", count: 900) + "x" + String(repeating: ")", count: 90)
        #expect(refusal(parentheses)?.reason.contains("nests deeper than \(Formula.maxDepth)") == true)
        #expect(refusal(String(repeating: "-", count: 900) + "x")?.reason.contains("nests deeper") == true)
        #expect(refusal(String(repeating: "sin(", count: 150) + "x" + String(repeating: ")", count: 150))?.reason.contains("nests deeper") == true)
        #expect(refusal(String(repeating: "x^", count: 400) + "x")?.reason.contains("nests deeper") == true)
        #expect(refusal(String(repeating: "x+", count: 300) + "x")?.reason.contains("nests deeper") == true)
        let many = (0..<40).map { "p\($0)" }.joined(separator: "+") + "+x"
        #expect(refusal(many)?.reason.contains("at most \(Formula.maxParameters) parameters") == true)
        // Just inside the bounds parses.
        #expect(refusal(String(repeating: "(", count: 90) + "x" + String(repeating: ")", count: 90)) == nil)
        #expect(refusal(String(repeating: "x+", count: 90) + "x") == nil)
    }
}
