import Foundation
import Hummingbird
import HummingbirdTesting
import Slope
import SlopeInteract
import Testing

/// Step, Run, Reset, New points and the loss through the API: the numbers are Slope's.
@Suite("slope interact: descent through the API")
struct DescentTests {
    @Test("the state holds the lesson's points, the starting values, the loss and the curve")
    func initialState() async throws {
        try await makeApplication().test(.router) { client in
            let state = try await client.newSession()
            #expect(state.json["function"]?.stringValue == "quadratic")
            #expect(state.names == ["a", "b", "c"])
            #expect(state.values == ["a": 1.5, "b": 1.5, "c": 1.5])
            let (x, y) = Lesson.noisyQuadratic(seed: 42)
            #expect(state.json["points"]?["x"] == .floats(x.scalars))
            #expect(state.json["points"]?["y"] == .floats(y.scalars))
            #expect(state.json["points"]?["seed"]?.numberValue == 42)
            let expected = mse(quadratic(Tensor([1.5, 1.5, 1.5]))(x), y).item()
            #expect(state.loss == expected)
            let curveY = try #require(state.json["curve"]?["y"]?.arrayValue)
            #expect(curveY.count == FitState.curveSamples)
        }
    }

    @Test("a step lowers the loss and moves each parameter by -lr * gradient", arguments: ["quadratic", "relu", "relus:3"])
    func stepLowersLoss(function: String) async throws {
        try await makeApplication().test(.router) { client in
            let before = try await client.newSession(#"{"function":"\#(function)"}"#)
            let lr: Float = 0.01
            let after = try await client.call(.post, "/api/step?session=\(before.session)", #"{"lr":0.01}"#)
            #expect(after.status == .ok)
            #expect(after.loss < before.loss, "\(function): loss \(before.loss) -> \(after.loss)")
            let step = try #require(after.json["step"])
            #expect(step["outcome"]?.stringValue == "reachedStepLimit")
            #expect(step["losses"] == .floats([before.loss]))
            #expect(after.json["steps"]?.numberValue == 1)
            for name in before.names {
                let gradient = try #require(step["gradients"]?[name]?.numberValue).asFloat
                let move = try #require(step["moves"]?[name]?.numberValue).asFloat
                #expect(gradient == before.gradients[name], "the step moves along the gradient the state showed")
                #expect(move == -lr * gradient)
                #expect(after.values[name] == before.values[name]! + move)
            }
        }
    }

    @Test("gradients match central finite differences of the loss", arguments: [
        ("quadratic", "mse"), ("quadratic", "mae"), ("relu", "mse"), ("relus:2", "mse"), ("relus:2", "mae"),
        ("a*sin(b*x) + c", "mse"), ("exp(a*x/4) + clamp(b, -3, 3)*x^2 + tanh(c*x)", "mae"),
    ])
    func gradientsMatchFiniteDifferences(function: String, loss: String) async throws {
        try await makeApplication().test(.router) { client in
            let id = try await client.newSession(#"{"function":"\#(function)","loss":"\#(loss)"}"#).session
            // Move away from the start so no gradient is zero by symmetry.
            let start = try await client.call(.post, "/api/run?session=\(id)", #"{"lr":0.01,"steps":3}"#)
            let values = start.values
            let h: Float = 1e-2
            for name in start.names {
                var plus = values, minus = values
                plus[name]! += h
                minus[name]! -= h
                let up = try await client.call(.post, "/api/params?session=\(id)", jsonObject(plus)).loss
                let down = try await client.call(.post, "/api/params?session=\(id)", jsonObject(minus)).loss
                let estimate = (up - down) / (2 * h)
                let autograd = try #require(start.gradients[name])
                #expect(abs(estimate - autograd) <= 2e-2 * max(1, abs(autograd)),
                        "\(function) \(loss) ∂/∂\(name): autograd \(autograd), finite difference \(estimate)")
            }
        }
    }

    @Test("Run stops when the improvement over the window falls below tol, near the least-squares fit")
    func runConverges() async throws {
        try await makeApplication().test(.router) { client in
            let id = try await client.newSession().session
            var outcome = "reachedStepLimit"
            var total = 0
            var last: APIResponse?
            while outcome == "reachedStepLimit" && total < 20_000 {
                let response = try await client.call(.post, "/api/run?session=\(id)", #"{"lr":0.05,"steps":1000,"tol":0.0001,"window":20}"#)
                #expect(response.status == .ok)
                outcome = response.json["run"]?["outcome"]?.stringValue ?? "?"
                total += Int(response.json["run"]?["steps"]?.numberValue ?? 0)
                last = response
            }
            let state = try #require(last)
            #expect(outcome == "converged")
            #expect(state.json["steps"]?.numberValue == Double(total))
            // The least-squares fit of the lesson's points (what `slope fit quadratic` finds):
            // a = 0.5735, b = 1.1403, c = 2.7604, loss 1.6924.
            #expect(abs(state.values["a"]! - 0.5735) < 0.02 && abs(state.values["b"]! - 1.1403) < 0.02
                    && abs(state.values["c"]! - 2.7604) < 0.02, "found \(state.values)")
            #expect(state.loss < 1.7)
            let again = try await client.call(.post, "/api/run?session=\(id)", #"{"lr":0.05,"steps":10,"tol":0.0001,"window":20}"#)
            #expect(again.json["run"]?["outcome"]?.stringValue == "converged")
            #expect(again.json["run"]?["steps"]?.numberValue == 0)
        }
    }

    @Test("a learning rate that makes the loss blow up stops Run, undoes that step and says so")
    func divergence() async throws {
        try await makeApplication().test(.router) { client in
            let id = try await client.newSession().session
            let response = try await client.call(.post, "/api/run?session=\(id)", #"{"lr":10,"steps":1000}"#)
            #expect(response.status == .ok)
            let run = try #require(response.json["run"])
            #expect(run["outcome"]?.stringValue == "diverged")
            #expect(run["message"]?.stringValue?.contains("smaller learning rate") == true)
            #expect((run["steps"]?.numberValue ?? 1000) < 1000)
            #expect(response.loss.isFinite, "the state is the last one with a finite loss")
            #expect(response.values.values.allSatisfy { $0.isFinite })
            let step = try await client.call(.post, "/api/step?session=\(id)", #"{"lr":10}"#)
            #expect(step.json["step"]?["outcome"]?.stringValue == "diverged")
            #expect(step.values == response.values, "the diverging step was undone")
        }
    }

    @Test("Reset, New points and the loss switch")
    func resetPointsAndLoss() async throws {
        try await makeApplication().test(.router) { client in
            let start = try await client.newSession()
            let id = start.session
            _ = try await client.call(.post, "/api/run?session=\(id)", #"{"lr":0.01,"steps":20}"#)
            let reset = try await client.call(.post, "/api/reset?session=\(id)")
            #expect(reset.values == start.values && reset.loss == start.loss && reset.json["steps"]?.numberValue == 0)

            let next = try await client.call(.post, "/api/points?session=\(id)")
            #expect(next.json["points"]?["seed"]?.numberValue == 43)
            let seven = try await client.call(.post, "/api/points?session=\(id)", #"{"seed":7}"#)
            #expect(seven.json["points"]?["y"] == .floats(Lesson.noisyQuadratic(seed: 7).y.scalars))
            #expect(seven.loss != start.loss)

            let mae = try await client.call(.post, "/api/loss?session=\(id)", #"{"loss":"mae"}"#)
            #expect(mae.json["lossKind"]?.stringValue == "mae")
            let (x, y) = Lesson.noisyQuadratic(seed: 7)
            #expect(mae.loss == Slope.mae(quadratic(Tensor([1.5, 1.5, 1.5]))(x), y).item())
        }
    }

    @Test("sessions are independent")
    func independentSessions() async throws {
        try await makeApplication().test(.router) { client in
            let first = try await client.newSession().session
            let second = try await client.newSession(#"{"function":"relus:2"}"#)
            _ = try await client.call(.post, "/api/params?session=\(first)", #"{"a":4}"#)
            let untouched = try await client.call(.get, "/api/state?session=\(second.session)")
            #expect(untouched.values == second.values && untouched.names.count == 7)
        }
    }

    @Test("the page is self-contained: no scripts, styles or fonts from elsewhere")
    func page() async throws {
        try await makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            let html = String(buffer: response.body)
            #expect(html.hasPrefix("<!doctype html>"))
            for needle in ["id=\"curve\"", "id=\"loss\"", "id=\"step\"", "id=\"run\"", "id=\"reset\"", "id=\"new-points\"", "id=\"lr\""] {
                #expect(html.contains(needle), "the page has \(needle)")
            }
            #expect(!html.contains("src=\"http"), "nothing is loaded from the internet")
            #expect(!html.contains("<script src"))
            #expect(!html.contains("<link rel=\"stylesheet\""))
        }
    }
}

extension Double {
    /// This number as a Float.
    var asFloat: Float { Float(self) }
}
