import Foundation

/// A matrix drawn as coloured cells (confusion and correlation matrices), SVG or PNG: row
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

    /// Above this many cells the cells are drawn as one image (a pixel a cell, scaled up
    /// without smoothing) instead of a rectangle each: an SVG file then embeds one PNG.
    public static let maxVectorCells = 10_000

    /// The heatmap as an SVG document.
    public func svg() throws -> String { try drawing().svg() }

    /// The heatmap as a PNG file's bytes.
    public func png() throws -> [UInt8] { try drawing().png() }

    /// The heatmap on a canvas: cells, row labels on the left, column labels below (slanted),
    /// the colour bar with ticks on the right, title and axis labels.
    func drawing() throws -> Canvas {
        let l = try layout()
        let (rows, cols, low, high, map, rowText, colText) = (l.rows, l.cols, l.low, l.high, l.map, l.rowText, l.colText)
        let canvas = try Canvas()
        // Whole pixels a cell, so that cells meet without seams in the raster.
        let cell = Swift.max(4, Swift.min(56, 560 / Double(Swift.max(rows, cols)))).rounded(.down)
        let fontSize = Swift.min(12, Swift.max(7, cell * 0.32))
        let labelStep = Swift.max(1, Int((10 / cell).rounded(.up)))   // every label when they fit, else every k-th
        let labelSize = Swift.min(12, Swift.max(7, cell * Double(labelStep) * 0.6))   // slanted column labels clear each other
        let rowLabelWidth = rowText.map { canvas.textWidth($0, size: labelSize) }.max()! + 10
        let colLabelWidth = colText.map { canvas.textWidth($0, size: labelSize) }.max()!
        let slant = 0.5.squareRoot()   // column labels run at 45 degrees
        let left = Swift.max(rowLabelWidth + (ylabel == nil ? 12 : 34), colLabelWidth * slant - cell / 2 + 8)
        let top = title == nil ? 16.0 : 44.0
        let gridW = cell * Double(cols), gridH = cell * Double(rows)
        let ticks = Ticks(low, high, target: 5, integer: l.whole && range == nil)
        let tickValues = ticks.values.filter { $0 >= low - 1e-12 && $0 <= high + 1e-12 }
        let tickWidth = tickValues.map { canvas.textWidth(ticks.label($0), size: 10) }.max() ?? 0
        let barX = left + gridW + 24, barW = 16.0
        let titleWidth = title.map { canvas.textWidth($0, size: 16, bold: true) } ?? 0
        canvas.width = Swift.max(barX + barW + 7 + tickWidth + 12, titleWidth + 24).rounded(.up)
        canvas.height = (top + gridH + colLabelWidth * slant + labelSize + 12 + (xlabel == nil ? 4 : 26)).rounded(.up)

        if let title {
            let x = Swift.min(Swift.max(left + gridW / 2, titleWidth / 2 + 12), canvas.width - titleWidth / 2 - 12)
            canvas.text(title, x, 28, size: 16, anchor: .middle, bold: true, tag: "title")
        }
        if rows * cols > Heatmap.maxVectorCells {
            var raster = RGBImage(width: cols, height: rows)
            for i in 0..<rows { for j in 0..<cols { raster[j, i] = l.color(values[i][j]) } }
            canvas.image(raster, left, top, gridW, gridH)
        } else {
            for i in 0..<rows {
                for j in 0..<cols {
                    let v = values[i][j], c = l.color(v)
                    let x = left + Double(j) * cell, y = top + Double(i) * cell
                    canvas.rect(x, y, cell, cell, fill: c)
                    if l.writeValues {
                        canvas.text(l.text(v), x + cell / 2, y + cell / 2 + fontSize * 0.35, size: fontSize, anchor: .middle,
                                    color: c.luminance < 0.5 ? .white : .text, tag: "value")
                    }
                }
            }
        }

        for (i, s) in rowText.enumerated() where i % labelStep == 0 {
            canvas.text(s, left - 6, top + (Double(i) + 0.5) * cell + labelSize * 0.35, size: labelSize, anchor: .end, tag: "row-label")
        }
        for (j, s) in colText.enumerated() where j % labelStep == 0 {
            canvas.text(s, left + (Double(j) + 0.5) * cell + labelSize * 0.35, top + gridH + 10, size: labelSize, anchor: .end,
                        angle: -45, tag: "col-label")
        }
        if let xlabel { canvas.text(xlabel, left + gridW / 2, canvas.height - 10, size: 13, anchor: .middle, tag: "xlabel") }
        if let ylabel { canvas.text(ylabel, 20, top + gridH / 2, size: 13, anchor: .middle, angle: -90, tag: "ylabel") }

        // The colour bar: a vertical gradient from low (bottom) to high (top), with ticks.
        canvas.gradient(barX, top, barW, gridH, stops: (0...10).map { map.color(Double($0) / 10) })
        canvas.rect(barX, top, barW, gridH, fill: nil, stroke: Canvas.Stroke(color: RGB(51, 51, 51), width: 0.5))
        for v in tickValues {
            let y = top + gridH - (v - low) / (high - low) * gridH
            canvas.line(barX + barW, y, barX + barW + 4, y, Canvas.Stroke(color: RGB(51, 51, 51)))
            canvas.text(ticks.label(v), barX + barW + 7, y + 4, size: 10, tag: "tick")
        }
        return canvas
    }
}

extension Heatmap {
    /// What every drawing of the heatmap shares (the canvas, the terminal's characters): the checked shape, the
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
