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

/// A multi-series line chart as SVG: axes with ticks at round numbers, light grid lines,
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
    public func svg() throws -> String {
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

        let legendWidth = Double(series.map(\.name.count).max()!) * 7 + 46
        let left = 72.0, right = legendWidth + 16, top = title == nil ? 24.0 : 48.0, bottom = 60.0
        let plotW = width - left - right, plotH = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - xt.low) / (xt.high - xt.low) * plotW }
        func py(_ y: Double) -> Double { top + plotH - (y - yt.low) / (yt.high - yt.low) * plotH }

        var doc = SVGDocument(width: width, height: height)
        doc.rect(0, 0, width, height, fill: "#ffffff")
        if let title { doc.text(title, left + plotW / 2, 28, size: 16, anchor: "middle", extra: [("font-weight", "bold")]) }

        doc.open("g", [("class", "grid"), ("stroke", "#e5e5e5"), ("stroke-width", "1")])
        for v in yt.values { doc.element("line", [("x1", n(left)), ("y1", n(py(v))), ("x2", n(left + plotW)), ("y2", n(py(v)))]) }
        for v in xt.values { doc.element("line", [("x1", n(px(v))), ("y1", n(top)), ("x2", n(px(v))), ("y2", n(top + plotH))]) }
        doc.close("g")

        doc.open("g", [("class", "axes")])
        doc.line(left, top + plotH, left + plotW, top + plotH, stroke: "#333333")
        doc.line(left, top, left, top + plotH, stroke: "#333333")
        for v in xt.values {
            doc.line(px(v), top + plotH, px(v), top + plotH + 5, stroke: "#333333")
            doc.text(xt.label(v), px(v), top + plotH + 19, size: 11, anchor: "middle", extra: [("class", "tick")])
        }
        for v in yt.values {
            doc.line(left - 5, py(v), left, py(v), stroke: "#333333")
            doc.text(yt.label(v), left - 8, py(v) + 4, size: 11, anchor: "end", extra: [("class", "tick")])
        }
        if let xlabel { doc.text(xlabel, left + plotW / 2, height - 16, size: 13, anchor: "middle", extra: [("class", "xlabel")]) }
        if let ylabel {
            let cy = top + plotH / 2
            doc.text(ylabel, 18, cy, size: 13, anchor: "middle",
                     extra: [("class", "ylabel"), ("transform", "rotate(-90 18 \(n(cy)))")])
        }
        doc.close("g")

        for (i, s) in series.enumerated() {
            let color = Palette.color(i).css
            doc.open("g", [("class", "series"), ("data-name", s.name)])
            var d = "", pen = false
            for (x, y) in zip(s.x, s.y) {
                guard x.isFinite && y.isFinite else { pen = false; continue }
                d += (pen ? " L" : (d.isEmpty ? "M" : " M")) + "\(n(px(x))) \(n(py(y)))"
                pen = true
            }
            var attrs = [("d", d), ("fill", "none"), ("stroke", color), ("stroke-width", "2"), ("stroke-linejoin", "round")]
            if let dash = Palette.dash(i) { attrs.append(("stroke-dasharray", dash)) }
            doc.element("path", attrs)
            let finite = zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }
            if finite.count <= 40 {
                for (x, y) in finite { doc.element("circle", [("cx", n(px(x))), ("cy", n(py(y))), ("r", "3"), ("fill", color)]) }
            }
            doc.close("g")
        }

        let lx = left + plotW + 16
        doc.open("g", [("class", "legend")])
        for (i, s) in series.enumerated() {
            let y = top + 8 + Double(i) * 20
            var attrs: [(String, String)] = []
            if let dash = Palette.dash(i) { attrs.append(("stroke-dasharray", dash)) }
            doc.line(lx, y, lx + 24, y, stroke: Palette.color(i).css, width: 2.5, extra: attrs)
            doc.text(s.name, lx + 30, y + 4, size: 12)
        }
        doc.close("g")
        return doc.text
    }
}
