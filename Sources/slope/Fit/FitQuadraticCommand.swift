import ArgumentParser
import Foundation
import Slope

/// `slope fit quadratic`: fit `c*x² + b*x + a` to the lesson's noisy points or to a CSV file.
struct FitQuadraticCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quadratic",
        abstract: "Fit c*x^2 + b*x + a by gradient descent to generated noisy points or a CSV file (columns x,y).")

    @Option(parsing: .unconditional, help: "True a for generated points.") var a: Float = 1
    @Option(parsing: .unconditional, help: "True b for generated points.") var b: Float = 2
    @Option(parsing: .unconditional, help: "True c for generated points.") var c: Float = 3
    @Option(help: "Number of generated points, evenly spaced on [-2, 2].") var points: Int = 20
    @Option(help: "Multiplicative noise scale (the lesson's add_noise mult).") var noiseMult: Double = 0.15
    @Option(help: "Additive noise scale (the lesson's add_noise add).") var noiseAdd: Double = 1.5
    @Option(help: "Seed of the noise (42 gives the notebook's points).") var seed: UInt32 = 42
    @Option(help: "Fit the points in this CSV file (header x,y) instead of generating them.") var data: String?
    @Option(name: .customLong("init"), parsing: .unconditional, help: "Starting a,b,c.") var initial: String = "1.5,1.5,1.5"
    @OptionGroup var descent: DescentOptions

    func run() throws {
        try descent.check()
        guard points >= 1 else { throw CommandError("--points must be at least 1, got \(points)") }
        guard points <= InputLimits.fitPoints.value else { throw CommandError("--points must be at most \(InputLimits.fitPoints), got \(points)") }
        guard noiseMult.isFinite, noiseMult >= 0, noiseAdd.isFinite, noiseAdd >= 0 else {
            throw CommandError("--noise-mult and --noise-add must be non-negative numbers")
        }
        guard [a, b, c].allSatisfy(\.isFinite) else { throw CommandError("--a, --b and --c must be finite numbers") }
        let start = initial.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard start.count == 3, start.allSatisfy(\.isFinite) else {
            throw CommandError("--init must be three numbers a,b,c like 1.5,1.5,1.5, got `\(initial)`")
        }
        let (x, y) = try data.map(readPoints)
            ?? Lesson.noisyQuadratic(a: a, b: b, c: c, points: points, noiseMult: noiseMult, noiseAdd: noiseAdd, seed: seed)
        if !descent.json {
            print("Fitting c*x^2 + b*x + a to \(x.count) points (\(data ?? "generated, seed \(seed)")) with \(descent.loss.rawValue), lr \(descent.lr)")
        }
        let abc = Tensor(start).requiresGrad()
        let result = try descent.descend([abc], printing: !descent.json) { descent.loss(quadratic(abc)(x), y) }
        let found = abc.scalars
        if descent.json {
            print(JSON.object([
                "params": .object(["a": .float(found[0]), "b": .float(found[1]), "c": .float(found[2])]),
                "loss": .float(result.loss), "steps": .int(result.steps), "seconds": .number(result.seconds),
                "outcome": .string(result.outcome.rawValue),
            ]))
        } else {
            print(String(format: "found  a=%.4f  b=%.4f  c=%.4f", found[0], found[1], found[2]))
            if data == nil { print(String(format: "true   a=%.4f  b=%.4f  c=%.4f", a, b, c)) }
        }
        let fitted = abc.detach()
        let title = String(format: "c*x^2 + b*x + a fitted: a=%.3f b=%.3f c=%.3f, %@ %.4g", found[0], found[1], found[2],
                           descent.loss.rawValue, result.loss)
        let truth = data == nil ? (label: String(format: "true %gx^2 + %gx + %g", c, b, a), function: quadratic(a: a, b: b, c: c)) : nil
        try writePlot(fitChart(title: title, x: x, y: y, curves: [("fit", quadratic(fitted))], truth: truth), to: descent.plot)
    }
}
