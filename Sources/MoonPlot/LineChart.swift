/// One named line of a chart: y values at x positions (by default 1, 2, 3, ...). Non-finite
/// values (NaN for an epoch a metric was not logged) leave a gap.
public struct Series: Sendable {
    public var name: String
    public var x: [Double]
    public var y: [Double]

    public init(name: String, y: [Double], x: [Double]? = nil) {
        self.name = name
        self.y = y
        self.x = x ?? y.indices.map { Double($0 + 1) }
    }
}

/// A multi-series line chart (SVG or PNG): axes with ticks at round numbers, light grid lines,
/// a legend on the right, one colour per series (dashes once colours repeat), point markers
/// when a series has few points.
public struct LineChart: Sendable {
    public var series: [Series]
    public var title: String?
    public var xlabel: String?
    public var ylabel: String?
    public var width: Double = 760
    public var height: Double = 460

    public init(series: [Series], title: String? = nil, xlabel: String? = nil, ylabel: String? = nil) {
        self.series = series
        self.title = title
        self.xlabel = xlabel
        self.ylabel = ylabel
    }

    /// The chart as an SVG document. Throws when there is nothing to draw.
    public func svg() throws -> String { try drawing().svg() }

    /// The chart as a PNG file's bytes.
    public func png() throws -> [UInt8] { try drawing().png() }

    /// The chart on a canvas: axes with round ticks and light grid lines, the series, the
    /// legend on the right, the title above.
    func drawing() throws -> Canvas {
        guard !series.isEmpty else { throw PlotError("plot: no series to draw") }
        for s in series where s.x.count != s.y.count {
            throw PlotError("plot: series '\(s.name)' has \(s.x.count) x values but \(s.y.count) y values")
        }
        let points = series.flatMap { s in zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite } }
        guard !points.isEmpty else {
            throw PlotError("plot: the series hold no finite values (\(series.map(\.name).joined(separator: ", ")))")
        }
        let xt = Ticks(points.map(\.0).min()!, points.map(\.0).max()!, target: 8,
                       integer: points.allSatisfy { $0.0 == $0.0.rounded() })
        let yt = Ticks(points.map(\.1).min()!, points.map(\.1).max()!, target: 6)

        let canvas = try Canvas(width: width, height: height)
        let legendWidth = series.map { canvas.textWidth($0.name, size: 12) }.max()! + 46
        let left = 72.0, right = legendWidth + 16, top = title == nil ? 24.0 : 48.0, bottom = 60.0
        let plotW = width - left - right, plotH = height - top - bottom
        guard plotW > 40 else { throw PlotError("plot: the legend's names are too long to leave room for the chart") }
        func px(_ x: Double) -> Double { left + (x - xt.low) / (xt.high - xt.low) * plotW }
        func py(_ y: Double) -> Double { top + plotH - (y - yt.low) / (yt.high - yt.low) * plotH }

        if let title { canvas.text(title, left + plotW / 2, 28, size: 16, anchor: .middle, bold: true, tag: "title") }
        let grid = Canvas.Stroke(color: RGB(229, 229, 229)), axis = Canvas.Stroke(color: RGB(51, 51, 51))
        for v in yt.values { canvas.line(left, py(v), left + plotW, py(v), grid) }
        for v in xt.values { canvas.line(px(v), top, px(v), top + plotH, grid) }

        canvas.line(left, top + plotH, left + plotW, top + plotH, axis)
        canvas.line(left, top, left, top + plotH, axis)
        for v in xt.values {
            canvas.line(px(v), top + plotH, px(v), top + plotH + 5, axis)
            canvas.text(xt.label(v), px(v), top + plotH + 19, size: 11, anchor: .middle, tag: "tick")
        }
        for v in yt.values {
            canvas.line(left - 5, py(v), left, py(v), axis)
            canvas.text(yt.label(v), left - 8, py(v) + 4, size: 11, anchor: .end, tag: "tick")
        }
        if let xlabel { canvas.text(xlabel, left + plotW / 2, height - 16, size: 13, anchor: .middle, tag: "xlabel") }
        if let ylabel { canvas.text(ylabel, 22, top + plotH / 2, size: 13, anchor: .middle, angle: -90, tag: "ylabel") }

        for (i, s) in series.enumerated() {
            let stroke = Canvas.Stroke(color: Palette.color(i), width: 2, dash: Palette.dash(i))
            var run: [(x: Double, y: Double)] = []   // the points since the last gap
            for (x, y) in zip(s.x, s.y) {
                guard x.isFinite && y.isFinite else { canvas.polyline(run, stroke); run = []; continue }
                run.append((px(x), py(y)))
            }
            canvas.polyline(run, stroke)
            let finite = zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }
            if finite.count <= 40 {
                for (x, y) in finite { canvas.circle(px(x), py(y), radius: 3, fill: Palette.color(i)) }
            }
        }

        let lx = left + plotW + 16
        for (i, s) in series.enumerated() {
            let y = top + 8 + Double(i) * 20
            canvas.line(lx, y, lx + 24, y, Canvas.Stroke(color: Palette.color(i), width: 2.5, dash: Palette.dash(i)))
            canvas.text(s.name, lx + 30, y + 4, size: 12, tag: "legend")
        }
        return canvas
    }
}
