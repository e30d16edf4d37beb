/// A small SVG 1.1 document builder: elements appended as text, attribute values escaped,
/// numbers written with at most two decimals.
struct SVGDocument {
    let width: Double
    let height: Double
    private var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Appends `<name attrs.../>`, or `<name attrs...>text</name>` when `text` is given.
    mutating func element(_ name: String, _ attributes: [(String, String)], text: String? = nil) {
        let attrs = attributes.map { " \($0.0)=\"\(SVGDocument.escape($0.1))\"" }.joined()
        if let text {
            body.append("<\(name)\(attrs)>\(SVGDocument.escape(text))</\(name)>")
        } else {
            body.append("<\(name)\(attrs)/>")
        }
    }

    mutating func open(_ name: String, _ attributes: [(String, String)]) {
        body.append("<\(name)" + attributes.map { " \($0.0)=\"\(SVGDocument.escape($0.1))\"" }.joined() + ">")
    }

    mutating func close(_ name: String) { body.append("</\(name)>") }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, extra: [(String, String)] = []) {
        element("line", [("x1", n(x1)), ("y1", n(y1)), ("x2", n(x2)), ("y2", n(y2)),
                         ("stroke", stroke), ("stroke-width", n(width))] + extra)
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, extra: [(String, String)] = []) {
        element("rect", [("x", n(x)), ("y", n(y)), ("width", n(w)), ("height", n(h)), ("fill", fill)] + extra)
    }

    /// Text at (x, y); `anchor` is start, middle or end.
    mutating func text(_ s: String, _ x: Double, _ y: Double, size: Double = 12, anchor: String = "start",
                       fill: String = "#222222", extra: [(String, String)] = []) {
        element("text", [("x", n(x)), ("y", n(y)), ("font-size", n(size)), ("text-anchor", anchor), ("fill", fill)] + extra, text: s)
    }

    /// The whole document, with XML declaration and the SVG 1.1 namespace.
    var text: String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="no"?>
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="\(n(width))" height="\(n(height))" \
        viewBox="0 0 \(n(width)) \(n(height))" font-family="Helvetica, Arial, sans-serif">

        """ + body.joined(separator: "\n") + "\n</svg>\n"
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
}
