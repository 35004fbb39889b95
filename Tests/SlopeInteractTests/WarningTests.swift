import Foundation
import Hummingbird
import HummingbirdTesting
import Slope
import SlopeInteract
import Testing

/// A step or run that raises the loss more than twofold says so and suggests a smaller rate.
@Suite("slope interact: loss-rise warnings")
struct WarningTests {
    @Test("the rule: a twofold rise over one step or over the batch, with a rate ten times smaller")
    func rule() {
        #expect(FitState.riseWarning(losses: [1, 0.5], final: 0.25, lr: 0.1, firstStep: 1) == nil)
        #expect(FitState.riseWarning(losses: [1], final: 2, lr: 0.1, firstStep: 1) == nil, "exactly 2x is not more than 2x")
        #expect(FitState.riseWarning(losses: [1, 3], final: 2, lr: 0.5, firstStep: 7)
            == "step 7 raised the loss from 1 to 3 (3x) with learning rate 0.5: try a smaller one, like 0.05")
        let creeping = FitState.riseWarning(losses: [1, 1.9, 3.5], final: 6, lr: 1, firstStep: 1)
        #expect(creeping == "the loss rose from 1 to 6 (6x) over 3 steps with learning rate 1: try a smaller one, like 0.1")
        #expect(FitState.riseWarning(losses: [], final: 5, lr: 1, firstStep: 1) == nil)
    }

    @Test("lr 5 on relus:4 warns in the step's answer; a small rate does not")
    func stepWarning() async throws {
        try await makeApplication().test(.router) { client in
            let state = try await client.newSession(#"{"function":"relus:4"}"#)
            let small = try await client.call(.post, "/api/step?session=\(state.session)", #"{"lr":0.001}"#)
            #expect(small.json["step"]?["warning"] == nil)
            let big = try await client.call(.post, "/api/step?session=\(state.session)", #"{"lr":5}"#)
            #expect(big.status == .ok)
            let step = try #require(big.json["step"])
            let final = try #require(step["finalLoss"]?.numberValue)
            #expect(Float(final) == big.loss)
            if step["outcome"]?.stringValue != "diverged" {
                #expect(big.loss > 2 * small.loss, "the case the warning is for: \(small.loss) -> \(big.loss)")
                let warning = try #require(step["warning"]?.stringValue)
                #expect(warning.hasPrefix("step 2 raised the loss from "), "\(warning)")
                #expect(warning.hasSuffix("with learning rate 5: try a smaller one, like 0.5"), "\(warning)")
            }
        }
    }
}
