import Foundation

/// Figures drawn where the researcher works: in the terminal. Line charts go on a braille
/// canvas (2 x 4 dots a character), heatmaps and images as coloured half blocks (two pixels a
/// character, one above the other), with 24-bit ANSI colours when `color` is set; a terminal
/// that speaks kitty's graphics protocol or iTerm2's inline images gets every figure as the
/// picture a PNG file would hold (`kittyImage`, `itermImage`), drawn by the same canvas.
public enum TerminalFigure {
    /// How figures reach the terminal: characters, or images through kitty's protocol,
    /// iTerm2's inline images or DEC sixels.
    public enum Graphics: String, Sendable { case unicode, kitty, iterm, sixel }

    /// The graphics a terminal supports: `MOONLAB_GRAPHICS` (kitty, iterm, sixel, unicode)
    /// when set, else kitty for kitty and WezTerm (`TERM`, `KITTY_WINDOW_ID`, `TERM_PROGRAM`),
    /// iTerm2's inline images for iTerm2 (`TERM_PROGRAM`, `LC_TERMINAL`), sixels for foot and
    /// mlterm (`TERM`), else unicode. (Other sixel terminals, such as xterm started with
    /// `-ti vt340`, say so only when asked; set `MOONLAB_GRAPHICS=sixel` there.)
    public static func graphics(_ environment: [String: String]) -> Graphics {
        if let chosen = environment["MOONLAB_GRAPHICS"].flatMap(Graphics.init(rawValue:)) { return chosen }
        let term = environment["TERM"] ?? ""
        if environment["KITTY_WINDOW_ID"] != nil || term.contains("kitty")
            || environment["TERM_PROGRAM"] == "WezTerm" { return .kitty }
        if environment["TERM_PROGRAM"] == "iTerm.app" || environment["LC_TERMINAL"] == "iTerm2" { return .iterm }
        if term.hasPrefix("foot") || term.hasPrefix("mlterm") { return .sixel }
        return .unicode
    }

    /// A figure to show: a chart, a heatmap, an image grid, or a picture (a PNG file's pixels).
    public enum Figure {
        case lines(LineChart), heatmap(Heatmap), images(ImageGrid), picture(RGBImage)

        /// Whether its pixels are drawn (by Cairo), rather than given.
        var isDrawn: Bool {
            if case .picture = self { return false }
            return true
        }

        /// Its pixels: drawn as its PNG file would hold them, or the picture's own.
        func pixels() throws -> RGBImage {
            switch self {
            case .lines(let chart): return try chart.drawing().image()
            case .heatmap(let map): return try map.drawing().image()
            case .images(let grid): return try grid.drawing().image()
            case .picture(let image): return image
            }
        }
    }

    /// `figure` as text for a terminal `columns` wide (nil: not a terminal, so 80 columns and
    /// no colour; `NO_COLOR` also turns colour off): characters, or the figure's picture (the
    /// PNG a file would hold) through kitty's or iTerm2's protocol where the terminal has it
    /// (and characters there too when Cairo is not installed).
    public static func show(_ figure: Figure, columns: Int?, environment: [String: String]) throws -> String {
        let color = columns != nil && environment["NO_COLOR"] == nil
        var shown = columns == nil ? Graphics.unicode : graphics(environment)
        if figure.isDrawn && !Canvas.available { shown = .unicode }
        if shown != .unicode {
            let picture = try figure.pixels()
            switch shown {
            case .kitty: return kittyImage(try picture.png())
            case .iterm: return itermImage(try picture.png())
            default: return Sixel.encode(picture)
            }
        }
        switch figure {
        case .picture(let image):
            // Half blocks, one character a pixel across: shrunk to fit the terminal's width.
            return self.image(image.fitted(width: max(8, (columns ?? 80) - 1)), color: color)
        case .lines(let chart):
            return try lines(chart, columns: min(columns ?? 80, 120), color: color)
        case .heatmap(let map):
            return try heatmap(map, color: color)
        case .images(var grid):
            // One character a pixel across: as many images a row as fit.
            grid.scale = 1
            grid.columns = max(1, min(grid.columns, (columns ?? 80) / (grid.width + 4)))
            return image(try grid.render(), color: color)
        }
    }

    // MARK: line charts

    /// The chart in `columns` x `rows` characters of plot area plus axes, legend and title.
    public static func lines(_ chart: LineChart, columns: Int = 72, rows: Int = 12, color: Bool = true) throws -> String {
        let points = chart.series.flatMap { s in zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite } }
        guard !points.isEmpty else { throw PlotError("plot: the series hold no finite values") }
        var (x0, x1) = (points.map(\.0).min()!, points.map(\.0).max()!)
        var (y0, y1) = (points.map(\.1).min()!, points.map(\.1).max()!)
        if x1 == x0 { (x0, x1) = (x0 - 1, x1 + 1) }
        if y1 == y0 { (y0, y1) = (y0 - 1, y1 + 1) }
        let labels = [label(y1), label((y0 + y1) / 2), label(y0)]
        let margin = labels.map(\.count).max()! + 1
        let width = max(10, columns - margin - 1), height = max(3, rows)
        let (dotsX, dotsY) = (width * 2, height * 4)
        var cells = [UInt32](repeating: 0, count: width * height)
        var owner = [Int](repeating: -1, count: width * height)
        func dot(_ x: Int, _ y: Int, _ s: Int) {
            guard x >= 0, x < dotsX, y >= 0, y < dotsY else { return }
            let bits: [[UInt32]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
            let cell = (y / 4) * width + x / 2
            cells[cell] |= bits[x % 2][y % 4]
            owner[cell] = s
        }
        func project(_ p: (Double, Double)) -> (Int, Int) {
            (Int(((p.0 - x0) / (x1 - x0) * Double(dotsX - 1)).rounded()),
             Int(((y1 - p.1) / (y1 - y0) * Double(dotsY - 1)).rounded()))
        }
        for (k, s) in chart.series.enumerated() {
            var last: (Int, Int)?
            for p in zip(s.x, s.y) {
                guard p.0.isFinite && p.1.isFinite else { last = nil; continue }
                let q = project(p)
                if let a = last {   // a straight line of dots from the previous point
                    let steps = max(abs(q.0 - a.0), abs(q.1 - a.1), 1)
                    for i in 0...steps {
                        dot(a.0 + (q.0 - a.0) * i / steps, a.1 + (q.1 - a.1) * i / steps, k)
                    }
                } else { dot(q.0, q.1, k) }
                last = q
            }
        }
        var out: [String] = []
        if let title = chart.title { out.append(String(repeating: " ", count: max(0, margin + (width - title.count) / 2)) + title) }
        for row in 0..<height {
            let tag = row == 0 ? labels[0] : row == height / 2 ? labels[1] : row == height - 1 ? labels[2] : ""
            var line = String(repeating: " ", count: margin - 1 - tag.count) + tag + (row == height - 1 ? " └" : " │")
            for col in 0..<width {
                let i = row * width + col
                let glyph = cells[i] == 0 ? " " : String(UnicodeScalar(0x2800 + cells[i])!)
                line += color && owner[i] >= 0 ? paint(glyph, Palette.color(owner[i])) : glyph
            }
            out.append(line)
        }
        // The x axis: its ends, and its label between them when it fits.
        let (left, right) = (label(x0), label(x1))
        var middle = chart.xlabel ?? ""
        if width - left.count - right.count - middle.count < 2 { middle = "" }
        let gap = width - left.count - right.count - middle.count
        out.append(String(repeating: " ", count: margin + 1) + left + String(repeating: " ", count: max(1, gap / 2)) + middle
                   + String(repeating: " ", count: max(middle.isEmpty ? 0 : 1, gap - gap / 2)) + right)
        out.append(String(repeating: " ", count: margin + 1) + chart.series.enumerated().map { k, s in
            (color ? paint("━━", Palette.color(k)) : ["━━", "──", "┅┅", "┄┄"][k % 4]) + " " + s.name
        }.joined(separator: "   "))
        return out.joined(separator: "\n")
    }

    // MARK: heatmaps

    /// The heatmap as coloured cells, values written in them when it says so (a confusion
    /// matrix), else two blocks a cell; row labels on the left, column labels on top.
    public static func heatmap(_ map: Heatmap, color: Bool = true) throws -> String {
        let l = try map.layout()
        let rowWidth = l.rowText.map(\.count).max()!
        let text = (0..<l.rows).map { i in (0..<l.cols).map { j in l.text(map.values[i][j]) } }
        let cell = l.writeValues ? max(text.joined().map(\.count).max()!, l.colText.map(\.count).max()!) + 1 : 2
        var out: [String] = []
        if let title = map.title { out.append(title) }
        out.append(String(repeating: " ", count: rowWidth + 1)
                   + l.colText.map { pad(String($0.prefix(cell - 1)), cell) }.joined())
        for i in 0..<l.rows {
            var line = pad(l.rowText[i], rowWidth) + " "
            for j in 0..<l.cols {
                let v = map.values[i][j], rgb = l.color(v)
                let body = l.writeValues ? pad(text[i][j], cell) : String(repeating: shade(l.fraction(v)), count: 2)
                line += color ? paint(body, rgb, background: l.writeValues) : body
            }
            out.append(line)
        }
        if let xlabel = map.xlabel { out.append(String(repeating: " ", count: rowWidth + 1) + xlabel) }
        out.append("scale: \(label(l.low)) " + (0...8).map { k -> String in
            let t = Double(k) / 8
            return color ? paint("█", l.map.color(t)) : shade(t)
        }.joined() + " \(label(l.high))")
        return out.joined(separator: "\n")
    }

    // MARK: images

    /// An image (rows of RGB pixels) as half blocks: the upper pixel in the foreground
    /// colour, the lower in the background; without colour, shades of the pixels' gray.
    public static func image(_ image: RGBImage, color: Bool = true) -> String {
        var out: [String] = []
        for y in stride(from: 0, to: image.height, by: 2) {
            var line = ""
            for x in 0..<image.width {
                let top = image[x, y], bottom = y + 1 < image.height ? image[x, y + 1] : RGB.black
                if color {
                    line += "\u{1b}[38;2;\(top.r);\(top.g);\(top.b)m\u{1b}[48;2;\(bottom.r);\(bottom.g);\(bottom.b)m▀"
                } else {
                    line += shade((gray(top) + gray(bottom)) / 2)
                }
            }
            out.append(line + (color ? "\u{1b}[0m" : ""))
        }
        return out.joined(separator: "\n")
    }

    /// `png` as kitty's graphics protocol shows it: base64 in chunks of 4096 bytes, each in
    /// an APC escape (`ESC _ G ... ESC \`), `m=1` on all chunks but the last.
    public static func kittyImage(_ png: [UInt8]) -> String {
        let encoded = Array(Data(png).base64EncodedString().utf8)
        var out = "", start = 0
        repeat {
            let end = min(start + 4096, encoded.count)
            let chunk = String(decoding: encoded[start..<end], as: UTF8.self)
            let more = end < encoded.count ? 1 : 0
            out += "\u{1b}_G" + (start == 0 ? "a=T,f=100,m=\(more)" : "m=\(more)") + ";" + chunk + "\u{1b}\\"
            start = end
        } while start < encoded.count
        return out + "\n"
    }

    /// `png` as iTerm2's inline-image escape (`OSC 1337 ; File=inline=1 ... : base64 BEL`).
    public static func itermImage(_ png: [UInt8]) -> String {
        "\u{1b}]1337;File=inline=1;size=\(png.count);preserveAspectRatio=1:" + Data(png).base64EncodedString() + "\u{07}\n"
    }

    // MARK: helpers

    static func paint(_ text: String, _ rgb: RGB, background: Bool = false) -> String {
        guard background else { return "\u{1b}[38;2;\(rgb.r);\(rgb.g);\(rgb.b)m\(text)\u{1b}[0m" }
        let ink = gray(rgb) > 0.55 ? "30" : "97"
        return "\u{1b}[48;2;\(rgb.r);\(rgb.g);\(rgb.b)m\u{1b}[\(ink)m\(text)\u{1b}[0m"
    }

    static func gray(_ c: RGB) -> Double { (0.299 * Double(c.r) + 0.587 * Double(c.g) + 0.114 * Double(c.b)) / 255 }

    /// A shade for `t` in [0, 1], for terminals without colour.
    static func shade(_ t: Double) -> String {
        let shades = [" ", "░", "▒", "▓", "█"]
        return t.isFinite ? shades[min(4, max(0, Int((t * 4).rounded())))] : "?"
    }

    static func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }

    /// A short axis number: up to four significant digits.
    static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
        return String(format: "%.4g", v)
    }
}
