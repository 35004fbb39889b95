import Foundation
import Testing
@testable import Slope

// The one gradient-descent stepper behind the lesson's `gradientDescent`, `slope fit` and
// `slope interact`: its stopping rule, its undo on divergence, its bounded memory, and that runs
// split into pieces stop exactly where one long run does.

@Suite struct GradientDescentTests {
    private let points = Lesson.noisyQuadratic(a: 1, b: 2, c: 3, points: 20, seed: 42)

    private func quadraticLoss(_ abc: Tensor) -> () -> Tensor {
        let (x, y) = points
        return { mse(quadratic(abc)(x), y) }
    }

    @Test func stepsAreSGDSteps() {
        // Five steps by hand with SGD (momentum 0.9) and five by the stepper give the same bits.
        let manual = Tensor([1.5, 1.5, 1.5]).requiresGrad()
        let optimizer = SGD([manual], lr: 0.01, momentum: 0.9)
        for _ in 0..<5 {
            quadraticLoss(manual)().backward()
            optimizer.step()
            optimizer.zeroGrad()
        }
        let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
        let result = gradientDescent(parameters: [abc], lr: 0.01, maxSteps: 5, momentum: 0.9, loss: quadraticLoss(abc))
        #expect(abc.scalars.map(\.bitPattern) == manual.scalars.map(\.bitPattern))
        #expect(result.steps == 5 && result.outcome == .reachedStepLimit && result.history.count == 5)
        #expect(result.loss == quadraticLoss(manual)().item())
        #expect(abc.grad == nil, "the gradients are cleared after each step")
    }

    @Test func convergesByTheRuleAndNotBefore() {
        let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
        let (tolerance, window): (Float, Int) = (1e-3, 25)
        let result = gradientDescent(parameters: [abc], lr: 0.01, maxSteps: 100_000, tolerance: tolerance, window: window,
                                     loss: quadraticLoss(abc))
        #expect(result.outcome == .converged)
        let losses = result.history + [result.loss]      // the loss before each step, then where it stopped
        #expect(losses.count == result.steps + 1)
        #expect(losses[losses.count - 1 - window] - result.loss < tolerance, "it stopped by the rule")
        for step in window..<(losses.count - 1) {
            #expect(losses[step - window] - losses[step] >= tolerance, "step \(step) should not have stopped")
        }
        #expect(result.loss == quadraticLoss(abc)().item(), "the loss reported is the loss where the parameters are left")
    }

    @Test func runsInPiecesStopWhereOneRunStops() {
        let whole = Tensor([1.5, 1.5, 1.5]).requiresGrad()
        let one = gradientDescent(parameters: [whole], lr: 0.02, maxSteps: 10_000, tolerance: 1e-3, window: 10,
                                  loss: quadraticLoss(whole))
        #expect(one.outcome == .converged)
        let pieces = Tensor([1.5, 1.5, 1.5]).requiresGrad()
        var descent = GradientDescent(lr: 0.02, tolerance: 1e-3, window: 10, memory: 50)
        var outcome = FitOutcome.reachedStepLimit
        var losses: [Float] = []
        while outcome == .reachedStepLimit && descent.steps < 10_000 {
            let piece = descent.run(parameters: [pieces], maxSteps: 7, loss: quadraticLoss(pieces))
            outcome = piece.outcome
            losses += piece.history
        }
        #expect(outcome == .converged)
        #expect(descent.steps == one.steps)
        #expect(losses == one.history)
        #expect(pieces.scalars.map(\.bitPattern) == whole.scalars.map(\.bitPattern))
        // Forgetting the memory starts the window again; the step count stays.
        descent.forget()
        let again = descent.run(parameters: [pieces], maxSteps: 3, loss: quadraticLoss(pieces))
        #expect(again.outcome == .reachedStepLimit && again.steps == 3 && descent.steps == one.steps + 3)
        descent.reset()
        #expect(descent.steps == 0)
    }

    @Test func aDivergingStepIsUndone() throws {
        let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
        var seen: [[Float]] = []
        let result = gradientDescent(parameters: [abc], lr: 5, maxSteps: 1_000, onStep: { _, _ in seen.append(abc.scalars) },
                                     loss: quadraticLoss(abc))
        #expect(result.outcome == .diverged)
        #expect(!result.loss.isFinite)
        let divergence = try #require(result.divergence)
        #expect(divergence.undone && divergence.lr == 5 && divergence.loss.bitPattern == result.loss.bitPattern)
        #expect(divergence.afterStep == result.steps + 1, "the step after the last kept one made the loss \(result.loss)")
        #expect(abc.scalars.allSatisfy { $0.isFinite })
        // The parameters are those before the undone step: the values the last kept loss was computed at.
        #expect(abc.scalars == seen[result.steps])
        #expect(result.history.count == result.steps && result.history.allSatisfy { $0.isFinite })
        #expect(result.lastGradients?.count == 3)
        #expect(divergence.description.contains("after step \(divergence.afterStep)") && divergence.description.contains("smaller learning rate"))
    }

    @Test func aParameterThatOverflowsDivergesEvenWhenTheLossIsFinite() {
        // loss = 1e30 · relu(p): one step of lr 1e10 sends p to -infinity, where the loss is 0.
        let p = Tensor([1]).requiresGrad()
        let result = gradientDescent(parameters: [p], lr: 1e10, maxSteps: 10) { (p.relu() * 1e30).sum() }
        #expect(result.outcome == .diverged)
        #expect(result.steps == 0 && result.divergence?.undone == true && result.divergence?.afterStep == 1)
        #expect(p.scalars == [1])
        #expect(result.divergence?.description.hasPrefix("a parameter became NaN or infinite after step 1") == true)
    }

    @Test func aNonFiniteStartIsReportedWithNothingUndone() {
        let p = Tensor([Float.nan, 1]).requiresGrad()
        let result = gradientDescent(parameters: [p], lr: 0.1, maxSteps: 10) { p.squared().sum() }
        #expect(result.outcome == .diverged && result.steps == 0 && result.history.isEmpty && result.lastGradients == nil)
        #expect(result.divergence?.undone == false && result.divergence?.afterStep == 0)
        #expect(result.divergence?.description.contains("before any step") == true)
        #expect(p.scalars[1] == 1)
    }

    @Test func zeroStepsComputesTheLossOnly() {
        let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
        let result = gradientDescent(parameters: [abc], lr: 0.01, maxSteps: 0, loss: quadraticLoss(abc))
        #expect(result.steps == 0 && result.outcome == .reachedStepLimit && result.history.isEmpty)
        #expect(result.loss == quadraticLoss(abc)().item() && abc.scalars == [1.5, 1.5, 1.5])
    }

    @Test func lossMemoryIsABoundedRing() {
        var memory = LossMemory(capacity: 3)
        #expect(memory.loss(stepsAgo: 1) == nil)
        for loss in [1, 2, 3, 4, 5] as [Float] { memory.append(loss) }
        #expect(memory.count == 3)
        #expect([1, 2, 3].map { memory.loss(stepsAgo: $0) } == [5, 4, 3])
        #expect(memory.loss(stepsAgo: 4) == nil && memory.loss(stepsAgo: 0) == nil)
        memory.removeLast()
        #expect(memory.count == 2 && memory.loss(stepsAgo: 1) == 4 && memory.loss(stepsAgo: 2) == 3)
        memory.append(9)
        #expect([1, 2, 3].map { memory.loss(stepsAgo: $0) } == [9, 4, 3])
        memory.removeAll()
        #expect(memory.count == 0 && memory.loss(stepsAgo: 1) == nil)
        memory.append(7)
        #expect(memory.loss(stepsAgo: 1) == 7 && memory.count == 1)
        // Not yet full: removing and appending keeps the order.
        var short = LossMemory(capacity: 5)
        short.append(1)
        short.append(2)
        short.removeLast()
        short.append(3)
        #expect(short.count == 2 && short.loss(stepsAgo: 1) == 3 && short.loss(stepsAgo: 2) == 1)
    }

    @Test func settingsAreCheckedByOneRule() {
        func message(_ body: () throws -> Void) -> String? { caught(DescentSettingError.self, body)?.description }
        #expect(message { try GradientDescent.validate(lr: 0.01, momentum: 0.9, tolerance: 1e-4, window: 20) } == nil)
        #expect(message { try GradientDescent.validate(lr: 0) } == "lr must be a positive number, got 0.0")
        #expect(message { try GradientDescent.validate(lr: .nan) } == "lr must be a positive number, got nan")
        #expect(message { try GradientDescent.validate(lr: 1, momentum: 1) } == "momentum must be in [0, 1), got 1.0")
        #expect(message { try GradientDescent.validate(lr: 1, tolerance: -1) } == "tol must be a non-negative number, got -1.0")
        #expect(message { try GradientDescent.validate(lr: 1, window: 0) } == "window must be at least 1, got 0")
        #expect(message { try GradientDescent.validate(lr: 1, window: 11, maxWindow: 10) } == "window must be at most 10 steps, got 11")
    }

    @Test func fitLossReadsItsNamesWithThePath() throws {
        let body = JSONReader(try JSONParser.parse(Array(#"{"loss":"mae","bad":"l1"}"#.utf8)))
        #expect(try FitLoss(reading: body["loss"]) == .mae)
        #expect(caught(JSONReadError.self) { try FitLoss(reading: body["bad"]) }?.description == #"bad: expected mse or mae, found a string ("l1")"#)
        #expect(caught(JSONReadError.self) { try FitLoss(reading: body["none"]) }?.description == "none: expected mse or mae, found nothing")
        let (x, y) = (Tensor([1, 2]), Tensor([2, 0]))
        #expect(FitLoss.mse(x, y).item() == 2.5)
        #expect(FitLoss.mae(x, y).item() == 1.5)
    }
}
