import Foundation

/// The text of an SVG figure as SVG text. Cairo writes text as glyph outlines, which look
/// right everywhere but cannot be searched, selected or read by a screen reader; so the
/// same text goes in once more as transparent `<text>` elements at the same places, in one
/// group before the document's end: `<g class="text" fill-opacity="0">`, each element's
/// class the text's tag (`title`, `tick`, `legend`, ...).
enum SVGText {
    static func insert(_ texts: [Canvas.Text], into svg: String) throws -> String {
        guard let end = svg.range(of: "</svg>", options: .backwards) else { throw PlotError("Cairo wrote no SVG document") }
        var layer = "<g class=\"text\" fill-opacity=\"0\" font-family=\"\(Canvas.fontFamily)\">\n"
        for t in texts {
            var attributes = [("x", n(t.x)), ("y", n(t.y)), ("font-size", n(t.size)),
                              ("text-anchor", t.anchor == .start ? "start" : t.anchor == .middle ? "middle" : "end")]
            if let tag = t.tag { attributes.insert(("class", tag), at: 0) }
            if t.bold { attributes.append(("font-weight", "bold")) }
            if t.angle != 0 { attributes.append(("transform", "rotate(\(n(t.angle)) \(n(t.x)) \(n(t.y)))")) }
            layer += "<text" + attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined() + ">\(escape(t.string))</text>\n"
        }
        return svg[..<end.lowerBound] + layer + "</g>\n" + svg[end.lowerBound...]
    }

    /// Escapes the five XML special characters and drops control characters XML forbids.
    static func escape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default: if u.value >= 0x20 { out.unicodeScalars.append(u) }
            }
        }
        return out
    }

    /// A coordinate as SVG text: at most two decimals, no trailing zeros (`12`, `3.5`, `0.25`).
    static func n(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        var s = String(format: "%.2f", r)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}
