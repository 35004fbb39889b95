/// Draws a ``Chart`` as plain text for a terminal: a `width` × `height` grid of characters with a
/// labelled y-axis on the left, x tick labels below, and a legend line.
///
/// Each points series gets a marker (`•`, `o`, `#`, `@`, `%`) and each line series a glyph
/// (`*`, `+`, `x`, `=`, `~`), in order; markers are drawn over lines. Around the grid go an
/// optional title line and y-title line above, then the x axis, tick labels, optional x title and
/// the legend below. No colour or other escape codes are written.
///
/// ```swift
/// var chart = Chart(title: "Loss", xTitle: "batch")
/// chart.addLine(x: [0, 1, 2, 3], y: [2.0, 1.2, 0.9, 0.7], label: "train")
/// print(TerminalChart(chart, width: 40, height: 10))
/// ```
public struct TerminalChart: Sendable, CustomStringConvertible {
    /// The chart to draw.
    public var chart: Chart
    /// The plot grid's width in characters (at least 2 when drawn).
    public var width: Int
    /// The plot grid's height in lines (at least 2 when drawn).
    public var height: Int

    /// The markers of points series, in series order.
    static let pointGlyphs: [Character] = ["•", "o", "#", "@", "%"]
    /// The glyphs of line series, in series order.
    static let lineGlyphs: [Character] = ["*", "+", "x", "=", "~"]

    /// Creates a renderer for `chart` with a plot grid of `width` × `height` characters.
    ///
    /// ```swift
    /// let text = TerminalChart(chart, width: 60, height: 16).render()
    /// ```
    ///
    /// - Parameters:
    ///   - chart: The chart to draw.
    ///   - width: The plot grid's width in characters (at least 2 when drawn).
    ///   - height: The plot grid's height in lines (at least 2 when drawn).
    public init(_ chart: Chart, width: Int = 60, height: Int = 16) {
        self.chart = chart
        self.width = width
        self.height = height
    }

    /// The chart as text, one line per `\n`; the same as ``render()``.
    public var description: String { render() }

    // MARK: - Rendering

    /// The chart as lines of text joined by `\n` (no trailing newline, no trailing spaces).
    ///
    /// ```swift
    /// print(TerminalChart(chart).render())
    /// ```
    ///
    /// - Returns: The chart's lines (title, grid with y labels, axis, x labels, legend) joined by `\n`.
    public func render() -> String {
        let columns = max(2, width), rows = max(2, height)
        let (xAxis, yAxis) = chart.axes(xTickCount: max(3, columns / 8), yTickCount: max(3, rows / 3))
        let glyphs = seriesGlyphs()
        let grid = plotGrid(columns: columns, rows: rows, xAxis: xAxis, yAxis: yAxis, glyphs: glyphs)

        var tickLabels: [Int: String] = [:]
        for (tick, label) in zip(yAxis.ticks, yAxis.labels) {
            guard let fraction = yAxis.fraction(of: tick) else { continue }
            let row = Int(((1 - fraction) * Double(rows - 1)).rounded())
            if tickLabels[row] == nil { tickLabels[row] = label }
        }
        let labelWidth = tickLabels.values.map(\.count).max() ?? 0
        let margin = String(repeating: " ", count: labelWidth + 2)

        var lines: [String] = []
        if !chart.title.isEmpty { lines.append(margin + centered(chart.title, width: columns)) }
        if !chart.yTitle.isEmpty { lines.append(chart.yTitle) }
        for (row, cells) in grid.enumerated() {
            let label = tickLabels[row] ?? ""
            let padding = String(repeating: " ", count: labelWidth - label.count)
            lines.append(padding + label + (tickLabels[row] == nil ? " │" : " ┤") + String(cells))
        }
        lines.append(String(repeating: " ", count: labelWidth + 1) + "└" + String(repeating: "─", count: columns))
        lines.append(margin + xTickLine(columns: columns, axis: xAxis))
        if !chart.xTitle.isEmpty { lines.append(margin + centered(chart.xTitle, width: columns)) }
        let legend = chart.series.indices.filter { !chart.series[$0].label.isEmpty }
            .map { "\(glyphs[$0]) \(chart.series[$0].label)" }
        if !legend.isEmpty { lines.append(margin + legend.joined(separator: "   ")) }
        return lines.map { $0.trimmingTrailingSpaces() }.joined(separator: "\n")
    }

    /// The glyph of each series: markers for points series, line glyphs for line series, in order.
    private func seriesGlyphs() -> [Character] {
        var pointCount = 0, lineCount = 0
        return chart.series.map { series in
            switch series.style {
            case .points:
                defer { pointCount += 1 }
                return TerminalChart.pointGlyphs[pointCount % TerminalChart.pointGlyphs.count]
            case .line:
                defer { lineCount += 1 }
                return TerminalChart.lineGlyphs[lineCount % TerminalChart.lineGlyphs.count]
            }
        }
    }

    /// The plot grid, row 0 at the top: lines drawn first, then points over them.
    private func plotGrid(
        columns: Int, rows: Int, xAxis: Chart.Axis, yAxis: Chart.Axis, glyphs: [Character]
    ) -> [[Character]] {
        var grid = Array(repeating: Array(repeating: Character(" "), count: columns), count: rows)
        func cell(_ point: Chart.PlotPoint) -> (column: Double, row: Double) {
            (point.x * Double(columns - 1), (1 - point.y) * Double(rows - 1))
        }
        func plot(_ column: Double, _ row: Double, _ glyph: Character) {
            let column = Int(column.rounded()), row = Int(row.rounded())
            if (0..<columns).contains(column) && (0..<rows).contains(row) { grid[row][column] = glyph }
        }
        for (index, series) in chart.series.enumerated() where series.style == .line {
            for run in chart.polylines(of: series, x: xAxis, y: yAxis) {
                for (start, end) in zip(run, run.dropFirst()) {
                    let from = cell(start), to = cell(end)
                    let steps = max(1, Int(max(abs(to.column - from.column), abs(to.row - from.row)).rounded(.up)))
                    for step in 0...steps {
                        let t = Double(step) / Double(steps)
                        plot(from.column + t * (to.column - from.column), from.row + t * (to.row - from.row), glyphs[index])
                    }
                }
            }
        }
        for (index, series) in chart.series.enumerated() where series.style == .points {
            for point in chart.markers(of: series, x: xAxis, y: yAxis) {
                let position = cell(point)
                plot(position.column, position.row, glyphs[index])
            }
        }
        return grid
    }

    /// The x tick labels, each centred under its column where it does not overlap the previous one.
    private func xTickLine(columns: Int, axis: Chart.Axis) -> String {
        var line = Array(repeating: Character(" "), count: columns)
        var nextFree = 0
        for (tick, label) in zip(axis.ticks, axis.labels) where label.count <= columns {
            guard let fraction = axis.fraction(of: tick) else { continue }
            let center = Int((fraction * Double(columns - 1)).rounded())
            let start = min(max(0, center - label.count / 2), columns - label.count)
            guard start >= nextFree else { continue }
            line.replaceSubrange(start..<start + label.count, with: Array(label))
            nextFree = start + label.count + 1
        }
        while line.last == " " { line.removeLast() }
        return String(line)
    }

    /// `text` with spaces before it to centre it in `width` columns.
    private func centered(_ text: String, width: Int) -> String {
        String(repeating: " ", count: max(0, (width - text.count) / 2)) + text
    }
}
