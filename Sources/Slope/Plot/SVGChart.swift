import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Draws a ``Chart`` as a standalone SVG document: axes with nice ticks and grid lines, titles,
/// series and a legend of the labelled series.
///
/// ```swift
/// var chart = Chart(title: "Learning rate finder", xTitle: "learning rate", yTitle: "loss", xScale: .logarithmic)
/// chart.addLine(x: rates, y: losses, label: "loss")
/// try SVGChart(chart).write(toFile: "lr_find.svg")
/// ```
public struct SVGChart: Sendable {
    /// The chart to draw.
    public var chart: Chart
    /// The document width in pixels.
    public var width: Double
    /// The document height in pixels.
    public var height: Double

    /// Creates a renderer for `chart`; sizes below 120 × 80 pixels are raised to that when drawn.
    ///
    /// ```swift
    /// let svg = SVGChart(chart, width: 800, height: 500).render()
    /// ```
    ///
    /// - Parameters:
    ///   - chart: The chart to draw.
    ///   - width: The document width in pixels (at least 120 when drawn).
    ///   - height: The document height in pixels (at least 80 when drawn).
    public init(_ chart: Chart, width: Double = 640, height: Double = 400) {
        self.chart = chart
        self.width = width
        self.height = height
    }

    // MARK: - Rendering

    /// The SVG document (UTF-8 text starting with an XML declaration).
    ///
    /// ```swift
    /// let document = SVGChart(chart).render()  // "<?xml version=\"1.0\" ...><svg xmlns=..."
    /// ```
    ///
    /// - Returns: The whole document as a string, ready to write to a `.svg` file.
    public func render() -> String {
        let frame = Frame(chart: chart, width: width, height: height)
        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(number(frame.width))" \
            height="\(number(frame.height))" viewBox="0 0 \(number(frame.width)) \(number(frame.height))" \
            font-family="sans-serif" font-size="12">
            <title>\(escaped(chart.title.isEmpty ? "Chart" : chart.title))</title>
            <desc>\(escaped(summary(frame)))</desc>
            <rect width="\(number(frame.width))" height="\(number(frame.height))" fill="white"/>

            """
        if !chart.title.isEmpty {
            svg += "<text class=\"title\" x=\"\(number(frame.width / 2))\" y=\"26\" text-anchor=\"middle\" "
                + "font-size=\"16\" font-weight=\"bold\">\(escaped(chart.title))</text>\n"
        }
        svg += axesMarkup(frame) + seriesMarkup(frame) + verticalLinesMarkup(frame) + legendMarkup(frame) + "</svg>\n"
        return svg
    }

    /// The chart's ``Chart/summary``, or one made from its axes and series: what each axis spans
    /// and which series it draws.
    private func summary(_ frame: Frame) -> String {
        if !chart.summary.isEmpty { return chart.summary }
        let labels = chart.series.map(\.label).filter { !$0.isEmpty }
        let (x, y) = (frame.xAxis, frame.yAxis)
        let xName = chart.xTitle.isEmpty ? "x" : chart.xTitle, yName = chart.yTitle.isEmpty ? "y" : chart.yTitle
        return "\(xName) from \(x.labels.first ?? "\(x.lower)") to \(x.labels.last ?? "\(x.upper)"), "
            + "\(yName) from \(y.labels.first ?? "\(y.lower)") to \(y.labels.last ?? "\(y.upper)")"
            + (labels.isEmpty ? "." : "; series: \(labels.joined(separator: ", ")).")
    }

    /// Each vertical line that falls on the horizontal axis, dashed, with its label at the top
    /// (to its right, or to its left near the right edge).
    private func verticalLinesMarkup(_ frame: Frame) -> String {
        var svg = ""
        for line in chart.verticalLines {
            guard let fraction = frame.xAxis.fraction(of: line.x), fraction >= -1e-9, fraction <= 1 + 1e-9 else { continue }
            let x = frame.x(fraction)
            let nearRight = Double(line.label.count) * Frame.characterWidth + 6 > frame.right - x
            svg += "<g class=\"vertical-line\" data-label=\"\(escaped(line.label))\">"
                + "<line x1=\"\(number(x))\" y1=\"\(number(frame.top))\" x2=\"\(number(x))\" y2=\"\(number(frame.bottom))\" "
                + "stroke=\"#555555\" stroke-width=\"1.2\" stroke-dasharray=\"5 4\"/>"
            if !line.label.isEmpty {
                svg += "<text x=\"\(number(nearRight ? x - 4 : x + 4))\" y=\"\(number(frame.bottom - 6))\" "
                    + "text-anchor=\"\(nearRight ? "end" : "start")\" fill=\"#333333\" font-size=\"11\">\(escaped(line.label))</text>"
            }
            svg += "</g>\n"
        }
        return svg
    }

    /// The plot area inside the document and the axes laid out for it.
    private struct Frame {
        /// The document size, raised to at least 120 × 80.
        let width: Double, height: Double
        /// The plot area's edges in pixels.
        let left: Double, top: Double, right: Double, bottom: Double
        /// The laid-out axes.
        let xAxis: Chart.Axis, yAxis: Chart.Axis

        /// The width in pixels given to one character of 12-pixel text.
        static let characterWidth = 7.0

        init(chart: Chart, width: Double, height: Double) {
            self.width = max(120, width.isFinite ? width : 640)
            self.height = max(80, height.isFinite ? height : 400)
            (xAxis, yAxis) = chart.axes(
                xTickCount: max(2, Int(self.width / 70)), yTickCount: max(2, Int(self.height / 60))
            )
            let yLabelWidth = Double(yAxis.labels.map(\.count).max() ?? 1) * Frame.characterWidth
            left = 18 + (chart.yTitle.isEmpty ? 0 : 20) + yLabelWidth
            top = chart.title.isEmpty ? 16 : 40
            right = max(left + 10, self.width - 20)
            bottom = max(top + 10, self.height - (chart.xTitle.isEmpty ? 30 : 50))
        }

        /// The pixel column of a horizontal plot position (0 left, 1 right).
        func x(_ fraction: Double) -> Double { left + fraction * (right - left) }

        /// The pixel row of a vertical plot position (0 bottom, 1 top).
        func y(_ fraction: Double) -> Double { bottom - fraction * (bottom - top) }
    }

    /// Grid lines, the plot border, tick marks and labels, and the axis titles.
    private func axesMarkup(_ frame: Frame) -> String {
        let xTicks = zip(frame.xAxis.ticks, frame.xAxis.labels).compactMap { tick, label in
            frame.xAxis.fraction(of: tick).map { (pixel: number(frame.x($0)), label: label) }
        }
        let yTicks = zip(frame.yAxis.ticks, frame.yAxis.labels).compactMap { tick, label in
            frame.yAxis.fraction(of: tick).map { (pixel: frame.y($0), label: label) }
        }
        let (left, top, right, bottom) = (number(frame.left), number(frame.top), number(frame.right), number(frame.bottom))
        var svg = "<g class=\"grid\" stroke=\"#e5e5e5\" stroke-width=\"1\">\n"
        for tick in xTicks {
            svg += "<line x1=\"\(tick.pixel)\" y1=\"\(top)\" x2=\"\(tick.pixel)\" y2=\"\(bottom)\"/>\n"
        }
        for tick in yTicks {
            svg += "<line x1=\"\(left)\" y1=\"\(number(tick.pixel))\" x2=\"\(right)\" y2=\"\(number(tick.pixel))\"/>\n"
        }
        svg += "</g>\n<rect class=\"frame\" x=\"\(left)\" y=\"\(top)\" width=\"\(number(frame.right - frame.left))\" "
            + "height=\"\(number(frame.bottom - frame.top))\" fill=\"none\" stroke=\"#333333\"/>\n"
        svg += "<g class=\"x-ticks\" text-anchor=\"middle\" fill=\"#333333\">\n"
        for tick in xTicks {
            svg += "<line x1=\"\(tick.pixel)\" y1=\"\(bottom)\" x2=\"\(tick.pixel)\" y2=\"\(number(frame.bottom + 5))\" "
                + "stroke=\"#333333\"/><text x=\"\(tick.pixel)\" y=\"\(number(frame.bottom + 18))\">"
                + "\(escaped(tick.label))</text>\n"
        }
        svg += "</g>\n<g class=\"y-ticks\" text-anchor=\"end\" fill=\"#333333\">\n"
        for tick in yTicks {
            svg += "<line x1=\"\(number(frame.left - 5))\" y1=\"\(number(tick.pixel))\" x2=\"\(left)\" "
                + "y2=\"\(number(tick.pixel))\" stroke=\"#333333\"/><text x=\"\(number(frame.left - 8))\" "
                + "y=\"\(number(tick.pixel + 4))\">\(escaped(tick.label))</text>\n"
        }
        svg += "</g>\n"
        if !chart.xTitle.isEmpty {
            svg += "<text class=\"x-title\" x=\"\(number((frame.left + frame.right) / 2))\" "
                + "y=\"\(number(frame.bottom + 38))\" text-anchor=\"middle\">\(escaped(chart.xTitle))</text>\n"
        }
        if !chart.yTitle.isEmpty {
            let middle = number((frame.top + frame.bottom) / 2)
            svg += "<text class=\"y-title\" x=\"16\" y=\"\(middle)\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 16 \(middle))\">\(escaped(chart.yTitle))</text>\n"
        }
        return svg
    }

    /// One `<g class="series">` per series: circles for points, polylines for lines.
    private func seriesMarkup(_ frame: Frame) -> String {
        var svg = ""
        for (index, series) in chart.series.enumerated() {
            let color = chart.color(ofSeries: index).hex
            svg += "<g class=\"series\" data-label=\"\(escaped(series.label))\">\n"
            switch series.style {
            case .points:
                for point in chart.markers(of: series, x: frame.xAxis, y: frame.yAxis) {
                    svg += "<circle cx=\"\(number(frame.x(point.x)))\" cy=\"\(number(frame.y(point.y)))\" r=\"3\" "
                        + "fill=\"\(color)\"/>\n"
                }
            case .line:
                for run in chart.polylines(of: series, x: frame.xAxis, y: frame.yAxis) {
                    let points = run.map { "\(number(frame.x($0.x))),\(number(frame.y($0.y)))" }.joined(separator: " ")
                    let style = (series.faint ? "stroke-width=\"1\" stroke-opacity=\"0.3\"" : "stroke-width=\"2\"")
                        + (series.dashed ? " stroke-dasharray=\"7 5\"" : "")
                    svg += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(color)\" \(style) "
                        + "stroke-linejoin=\"round\"/>\n"
                }
            }
            svg += "</g>\n"
        }
        return svg
    }

    /// A box naming each labelled series, in the corner of the plot area that covers the least
    /// data (top right when several tie); empty if no series has a label.
    private func legendMarkup(_ frame: Frame) -> String {
        let entries = chart.series.indices.filter { !chart.series[$0].label.isEmpty }
        guard !entries.isEmpty else { return "" }
        let labelWidth = Double(entries.map { chart.series[$0].label.count }.max() ?? 0) * Frame.characterWidth
        let boxWidth = 40 + labelWidth, boxHeight = 8 + 18 * Double(entries.count)
        let corners = [
            (frame.right - boxWidth - 8, frame.top + 8, "top-right"), (frame.left + 8, frame.top + 8, "top-left"),
            (frame.right - boxWidth - 8, frame.bottom - boxHeight - 8, "bottom-right"),
            (frame.left + 8, frame.bottom - boxHeight - 8, "bottom-left"),
        ]
        let covered = corners.map { corner in dataCovered(frame, left: corner.0, top: corner.1, width: boxWidth, height: boxHeight) }
        let best = covered.indices.min { covered[$0] < covered[$1] } ?? 0
        let (boxLeft, boxTop, place) = corners[best]
        var svg = "<g class=\"legend\" data-corner=\"\(place)\">\n<rect x=\"\(number(boxLeft))\" y=\"\(number(boxTop))\" "
            + "width=\"\(number(boxWidth))\" height=\"\(number(boxHeight))\" fill=\"white\" fill-opacity=\"0.85\" "
            + "stroke=\"#cccccc\"/>\n"
        for (row, index) in entries.enumerated() {
            let series = chart.series[index], color = chart.color(ofSeries: index).hex
            let y = number(boxTop + 13 + 18 * Double(row))
            switch series.style {
            case .points:
                svg += "<circle cx=\"\(number(boxLeft + 18))\" cy=\"\(y)\" r=\"3\" fill=\"\(color)\"/>"
            case .line:
                svg += "<line x1=\"\(number(boxLeft + 8))\" y1=\"\(y)\" x2=\"\(number(boxLeft + 28))\" y2=\"\(y)\" "
                    + "stroke=\"\(color)\" stroke-width=\"2\"/>"
            }
            svg += "<text x=\"\(number(boxLeft + 34))\" y=\"\(number(boxTop + 17 + 18 * Double(row)))\">"
                + "\(escaped(series.label))</text>\n"
        }
        return svg + "</g>\n"
    }

    /// How many markers and line segments of the data fall in the box (pixel coordinates, with
    /// a 4-pixel margin).
    private func dataCovered(_ frame: Frame, left: Double, top: Double, width: Double, height: Double) -> Int {
        // The box in plot fractions (0...1 across the plot area, y up), widened by the margin.
        let plotWidth = max(frame.right - frame.left, 1), plotHeight = max(frame.bottom - frame.top, 1)
        let x0 = (left - 4 - frame.left) / plotWidth, x1 = (left + width + 4 - frame.left) / plotWidth
        let y0 = (frame.bottom - (top + height + 4)) / plotHeight, y1 = (frame.bottom - (top - 4)) / plotHeight
        let inBox = { (point: Chart.PlotPoint) -> Chart.PlotPoint in ((point.x - x0) / (x1 - x0), (point.y - y0) / (y1 - y0)) }
        var count = 0
        for series in chart.series {
            switch series.style {
            case .points:
                for point in chart.markers(of: series, x: frame.xAxis, y: frame.yAxis) {
                    let p = inBox(point)
                    if p.x >= 0, p.x <= 1, p.y >= 0, p.y <= 1 { count += 1 }
                }
            case .line:
                for run in chart.polylines(of: series, x: frame.xAxis, y: frame.yAxis) {
                    for (a, b) in zip(run, run.dropFirst()) where Chart.clip(from: inBox(a), to: inBox(b)) != nil {
                        count += 1
                    }
                }
            }
        }
        return count
    }

    // MARK: - Writing

    /// Writes the document to `path` atomically: to a temporary file in the same folder, then renamed
    /// over `path`, so readers never see half a file and a failure leaves any old file in place.
    ///
    /// ```swift
    /// try SVGChart(chart).write(toFile: "fit.svg")
    /// ```
    ///
    /// - Parameter path: The file to write; its folder must exist.
    /// - Throws: `ChartError.writeFailed(path:reason:)` when the folder does not exist, when `path` is
    ///   a folder, FIFO or device, or when writing or renaming fails.
    public func write(toFile path: String) throws(ChartError) {
        let destination = URL(fileURLWithPath: path)
        let folder = destination.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .writeFailed(path: path, reason: "the folder `\(folder.path)` does not exist")
        }
        // The one atomic writer: refuses FIFOs, devices and folders, removes its temporary file on a signal.
        do { try FileBytes.writeAtomically(Array(render().utf8), to: path) } catch {
            throw .writeFailed(path: path, reason: error.reason)
        }
    }

    // MARK: - Text helpers

    /// A coordinate with at most two decimals, e.g. `12.5`, `300`.
    private func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        guard rounded.isFinite, abs(rounded) < 1e12 else { return "0" }
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// `text` with the five XML special characters escaped, and control characters other than tab,
    /// line feed and carriage return (not allowed in XML 1.0) dropped.
    private func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
