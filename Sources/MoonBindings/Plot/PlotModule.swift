import LuaKit
import MoonAnalysis
import MoonData
import MoonEngine
import MoonPlot

/// The `plot` module: learning curves, line charts and heatmaps as SVG; image grids as PNG.
enum PlotModule {
    static func install(_ L: LuaState) {
        L.defineModule("plot", doc: """
            Figures written to files: learning curves, line charts and heatmaps as SVG (open \
            in a browser), image grids with true and predicted labels as PNG. Files are \
            written whole (a temporary file renamed into place). Each function returns the \
            path it wrote.
            """) { m in
            history(m)
            lines(m)
            heatmap(m)
            images(m)
        }
    }

    static func history(_ m: ModuleBuilder) {
        m.function("history", "plot.history(history, path[, {metrics={...}, title=, ylabel=}]) --> path", """
            Learning curves against the epoch. history is model:fit's result, or several runs \
            as a table of named histories {adam=h1, sgd=h2} (or an array {h1, h2}), drawn on one \
            chart. metrics picks the curves (default: all but lr, loss first, then metrics, \
            then val_*), e.g. {"accuracy", "val_accuracy"}. The path may also be given as out=.
            """) { L in
            let fn = "plot.history"
            let opts: Int32 = L.type(2) == .table ? 2 : 3
            if !L.isNoneOrNil(opts) { try L.checkTable(opts, fn, "an option table {metrics=, title=}") }
            try L.checkOptionKeys(opts, fn, ["metrics", "title", "ylabel", "out"])
            let path = try PlotArguments.outPath(L, positional: 2, opts: opts, fn, example: "curves.svg")
            let runs = try PlotArguments.runs(L, 1, fn)
            let metrics = try MetricsArguments.withOption(L, opts, "metrics") { try MetricsArguments.strings(L, $0, fn, "option 'metrics'") } ?? nil
            let chart = try HistoryChart.chart(runs: runs, metrics: metrics, title: try L.optionString(opts, "title", fn),
                                               ylabel: try L.optionString(opts, "ylabel", fn))
            try chart.write(to: path, fn)
            L.push(path)
            return 1
        }
    }

    static func lines(_ m: ModuleBuilder) {
        m.function("lines", "plot.lines{series={name=values, ...}, out=path[, title=, xlabel=, ylabel=, x=]} --> path", """
            A line chart of several series, each a Lua array (or 1-d tensor) of y values \
            drawn at x = 1, 2, ... (or at the shared x= array). series may also be an ordered \
            array {{name=, y=, x=}, ...}; named series are drawn in name order. Axes get \
            ticks at round numbers, a legend, one colour per series; NaN leaves a gap.
            """) { L in
            let fn = "plot.lines"
            try L.checkTable(1, fn, "a table {series=, out=, ...}")
            try L.checkOptionKeys(1, fn, ["series", "out", "title", "xlabel", "ylabel", "x"])
            let path = try PlotArguments.outPath(L, positional: nil, opts: 1, fn, example: "compare.svg")
            guard var series = try MetricsArguments.withOption(L, 1, "series", { try PlotArguments.series(L, $0, fn) }) else {
                throw LuaError("\(fn): needs series={name=values, ...}")
            }
            if let x = try MetricsArguments.withOption(L, 1, "x", { try MetricsArguments.numbers(L, $0, fn, "x") }) {
                for i in series.indices {
                    guard series[i].y.count == x.count else {
                        throw LuaError("\(fn): series '\(series[i].name)' has \(series[i].y.count) values but x has \(x.count)")
                    }
                    series[i].x = x
                }
            }
            let chart = LineChart(series: series, title: try L.optionString(1, "title", fn),
                                  xlabel: try L.optionString(1, "xlabel", fn), ylabel: try L.optionString(1, "ylabel", fn))
            try chart.write(to: path, fn)
            L.push(path)
            return 1
        }
    }

    static func heatmap(_ m: ModuleBuilder) {
        m.function("heatmap", "plot.heatmap(matrix, {out=path[, labels=, row_labels=, col_labels=, title=, xlabel=, ylabel=, colormap=, values=, digits=, min=, max=]}) --> path", """
            A matrix (2-d tensor or nested arrays; a confusion or correlation matrix) as \
            coloured cells with a colour bar. labels names rows and columns alike \
            (class names). colormap: "blues", "greys", "viridis", "coolwarm" (blue-white-red, \
            centred on 0) or "rdbu"; default coolwarm when any value is negative, else blues. \
            Values are written in the cells up to 24 x 24 (values=true/false forces it), \
            whole numbers without decimals; min/max fix the colour range.
            """) { L in
            let fn = "plot.heatmap"
            try L.checkTable(2, fn, "an option table {out=, labels=, ...}")
            try L.checkOptionKeys(2, fn, ["out", "labels", "row_labels", "col_labels", "title", "xlabel", "ylabel",
                                          "colormap", "values", "digits", "min", "max"])
            let path = try PlotArguments.outPath(L, positional: nil, opts: 2, fn, example: "confusion.svg")
            let values = try PlotArguments.matrix(L, 1, fn)
            func labels(_ key: String) throws -> [String]? {
                try MetricsArguments.withOption(L, 2, key) { try MetricsArguments.strings(L, $0, fn, "option '\(key)'") } ?? nil
            }
            let shared = try labels("labels")
            var map = Heatmap(values: values, rowLabels: try labels("row_labels") ?? shared,
                              columnLabels: try labels("col_labels") ?? shared, title: try L.optionString(2, "title", fn))
            map.xlabel = try L.optionString(2, "xlabel", fn)
            map.ylabel = try L.optionString(2, "ylabel", fn)
            if let name = try L.optionString(2, "colormap", fn) {
                guard let cm = Colormap.named(name) else {
                    throw LuaError("\(fn): unknown colormap \"\(name)\" (valid: \(Colormap.all.map(\.name).joined(separator: ", ")))")
                }
                map.colormap = cm
            }
            map.showValues = try L.optionBool(2, "values", fn)
            if let d = try L.optionInteger(2, "digits", fn) {
                guard d >= 0 && d <= 6 else { throw LuaError("\(fn): digits must be 0..6, got \(d)") }
                map.digits = d
            }
            let lo = try L.optionNumber(2, "min", fn), hi = try L.optionNumber(2, "max", fn)
            if lo != nil || hi != nil {
                let finite = values.joined().filter(\.isFinite)
                let low = lo ?? finite.min() ?? 0, high = hi ?? finite.max() ?? 1
                guard high > low else { throw LuaError("\(fn): max (\(high)) must exceed min (\(low))") }
                map.range = (low, high)
            }
            try map.write(to: path, fn)
            L.push(path)
            return 1
        }
    }

    static func images(_ m: ModuleBuilder) {
        m.function("images", "plot.images(x, {out=path[, labels=, predictions=, class_names=, cols=8, scale=2, indices=, only_wrong=false, max=64, invert=false]}) --> path, count", """
            A PNG grid of images: x is {N, C, H, W} (C = 1 or 3), {N, H, W} or {N, H*W}, or a \
            dataset (its x, and its y and class_names unless given). Under each image the true \
            label (labels=) and, on a second line, the prediction (predictions=: labels {N} or \
            scores {N, K}), green when right and red when wrong; wrong ones get a red frame. \
            class_names turn labels into names. indices (1-based positions, e.g. from \
            metrics.misclassified) or only_wrong=true pick the images; at most max are drawn \
            (default 64). Values in [0, 1] are drawn as is, others rescaled from their range; \
            scale enlarges each pixel; invert=true draws dark on light. Returns the path and \
            the number of images drawn.
            """) { L in
            let fn = "plot.images"
            try L.checkTable(2, fn, "an option table {out=, labels=, predictions=, ...}")
            try L.checkOptionKeys(2, fn, ["out", "labels", "predictions", "class_names", "cols", "scale", "indices",
                                          "only_wrong", "max", "invert"])
            let path = try PlotArguments.outPath(L, positional: nil, opts: 2, fn, example: "wrong.png")
            let dataset = L.datasetOrNil(1)
            let x = try dataset.map { ds in try naming(fn) { try ds.singleInput(fn) } } ?? L.tensor(1, fn)
            var pick = LabeledImages()
            let labels = try MetricsArguments.withOption(L, 2, "labels") { try MetricsArguments.tensor(L, $0, fn, "labels") } ?? dataset?.y
            pick.labels = try labels.map { try ClassLabels.from($0, fn, "labels") }
            pick.predictions = try MetricsArguments.withOption(L, 2, "predictions") {
                try ClassLabels.from(try MetricsArguments.tensor(L, $0, fn, "predictions"), fn, "predictions")
            }
            pick.classNames = try MetricsArguments.withOption(L, 2, "class_names") {
                try MetricsArguments.strings(L, $0, fn, "option 'class_names'")
            } ?? dataset?.classNames
            pick.indices = try MetricsArguments.withOption(L, 2, "indices") { try L.integerArray($0, fn, "option 'indices' (1-based positions)") }
            pick.onlyWrong = try L.optionBool(2, "only_wrong", fn) ?? false
            pick.limit = try L.optionInteger(2, "max", fn) ?? 64
            var grid = try pick.grid(x, op: fn)
            grid.columns = try L.optionInteger(2, "cols", fn) ?? 8
            grid.scale = try L.optionInteger(2, "scale", fn) ?? 2
            grid.invert = try L.optionBool(2, "invert", fn) ?? false
            try grid.write(to: path, fn)
            L.push(path)
            L.push(grid.count)
            return 2
        }
    }
}
