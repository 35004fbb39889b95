import ArgumentParser
import Foundation
import Slope

/// `slope fit relus`: fit a sum of N rectified linear pieces to a target curve or CSV file.
struct FitReLUsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relus",
        abstract: "Fit a sum of N ReLUs, bias + sum_i w_i * max(m_i*x + b_i, 0), to a curve or a CSV file.")

    @Option(help: "Number of ReLU pieces.") var count: Int = 8
    @Option(help: "The target: sin, abs, square (on [-3, 3]) or a CSV file with columns x,y.") var target: String = "sin"
    @Option(help: "Number of points for a named target.") var points: Int = 100
    @Option(help: "Seed of the starting pieces.") var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "Momentum of the descent (0 for plain gradient descent).") var momentum: Float = 0.9
    @OptionGroup var descent: DescentOptions

    /// The target points.
    func targetPoints() throws -> (x: Tensor, y: Tensor) {
        guard points >= 2 else { throw CommandError("--points must be at least 2, got \(points)") }
        guard points <= InputLimits.fitPoints.value else { throw CommandError("--points must be at most \(InputLimits.fitPoints), got \(points)") }
        let x = Tensor.linspace(-3, 3, count: points)
        switch target {
        case "sin": return (x, x.sin())
        case "abs": return (x, x.abs())
        case "square": return (x, x.squared())
        default:
            guard target.lowercased().hasSuffix(".csv") || FileManager.default.fileExists(atPath: target) else {
                throw CommandError("--target must be sin, abs, square or a CSV file, got `\(target)`")
            }
            return try readPoints(target)
        }
    }

    func run() throws {
        try descent.check(momentum: momentum)
        guard count >= 1 else { throw CommandError("--count must be at least 1, got \(count)") }
        let limit = InputLimits.reluValues
        guard count <= limit.value else { throw CommandError("--count must be at most \(limit), got \(count)") }
        let (x, y) = try targetPoints()
        // Each evaluation computes count × points values (and keeps them for backward).
        guard count.multipliedReportingOverflow(by: x.count).partialValue <= limit.value, count <= limit.value / Swift.max(x.count, 1) else {
            throw CommandError("--count \(count) with \(x.count) points computes \(count) × \(x.count) values per step, "
                + "more than the limit of \(limit); use a smaller --count or fewer points")
        }
        let low = x.scalars.min()!, high = x.scalars.max()!
        var rng = SeededGenerator(seed: seed)
        let relus = ReLUSum(count: count, over: low...Swift.max(high, low + 1e-3), generator: &rng)
        if !descent.json {
            print("Fitting a sum of \(count) ReLUs to \(target) (\(x.count) points) with \(descent.loss.rawValue), lr \(descent.lr), momentum \(momentum)")
        }
        let result = try descent.descend(relus.parameters, printing: !descent.json, momentum: momentum) {
            descent.loss(relus(x), y)
        }
        if descent.json {
            print(JSON.object([
                "count": .int(count),
                "params": .object([
                    "slopes": .floats(relus.slopes.scalars), "intercepts": .floats(relus.intercepts.scalars),
                    "weights": .floats(relus.weights.scalars), "bias": .float(relus.bias.item()),
                ]),
                "loss": .float(result.loss), "steps": .int(result.steps), "seconds": .number(result.seconds),
                "outcome": .string(result.outcome.rawValue),
            ]))
        }
        let truths: [String: (Tensor) -> Tensor] = ["sin": { $0.sin() }, "abs": { $0.abs() }, "square": { $0.squared() }]
        let title = "\(count) ReLUs fitted to \(target): " + String(format: "%@ %.4g after %d steps", descent.loss.rawValue, result.loss, result.steps)
        try writePlot(fitChart(title: title, x: x, y: y, curves: [("fit", { relus($0) })],
                               truth: truths[target].map { (label: "true \(target)(x)", function: $0) }), to: descent.plot)
    }
}
