import Foundation

/// A matrix drawn as coloured cells (confusion and correlation matrices), as SVG: row
/// labels on the left, column labels below, a colour bar with ticks on the right, and the
/// values written in the cells when the matrix is small enough to read them.
public struct Heatmap: Sendable {
    /// Rows of equal length.
    public var values: [[Double]]
    public var rowLabels: [String]?
    public var columnLabels: [String]?
    public var title: String?
    public var xlabel: String?
    public var ylabel: String?
    /// nil picks `coolwarm` (centred on 0) when any value is negative, else `blues`.
    public var colormap: Colormap?
    /// The values mapped to the ends of the colour map; nil: the data's range (symmetric
    /// around 0 for a diverging map).
    public var range: (low: Double, high: Double)?
    /// Write each value in its cell; nil: when the matrix has at most 24 rows and columns.
    public var showValues: Bool?
    /// Decimals for the cell values; nil: none when every value is whole (counts), else 2.
    public var digits: Int?

    public init(values: [[Double]], rowLabels: [String]? = nil, columnLabels: [String]? = nil, title: String? = nil) {
        self.values = values
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.title = title
    }

    /// Above this many cells the cells are embedded as one PNG image instead of rectangles.
    public static let maxVectorCells = 10_000

    public func svg() throws -> String {
        let l = try layout()
        let (rows, cols, low, high, map, writeValues, rowText, colText) =
            (l.rows, l.cols, l.low, l.high, l.map, l.writeValues, l.rowText, l.colText)
        let cell = Swift.max(4, Swift.min(56, 560 / Double(Swift.max(rows, cols))))
        let fontSize = Swift.min(12, Swift.max(7, cell * 0.32))
        let labelStep = Swift.max(1, Int((10 / cell).rounded(.up)))   // every label when they fit, else every k-th
        let labelSize = Swift.min(12, Swift.max(7, cell * Double(labelStep) * 0.8))
        let rowLabelWidth = Double(rowText.map(\.count).max()!) * labelSize * 0.6 + 10
        let colLabelHeight = Double(colText.map(\.count).max()!) * labelSize * 0.45 + 16
        let left = rowLabelWidth + (ylabel == nil ? 12 : 34)
        let top = title == nil ? 16.0 : 44.0
        let gridW = cell * Double(cols), gridH = cell * Double(rows)
        let barX = left + gridW + 24, barW = 16.0
        let width = barX + barW + 70, height = top + gridH + colLabelHeight + (xlabel == nil ? 12 : 34)

        var doc = SVGDocument(width: width, height: height)
        doc.rect(0, 0, width, height, fill: "#ffffff")
        if let title { doc.text(title, left + gridW / 2, 28, size: 16, anchor: "middle", extra: [("font-weight", "bold")]) }

        let color = l.color
        doc.open("g", [("class", "cells")])
        if rows * cols > Heatmap.maxVectorCells {
            // One rectangle a cell would make a file browsers choke on: embed the cells as a
            // PNG, one pixel a cell, scaled up without smoothing.
            var raster = RGBImage(width: cols, height: rows)
            for i in 0..<rows { for j in 0..<cols { raster[j, i] = color(values[i][j]) } }
            let data = "data:image/png;base64," + Data(try raster.png()).base64EncodedString()
            doc.element("image", [("x", n(left)), ("y", n(top)), ("width", n(gridW)), ("height", n(gridH)),
                                  ("preserveAspectRatio", "none"), ("image-rendering", "optimizeSpeed"),
                                  ("style", "image-rendering:pixelated"), ("xlink:href", data)])
        } else {
            for i in 0..<rows {
                for j in 0..<cols {
                    let v = values[i][j], c = color(v)
                    let x = left + Double(j) * cell, y = top + Double(i) * cell
                    doc.rect(x, y, cell, cell, fill: c.css, extra: [("data-row", String(i + 1)), ("data-col", String(j + 1))])
                    if writeValues {
                        let s = l.text(v)
                        doc.text(s, x + cell / 2, y + cell / 2 + fontSize * 0.35, size: fontSize, anchor: "middle",
                                 fill: c.luminance < 0.5 ? "#ffffff" : "#222222", extra: [("class", "value")])
                    }
                }
            }
        }
        doc.close("g")

        doc.open("g", [("class", "labels")])
        for (i, s) in rowText.enumerated() where i % labelStep == 0 {
            doc.text(s, left - 6, top + (Double(i) + 0.5) * cell + labelSize * 0.35, size: labelSize, anchor: "end", extra: [("class", "row-label")])
        }
        for (j, s) in colText.enumerated() where j % labelStep == 0 {
            let x = left + (Double(j) + 0.5) * cell, y = top + gridH + 12
            doc.text(s, x, y, size: labelSize, anchor: "end",
                     extra: [("class", "col-label"), ("transform", "rotate(-45 \(n(x)) \(n(y)))")])
        }
        if let xlabel { doc.text(xlabel, left + gridW / 2, height - 10, size: 13, anchor: "middle", extra: [("class", "xlabel")]) }
        if let ylabel {
            let cy = top + gridH / 2
            doc.text(ylabel, 16, cy, size: 13, anchor: "middle", extra: [("class", "ylabel"), ("transform", "rotate(-90 16 \(n(cy)))")])
        }
        doc.close("g")

        // The colour bar: a vertical gradient from low (bottom) to high (top), with ticks.
        let gradient = "heat-\(map.name)"
        doc.open("defs", [])
        doc.open("linearGradient", [("id", gradient), ("x1", "0"), ("y1", "1"), ("x2", "0"), ("y2", "0")])
        for k in 0...10 {
            let t = Double(k) / 10
            doc.element("stop", [("offset", n(t)), ("stop-color", map.color(t).css)])
        }
        doc.close("linearGradient")
        doc.close("defs")
        doc.open("g", [("class", "colorbar")])
        doc.rect(barX, top, barW, gridH, fill: "url(#\(gradient))", extra: [("stroke", "#333333"), ("stroke-width", "0.5")])
        let ticks = Ticks(low, high, target: 5, integer: l.whole && range == nil)
        for v in ticks.values where v >= low - 1e-12 && v <= high + 1e-12 {
            let y = top + gridH - (v - low) / (high - low) * gridH
            doc.line(barX + barW, y, barX + barW + 4, y, stroke: "#333333")
            doc.text(ticks.label(v), barX + barW + 7, y + 4, size: 10, extra: [("class", "tick")])
        }
        doc.close("g")
        return doc.text
    }
}

extension Heatmap {
    /// What every drawing of the heatmap shares (SVG, terminal): the checked shape, the
    /// colour range and map, and how values and labels are written.
    struct Layout {
        let rows: Int, cols: Int
        let map: Colormap
        let low: Double, high: Double
        let decimals: Int
        /// Every finite value is a whole number.
        let whole: Bool
        let writeValues: Bool
        let rowText: [String], colText: [String]

        /// Where `v` falls in the colour range, 0...1 (outside: clamped by the colormap).
        func fraction(_ v: Double) -> Double { (v - low) / (high - low) }
        func color(_ v: Double) -> RGB { v.isFinite ? map.color(fraction(v)) : RGB(200, 200, 200) }
        func text(_ v: Double) -> String { v.isFinite ? String(format: "%.\(decimals)f", v) : "nan" }
    }

    func layout() throws -> Layout {
        let rows = values.count, cols = values.first?.count ?? 0
        guard rows > 0, cols > 0 else { throw PlotError("plot.heatmap: the matrix is empty") }
        guard values.allSatisfy({ $0.count == cols }) else { throw PlotError("plot.heatmap: rows have different lengths") }
        if let l = rowLabels, l.count != rows {
            throw PlotError("plot.heatmap: \(l.count) row labels for \(rows) rows")
        }
        if let l = columnLabels, l.count != cols {
            throw PlotError("plot.heatmap: \(l.count) column labels for \(cols) columns")
        }
        let finite = values.joined().filter(\.isFinite)
        let dataLow = finite.min() ?? 0, dataHigh = finite.max() ?? 1
        let map = colormap ?? (dataLow < 0 ? .coolwarm : .blues)
        var (low, high) = range ?? (dataLow, dataHigh)
        if range == nil && map.diverging { let m = Swift.max(Swift.abs(low), Swift.abs(high)); (low, high) = (-m, m) }
        if high <= low { high = low + 1 }
        let whole = finite.allSatisfy { $0 == $0.rounded() && Swift.abs($0) < 1e9 }
        return Layout(rows: rows, cols: cols, map: map, low: low, high: high, decimals: digits ?? (whole ? 0 : 2), whole: whole,
                      writeValues: showValues ?? (rows <= 24 && cols <= 24),
                      rowText: rowLabels ?? (0..<rows).map(String.init), colText: columnLabels ?? (0..<cols).map(String.init))
    }
}
