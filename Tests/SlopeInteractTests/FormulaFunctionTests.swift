import Foundation
import Hummingbird
import HummingbirdTesting
import Slope
import SlopeInteract
import Testing

/// Any formula as the page's function, and a function written in Swift (`Interact`).
@Suite("slope interact: formulas and Swift functions")
struct FormulaFunctionTests {
    @Test("a formula session has its parameters, starts at 1 and fits by Run")
    func formulaFits() async throws {
        try await makeApplication().test(.router) { client in
            let state = try await client.newSession(#"{"function":"c*x^2 + b*x + a"}"#)
            #expect(state.json["function"]?.stringValue == "c*x^2 + b*x + a")
            #expect(state.json["formula"]?.stringValue == "c*x^2 + b*x + a")
            #expect(state.names == ["a", "b", "c"])
            #expect(state.values == ["a": 1, "b": 1, "c": 1])
            // The loss is Slope's MSE of the formula at the starting values.
            let (x, y) = Lesson.noisyQuadratic(seed: 42)
            let expected = mse(quadratic(Tensor([1, 1, 1]))(x), y).item()
            #expect(abs(state.loss - expected) <= 1e-5 * expected, "\(state.loss) vs \(expected)")
            let run = try await client.call(.post, "/api/run?session=\(state.session)", #"{"lr":0.05,"steps":1000,"tol":0.0001}"#)
            #expect(run.status == .ok)
            #expect(run.loss < state.loss / 4, "\(state.loss) -> \(run.loss)")
            #expect(run.json["run"]?["warning"] == nil)
        }
    }

    @Test("a bad formula is refused with its column; the server keeps serving")
    func badFormulaRefused() async throws {
        try await makeApplication().test(.router) { client in
            for (body, words) in [
                (#"{"function":"a*sin(b*x"}"#, "formula column 10: expected `)`"),
                (#"{"function":"a*sine(x)"}"#, "formula column 3: unknown function `sine`"),
                (#"{"function":"quadratik"}"#, "must use x"),
                (#"{"function":"relus:x"}"#, "whole number N"),
            ] {
                let answer = try await client.call(.post, "/api/session", body)
                #expect(answer.status == .badRequest, "\(body)")
                #expect(answer.error.contains(words), "\(body): \(answer.error)")
            }
            let long = String(repeating: "(", count: 5_000) + "x"
            let hostile = try await client.call(.post, "/api/session", #"{"function":"\#(long)"}"#)
            #expect(hostile.status == .badRequest)
            #expect(hostile.error.contains("at most \(Formula.maxLength) characters"), "\(hostile.error)")
            _ = try await client.newSession()
        }
    }

    @Test("Interact's Swift function serves sliders for its parameters, and autograd steps them")
    func swiftFunction() async throws {
        let interact = Interact(parameters: ["c": 2, "b": 1, "a": 0.5]) { p, x in
            p.c * x.pow(2) + p["b"] * x + p.a
        }
        let application = makeApplication { $0.family = interact.configuration.family }
        try await application.test(.router) { client in
            let state = try await client.newSession()
            #expect(state.names == ["c", "b", "a"], "the order given")
            #expect(state.values == ["c": 2, "b": 1, "a": 0.5])
            let (x, y) = Lesson.noisyQuadratic(seed: 42)
            let expected = mse(quadratic(Tensor([0.5, 1, 2]))(x), y).item()
            #expect(abs(state.loss - expected) <= 1e-5 * expected, "\(state.loss) vs \(expected)")
            let step = try await client.call(.post, "/api/step?session=\(state.session)", #"{"lr":0.01}"#)
            #expect(step.loss < state.loss)
            for name in state.names {
                #expect(step.values[name] == state.values[name]! - 0.01 * state.gradients[name]!)
            }
        }
    }
}
