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
    @Test func writesValidSVGWithSeriesLegendAxesAndTitle() throws {
        var chart = LineChart(series: [Series(name: "adam", y: [0.8, 0.9, 0.95]),
                                       Series(name: "sgd", y: [0.5, .nan, 0.7, 0.75])],
                              title: "Validation <accuracy> & more", xlabel: "epoch", ylabel: "accuracy")
        chart.width = 700
        let root = try parseSVG(try chart.svg())
        #expect(root.name == "svg")
        #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg" && root.attributes["version"] == "1.1")
        #expect(root.attributes["width"] == "700")
        let series = root.classed("series")
        #expect(series.map { $0.attributes["data-name"] } == ["adam", "sgd"])
        let paths = series.map { $0.all("path")[0].attributes }
        #expect(paths[0]["stroke"] != paths[1]["stroke"])
        // The NaN leaves a gap: the second series' path moves twice.
        #expect(paths[1]["d"]!.filter { $0 == "M" }.count == 2)
        #expect(series[0].all("circle").count == 3)
        let legend = root.classed("legend")[0]
        #expect(legend.texts == ["adam", "sgd"])
        #expect(root.texts.contains("Validation <accuracy> & more"))
        #expect(root.classed("xlabel")[0].text == "epoch" && root.classed("ylabel")[0].text == "accuracy")
        // x ticks at whole epochs, y ticks at round numbers.
        let ticks = root.classed("tick").map(\.text)
        #expect(ticks.contains("1") && ticks.contains("4") && !ticks.contains("1.5"))
        #expect(ticks.contains("0.6") && ticks.contains("1.0"))
    }

    @Test func refusesEmptyOrAllNaNSeries() {
        #expect(message { try LineChart(series: []).svg() } == "plot: no series to draw")
        #expect(message { try LineChart(series: [Series(name: "x", y: [.nan])]).svg() }?.contains("no finite values") == true)
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

@Suite struct HeatmapTests {
    @Test func confusionMatrixCellsLabelsValuesAndColourBar() throws {
        var map = Heatmap(values: [[50, 2, 0], [3, 40, 7], [0, 1, 60]], rowLabels: ["cat", "dog", "bird"],
                          columnLabels: ["cat", "dog", "bird"], title: "Confusion")
        map.xlabel = "predicted"; map.ylabel = "true"
        let root = try parseSVG(try map.svg())
        let cells = root.classed("cells")[0].all("rect")
        #expect(cells.count == 9)
        #expect(cells[0].attributes["data-row"] == "1" && cells[0].attributes["data-col"] == "1")
        // Blues by default for non-negative values: the largest count is the darkest cell.
        #expect(cells[8].attributes["fill"] == Colormap.blues.color(1).css)
        #expect(cells[2].attributes["fill"] == Colormap.blues.color(0).css)
        #expect(root.classed("value").map(\.text) == ["50", "2", "0", "3", "40", "7", "0", "1", "60"])
        #expect(root.classed("row-label").map(\.text) == ["cat", "dog", "bird"])
        #expect(root.classed("col-label").map(\.text) == ["cat", "dog", "bird"])
        #expect(root.all("linearGradient").count == 1 && root.all("stop").count == 11)
        #expect(!root.classed("colorbar")[0].classed("tick").isEmpty)
        #expect(root.texts.contains("Confusion"))
    }

    @Test func correlationsUseADivergingMapCentredOnZero() throws {
        let map = Heatmap(values: [[1, -0.5], [-0.5, 1]])
        let root = try parseSVG(try map.svg())
        let cells = root.classed("cells")[0].all("rect")
        #expect(cells[0].attributes["fill"] == Colormap.coolwarm.color(1).css)
        #expect(cells[1].attributes["fill"] == Colormap.coolwarm.color(0.25).css)
        #expect(root.classed("value").map(\.text) == ["1.00", "-0.50", "-0.50", "1.00"])
        let ticks = root.classed("colorbar")[0].classed("tick").map(\.text)
        #expect(ticks.first == "-1.0" && ticks.last == "1.0")
    }

    @Test func largeMatricesDropCellTextAndBadShapesFail() throws {
        let big = Heatmap(values: (0..<40).map { i in (0..<40).map { Double(($0 + i) % 7) } })
        let root = try parseSVG(try big.svg())
        #expect(root.classed("value").isEmpty && root.classed("cells")[0].all("rect").count == 1600)
        #expect(message { try Heatmap(values: [[1, 2], [3]]).svg() } == "plot.heatmap: rows have different lengths")
        #expect(message { try Heatmap(values: [[1]], rowLabels: ["a", "b"]).svg() } == "plot.heatmap: 2 row labels for 1 rows")
    }
}

@Suite struct LargeHeatmapTests {
    @Test func largeMatricesEmbedTheirCellsAsOnePNG() throws {
        let k = 120
        var values = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for i in 0..<k { for j in 0..<k { values[i][j] = i == j ? 1 : Double((i * j) % 11) / 20 - 0.25 } }
        let map = Heatmap(values: values)
        let root = try parseSVG(try map.svg())
        #expect(root.attributes["xmlns:xlink"] == "http://www.w3.org/1999/xlink")
        let cells = root.classed("cells")[0]
        #expect(cells.all("rect").isEmpty)
        let href = cells.all("image")[0].attributes["xlink:href"]!
        #expect(href.hasPrefix("data:image/png;base64,"))
        let png = try readPNG([UInt8](Data(base64Encoded: String(href.dropFirst("data:image/png;base64,".count)))!))
        #expect(png.width == k && png.height == k)
        #expect(png.pixel(5, 5) == Colormap.coolwarm.color(1))
        // Labels thinned to stay legible.
        #expect(root.classed("row-label").count < k)
    }
}
