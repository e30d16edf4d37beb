import Foundation
import LuaKit
import MoonAnalysis
import MoonData
import MoonEngine
import MoonPlot

/// The `plot` module: learning curves, line charts, heatmaps and image grids, as SVG or PNG files.
enum PlotModule {
    static func install(_ L: LuaState) {
        L.defineModule("plot", doc: """
            Figures written to files: learning curves, line charts, heatmaps, and image grids \
            with true and predicted labels. The file's name picks the format: .svg (open in a \
            browser; its text can be searched) or .png; other names get SVG, or PNG for image \
            grids. Without a file the figure is drawn in the terminal. Text is set in DejaVu \
            Sans. Files are written whole (a temporary file renamed into place). Each function \
            returns the path it wrote.
            """) { m in
            history(m)
            lines(m)
            heatmap(m)
            images(m)
            ShowMethods.plotShow(m)
        }
    }

    static func history(_ m: ModuleBuilder) {
        m.function("history", "plot.history(history, path, \(HistoryOptions.table())) --> path", """
            Learning curves against the epoch. history is model:fit's result, or several runs \
            as a table of named histories {adam=h1, sgd=h2} (or an array {h1, h2}), drawn on one \
            chart. metrics picks the curves, e.g. {"accuracy", "val_accuracy"}. The path may \
            also be given as out= (then the options come second).
            """ + "\n" + HistoryOptions.optionDocs) { L in
            let opts: Int32 = L.type(2) == .table ? 2 : 3
            let o = try L.options(HistoryOptions.self, at: opts)
            let given = opts == 3 && !L.isNoneOrNil(2) ? try L.string(2) : nil
            let runs = try L.named { try HistoryOptions.runs(try L.json(1, "history")) }
            let chart = try L.named { try HistoryChart.chart(runs: runs, metrics: o.metrics, title: o.captions.title, ylabel: o.captions.ylabel) }
            guard let path = given ?? o.captions.out else { return try show(L, .lines(chart)) }
            try L.named { try chart.write(to: path, "plot.history") }
            L.push(path)
            return 1
        }
    }

    static func lines(_ m: ModuleBuilder) {
        m.function("lines", options: LinesOptions.self, doc: """
            A line chart of several series, each a Lua array (or 1-d tensor) of y values \
            drawn at x = 1, 2, ... (or at the shared x= array). Axes get ticks at round \
            numbers, a legend, one colour per series; NaN leaves a gap.
            """, returns: "path") { L, o, _ in
            let chart = try L.named { LineChart(series: try o.lines(), title: o.captions.title, xlabel: o.captions.xlabel, ylabel: o.captions.ylabel) }
            guard let path = o.captions.out else { return try show(L, .lines(chart)) }
            try L.named { try chart.write(to: path) }
            L.push(path)
            return 1
        }
    }

    static func heatmap(_ m: ModuleBuilder) {
        m.function("heatmap", options: HeatmapOptions.self, doc: """
            A matrix (2-d tensor or nested arrays; a confusion or correlation matrix) as \
            coloured cells with a colour bar; whole numbers are written without decimals.
            """, leading: ["matrix"], returns: "path") { L, o, _ in
            let map = try L.named { try o.heatmap(try L.json(1, "the matrix")) }
            guard let path = o.captions.out else { return try show(L, .heatmap(map)) }
            try L.named { try map.write(to: path) }
            L.push(path)
            return 1
        }
    }

    static func images(_ m: ModuleBuilder) {
        m.function("images", options: ImagesOptions.self, doc: """
            A grid of images (PNG, or SVG for a .svg name): x is {N, C, H, W} (C = 1 or 3), {N, H, W} or {N, H*W}, or a \
            dataset (its x, and its y and class_names unless given). Under each image the true \
            label (labels=) and, on a second line, the prediction (predictions=: labels {N} or \
            scores {N, K}), green when right and red when wrong; wrong ones get a red frame. \
            Values in [0, 1] are drawn as is, others rescaled from their range. Returns the \
            path and the number of images drawn.
            """, leading: ["x"], extra: ["labels", "predictions"], returns: "path, count") { L, o, _ in
            let dataset = L.datasetOrNil(1)
            let x = try dataset.map { ds in try L.named { try ds.singleInput(L.fn) } } ?? L.tensor(1)
            var pick = LabeledImages()
            let labels = try MetricsArguments.withOption(L, 2, "labels") { try MetricsArguments.tensor(L, $0, "labels") } ?? dataset?.y
            pick.labels = try labels.map { try ClassLabels.from($0, L.fn, "labels") }
            pick.predictions = try MetricsArguments.withOption(L, 2, "predictions") {
                try ClassLabels.from(try MetricsArguments.tensor(L, $0, "predictions"), L.fn, "predictions")
            }
            (pick.classNames, pick.indices, pick.onlyWrong, pick.limit) = (o.classNames ?? dataset?.classNames, o.indices, o.onlyWrong, o.max)
            var grid = try L.named { try pick.grid(x, op: L.fn) }
            (grid.columns, grid.scale, grid.invert) = (o.cols, o.scale, o.invert)
            guard let path = o.captions.out else { _ = try show(L, .images(grid)); L.pushNil(); L.push(grid.count); return 2 }
            try L.named { try grid.write(to: path) }
            L.push(path)
            L.push(grid.count)
            return 2
        }
    }

    /// Writes `figure` to `out`, or shows it in the terminal; returns `count` (images drawn).
    static func present(_ L: LuaState, _ figure: TerminalFigure.Figure, out: String?, count: Int) throws -> Int32 {
        if let out {
            guard case .images(let grid) = figure else { throw L.fail("only image grids are written here") }
            try L.named { try grid.write(to: out, L.fn) }
        } else {
            _ = try show(L, figure)
        }
        L.push(count)
        return 1
    }

    /// Prints `figure` for the terminal (where a script's output goes) instead of writing a
    /// file: what a plot function does when it is given no path.
    static func show(_ L: LuaState, _ figure: TerminalFigure.Figure) throws -> Int32 {
        let text = try L.named { try TerminalFigure.show(figure, columns: LuaState.displayColumns, environment: ProcessInfo.processInfo.environment) }
        try L.printText(text)
        return 0
    }
}
