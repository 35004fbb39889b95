import ArgumentParser
import Foundation
import Slope

/// `--loss mse` or `--loss mae`: Slope's ``FitLoss`` read as a flag.
extension FitLoss: ExpressibleByArgument {}

/// Options every fit shares: learning rate, step limit, stopping rule, loss and outputs.
struct DescentOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Learning rate (> 0).")
    var lr: Float = 0.01

    @Option(help: "Maximum number of gradient-descent steps.")
    var steps: Int = 10_000

    @Option(parsing: .unconditional, help: "Stop when the loss improved by less than this over the last --window steps (0: never).")
    var tol: Float = 0

    @Option(help: "The window of steps for --tol.")
    var window: Int = 100

    @Option(help: "The loss to minimise: mse or mae.")
    var loss: FitLoss = .mse

    @Option(help: "Write the points and the fitted curve to this SVG file.")
    var plot: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    /// The longest --window: the tolerance rule keeps that many losses.
    static let maxWindow = 1_000_000

    /// Checks the numbers a user typed by the stepper's own rule; one clear line naming the flag
    /// on failure.
    func check(momentum: Float = 0) throws {
        do {
            try GradientDescent.validate(lr: lr, momentum: momentum, tolerance: tol, window: window, maxWindow: DescentOptions.maxWindow)
        } catch {
            throw CommandError("--\(error)")
        }
        guard steps >= 0 else { throw CommandError("--steps must not be negative, got \(steps)") }
    }

    /// Runs gradient descent, printing the loss at steps 0, 1, 2, 5, 10, 20, 50, ... in text
    /// mode, and turns a diverged fit into one clear error.
    func descend(_ parameters: [Tensor], printing: Bool, momentum: Float = 0, loss: () -> Tensor) throws -> FitResult {
        let result = gradientDescent(
            parameters: parameters, lr: lr, maxSteps: steps, tolerance: tol, window: window, momentum: momentum,
            onStep: { step, value in
                if printing && DescentOptions.isMilestone(step) {
                    print(String(format: Swift.abs(value) < 1e6 ? "   step %6d  loss %.6f" : "   step %6d  loss %.4e", step, value))
                }
            }, loss: loss)
        if let divergence = result.divergence {
            throw CommandError("the loss became \(divergence.loss) at step \(divergence.afterStep); try a smaller --lr (now \(lr))")
        }
        if printing {
            let why = result.outcome == .converged ? "stopped: improvement below --tol" : "step limit"
            print(String(format: "   step %6d  loss %.6f  (%@, %.3f s)", result.steps, result.loss, why, result.seconds))
        }
        return result
    }

    /// Steps worth printing: 0 and 1, 2, 5 times a power of ten.
    static func isMilestone(_ step: Int) -> Bool {
        if step == 0 { return true }
        var scale = 1
        while scale <= step {
            if step == scale || step == 2 * scale || step == 5 * scale { return true }
            scale *= 10
        }
        return false
    }
}

/// Reads `x,y` points from a CSV file, turning CSV errors into one clear line.
func readPoints(_ path: String) throws -> (x: Tensor, y: Tensor) {
    do {
        let (x, y) = try CSVReader().readPoints(contentsOfFile: path)
        return (Tensor(x), Tensor(y))
    } catch {
        throw CommandError("\(error)")
    }
}

/// A chart of the points with one or more curves drawn over a fine grid of x: ranges padded so
/// no point sits on the frame, the legend in the emptiest corner, the true function (when known)
/// dashed.
func fitChart(title: String, x: Tensor, y: Tensor, curves: [(label: String, function: (Tensor) -> Tensor)],
              truth: (label: String, function: (Tensor) -> Tensor)? = nil) -> Chart {
    var chart = Chart(title: title, xTitle: "x", yTitle: "y")
    chart.padding = 0.05
    chart.addPoints(x: x.scalars, y: y.scalars, label: "data")
    let low = x.scalars.min() ?? -1, high = x.scalars.max() ?? 1
    let grid = Tensor.linspace(low, high, count: 200)
    for curve in curves {
        chart.addLine(x: grid.scalars, y: noGrad { curve.function(grid) }.scalars, label: curve.label)
    }
    if let truth {
        chart.addLine(x: grid.scalars, y: noGrad { truth.function(grid) }.scalars, label: truth.label, color: .gray, dashed: true)
    }
    chart.summary = "\(x.count) points and " + (curves.map(\.label) + (truth.map { [$0.label] } ?? [])).joined(separator: ", ")
        + String(format: " over x from %.4g to %.4g.", low, high)
    return chart
}

/// Writes `chart` to an SVG file if a path was given, as one clear error on failure.
func writePlot(_ chart: Chart, to path: String?) throws {
    guard let path else { return }
    do { try SVGChart(chart).write(toFile: path) } catch { throw CommandError("\(error)") }
}
