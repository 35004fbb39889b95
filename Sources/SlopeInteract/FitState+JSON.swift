import Slope

// MARK: - The API's response bodies

extension FitState {
    /// The state body every endpoint answers with: the function, the loss, each parameter with
    /// its value, gradient and slider range, the points, and the curve to draw.
    ///
    /// ```json
    /// {"function":"quadratic","formula":"c*x^2 + b*x + a","lossKind":"mse","loss":12.3,
    ///  "steps":0,"params":[{"name":"a","value":1.5,"gradient":-3.2,"min":-5,"max":5},...],
    ///  "points":{"source":"generated","seed":42,"x":[...],"y":[...]},
    ///  "curve":{"x":[...],"y":[...]}}
    /// ```
    ///
    /// For `relus:N` the curve also has `pieces`: each term `wᵢ · max(mᵢ·x + bᵢ, 0)` at the same x.
    ///
    /// - Parameter session: The session id to include as `session`, or `nil` to leave it out.
    /// - Returns: The state object shown above.
    public func stateJSON(session: String? = nil) -> JSON {
        let evaluation = evaluate()
        let names = family.parameterNames
        let params: [JSON] = names.indices.map { index in
            let range = FitState.sliderRange(family.sliderRange(ofParameterAt: index), holding: values[index])
            return .object([
                "name": .string(names[index]), "value": .float(values[index]),
                "gradient": .float(evaluation.gradients[index]),
                "min": .float(range.lowerBound), "max": .float(range.upperBound),
            ])
        }
        var pointPairs: [(String, JSON)]
        switch points.source {
        case .generated(let seed): pointPairs = [("source", .string("generated")), ("seed", .int(Int(seed)))]
        case .file(let path): pointPairs = [("source", .string("file")), ("file", .string(path))]
        }
        pointPairs += [("x", .floats(points.x)), ("y", .floats(points.y))]
        let curve = curve()
        var pairs: [(String, JSON)] = session.map { [("session", .string($0))] } ?? []
        pairs += [
            ("function", .string(family.description)), ("formula", .string(family.formula)),
            ("lossKind", .string(loss.rawValue)), ("loss", .float(evaluation.loss)),
            ("finite", .bool(evaluation.loss.isFinite)), ("steps", .int(steps)),
            ("params", .array(params)), ("points", .object(pointPairs)),
            ("curve", .object([("x", .floats(curve.x)), ("y", .floats(curve.y))]
                + (pieceCurves(at: curve.x).map { [("pieces", JSON.array($0.map(JSON.floats)))] } ?? []))),
        ]
        return .object(pairs)
    }

    /// The `step` or `run` member of a descent's answer: the learning rate, the losses before
    /// each step, why it ended, and (for the last step taken) each parameter's gradient and move.
    ///
    /// ```json
    /// {"lr":0.01,"steps":1,"losses":[12.3],"outcome":"reachedStepLimit",
    ///  "gradients":{"a":-3.2,...},"moves":{"a":0.032,...}}
    /// ```
    ///
    /// - Parameter report: What a batch of steps did.
    /// - Returns: The object shown above, with `finalLoss` (the loss after the batch);
    ///   `gradients` and `moves` are `null` when no step was kept; `message` is added for a
    ///   diverged batch, `warning` for one in which the loss rose more than twofold.
    public func descentJSON(_ report: DescentReport) -> JSON {
        let names = family.parameterNames
        func named(_ numbers: [Float]?) -> JSON {
            guard let numbers else { return .null }
            return .object(zip(names, numbers).map { ($0, JSON.float($1)) })
        }
        var pairs: [(String, JSON)] = [
            ("lr", .float(report.lr)), ("steps", .int(report.steps)), ("losses", .floats(report.losses)),
            ("outcome", .string(report.outcome.rawValue)),
            ("gradients", named(report.gradients)), ("moves", named(report.moves)),
        ]
        pairs.append(("finalLoss", .float(report.finalLoss)))
        if let message = report.message { pairs.append(("message", .string(message))) }
        if let warning = report.warning { pairs.append(("warning", .string(warning))) }
        return .object(pairs)
    }

    /// `range`, doubled until it holds `value` (up to the parameter limit).
    static func sliderRange(_ range: ClosedRange<Float>, holding value: Float) -> ClosedRange<Float> {
        var low = range.lowerBound, high = range.upperBound
        while value < low, low > -parameterLimit { low *= 2 }
        while value > high, high < parameterLimit { high *= 2 }
        return low...high
    }
}
