import MoonEngine

/// What `plot.images` decides: which images of a batch to draw (chosen positions, only the
/// wrong ones, at most `limit`), and their captions (the true label, then the prediction in
/// green when right and red when wrong; wrong ones framed).
public struct LabeledImages {
    /// True labels and predicted labels, one a sample (or nil).
    public var labels: [Int]?
    public var predictions: [Int]?
    /// Names for the labels (a label beyond them shows as its number).
    public var classNames: [String]?
    /// 1-based positions to draw, in order (nil: all).
    public var indices: [Int]?
    public var onlyWrong = false
    public var limit = 64

    public init() {}

    /// The grid of the chosen images of `x` ({N, ...}), captioned; `op` names the call in errors.
    public func grid(_ x: Tensor, op: String) throws -> ImageGrid {
        guard x.rank >= 2 else { throw PlotError("\(op): expected images {N, C, H, W}, got shape \(shapeText(x.shape))") }
        let n = x.shape[0]
        for (name, list) in [("labels", labels), ("predictions", predictions)] {
            if let list, list.count != n { throw PlotError("\(op): \(list.count) \(name) for \(n) images") }
        }
        var wrong: [Bool]?
        if let t = labels, let p = predictions { wrong = zip(t, p).map { $0 != $1 } }
        var chosen = try indices.map { positions in
            try positions.map { i in
                guard i >= 1 && i <= n else { throw PlotError("\(op): index \(i) out of range 1..\(n)") }
                return i - 1
            }
        } ?? Array(0..<n)
        if onlyWrong {
            guard let wrong else { throw PlotError("\(op): only_wrong needs both labels= and predictions=") }
            chosen = chosen.filter { wrong[$0] }
        }
        guard limit >= 1 else { throw PlotError("\(op): max must be at least 1, got \(limit)") }
        if chosen.count > limit { chosen = Array(chosen.prefix(limit)) }
        guard !chosen.isEmpty else { throw PlotError("\(op): no images to draw (none selected)") }

        let all = x.toArray(), per = x.count / max(n, 1)
        var values: [Float] = []
        values.reserveCapacity(chosen.count * per)
        for i in chosen { values += all[(i * per)..<((i + 1) * per)] }
        var grid = try ImageGrid(values: values, shape: [chosen.count] + x.shape.dropFirst())
        if labels != nil || predictions != nil {
            grid.captions = chosen.map { i in
                var lines: [ImageGrid.Caption] = []
                if let t = labels { lines.append(.init(name(t[i]))) }
                if let p = predictions {
                    lines.append(.init(name(p[i]), color: wrong.map { $0[i] ? .wrong : .right } ?? .text))
                }
                return lines
            }
        }
        if let wrong { grid.marked = chosen.map { wrong[$0] } }
        return grid
    }

    func name(_ label: Int) -> String {
        if let classNames, label >= 0, label < classNames.count { return classNames[label] }
        return String(label)
    }
}
