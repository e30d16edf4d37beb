import MoonBase

/// The options of the `plot` functions, declared once, and the readers of the values they
/// plot (histories, series, matrices) from their JSON form (Lua tables; tensors as arrays).

extension Colormap: OptionValue {
    public init?(option: JSONValue) throws {
        guard let name = option.string else { return nil }
        guard let map = Colormap.named(name) else {
            throw PlotError("unknown colormap \"\(name)\" (valid: \(Colormap.all.map(\.name).joined(separator: ", ")))")
        }
        self = map
    }
    public var option: JSONValue { .string(name) }
    public static var optionType: String { "a colormap name" }
}

/// The figure's file and captions, common to every plot.
public struct Captions: Sendable {
    public var out: String? = nil
    public var title: String? = nil
    public var xlabel: String? = nil
    public var ylabel: String? = nil
    public init() {}

    static func fields<Root>(_ path: WritableKeyPath<Root, Captions>) -> [OptionField<Root>] {
        [OptionField("out", path.appending(path: \.out), "the file to write (.svg or .png); nil: drawn in the terminal"),
         OptionField("title", path.appending(path: \.title), "the figure's title"),
         OptionField("xlabel", path.appending(path: \.xlabel), "the x axis' label"),
         OptionField("ylabel", path.appending(path: \.ylabel), "the y axis' label")]
    }
}

/// `plot.history(history, path, {...})`.
public struct HistoryOptions: Options {
    public var metrics: [String]? = nil
    public var captions = Captions()
    public init() {}
    public static var fields: [OptionField<HistoryOptions>] {
        [OptionField("metrics", \.metrics, "the curves (nil: all but lr, loss first, then metrics, then val_*)")]
            + Captions.fields(\.captions).filter { $0.key != "xlabel" }
    }

    /// The runs of `history`: one history (`{loss={...}, val_accuracy={...}}`), or several as
    /// named histories `{adam=h1, sgd=h2}` (name order) or an array `{h1, h2}` (`run 1`, ...).
    public static func runs(_ history: JSONValue) throws -> [(name: String, history: [String: [Double]])] {
        if let single = curves(history) { return [("", single)] }
        let named: [(String, JSONValue)]
        switch history {
        case .array(let items): named = items.enumerated().map { ("run \($0.offset + 1)", $0.element) }
        case .object(let pairs): named = pairs.sorted { $0.0 < $1.0 }
        default: throw PlotError("expected a history table (as model:fit returns it), got \(history.typeName)")
        }
        if named.isEmpty { throw PlotError("the history is empty") }
        return try named.map { name, value in
            guard let h = curves(value) else {
                throw PlotError("'\(name)' is \(value.shortText), not a history (a table of arrays such as loss={...})")
            }
            return (name, h)
        }
    }

    /// The arrays of numbers of a history by key; nil when it holds none. Other entries (a
    /// nested `params` table, a string) are skipped.
    static func curves(_ value: JSONValue) -> [String: [Double]]? {
        guard case .object(let pairs) = value else { return nil }
        var out: [String: [Double]] = [:]
        for (key, v) in pairs {
            if let numbers = v.numbers, !numbers.isEmpty { out[key] = numbers }
        }
        return out.isEmpty ? nil : out
    }
}

/// `plot.lines{series=, x=, ...}`.
public struct LinesOptions: Options {
    public var series: JSONValue = .null
    public var x: [Double]? = nil
    public var captions = Captions()
    public init() {}
    public static var fields: [OptionField<LinesOptions>] {
        [OptionField("series", \.series, "{name=values, ...} (drawn in name order) or {{name=, y=, x=}, ...}"),
         OptionField("x", \.x, "x values every series shares (nil: 1, 2, ...)")] + Captions.fields(\.captions)
    }

    /// The series to draw, checked.
    public func lines() throws -> [Series] {
        var out: [Series] = []
        switch series {
        case .null: throw PlotError("needs series={name=values, ...}")
        case .object(let pairs):
            for (name, v) in pairs.sorted(by: { $0.0 < $1.0 }) {
                out.append(Series(name: name, y: try v.numbers("series '\(name)'")))
            }
        case .array(let items):
            for (i, item) in items.enumerated() {
                let name = item["name"]?.string ?? "series \(i + 1)"
                guard case .object = item, let y = item["y"] else {
                    throw PlotError("series[\(i + 1)] must be a table {name=, y={...}}, got \(item.shortText)")
                }
                out.append(Series(name: name, y: try y.numbers("series '\(name)' y"), x: try item["x"].map { try $0.numbers("series '\(name)' x") }))
            }
        default: throw PlotError("series must be a table {name=array, ...}, got \(series.typeName)")
        }
        if out.isEmpty { throw PlotError("series is empty") }
        guard let x else { return out }
        for i in out.indices {
            guard out[i].y.count == x.count else {
                throw PlotError("series '\(out[i].name)' has \(out[i].y.count) values but x has \(x.count)")
            }
            out[i].x = x
        }
        return out
    }
}

/// `plot.heatmap(matrix, {...})`.
public struct HeatmapOptions: Options {
    public var labels: [String]? = nil
    public var rowLabels: [String]? = nil
    public var colLabels: [String]? = nil
    public var colormap: Colormap? = nil
    public var values: Bool? = nil
    public var digits: Int? = nil
    public var min: Double? = nil
    public var max: Double? = nil
    public var captions = Captions()
    public init() {}
    public static var fields: [OptionField<HeatmapOptions>] {
        [OptionField("labels", \.labels, "names of rows and columns alike (class names)"),
         OptionField("row_labels", \.rowLabels, "names of the rows"),
         OptionField("col_labels", \.colLabels, "names of the columns"),
         OptionField("colormap", \.colormap, "blues, greys, viridis, coolwarm (centred on 0) or rdbu (nil: coolwarm when a value is negative, else blues)"),
         OptionField("values", \.values, "write the values in the cells (nil: up to 24 x 24)"),
         OptionField("digits", \.digits, "decimals of the values, 0..6"),
         OptionField("min", \.min, "the colour range's low end (nil: the smallest value)"),
         OptionField("max", \.max, "the colour range's high end (nil: the largest value)")] + Captions.fields(\.captions)
    }

    /// The heatmap of `matrix` (a 2-d tensor or nested arrays, as JSON) with these options.
    public func heatmap(_ matrix: JSONValue) throws -> Heatmap {
        let values = matrix.items?.compactMap(\.numbers) ?? []
        guard !values.isEmpty, values.count == matrix.items?.count, let cols = values.first?.count, cols > 0,
              values.allSatisfy({ $0.count == cols }) else {
            throw PlotError("expected a matrix {rows, cols} (a 2-d tensor or nested arrays), got \(matrix.shortText)")
        }
        var map = Heatmap(values: values, rowLabels: rowLabels ?? labels, columnLabels: colLabels ?? labels, title: captions.title)
        (map.xlabel, map.ylabel, map.colormap, map.showValues) = (captions.xlabel, captions.ylabel, colormap, self.values)
        if let digits {
            guard digits >= 0 && digits <= 6 else { throw PlotError("digits must be 0..6, got \(digits)") }
            map.digits = digits
        }
        if min != nil || max != nil {
            let finite = values.joined().filter(\.isFinite)
            let low = min ?? finite.min() ?? 0, high = max ?? finite.max() ?? 1
            guard high > low else { throw PlotError("max (\(high)) must exceed min (\(low))") }
            map.range = (low, high)
        }
        return map
    }
}

/// `plot.images(x, {...})`; labels and predictions (tensors) the caller reads.
public struct ImagesOptions: Options {
    public var classNames: [String]? = nil
    public var cols = 8
    public var scale = 2
    public var indices: [Int]? = nil
    public var onlyWrong = false
    public var max = 64
    public var invert = false
    public var captions = Captions()
    public init() {}
    public static var fields: [OptionField<ImagesOptions>] {
        [OptionField("class_names", \.classNames, "names for the labels (nil: the dataset's)"),
         OptionField("cols", \.cols, "images a row"),
         OptionField("scale", \.scale, "pixels per image pixel"),
         OptionField("indices", \.indices, "1-based positions of the images to draw (metrics.misclassified gives them)"),
         OptionField("only_wrong", \.onlyWrong, "draw only images whose prediction is wrong"),
         OptionField("max", \.max, "the most images drawn"),
         OptionField("invert", \.invert, "dark on light")] + Captions.fields(\.captions).filter { $0.key == "out" }
    }
}

extension JSONValue {
    /// An array of numbers (a Lua array or a 1-d tensor) as doubles, checked; `what` names it.
    func numbers(_ what: String) throws -> [Double] {
        guard case .array(let items) = self else { throw PlotError("\(what) must be an array of numbers, got \(shortText)") }
        return try items.enumerated().map { i, v in
            guard let n = v.number else { throw PlotError("\(what) entry \(i + 1) must be a number, got \(v.shortText)") }
            return n
        }
    }

    /// An array of numbers (a Lua array or a 1-d tensor) as doubles; nil for anything else.
    var numbers: [Double]? {
        guard case .array(let items) = self else { return nil }
        let out = items.compactMap(\.number)
        return out.count == items.count ? out : nil
    }
}
