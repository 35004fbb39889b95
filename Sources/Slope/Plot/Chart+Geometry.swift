extension Chart {
    /// A position in the plot area: `x` 0 at the left to 1 at the right, `y` 0 at the bottom to 1 at the top.
    typealias PlotPoint = (x: Double, y: Double)

    // MARK: - Layout

    /// The two axes, fitted to the pairs of values that can be drawn (or to the fixed ranges).
    func axes(xTickCount: Int, yTickCount: Int) -> (x: Axis, y: Axis) {
        let pairs = series.flatMap { series in
            zip(series.x, series.y).filter { x, y in
                Axis.isPlottable(x, scale: xScale) && Axis.isPlottable(y, scale: yScale)
            }
        }
        return (
            Axis(values: pairs.map(\.0), scale: xScale, range: xRange, tickCount: xTickCount, padding: padding),
            Axis(values: pairs.map(\.1), scale: yScale, range: yRange, tickCount: yTickCount, padding: padding)
        )
    }

    // MARK: - Series geometry

    /// The points of `series` that can be drawn and fall inside the plot area.
    func markers(of series: Series, x: Axis, y: Axis) -> [PlotPoint] {
        let isInside = { (position: Double) in position >= -1e-9 && position <= 1 + 1e-9 }
        return zip(series.x, series.y).compactMap { valueX, valueY in
            guard let positionX = x.fraction(of: valueX), let positionY = y.fraction(of: valueY),
                  isInside(positionX), isInside(positionY)
            else { return nil }
            return (positionX, positionY)
        }
    }

    /// The line through `series` as runs of connected positions, broken where a value cannot be
    /// drawn and clipped to the plot area.
    func polylines(of series: Series, x: Axis, y: Axis) -> [[PlotPoint]] {
        var runs: [[PlotPoint]] = []
        var previous: PlotPoint?
        var runEndsAtPrevious = false
        for (valueX, valueY) in zip(series.x, series.y) {
            guard let positionX = x.fraction(of: valueX), let positionY = y.fraction(of: valueY) else {
                previous = nil
                continue
            }
            let current = (x: positionX, y: positionY)
            defer { previous = current }
            guard let start = previous, let (from, to) = Chart.clip(from: start, to: current) else {
                runEndsAtPrevious = false
                continue
            }
            if runEndsAtPrevious && from == start {
                runs[runs.count - 1].append(to)
            } else {
                runs.append([from, to])
            }
            runEndsAtPrevious = to == current
        }
        return runs
    }

    /// The part of the segment `from`–`to` inside the unit square, or `nil` if none (Liang–Barsky).
    static func clip(from start: PlotPoint, to end: PlotPoint) -> (PlotPoint, PlotPoint)? {
        let deltaX = end.x - start.x, deltaY = end.y - start.y
        var enter = 0.0, leave = 1.0
        let edges = [(-deltaX, start.x), (deltaX, 1 - start.x), (-deltaY, start.y), (deltaY, 1 - start.y)]
        for (direction, distance) in edges {
            guard direction.isFinite, distance.isFinite else { return nil }
            if direction == 0 {
                if distance < 0 { return nil }
                continue
            }
            let crossing = distance / direction
            if direction < 0 { enter = max(enter, crossing) } else { leave = min(leave, crossing) }
        }
        guard enter <= leave else { return nil }
        let clippedStart = enter == 0 ? start : (start.x + enter * deltaX, start.y + enter * deltaY)
        let clippedEnd = leave == 1 ? end : (start.x + leave * deltaX, start.y + leave * deltaY)
        return (clippedStart, clippedEnd)
    }
}
