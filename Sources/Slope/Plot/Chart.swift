/// A 2-D chart description: series of points and lines, titles and axis scales.
///
/// A `Chart` holds data only; ``SVGChart`` draws it as an SVG document and ``TerminalChart`` as
/// text. Axes cover the data (rounded out to nice ticks) unless `xRange`/`yRange` is set, in which
/// case anything outside is clipped. Non-finite values, and non-positive ones on a log axis, are
/// skipped; a line breaks where a value is skipped.
///
/// ```swift
/// var chart = Chart(title: "Fit", xTitle: "x", yTitle: "y")
/// chart.addPoints(x: [0, 1, 2], y: [1.1, 2.9, 9.2], label: "data")
/// chart.addLine(x: [0, 1, 2], y: [1, 3, 9], label: "model")
/// let svg = SVGChart(chart).render()
/// print(TerminalChart(chart))
/// ```
public struct Chart: Sendable {
    /// How values map to positions along an axis.
    ///
    /// ```swift
    /// var chart = Chart(xTitle: "learning rate", yTitle: "loss", xScale: .logarithmic)
    /// ```
    public enum Scale: Sendable {
        /// Position proportional to the value.
        case linear
        /// Position proportional to `log10(value)`; ticks at powers of ten; values <= 0 are skipped.
        case logarithmic
    }

    /// The title above the chart; empty for none.
    public var title: String
    /// The title of the horizontal axis; empty for none.
    public var xTitle: String
    /// The title of the vertical axis; empty for none.
    public var yTitle: String
    /// The scale of the horizontal axis.
    public var xScale: Scale
    /// The scale of the vertical axis.
    public var yScale: Scale
    /// A fixed horizontal range, or `nil` to fit the data. Ignored if empty (or not positive on a log axis).
    public var xRange: ClosedRange<Double>?
    /// A fixed vertical range, or `nil` to fit the data. Ignored if empty (or not positive on a log axis).
    public var yRange: ClosedRange<Double>?
    /// The series, drawn in order (later ones on top).
    public var series: [Series]
    /// What the chart shows, in a sentence or two for someone who cannot see it: the SVG's
    /// `<desc>` (its `<title>` is ``title``, or "Chart" when that is empty).
    public var summary: String = ""
    /// Dashed vertical lines across the plot area, each with a label at its top (an epoch
    /// boundary, a suggested learning rate).
    public var verticalLines: [VerticalLine] = []
    /// The fraction of the data's span added on each side of an axis fitted to the data (not a
    /// fixed range), so that no point sits on the frame: 0 by default, 0.05 for fit plots.
    public var padding: Double = 0

    /// Creates a chart; add data with ``addPoints(x:y:label:color:)`` and ``addLine(x:y:label:color:)``.
    ///
    /// ```swift
    /// var chart = Chart(title: "Loss", xTitle: "batch", yTitle: "loss")
    /// ```
    ///
    /// - Parameters:
    ///   - title: The title above the chart; empty for none.
    ///   - xTitle: The horizontal axis title; empty for none.
    ///   - yTitle: The vertical axis title; empty for none.
    ///   - xScale: `.linear` or `.logarithmic` for the horizontal axis.
    ///   - yScale: `.linear` or `.logarithmic` for the vertical axis.
    ///   - xRange: A fixed horizontal range (outside is clipped), or `nil` to fit the data.
    ///   - yRange: A fixed vertical range (outside is clipped), or `nil` to fit the data.
    ///   - series: Series to start with, drawn in order.
    public init(
        title: String = "", xTitle: String = "", yTitle: String = "",
        xScale: Scale = .linear, yScale: Scale = .linear,
        xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
        series: [Series] = []
    ) {
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.xScale = xScale
        self.yScale = yScale
        self.xRange = xRange
        self.yRange = yRange
        self.series = series
    }

    // MARK: - Adding series

    /// Adds a scatter series: one marker per `(x[i], y[i])`.
    ///
    /// ```swift
    /// chart.addPoints(x: xs, y: ys, label: "data")
    /// ```
    ///
    /// - Parameters:
    ///   - x: The horizontal values.
    ///   - y: The vertical values, exactly one per `x` value.
    ///   - label: The legend entry; empty for none.
    ///   - color: The colour, or `nil` for the palette entry of the series' position.
    public mutating func addPoints<Value: BinaryFloatingPoint>(
        x: [Value], y: [Value], label: String = "", color: Color? = nil
    ) {
        series.append(Series(style: .points, label: label, x: x, y: y, color: color))
    }

    /// Adds a line series joining `(x[i], y[i])` in order.
    ///
    /// ```swift
    /// let losses: [Float] = [2.3, 1.1, 0.7]
    /// chart.addLine(x: losses.indices.map(Float.init), y: losses, label: "train")
    /// ```
    ///
    /// - Parameters:
    ///   - x: The horizontal values, in drawing order.
    ///   - y: The vertical values, exactly one per `x` value.
    ///   - label: The legend entry; empty for none.
    ///   - color: The colour, or `nil` for the palette entry of the series' position.
    public mutating func addLine<Value: BinaryFloatingPoint>(
        x: [Value], y: [Value], label: String = "", color: Color? = nil
    ) {
        series.append(Series(style: .line, label: label, x: x, y: y, color: color))
    }

    /// Adds a line series drawn dashed (a known true function) or faint (raw values under their
    /// smoothed line), or both.
    ///
    /// ```swift
    /// chart.addLine(x: xs, y: truth, label: "true function", dashed: true)
    /// chart.addLine(x: batches, y: raw, label: "batches", faint: true)
    /// ```
    ///
    /// - Parameters:
    ///   - x: The horizontal values, in drawing order.
    ///   - y: The vertical values, exactly one per `x` value.
    ///   - label: The legend entry; empty for none.
    ///   - color: The colour, or `nil` for the palette entry of the series' position.
    ///   - dashed: Whether to draw the line dashed.
    ///   - faint: Whether to draw it thin and translucent.
    public mutating func addLine<Value: BinaryFloatingPoint>(
        x: [Value], y: [Value], label: String = "", color: Color? = nil, dashed: Bool = false, faint: Bool = false
    ) {
        var line = Series(style: .line, label: label, x: x, y: y, color: color)
        line.dashed = dashed
        line.faint = faint
        series.append(line)
    }

    /// Adds a dashed vertical line at `x` with `label` at its top.
    ///
    /// ```swift
    /// chart.addVerticalLine(x: 1.2e-3, label: "valley 1.20e-03")
    /// ```
    ///
    /// - Parameters:
    ///   - x: Where the line crosses the horizontal axis (not drawn when outside the axis).
    ///   - label: The text at its top; empty for none.
    public mutating func addVerticalLine<Value: BinaryFloatingPoint>(x: Value, label: String = "") {
        verticalLines.append(VerticalLine(x: Double(x), label: label))
    }

    /// The colour series `index` is drawn with: its own, or the palette's entry for its position.
    func color(ofSeries index: Int) -> Color {
        series[index].color ?? Color.palette[index % Color.palette.count]
    }
}
