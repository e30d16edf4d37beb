import Testing
import MoonBase
@testable import MoonPlot

/// The plot functions' options and the readers of what they plot, from the JSON that Lua
/// tables (and tensors) become.
@Suite struct PlotOptionsTests {
    @Test func runsAreOneHistoryOrSeveralInOrder() throws {
        let one = try HistoryOptions.runs(["loss": [1.0, 0.5], "params": ["lr": 0.1], "name": "x"])
        #expect(one.count == 1 && one[0].name == "" && one[0].history == ["loss": [1.0, 0.5]])
        let named = try HistoryOptions.runs(["sgd": ["loss": [2.0]], "adam": ["loss": [1.0]]])
        #expect(named.map(\.name) == ["adam", "sgd"])
        let listed = try HistoryOptions.runs([["loss": [2.0]], ["loss": [1.0]]])
        #expect(listed.map(\.name) == ["run 1", "run 2"] && listed[1].history["loss"] == [1.0])
        #expect(throws: PlotError.self) { try HistoryOptions.runs(["adam": ["lr": "high"]]) }
    }

    @Test func seriesAreReadByNameOrInOrderAndChecked() throws {
        var o = try LinesOptions(reading: ["series": ["b": [3.0, 4.0], "a": [1.0, 2.0]], "x": [10.0, 20.0]])
        let byName = try o.lines()
        #expect(byName.map(\.name) == ["a", "b"] && byName[0].x == [10, 20])
        o = try LinesOptions(reading: ["series": [["name": "first", "y": [1.0]], ["y": [2.0, 3.0], "x": [0.0, 5.0]]]])
        let ordered = try o.lines()
        #expect(ordered.map(\.name) == ["first", "series 2"] && ordered[1].x == [0, 5])
        o = try LinesOptions(reading: ["series": ["a": [1.0, "x"]]])
        #expect(throws: PlotError("series 'a' entry 2 must be a number, got string \"x\"")) { try o.lines() }
        o = try LinesOptions(reading: ["series": ["a": [1.0, 2.0]], "x": [1.0]])
        #expect(throws: PlotError("series 'a' has 2 values but x has 1")) { try o.lines() }
    }

    @Test func heatmapOptionsSetRangeLabelsAndColormap() throws {
        let o = try HeatmapOptions(reading: ["labels": ["a", "b"], "colormap": "viridis", "max": 10, "digits": 1])
        let map = try o.heatmap([[1, 2], [3, 4]])
        #expect(map.rowLabels == ["a", "b"] && map.columnLabels == ["a", "b"] && map.colormap?.name == "viridis")
        #expect(map.range?.low == 1 && map.range?.high == 10 && map.digits == 1)
        #expect(throws: MoonError.self) { try HeatmapOptions(reading: ["colormap": "jet"]) }
        #expect(throws: PlotError.self) { try o.heatmap([[1, 2], [3]]) }
        #expect(throws: PlotError("max (0.0) must exceed min (1.0)")) {
            try HeatmapOptions(reading: ["max": 0]).heatmap([[1, 2], [3, 4]])
        }
    }

    @Test func imageGridsTakeNoTitle() throws {
        #expect(try ImagesOptions(reading: ["out": "a.png"]).captions.out == "a.png")
        #expect(throws: MoonError.self) { try ImagesOptions(reading: ["title": "no titles on image grids"]) }
    }
}
