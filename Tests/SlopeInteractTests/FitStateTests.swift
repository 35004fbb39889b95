import Slope
import SlopeInteract
import Testing

/// The page's descent is the lesson's: the same stepper, stopping rule and numbers.
@Suite("slope interact: the fit state")
struct FitStateTests {
    @Test("Run on the page takes exactly the steps gradientDescent takes")
    func pageRunIsTheLessonStepper() {
        var fit = FitState(family: .quadratic, points: .lesson(seed: 42), loss: .mse)
        var losses: [Float] = []
        var outcome = FitOutcome.reachedStepLimit
        while outcome == .reachedStepLimit && fit.steps < 5_000 {
            let report = fit.descend(lr: 0.01, maxSteps: 37, tolerance: 1e-3, window: 20)
            losses += report.losses
            outcome = report.outcome
        }
        let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
        let (x, y) = Lesson.noisyQuadratic(seed: 42)
        let lesson = gradientDescent(parameters: [abc], lr: 0.01, maxSteps: 5_000, tolerance: 1e-3, window: 20) {
            mse(quadratic(abc)(x), y)
        }
        #expect(outcome == lesson.outcome && outcome == .converged)
        #expect(fit.steps == lesson.steps)
        #expect(losses == lesson.history)
        #expect(fit.values == abc.scalars)
        #expect(fit.evaluate().loss == lesson.loss)
    }

    @Test("a diverging step on the page is undone and reported in the stepper's words")
    func divergenceIsUndone() {
        var fit = FitState(family: .quadratic, points: .lesson(seed: 42), loss: .mse)
        _ = fit.descend(lr: 0.01, maxSteps: 3)
        let report = fit.descend(lr: 1e6, maxSteps: 50)
        #expect(report.outcome == .diverged)
        #expect(fit.steps == 3 + report.steps, "the undone step is not counted")
        #expect(fit.values.allSatisfy { $0.isFinite } && fit.evaluate().loss.isFinite)
        #expect(report.losses.allSatisfy { $0.isFinite })
        #expect(report.message?.hasPrefix("the loss became ") == true)
        #expect(report.message?.hasSuffix(" after step \(fit.steps + 1) with learning rate 1000000.0; that step was undone: try a smaller learning rate") == true)
    }
}
