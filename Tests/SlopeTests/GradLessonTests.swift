import Foundation
import Testing
@testable import Slope

// The lesson "How neural networks work", step 2: the notebook's 20 noisy points, and the fit
// of a, b, c by gradient descent, reproduced to the digits PyTorch gives.

/// The notebook's points as NumPy makes them (`x` and `y`, float32 values printed in full), in
/// the sibling checkout `../shared` of this repository.
private let quadraticDataURL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .appendingPathComponent("../../../shared/bench/peers/quadratic_data.json")
    .standardizedFileURL

private func loadQuadraticData() throws -> (x: [Float], y: [Float]) {
    let data = try Data(contentsOf: quadraticDataURL)
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let x = try #require(object["x"] as? [Double]).map(Float.init)
    let y = try #require(object["y"] as? [Double]).map(Float.init)
    return (x, y)
}

/// Distance in units in the last place between two Floats of the same sign.
private func ulps(_ a: Float, _ b: Float) -> Int {
    if a == b { return 0 }
    if a.sign != b.sign { return Int.max }
    return abs(Int(a.bitPattern) - Int(b.bitPattern))
}

/// Skips the tests that read the notebook's points when `../shared` is not checked out.
private let hasQuadraticData = FileManager.default.fileExists(atPath: quadraticDataURL.path)

@Suite("The lesson's quadratic fit")
struct GradLessonTests {
    @Test(.enabled(if: hasQuadraticData, "needs ../shared/bench/peers/quadratic_data.json"))
    func noisyQuadraticMatchesTheNotebook() throws {
        let expected = try loadQuadraticData()
        let (x, y) = Lesson.noisyQuadratic(a: 1, b: 2, c: 3, points: 20, seed: 42)
        #expect(x.shape == [20])
        #expect(y.shape == [20])
        #expect(x.scalars.count == expected.x.count)
        #expect(y.scalars.count == expected.y.count)
        for (i, (got, want)) in zip(x.scalars, expected.x).enumerated() {
            #expect(ulps(got, want) <= 1, "x[\(i)]: got \(got), expected \(want)")
        }
        for (i, (got, want)) in zip(y.scalars, expected.y).enumerated() {
            #expect(ulps(got, want) <= 1, "y[\(i)]: got \(got), expected \(want)")
        }
        #expect(!x.requiresGrad && !y.requiresGrad)
    }

    @Test(.enabled(if: hasQuadraticData, "needs ../shared/bench/peers/quadratic_data.json"))
    func fitWrittenAsTheUsersLoop() throws {
        let data = try loadQuadraticData()
        let x = Tensor(data.x), y = Tensor(data.y)
        let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
        for _ in 0..<10_000 {
            let loss = mse(quadratic(abc)(x), y)
            loss.backward()
            noGrad { abc -= 0.01 * abc.grad! }
            abc.zeroGrad()
        }
        let finalLoss = noGrad { mse(quadratic(abc)(x), y).item() }
        expectLessonResult(abc: abc, loss: finalLoss)
        #expect(abc.requiresGrad && abc.isLeaf && abc.grad == nil)
    }

    @Test(.enabled(if: hasQuadraticData, "needs ../shared/bench/peers/quadratic_data.json"))
    func fitWithGradientDescent() throws {
        let data = try loadQuadraticData()
        let x = Tensor(data.x), y = Tensor(data.y)
        let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
        let result = gradientDescent(parameters: [abc], lr: 0.01, maxSteps: 10_000) {
            mse(quadratic(abc)(x), y)
        }
        #expect(result.steps == 10_000)
        #expect(result.outcome == .reachedStepLimit)
        #expect(result.history.count == 10_000)
        #expect(result.history.first.map { $0 > result.loss } == true)
        expectLessonResult(abc: abc, loss: result.loss)
    }

    @Test func fitFromTheLibraryData() {
        // The same fit on Lesson.noisyQuadratic's own points ends at the same place.
        let (x, y) = Lesson.noisyQuadratic(a: 1, b: 2, c: 3, points: 20, seed: 42)
        let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
        let result = gradientDescent(parameters: [abc], lr: 0.01, maxSteps: 10_000) { mse(quadratic(abc)(x), y) }
        expectLessonResult(abc: abc, loss: result.loss)
    }

    private func expectLessonResult(abc: Tensor, loss: Float, sourceLocation: SourceLocation = #_sourceLocation) {
        let expected: [Float] = [0.5735, 1.1403, 2.7604]
        for (i, (got, want)) in zip(abc.scalars, expected).enumerated() {
            #expect(Swift.abs(got - want) <= 2e-4, "abc[\(i)] = \(got), expected \(want) ± 2e-4", sourceLocation: sourceLocation)
        }
        #expect(Swift.abs(loss - 1.69237) <= 1e-4, "MSE = \(loss), expected 1.69237 ± 1e-4", sourceLocation: sourceLocation)
    }
}
