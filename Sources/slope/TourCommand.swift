import ArgumentParser
import Foundation
import Slope

/// `slope` with no arguments: the lesson "How neural networks work", run step by step.
struct TourCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tour", abstract: "Walk through the lesson: noisy points, a quadratic fit, a fit from ReLUs.")

    func run() throws {
        // Every line fits the terminal: text is wrapped, charts are drawn narrower.
        let columns = Terminal.columns()
        func say(_ text: String) { print(Terminal.wrap(text, width: columns)) }
        func draw(_ chart: Chart) {
            var plot = TerminalChart(chart)
            var text = plot.render()
            var widest = text.split(separator: "\n").map(\.count).max() ?? 0
            while widest > columns, plot.width > 10 {
                plot.width = Swift.max(10, plot.width - (widest - columns))
                text = plot.render()
                widest = text.split(separator: "\n").map(\.count).max() ?? 0
            }
            print(text)
        }
        say("Slope \(SlopeLibrary.version): the lesson \"How neural networks work\", step by step.\n")

        say("1. Noisy points from f(x) = 3x^2 + 2x + 1 (the notebook's 20 points: seed 42, add_noise(f(x), 0.15, 1.5))")
        let (x, y) = Lesson.noisyQuadratic(a: 1, b: 2, c: 3, points: 20, seed: 42)

        say("\n2. Fit c*x^2 + b*x + a by gradient descent: MSE loss, loss.backward(), abc -= 0.01 * abc.grad")
        let abc = Tensor([1.5, 1.5, 1.5]).requiresGrad()
        say("   start: \(abc)")
        let descent = try DescentOptions.parse(["--lr", "0.01", "--steps", "10000"])
        _ = try descent.descend([abc], printing: true) { mse(quadratic(abc)(x), y) }
        let found = abc.scalars
        say(String(format: "   found a=%.4f b=%.4f c=%.4f   true a=1 b=2 c=3", found[0], found[1], found[2]))
        say("   (the noise is large, so the least-squares answer is not 1, 2, 3)")
        let fitted = abc.detach()
        draw(fitChart(title: "quadratic fit", x: x, y: y,
                      curves: [("fit", quadratic(fitted)), ("true f", quadratic(a: 1, b: 2, c: 3))]))

        say("\n3. A flexible function from ReLUs: bias + sum of w_i * max(m_i*x + b_i, 0), fitted to sin(x)")
        let sineX = Tensor.linspace(-3, 3, count: 40)
        let sineY = sineX.sin()
        var rng = SeededGenerator(seed: 0)
        let relus = ReLUSum(count: 8, over: -3...3, generator: &rng)
        let reluDescent = try DescentOptions.parse(["--lr", "0.01", "--steps", "3000"])
        _ = try reluDescent.descend(relus.parameters, printing: true, momentum: 0.9) { mse(relus(sineX), sineY) }
        draw(fitChart(title: "8 ReLUs fitted to sin(x)", x: sineX, y: sineY, curves: [("fit", { relus($0) })]))

        say("\n4. A real network on real data: who survived the Titanic? (891 passengers, shipped with slope)")
        let table = try CSVReader().parse(titanicTrainingCSV, source: "titanic.csv")
        let data = try TabularData.fromTable(table, target: "Survived", validPercent: 0.2, seed: 42)
        say("   " + DataOptions.summary(data).replacingOccurrences(of: "\n", with: "\n   "))
        let learner = tabularLearner(data: data, seed: 42)
        learner.progress = ProgressDisplay(style: .plain)
        learner.fitOneCycle(epochs: 5, maxLR: 1e-2)
        say("   Next: `slope train FILE.csv --target COLUMN --export model.slope`, then `slope predict` and `slope inspect`.")
    }
}
