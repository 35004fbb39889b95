import Foundation
import Testing
@testable import Slope

#if canImport(FoundationXML)
import FoundationXML
#endif

// MARK: - Helpers

/// The elements of an XML document, read with `XMLParser`; `isWellFormed` is false on any parse error.
private final class ParsedXML: NSObject, XMLParserDelegate {
    /// One element: its name, attributes, text content, and the `class` of the nearest enclosing `g`.
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""
        var group: String?
    }

    private(set) var elements: [Element] = []
    private(set) var isWellFormed = false
    private var open: [Int] = []

    init(_ document: String) {
        super.init()
        let parser = XMLParser(data: Data(document.utf8))
        parser.delegate = self
        isWellFormed = parser.parse() && parser.parserError == nil
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName: String?, attributes: [String: String]
    ) {
        let group = open.reversed().lazy.map { self.elements[$0] }.first { $0.name == "g" }?.attributes["class"]
        elements.append(Element(name: elementName, attributes: attributes, group: group))
        open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let current = open.last { elements[current].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }

    /// The elements called `name`, optionally only those inside a `g` of class `group`.
    func elements(named name: String, inGroup group: String? = nil) -> [Element] {
        elements.filter { $0.name == name && (group == nil || $0.group == group) }
    }
}

/// Whether `value` is 1, 2 or 5 times a power of ten (or zero).
private func isNice(_ value: Double) -> Bool {
    guard value != 0 else { return true }
    let exponent = log10(abs(value)).rounded(.down)
    let mantissa = abs(value) / pow(10, exponent)
    return [1.0, 2, 5, 10].contains { abs(mantissa - $0) < 1e-9 }
}

/// A chart of a simple increasing series (0,0), (1,1), ..., (4,4) as points.
private func increasingChart() -> Chart {
    var chart = Chart()
    chart.addPoints(x: [0.0, 1, 2, 3, 4], y: [0.0, 1, 2, 3, 4], label: "data")
    return chart
}

// MARK: - Ticks

@Suite struct ChartTickTests {
    @Test func niceTicksUseOneTwoFiveSteps() {
        #expect(Chart.niceTicks(from: 0, to: 0.97, count: 5, expand: true) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(Chart.niceTicks(from: -3, to: 12) == [0, 5, 10])
        #expect(Chart.niceTicks(from: 0.1, to: 0.3, count: 3) == [0.1, 0.2, 0.3])
        #expect(Chart.niceTicks(from: 2, to: 2) == [2])
        #expect(Chart.niceTicks(from: 1, to: .nan).isEmpty)
        #expect(Chart.niceTicks(from: 0, to: .greatestFiniteMagnitude, expand: true).allSatisfy { $0.isFinite })
        for (lower, upper) in [(-1.7, 93.2), (0.00031, 0.0057), (1e6, 3.3e9), (-5e-9, -1e-9)] {
            let ticks = Chart.niceTicks(from: lower, to: upper, count: 6, expand: true)
            #expect(ticks.first! <= lower && ticks.last! >= upper)
            let step = ticks[1] - ticks[0]
            #expect(isNice(step), "step \(step) for \(lower)...\(upper)")
            #expect(ticks.allSatisfy { abs($0 / step - ($0 / step).rounded()) < 1e-6 })
        }
    }

    @Test func logTicksArePowersOfTen() {
        #expect(Chart.logTicks(from: 2e-6, to: 3) == [1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1])
        #expect(Chart.logTicks(from: 1e-9, to: 1e9, count: 5) == [1e-9, 1e-4, 10, 1e6])
        #expect(Chart.logTicks(from: 0, to: 10).isEmpty)
    }

    @Test func tickLabelsAreReadable() {
        #expect(Chart.tickLabels(for: [0, 0.5, 1]) == ["0.0", "0.5", "1.0"])
        #expect(Chart.tickLabels(for: [0, 0.1, 0.2, 0.30000000000000004]) == ["0.0", "0.1", "0.2", "0.3"])
        #expect(Chart.tickLabels(for: [-10, 0, 10]) == ["-10", "0", "10"])
        #expect(Chart.tickLabels(for: [0, 2e6, 4e6]) == ["0", "2e6", "4e6"])
        #expect(Chart.tickLabels(for: [1e-7, 1e-6, 1e-5], uniformDecimals: false) == ["1e-7", "1e-6", "1e-5"])
        #expect(Chart.tickLabels(for: [0.01, 0.1, 1, 10], uniformDecimals: false) == ["0.01", "0.1", "1", "10"])
    }
}

// MARK: - SVG

@Suite struct SVGChartTests {
    @Test func documentIsWellFormedAndHoldsTheSeries() {
        var chart = Chart(title: "Fit", xTitle: "x", yTitle: "y")
        chart.addPoints(x: [0, 0.5, 0.97], y: [1, 2, 3], label: "data")
        chart.addLine(x: [0, 0.5, 0.97], y: [1.1, 2, 2.9], label: "model", color: .red)
        let svg = SVGChart(chart).render()
        let xml = ParsedXML(svg)
        #expect(xml.isWellFormed)
        #expect(xml.elements.first?.name == "svg")
        #expect(xml.elements.first?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(xml.elements(named: "g").filter { $0.attributes["class"] == "series" }
            .map { $0.attributes["data-label"] } == ["data", "model"])
        #expect(xml.elements(named: "circle", inGroup: "series").count == 3)
        #expect(xml.elements(named: "polyline", inGroup: "series").first?.attributes["stroke"] == "#d62728")
        #expect(xml.elements(named: "text", inGroup: "legend").map(\.text) == ["data", "model"])
        #expect(xml.elements(named: "text").contains { $0.attributes["class"] == "title" && $0.text == "Fit" })

        let xLabels = xml.elements(named: "text", inGroup: "x-ticks").map(\.text)
        #expect(xLabels == ["0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"])
        let yValues = xml.elements(named: "text", inGroup: "y-ticks").compactMap { Double($0.text) }
        #expect(yValues.count >= 3)
        let step = yValues[1] - yValues[0]
        #expect(isNice(step))
        #expect(yValues.allSatisfy { abs($0 / step - ($0 / step).rounded()) < 1e-9 })
    }

    @Test func logAxisTicksArePowersOfTen() {
        var chart = Chart(xTitle: "learning rate", yTitle: "loss", xScale: .logarithmic)
        let rates = (0..<50).map { pow(10, -7 + 8 * Double($0) / 49) }
        chart.addLine(x: rates + [0, -1], y: rates.map { 2 - log10($0) / 10 } + [1, 1], label: "loss")
        let xml = ParsedXML(SVGChart(chart).render())
        #expect(xml.isWellFormed)
        let labels = xml.elements(named: "text", inGroup: "x-ticks").map(\.text)
        #expect(labels.first == "1e-7")
        #expect(labels.last == "1e1")
        #expect(labels.allSatisfy { label in
            Double(label).map { log10($0) == log10($0).rounded() } ?? false
        })
        #expect(xml.elements(named: "polyline").count == 1)
    }

    @Test func textIsEscaped() {
        var chart = Chart(title: "a < b & \"c\" > 'd'", xTitle: "<x>")
        chart.addPoints(x: [1.0], y: [2.0], label: "x&y\u{1}")
        let svg = SVGChart(chart).render()
        #expect(svg.contains("a &lt; b &amp; &quot;c&quot; &gt; &apos;d&apos;"))
        let xml = ParsedXML(svg)
        #expect(xml.isWellFormed)
        #expect(xml.elements(named: "text").contains { $0.text == "a < b & \"c\" > 'd'" })
        #expect(xml.elements(named: "text", inGroup: "legend").map(\.text) == ["x&y"])
    }

    @Test func nonFiniteValuesAreSkipped() {
        var chart = Chart()
        chart.addPoints(x: [0, 1, Double.nan, 3, 4], y: [0, Double.infinity, 2, 3, -Double.infinity])
        chart.addLine(x: [0.0, 1, 2, 3, 4], y: [0, 1, Double.nan, 3, 4])
        let svg = SVGChart(chart).render()
        #expect(!svg.contains("nan") && !svg.contains("inf"))
        let xml = ParsedXML(svg)
        #expect(xml.isWellFormed)
        #expect(xml.elements(named: "circle").count == 2)
        #expect(xml.elements(named: "polyline").count == 2)
        #expect(xml.elements(named: "g").filter { $0.attributes["class"] == "legend" }.isEmpty)
    }

    @Test func emptyAndDegenerateChartsRender() {
        var chart = Chart()
        #expect(ParsedXML(SVGChart(chart).render()).isWellFormed)
        chart.addPoints(x: [5.0], y: [5.0])
        chart.xScale = .logarithmic
        let xml = ParsedXML(SVGChart(chart, width: 1, height: .nan).render())
        #expect(xml.isWellFormed)
        #expect(xml.elements(named: "circle").count == 1)
    }

    @Test func fixedRangeClipsLines() throws {
        var chart = Chart(yRange: 0...1)
        chart.addLine(x: [0.0, 1, 2], y: [0.0, 2, 0])
        let runs = chart.polylines(of: chart.series[0], x: chart.axes(xTickCount: 5, yTickCount: 5).x,
                                   y: chart.axes(xTickCount: 5, yTickCount: 5).y)
        #expect(runs.count == 2)
        #expect(runs.flatMap { $0 }.allSatisfy { (0...1).contains($0.y) })
        #expect(ParsedXML(SVGChart(chart).render()).elements(named: "polyline").count == 2)
    }

    @Test func writesAtomically() throws {
        let folder = try temporaryFolder("plot")
        let path = folder.appendingPathComponent("chart.svg").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        let chart = SVGChart(increasingChart())
        try chart.write(toFile: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == chart.render())
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["chart.svg"])

        let missing = folder.appendingPathComponent("no/such/chart.svg").path
        #expect(throws: ChartError.writeFailed(path: missing, reason: "the folder `\(folder.path)/no/such` does not exist")) {
            try chart.write(toFile: missing)
        }
        #expect(throws: ChartError.self) { try chart.write(toFile: folder.path) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["chart.svg"])
        #expect("\(ChartError.writeFailed(path: "a.svg", reason: "disk full"))" == "cannot write chart to a.svg: disk full")
    }
}

// MARK: - Terminal

@Suite struct TerminalChartTests {
    @Test func hasTheRequestedSizeAndCornerPoints() {
        let text = TerminalChart(increasingChart(), width: 60, height: 16).render()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let gridLines = lines.filter { $0.contains("┤") || $0.contains("│") }
        #expect(gridLines.count == 16)
        #expect(!lines.contains { $0.hasSuffix(" ") }, "no trailing spaces")
        // Lines end at their last mark; the grid is 60 cells once padded back.
        let trimmed = gridLines.map { line in Array(line[line.index(after: line.firstIndex { $0 == "┤" || $0 == "│" }!)...]) }
        #expect(trimmed.allSatisfy { $0.count <= 60 })
        let cells = trimmed.map { $0 + Array(repeating: Character(" "), count: 60 - $0.count) }
        #expect(cells.last?.first == "•")
        #expect(cells.first?.last == "•")
        #expect(cells.first?.first == " " && cells.last?.last == " ")
        #expect(cells.flatMap { $0 }.filter { $0 == "•" }.count == 5)
        let axis = lines.first { $0.contains("└") }!
        #expect(axis.filter { $0 == "─" }.count == 60)
        #expect(gridLines.first!.hasPrefix("4 ┤") || gridLines.first!.hasPrefix("4.0 ┤"))
        #expect(gridLines.last!.hasPrefix("0 ┤") || gridLines.last!.hasPrefix("0.0 ┤"))
        #expect(lines.last!.trimmingCharacters(in: .whitespaces) == "• data")
    }

    @Test func drawsLinesTitlesAndXRange() {
        var chart = Chart(title: "Loss", xTitle: "epoch", yTitle: "loss")
        chart.addLine(x: [0.0, 10], y: [10.0, 0], label: "train")
        chart.addPoints(x: [5.0], y: [5.0], label: "mid")
        let text = TerminalChart(chart, width: 21, height: 11).render()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0].trimmingCharacters(in: .whitespaces) == "Loss")
        #expect(lines[1] == "loss")
        let cells = lines.filter { $0.contains("┤") || $0.contains("│") }
            .map { line in Array(line[line.index(after: line.firstIndex { $0 == "┤" || $0 == "│" }!)...]) }
        #expect(cells.count == 11)
        for row in 0..<11 where row != 5 {
            #expect(cells[row][2 * row] == "*", "row \(row)")
        }
        #expect(cells[5][10] == "•")
        let xLabels = lines[lines.firstIndex { $0.contains("└") }! + 1]
        #expect(xLabels.trimmingCharacters(in: .whitespaces).hasPrefix("0"))
        #expect(xLabels.hasSuffix("10"))
        #expect(lines.contains { $0.trimmingCharacters(in: .whitespaces) == "epoch" })
        #expect(lines.last!.trimmingCharacters(in: .whitespaces) == "* train   • mid")
    }

    @Test func logAxisAndTinySizesDoNotTrap() {
        var chart = Chart(xScale: .logarithmic)
        chart.addLine(x: [1e-6, 1e-3, 1.0], y: [3.0, 1, Double.nan])
        let text = TerminalChart(chart, width: 40, height: 8).render()
        #expect(text.contains("1e-6"))
        #expect(!TerminalChart(Chart(), width: 0, height: -3).render().isEmpty)
    }
}

// MARK: - Robustness

@Suite struct ChartFuzzTests {
    /// Charts of extreme, tiny, repeated and non-finite values on both scales render without trapping.
    @Test func extremeValuesNeverTrap() {
        let values: [Double] = [0, -0.0, 1, -1, 1e-300, .leastNonzeroMagnitude, 1e308, -1e308, .greatestFiniteMagnitude,
                                -.greatestFiniteMagnitude, .nan, .infinity, -.infinity, 1e15, 1e15 + 0.125, 3]
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for trial in 0..<300 {
            let count = next(6)
            let start = values[next(values.count)]
            var chart = Chart(
                xScale: next(2) == 0 ? .linear : .logarithmic, yScale: next(2) == 0 ? .linear : .logarithmic,
                xRange: next(4) == 0 && start <= 1e300 ? start...1e300 : nil
            )
            chart.addPoints(x: (0..<count).map { _ in values[next(values.count)] },
                            y: (0..<count).map { _ in values[next(values.count)] })
            chart.addLine(x: (0..<count).map { _ in values[next(values.count)] },
                          y: (0..<count).map { _ in values[next(values.count)] })
            let svg = SVGChart(chart).render()
            #expect(ParsedXML(svg).isWellFormed, "trial \(trial)")
            #expect(!svg.contains("nan") && !svg.contains("inf"), "trial \(trial): \(chart)")
            #expect(!TerminalChart(chart, width: 30, height: 8).render().isEmpty)
        }
    }
}

// MARK: - Readable plots

@Suite struct ReadablePlotTests {
    @Test func everySVGHasATitleAndADescription() {
        var chart = Chart(title: "Fit", xTitle: "x", yTitle: "y")
        chart.addPoints(x: [0.0, 1, 2], y: [1.0, 2, 3], label: "data")
        let xml = ParsedXML(SVGChart(chart).render())
        #expect(xml.isWellFormed)
        #expect(xml.elements(named: "title").map(\.text) == ["Fit"])
        let desc = xml.elements(named: "desc").first?.text ?? ""
        #expect(desc.hasPrefix("x from ") && desc.contains("y from ") && desc.hasSuffix("series: data."), "\(desc)")
        var untitled = Chart()
        untitled.summary = "Nothing to see."
        let bare = ParsedXML(SVGChart(untitled).render())
        #expect(bare.elements(named: "title").map(\.text) == ["Chart"])
        #expect(bare.elements(named: "desc").map(\.text) == ["Nothing to see."])
    }

    @Test func paddingKeepsPointsOffTheFrame() throws {
        var chart = Chart(xTitle: "x", yTitle: "y")
        chart.addPoints(x: [-2.0, 0, 2], y: [0.0, 1, 4])
        let tight = ParsedXML(SVGChart(chart).render())
        chart.padding = 0.05
        let padded = ParsedXML(SVGChart(chart).render())
        let xTicks = padded.elements(named: "text", inGroup: "x-ticks").compactMap { Double($0.text) }
        let yTicks = padded.elements(named: "text", inGroup: "y-ticks").compactMap { Double($0.text) }
        #expect(try #require(xTicks.first) < -2 && xTicks.last! > 2, "\(xTicks)")
        #expect(try #require(yTicks.first) < 0 && yTicks.last! > 4, "\(yTicks)")
        func onTheFrame(_ xml: ParsedXML) -> Int {
            let frame = xml.elements(named: "rect").first { $0.attributes["class"] == "frame" }!.attributes
            let (left, top) = (Double(frame["x"]!)!, Double(frame["y"]!)!)
            let (right, bottom) = (left + Double(frame["width"]!)!, top + Double(frame["height"]!)!)
            return xml.elements(named: "circle", inGroup: "series").filter { circle in
                let (x, y) = (Double(circle.attributes["cx"]!)!, Double(circle.attributes["cy"]!)!)
                return abs(x - left) < 1 || abs(x - right) < 1 || abs(y - top) < 1 || abs(y - bottom) < 1
            }.count
        }
        #expect(onTheFrame(tight) == 2, "without padding the two extreme points sit on the frame")
        #expect(onTheFrame(padded) == 0)
    }

    @Test func theLegendAvoidsTheData() throws {
        // Rising data fills the top right and the bottom left: the legend goes top left.
        var chart = Chart()
        let xs = (0...40).map { Double($0) / 4 }
        chart.addPoints(x: xs, y: xs.map { $0 * $0 }, label: "data")
        chart.addLine(x: xs, y: xs.map { $0 * $0 }, label: "model")
        let xml = ParsedXML(SVGChart(chart).render())
        let legend = try #require(xml.elements(named: "g").first { $0.attributes["class"] == "legend" })
        #expect(legend.attributes["data-corner"] == "top-left")
        let box = try #require(xml.elements(named: "rect", inGroup: "legend").first?.attributes)
        let (left, top) = (Double(box["x"]!)!, Double(box["y"]!)!)
        let (right, bottom) = (left + Double(box["width"]!)!, top + Double(box["height"]!)!)
        let covered = xml.elements(named: "circle", inGroup: "series").filter { circle in
            let (x, y) = (Double(circle.attributes["cx"]!)!, Double(circle.attributes["cy"]!)!)
            return x >= left && x <= right && y >= top && y <= bottom
        }
        #expect(covered.isEmpty)
        // Falling data leaves the top right free: the legend stays there.
        var falling = Chart()
        falling.addPoints(x: xs, y: xs.map { -$0 }, label: "data")
        let fallingLegend = ParsedXML(SVGChart(falling).render()).elements(named: "g").first { $0.attributes["class"] == "legend" }
        #expect(fallingLegend?.attributes["data-corner"] == "top-right")
    }

    @Test func dashedFaintAndVerticalLinesAreDrawn() {
        var chart = Chart()
        chart.addLine(x: [0.0, 1, 2], y: [0.0, 1, 0], label: "raw", faint: true)
        chart.addLine(x: [0.0, 1, 2], y: [0.5, 0.5, 0.5], label: "truth", dashed: true)
        chart.addVerticalLine(x: 1.0, label: "epoch 2")
        chart.addVerticalLine(x: 50.0, label: "outside")
        let xml = ParsedXML(SVGChart(chart).render())
        let lines = xml.elements(named: "polyline", inGroup: "series")
        #expect(lines[0].attributes["stroke-opacity"] == "0.3" && lines[0].attributes["stroke-dasharray"] == nil)
        #expect(lines[1].attributes["stroke-dasharray"] == "7 5" && lines[1].attributes["stroke-opacity"] == nil)
        #expect(xml.elements(named: "text", inGroup: "vertical-line").map(\.text) == ["epoch 2"], "a line off the axis is not drawn")
        #expect(xml.elements(named: "line", inGroup: "vertical-line").first?.attributes["stroke-dasharray"] == "5 4")
    }

    @Test func theLossChartSmoothsAsFastaiAndMarksEpochs() {
        let recorder = Recorder()
        let losses: [Float] = [2, 1, 3, 0.5, 0.8, 0.4, 0.6, 0.3]
        for (index, loss) in losses.enumerated() {
            recorder.record(batchLoss: loss, learningRate: 0.1)
            if index % 4 == 3 {
                recorder.record(epoch: EpochRecord(epoch: index / 4, trainLoss: 0, validLoss: Double(loss) + 0.1, metrics: [], seconds: 0))
            }
        }
        // The debiased EMA by hand: avg_i = 0.98 avg_{i-1} + 0.02 loss_i, smooth_i = avg_i / (1 - 0.98^(i+1)).
        var average = 0.0
        let expected = losses.enumerated().map { index, loss -> Double in
            average = 0.98 * average + 0.02 * Double(loss)
            return average / (1 - pow(0.98, Double(index + 1)))
        }
        let smooth = recorder.smoothedLosses()
        #expect(zip(smooth, expected).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(smooth[0] == 2, "the first value is the first loss (no bias towards 0)")
        let chart = recorder.lossChart()
        #expect(chart.series.map(\.label) == ["batches", "train (smoothed)", "valid"])
        #expect(chart.series[0].faint && !chart.series[1].faint)
        #expect(chart.series[1].y == smooth)
        #expect(chart.series[2].style == .points && chart.series[2].x == [4, 8] && chart.series[2].y.map { Float($0) } == [0.6, 0.4])
        #expect(chart.verticalLines.map(\.label) == ["epoch 2"] && chart.verticalLines[0].x == 3.5, "a boundary between the epochs only")
        let xml = ParsedXML(SVGChart(chart).render())
        #expect(xml.isWellFormed)
        #expect(xml.elements(named: "desc").first?.text.contains("validation loss 0.4 after 2 epochs") == true)
    }

    @Test func theLRFindChartClipsTheSpikeAndMarksTheSuggestion() throws {
        // The loss falls from 2 to 0.5, then spikes to 40 (where lrFind stops).
        let rates = (0..<30).map { Float(1e-5) * Foundation.pow(10, Float($0) / 6) }
        let losses = (0..<30).map { i -> Float in i <= 20 ? 2 - 1.5 * Float(i) / 20 : 0.5 * Foundation.pow(2.5, Float(i - 20)) }
        let found = LRFindResult(learningRates: rates, losses: losses, suggestion: rates[12])
        let chart = found.chart()
        #expect(chart.series[0].x.count == 30 - LRFindResult.chartSkipsLast, "the last points are left out")
        let range = try #require(chart.yRange)
        #expect(range.upperBound >= 2 && range.upperBound < 2.5, "clipped to the region before the minimum: \(range)")
        #expect(range.lowerBound < 0.5 && range.lowerBound > 0.3, "\(range)")
        let label = String(format: "valley %.2e", rates[12])
        #expect(chart.series.map(\.label) == ["loss", label])
        #expect(chart.verticalLines.map(\.label) == [label])
        let xml = ParsedXML(SVGChart(chart).render())
        #expect(xml.elements(named: "text", inGroup: "vertical-line").map(\.text) == [label])
        #expect(xml.elements(named: "circle", inGroup: "series").count == 1, "the suggestion's marker is inside the range")
        let yTicks = xml.elements(named: "text", inGroup: "y-ticks").compactMap { Double($0.text) }
        #expect(try #require(yTicks.max()) <= 2.5, "the y axis no longer runs to the spike: \(yTicks)")
    }
}
