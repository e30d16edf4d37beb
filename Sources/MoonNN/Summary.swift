import MoonEngine

/// Keras' `model.summary()` table: one row a layer with its output shape (`(None, 64)`,
/// batch first) and parameter count, then the totals.
extension Model {
    public func summary() -> String {
        let graph = !(self is Sequential)
        var rows: [[String]] = []
        let nodes = graph ? order : order.filter { !$0.isInput }
        var shown = Set<ObjectIdentifier>()
        for node in nodes {
            let l = node.layer
            let first = shown.insert(ObjectIdentifier(l)).inserted
            var row = ["\(l.name) (\(l.kind))", Model.kerasShape(node.shape), first ? Model.grouped(l.parameterCount) : "0"]
            if graph { row.append(node.inputs.map(\.layer.name).joined(separator: ", ")) }
            rows.append(row)
        }
        var headers = ["Layer (type)", "Output Shape", "Param #"]
        if graph { headers.append("Connected to") }
        let minimum = graph ? [32, 22, 12, 20] : [29, 26, 10]
        let widths = headers.indices.map { c in
            Swift.max(minimum[c], ([headers[c]] + rows.map { $0[c] }).map(\.count).max()! + 2)
        }
        let total = widths.reduce(0, +) + 1
        func line(_ cells: [String]) -> String {
            var s = ""
            for (c, cell) in cells.enumerated() {
                let text = " " + cell
                s += text + String(repeating: " ", count: Swift.max(0, widths[c] - text.count))
            }
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
        var out = ["Model: \"\(name)\"", String(repeating: "_", count: total), line(headers), String(repeating: "=", count: total)]
        for (k, row) in rows.enumerated() {
            out.append(line(row))
            if k + 1 < rows.count { out.append(String(repeating: "_", count: total)) }
        }
        out.append(String(repeating: "=", count: total))
        let all = parameterCount, trainable = trainableParameterCount
        out.append("Total params: \(Model.grouped(all))")
        out.append("Trainable params: \(Model.grouped(trainable))")
        out.append("Non-trainable params: \(Model.grouped(all - trainable))")
        out.append(String(repeating: "_", count: total))
        return out.joined(separator: "\n")
    }

    /// `(None, 32, 28, 28)`.
    static func kerasShape(_ shape: [Int]) -> String {
        "(" + (["None"] + shape.map(String.init)).joined(separator: ", ") + ")"
    }

    /// 55050 -> "55,050".
    public static func grouped(_ n: Int) -> String {
        let digits = String(Swift.abs(n))
        var out = ""
        for (k, ch) in digits.enumerated() {
            if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }
}
