extension Chart {
    /// One data series of a ``Chart``: paired x and y values drawn as markers or as a line.
    ///
    /// ```swift
    /// let fit = Chart.Series(style: .line, label: "model", x: [0, 1, 2], y: [1, 3, 9])
    /// let chart = Chart(series: [fit])
    /// ```
    public struct Series: Sendable {
        /// How a series is drawn.
        ///
        /// ```swift
        /// let style: Chart.Series.Style = .points
        /// ```
        public enum Style: Sendable {
            /// A marker at each point.
            case points
            /// Straight segments joining consecutive points.
            case line
        }

        /// How the series is drawn.
        public var style: Style
        /// The name shown in the legend; empty to leave the series out of the legend.
        public var label: String
        /// The horizontal values.
        public var x: [Double]
        /// The vertical values, one per `x` value.
        public var y: [Double]
        /// The colour, or `nil` for the palette colour of the series' position.
        public var color: Color?
        /// Whether a line is drawn dashed (a known true function).
        public var dashed = false
        /// Whether a line is drawn thin and translucent (raw values under a smoothed line).
        public var faint = false

        /// Creates a series; `x` and `y` must have the same number of values.
        ///
        /// ```swift
        /// let data = Chart.Series(style: .points, label: "data", x: [Float(0), 1], y: [2, 3])
        /// ```
        ///
        /// - Parameters:
        ///   - style: Markers (`.points`) or a polyline (`.line`).
        ///   - label: The legend entry; empty leaves the series out of the legend.
        ///   - x: The horizontal values (any floating-point type; stored as `Double`).
        ///   - y: The vertical values, exactly one per `x` value.
        ///   - color: The colour, or `nil` for the palette entry of the series' position.
        public init<Value: BinaryFloatingPoint>(
            style: Style, label: String = "", x: [Value], y: [Value], color: Color? = nil
        ) {
            require(x.count == y.count, "Chart.Series: x has \(x.count) values but y has \(y.count)")
            self.style = style
            self.label = label
            self.x = x.map { Double($0) }
            self.y = y.map { Double($0) }
            self.color = color
        }
    }
}

extension Chart {
    /// A dashed vertical line across the plot area with a label at its top.
    ///
    /// ```swift
    /// chart.verticalLines.append(Chart.VerticalLine(x: 120, label: "epoch 2"))
    /// ```
    public struct VerticalLine: Sendable {
        /// Where it crosses the horizontal axis.
        public var x: Double
        /// The text at its top; empty for none.
        public var label: String

        /// A line at `x` labelled `label`.
        ///
        /// - Parameters:
        ///   - x: Where it crosses the horizontal axis.
        ///   - label: The text at its top.
        public init(x: Double, label: String) {
            self.x = x
            self.label = label
        }
    }
}
