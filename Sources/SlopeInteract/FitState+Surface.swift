import Slope

extension FitState {
    /// The grid sizes a loss surface may have (points per side).
    public static let surfaceSizes = 5...61

    /// The loss over a grid of two parameters, every other parameter held at its value: what
    /// the page's "Loss surface" panel draws under the current point and the path of steps.
    public struct Surface: Sendable {
        /// The parameter along the horizontal axis.
        public let xName: String
        /// Its grid values, increasing.
        public let xs: [Float]
        /// The parameter along the vertical axis.
        public let yName: String
        /// Its grid values, increasing.
        public let ys: [Float]
        /// The loss at `(xs[i], ys[j])` as `losses[j * xs.count + i]` (rows of constant y).
        public let losses: [Float]
    }

    /// The loss at `size × size` points spanning the two parameters' slider ranges (as the
    /// state reports them), computed with recording off.
    ///
    /// ```swift
    /// let surface = try fit.lossSurface(x: "a", y: "b", size: 31)
    /// ```
    ///
    /// - Parameters:
    ///   - xName: The parameter along the horizontal axis.
    ///   - yName: Another parameter, along the vertical axis.
    ///   - size: Points per side, within ``surfaceSizes``.
    /// - Returns: The grid and its losses (NaN or infinite where the loss is).
    /// - Throws: ``InteractError/badRequest(_:)`` for a name the function does not have, the same
    ///   name twice, or a size outside ``surfaceSizes``.
    public func lossSurface(x xName: String, y yName: String, size: Int) throws(InteractError) -> Surface {
        let names = family.parameterNames
        guard let xIndex = names.firstIndex(of: xName) else {
            throw .badRequest("surface: unknown parameter `\(xName)` for `x`; \(family) has \(names.joined(separator: ", "))")
        }
        guard let yIndex = names.firstIndex(of: yName) else {
            throw .badRequest("surface: unknown parameter `\(yName)` for `y`; \(family) has \(names.joined(separator: ", "))")
        }
        guard xIndex != yIndex else { throw .badRequest("surface: `x` and `y` must be two different parameters, got `\(xName)` twice") }
        guard FitState.surfaceSizes.contains(size) else {
            throw .badRequest("surface: `size` must be a whole number from \(FitState.surfaceSizes.lowerBound) to \(FitState.surfaceSizes.upperBound), got \(size)")
        }
        func grid(_ index: Int) -> [Float] {
            let range = FitState.sliderRange(family.sliderRange(ofParameterAt: index), holding: values[index])
            return (0..<size).map { range.lowerBound + (range.upperBound - range.lowerBound) * Float($0) / Float(size - 1) }
        }
        let (xs, ys) = (grid(xIndex), grid(yIndex))
        let inputs = Tensor(points.x), targets = Tensor(points.y)
        var losses: [Float] = []
        losses.reserveCapacity(size * size)
        noGrad {
            var point = values
            for y in ys {
                point[yIndex] = y
                for x in xs {
                    point[xIndex] = x
                    losses.append(loss(family.predict(family.leaves(from: point), at: inputs), targets).item())
                }
            }
        }
        return Surface(xName: xName, xs: xs, yName: yName, ys: ys, losses: losses)
    }

    /// The surface as the API answers it.
    ///
    /// ```json
    /// {"x":"a","y":"b","xs":[-5,...,5],"ys":[-5,...,5],"losses":[...]}
    /// ```
    ///
    /// - Parameter surface: A surface from ``lossSurface(x:y:size:)``.
    /// - Returns: The object shown above, `losses` row by row (rows of constant y), `null` where not finite.
    public static func surfaceJSON(_ surface: Surface) -> JSON {
        .object([
            ("x", .string(surface.xName)), ("y", .string(surface.yName)),
            ("xs", .floats(surface.xs)), ("ys", .floats(surface.ys)), ("losses", .floats(surface.losses)),
        ])
    }

    /// For `relus:N`: each piece's `wᵢ · max(mᵢ·x + bᵢ, 0)` at the curve's x values, so that the
    /// page can draw the pieces faintly under their sum; `nil` for other families.
    ///
    /// - Parameter grid: The curve's x values.
    /// - Returns: One array per piece, each `grid.count` long.
    func pieceCurves(at grid: [Float]) -> [[Float]]? {
        guard case .relus(let count) = family else { return nil }
        let leaves = family.leaves(from: values)
        let pieces = noGrad { rectifiedLinear(m: leaves[0], b: leaves[1], x: Tensor(grid).unsqueezed(axis: 1)) * leaves[2] }.scalars
        return (0..<count).map { piece in grid.indices.map { pieces[$0 * count + piece] } }
    }
}
