import Foundation
import Hummingbird
import HummingbirdTesting
import Slope
import SlopeInteract
import Testing

/// The loss surface over two parameters, and the pieces of relus:N.
@Suite("slope interact: loss surface and pieces")
struct SurfaceTests {
    @Test("each surface value is the loss the state reports with the two parameters set there")
    func surfaceMatchesTheLoss() async throws {
        try await makeApplication().test(.router) { client in
            let state = try await client.newSession()
            let id = state.session
            let answer = try await client.call(.post, "/api/surface?session=\(id)", #"{"x":"a","y":"c","size":5}"#)
            #expect(answer.status == .ok)
            let xs = (answer.json["xs"]?.arrayValue ?? []).compactMap { $0.numberValue }
            let ys = (answer.json["ys"]?.arrayValue ?? []).compactMap { $0.numberValue }
            let losses = (answer.json["losses"]?.arrayValue ?? []).compactMap { $0.numberValue }
            #expect(xs == [-5, -2.5, 0, 2.5, 5])
            #expect(ys == [-5, -2.5, 0, 2.5, 5])
            #expect(losses.count == 25)
            guard losses.count == 25, xs.count == 5, ys.count == 5 else { return }
            for (j, i) in [(0, 0), (1, 3), (4, 2), (2, 4)] {
                let moved = try await client.call(.post, "/api/params?session=\(id)",
                                                  jsonObject(["a": Float(xs[i]), "b": 1.5, "c": Float(ys[j])]))
                #expect(Float(losses[j * 5 + i]) == moved.loss, "a = \(xs[i]), c = \(ys[j])")
            }
            // The least loss on the grid is near the fit: a low c and a, not the corners.
            let lowest = losses.indices.min { losses[$0] < losses[$1] }!
            #expect(ys[lowest / 5] == 2.5, "the lesson's points come from c = 3")
        }
    }

    @Test("bad surface requests are refused by name")
    func badRequests() async throws {
        try await makeApplication().test(.router) { client in
            let id = try await client.newSession().session
            for (body, words) in [
                (#"{"x":"a","y":"d"}"#, "unknown parameter `d`"), (#"{"x":"a","y":"a"}"#, "two different parameters"),
                (#"{"x":"a","y":"b","size":1000}"#, "size"), (#"{"x":"a"}"#, "y: expected a string"), (#"{"x":"a","y":"b","z":1}"#, "z"),
            ] {
                let answer = try await client.call(.post, "/api/surface?session=\(id)", body)
                #expect(answer.status == .badRequest, "\(body)")
                #expect(answer.error.contains(words), "\(body): \(answer.error)")
            }
        }
    }

    @Test("relus:N's pieces sum, with the bias, to the curve")
    func piecesSumToTheCurve() async throws {
        try await makeApplication().test(.router) { client in
            let state = try await client.newSession(#"{"function":"relus:3"}"#)
            let moved = try await client.call(.post, "/api/run?session=\(state.session)", #"{"lr":0.01,"steps":5}"#)
            let pieces = (moved.json["curve"]?["pieces"]?.arrayValue ?? []).map { ($0.arrayValue ?? []).compactMap { $0.numberValue } }
            let curve = (moved.json["curve"]?["y"]?.arrayValue ?? []).compactMap { $0.numberValue }
            #expect(pieces.count == 3)
            #expect(curve.count == FitState.curveSamples && pieces.allSatisfy { $0.count == curve.count })
            guard pieces.count == 3, pieces.allSatisfy({ $0.count == curve.count }) else { return }
            let bias = Double(moved.values["bias"]!)
            for k in curve.indices {
                let sum = pieces.reduce(bias) { $0 + $1[k] }
                #expect(abs(sum - curve[k]) <= 1e-4 * max(1, abs(curve[k])))
            }
            let quadratic = try await client.newSession()
            #expect(quadratic.json["curve"]?["pieces"] == nil)
        }
    }
}
