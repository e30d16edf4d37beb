import Foundation
import Testing
@testable import MoonPlot

@Suite struct TicksTests {
    @Test func roundNumbers() {
        let t = Ticks(0.03, 0.97, target: 6)
        #expect(t.step == 0.2 && t.low == 0 && t.high == 1)
        #expect(t.values.map(t.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let big = Ticks(0, 4321)
        #expect(big.step == 1000 && big.high == 5000)
        #expect(big.label(2000) == "2000")
        let integer = Ticks(1, 3, target: 8, integer: true)
        #expect(integer.step == 1 && integer.values == [1, 2, 3])
        let flat = Ticks(0.5, 0.5)
        #expect(flat.low < 0.5 && flat.high > 0.5)
        #expect(Ticks(1e-6, 5e-6).label(2e-6) == "2e-06")
    }
}

@Suite struct LineChartTests {
    @Test func drawsSeriesLegendAxesAndTitleInSVGAndPNG() throws {
        var chart = LineChart(series: [Series(name: "adam", y: [0.8, 0.9, 0.95]),
                                       Series(name: "sgd", y: [0.5, .nan, 0.7, 0.75])],
                              title: "Validation <accuracy> & more", xlabel: "epoch", ylabel: "accuracy")
        chart.width = 700
        let root = try parseSVG(try chart.svg())
        #expect(root.name == "svg")
        #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg" && root.attributes["width"] == "700px")
        #expect(root.classed("legend").map(\.text) == ["adam", "sgd"])
        #expect(root.classed("title").map(\.text) == ["Validation <accuracy> & more"])
        #expect(root.classed("xlabel")[0].text == "epoch" && root.classed("ylabel")[0].text == "accuracy")
        // x ticks at whole epochs, y ticks at round numbers.
        let ticks = root.classed("tick").map(\.text)
        #expect(ticks.contains("1") && ticks.contains("4") && !ticks.contains("1.5"))
        #expect(ticks.contains("0.6") && ticks.contains("1.0"))

        let canvas = try chart.drawing()
        let paths = canvas.shapes.compactMap { if case .path(let p, let s) = $0, s.width == 2 { return (p, s) } else { return nil } }
        // The NaN leaves a gap: sgd's lone first point is a marker, its line starts after the gap.
        #expect(paths.map(\.0.count) == [3, 2])
        #expect(paths[0].1.color == Palette.color(0) && paths[1].1.color == Palette.color(1))
        let markers = canvas.shapes.compactMap { if case .circle(let x, let y, _, let c) = $0 { return (x, y, c) } else { return nil } }
        #expect(markers.count == 6)
        // In the PNG: each marker's colour where it is, white background in a corner.
        let png = try readPNG(try canvas.png())
        #expect(png.width == 700 && png.height == 460)
        for (x, y, c) in markers { #expect(png.pixel(Int(x), Int(y)) == c) }
        #expect(png.pixel(2, 2) == .white && png.pixel(699, 459) == .white)
    }

    @Test func aLineIsDrawnWhereItIs() throws {
        let chart = LineChart(series: [Series(name: "flat", y: Array(repeating: 1, count: 50), x: (0..<50).map(Double.init))])
        let canvas = try chart.drawing()
        guard case .path(let points, _)? = canvas.shapes.first(where: { if case .path(_, let s) = $0 { return s.width == 2 } else { return false } })
        else { Issue.record("no series line"); return }
        let image = try canvas.image()
        let mid = (x: Int((points[0].x + points[49].x) / 2), y: Int(points[0].y))
        #expect(image[mid.x, mid.y] == Palette.color(0))
        #expect(image[mid.x, mid.y - 12] != Palette.color(0))
    }

    @Test func refusesEmptyOrAllNaNSeries() {
        #expect(message { try LineChart(series: []).svg() } == "plot: no series to draw")
        #expect(message { try LineChart(series: [Series(name: "x", y: [.nan])]).png() }?.contains("no finite values") == true)
    }

    @Test func historyChartsNameAndOrderTheCurves() throws {
        let h: [String: [Double]] = ["val_loss": [1, 0.8], "loss": [0.9, 0.6], "accuracy": [0.5, 0.7], "lr": [0.1, 0.1]]
        #expect(HistoryChart.defaultMetrics(h) == ["loss", "accuracy", "val_loss"])
        let one = try HistoryChart.chart(runs: [("", h)], metrics: ["accuracy"], title: nil)
        #expect(one.series.map(\.name) == ["accuracy"] && one.ylabel == "accuracy" && one.xlabel == "epoch")
        let two = try HistoryChart.chart(runs: [("adam", h), ("sgd", h)], metrics: ["loss", "val_loss"], title: "t")
        #expect(two.series.map(\.name) == ["adam loss", "adam val_loss", "sgd loss", "sgd val_loss"])
        #expect(two.ylabel == "loss")
        #expect(message { try HistoryChart.chart(runs: [("", h)], metrics: ["val_accuracy"], title: nil) }
                == "plot.history: history has no 'val_accuracy' (it has: loss, accuracy, val_loss, lr)")
    }
}

/// The cells of a heatmap's canvas: filled squares, in drawing order (row by row).
func cells(_ canvas: Canvas) -> [(x: Double, y: Double, size: Double, fill: RGB)] {
    canvas.shapes.compactMap { if case .rect(let x, let y, let w, _, let fill?, _) = $0 { return (x, y, w, fill) } else { return nil } }
}

@Suite struct HeatmapTests {
    @Test func confusionMatrixCellsLabelsValuesAndColourBar() throws {
        var map = Heatmap(values: [[50, 2, 0], [3, 40, 7], [0, 1, 60]], rowLabels: ["cat", "dog", "bird"],
                          columnLabels: ["cat", "dog", "bird"], title: "Confusion")
        map.xlabel = "predicted"; map.ylabel = "true"
        let canvas = try map.drawing()
        let squares = cells(canvas)
        #expect(squares.count == 9)
        // Blues by default for non-negative values: the largest count is the darkest cell.
        #expect(squares[8].fill == Colormap.blues.color(1) && squares[2].fill == Colormap.blues.color(0))
        // In the PNG, each cell's colour near its corner (its value is written in the middle).
        let png = try readPNG(try map.png())
        #expect(png.width == Int(canvas.width) && png.height == Int(canvas.height))
        for c in squares { #expect(png.pixel(Int(c.x) + 2, Int(c.y) + 2) == c.fill) }
        #expect(png.pixel(1, 1) == .white)
        // Values, dark on light cells and light on dark ones.
        let values = canvas.searchableText.filter { $0.tag == "value" }
        #expect(values.map(\.string) == ["50", "2", "0", "3", "40", "7", "0", "1", "60"])
        #expect(values[8].color == .white && values[1].color == .text)

        let root = try parseSVG(try map.svg())
        #expect(root.classed("value").map(\.text) == ["50", "2", "0", "3", "40", "7", "0", "1", "60"])
        #expect(root.classed("row-label").map(\.text) == ["cat", "dog", "bird"])
        #expect(root.classed("col-label").map(\.text) == ["cat", "dog", "bird"])
        #expect(!root.classed("tick").isEmpty && root.classed("title").map(\.text) == ["Confusion"])
        #expect(root.classed("xlabel").map(\.text) == ["predicted"] && root.classed("ylabel").map(\.text) == ["true"])
        let gradients = canvas.shapes.compactMap { if case .gradient(_, _, _, _, let stops) = $0 { return stops } else { return nil } }
        #expect(gradients.count == 1 && gradients[0].count == 11 && gradients[0].last == Colormap.blues.color(1))
    }

    @Test func correlationsUseADivergingMapCentredOnZero() throws {
        let map = Heatmap(values: [[1, -0.5], [-0.5, 1]])
        let canvas = try map.drawing()
        let squares = cells(canvas)
        #expect(squares[0].fill == Colormap.coolwarm.color(1))
        #expect(squares[1].fill == Colormap.coolwarm.color(0.25))
        #expect(canvas.searchableText.filter { $0.tag == "value" }.map(\.string) == ["1.00", "-0.50", "-0.50", "1.00"])
        let ticks = canvas.searchableText.filter { $0.tag == "tick" }.map(\.string)
        #expect(ticks.first == "-1.0" && ticks.last == "1.0")
    }

    @Test func largeMatricesDropCellTextAndBadShapesFail() throws {
        let big = Heatmap(values: (0..<40).map { i in (0..<40).map { Double(($0 + i) % 7) } })
        let canvas = try big.drawing()
        #expect(canvas.searchableText.allSatisfy { $0.tag != "value" } && cells(canvas).count == 1600)
        #expect(message { try Heatmap(values: [[1, 2], [3]]).svg() } == "plot.heatmap: rows have different lengths")
        #expect(message { try Heatmap(values: [[1]], rowLabels: ["a", "b"]).png() } == "plot.heatmap: 2 row labels for 1 rows")
    }
}

@Suite struct LargeHeatmapTests {
    @Test func largeMatricesDrawTheirCellsAsOneImage() throws {
        let k = 120
        var values = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for i in 0..<k { for j in 0..<k { values[i][j] = i == j ? 1 : Double((i * j) % 11) / 20 - 0.25 } }
        let map = Heatmap(values: values)
        let canvas = try map.drawing()
        #expect(cells(canvas).isEmpty)
        let images = canvas.shapes.compactMap { if case .image(let image, let x, let y, let w, _) = $0 { return (image, x, y, w) } else { return nil } }
        #expect(images.count == 1 && images[0].0.width == k && images[0].0.height == k)
        #expect(images[0].0[5, 5] == Colormap.coolwarm.color(1))
        // Scaled up without smoothing: the diagonal cell (5, 5) is all one colour in the PNG.
        let (_, x, y, w) = images[0], cell = w / Double(k)
        let png = try canvas.image()
        #expect(png[Int(x + 5.2 * cell), Int(y + 5.2 * cell)] == Colormap.coolwarm.color(1))
        // The SVG embeds the cells as one PNG image.
        let root = try parseSVG(try canvas.svg())
        #expect(root.all("image").count == 1)
        #expect(String(describing: root.all("image")[0].attributes).contains("data:image/png;base64,"))
        // Labels thinned to stay legible.
        #expect(root.classed("row-label").count < k)
    }
}
