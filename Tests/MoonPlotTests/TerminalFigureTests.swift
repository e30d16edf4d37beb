import Foundation
import Testing
@testable import MoonPlot

/// Figures drawn in the terminal: braille line charts, heatmaps in coloured cells, images
/// as half blocks, and kitty's graphics protocol.
@Suite struct TerminalFigureTests {
    @Test func aLineChartIsBrailleWithAxesAndLegend() throws {
        let chart = LineChart(series: [Series(name: "loss", y: [4, 3, 2, 1]), Series(name: "val_loss", y: [4, 4, 4, 4])],
                              title: "curves", xlabel: "epoch")
        let text = try TerminalFigure.lines(chart, columns: 40, rows: 6, color: false)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 1 + 6 + 2)                         // title, canvas, x axis, legend
        #expect(lines[0].contains("curves") && lines[1].hasPrefix("  4 │") && lines[6].hasPrefix("  1 └"))
        #expect(lines[7].hasPrefix("     1") && lines[7].hasSuffix("4") && lines[7].contains(" epoch "))
        #expect(lines[8].contains("━━ loss") && lines[8].contains("── val_loss"))
        #expect(lines.allSatisfy { $0.count <= 40 })
        // The falling series starts top-left and ends bottom-right; the flat one runs along the top.
        let braille = { (s: Substring) in s.unicodeScalars.filter { (0x2801...0x28FF).contains($0.value) }.count }
        #expect(braille(lines[1].dropFirst(3)) > 10 && braille(lines[6].dropFirst(3)) >= 1)
        #expect(try TerminalFigure.lines(chart, columns: 40, rows: 6, color: true).contains("\u{1b}[38;2;31;119;180m"))
    }

    @Test func aHeatmapWritesItsValuesInColouredCells() throws {
        let map = Heatmap(values: [[5, 1], [0, 7]], rowLabels: ["cat", "dog"], columnLabels: ["cat", "dog"])
        let plain = try TerminalFigure.heatmap(map, color: false)
        #expect(plain == """
                 cat dog
            cat    5   1
            dog    0   7
            scale: 0  ░░▒▒▓▓██ 7
            """)
        let colored = try TerminalFigure.heatmap(map, color: true)
        #expect(colored.contains("\u{1b}[48;2;") && colored.contains("7"))
    }

    @Test func imagesAreHalfBlocks() {
        var image = RGBImage(width: 2, height: 2, fill: .black)
        image[0, 0] = .white
        #expect(TerminalFigure.image(image, color: false) == "▒ ")
        #expect(TerminalFigure.image(image, color: true) == "\u{1b}[38;2;255;255;255m\u{1b}[48;2;0;0;0m▀\u{1b}[38;2;0;0;0m\u{1b}[48;2;0;0;0m▀\u{1b}[0m")
    }

    @Test func kittysProtocolCarriesThePNGInChunks() throws {
        let png = try Heatmap(values: [[0, 1], [1, 0]]).png()
        let text = TerminalFigure.kittyImage(png + [UInt8](repeating: 0, count: 5000))   // more than one chunk
        let chunks = text.components(separatedBy: "\u{1b}\\").filter { $0.hasPrefix("\u{1b}_G") }
        #expect(chunks.count >= 2 && chunks[0].hasPrefix("\u{1b}_Ga=T,f=100,m=1;") && chunks.last!.hasPrefix("\u{1b}_Gm=0;"))
        let payload = chunks.map { String($0.split(separator: ";", maxSplits: 1)[1]) }.joined()
        #expect(Data(base64Encoded: payload).map { [UInt8]($0) } == png + [UInt8](repeating: 0, count: 5000))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    @Test func graphicsTerminalsGetTheFiguresPicture() throws {
        let chart = LineChart(series: [Series(name: "loss", y: [4, 3, 2, 1])])
        let shown = try TerminalFigure.show(.lines(chart), columns: 100, environment: ["MOONLAB_GRAPHICS": "kitty"])
        let payload = shown.components(separatedBy: "\u{1b}\\").filter { $0.hasPrefix("\u{1b}_G") }
            .map { String($0.split(separator: ";", maxSplits: 1)[1]) }.joined()
        let png = try readPNG(Data(base64Encoded: payload).map { [UInt8]($0) } ?? [])
        #expect(png.width == Int(chart.width) && png.height == Int(chart.height))
        #expect(try TerminalFigure.show(.lines(chart), columns: nil, environment: ["MOONLAB_GRAPHICS": "kitty"]).contains("loss"))
    }

    @Test func theTerminalSaysWhatItShows() {
        #expect(TerminalFigure.graphics(["TERM": "xterm-kitty"]) == .kitty)
        #expect(TerminalFigure.graphics(["KITTY_WINDOW_ID": "1", "MOONLAB_GRAPHICS": "unicode"]) == .unicode)
        #expect(TerminalFigure.graphics(["TERM": "xterm-256color"]) == .unicode)
        #expect(TerminalFigure.graphics(["MOONLAB_GRAPHICS": "kitty"]) == .kitty)
        #expect(TerminalFigure.graphics(["TERM_PROGRAM": "iTerm.app"]) == .iterm)
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47]
        #expect(TerminalFigure.itermImage(png) == "\u{1b}]1337;File=inline=1;size=4;preserveAspectRatio=1:iVBORw==\u{07}\n")
    }

    /// Reads a sixel sequence back into palette indices (a small decoder of the subset we write:
    /// `#n` colour selects, sixel characters, `!n` repeats, `$` carriage return, `-` next band).
    static func decodeSixel(_ text: String, width: Int, height: Int) -> [[Int]] {
        var image = [[Int]](repeating: [Int](repeating: -1, count: width), count: height)
        let body = text.split(separator: "\"", maxSplits: 1)[1]
        let chars = Array(body.unicodeScalars)
        // Skip the raster attributes and the palette definitions (#n;2;r;g;b).
        var i = 0
        func number() -> Int { var n = 0; while i < chars.count, (48...57).contains(chars[i].value) { n = n * 10 + Int(chars[i].value - 48); i += 1 }; return n }
        var x = 0, band = 0, colour = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "#":
                i += 1; colour = number()
                if i < chars.count, chars[i] == ";" { i += 1; _ = number(); i += 1; _ = number(); i += 1; _ = number(); i += 1; _ = number() }
            case "$": x = 0; i += 1
            case "-": x = 0; band += 1; i += 1
            case "!":
                i += 1
                let n = number()
                let bits = Int(chars[i].value) - 63
                for _ in 0..<n { for r in 0..<6 where bits & (1 << r) != 0 && band * 6 + r < height { image[band * 6 + r][x] = colour }; x += 1 }
                i += 1
            case "\u{1b}": i = chars.count
            default:
                if (63...126).contains(c.value) {
                    let bits = Int(c.value) - 63
                    for r in 0..<6 where bits & (1 << r) != 0 && band * 6 + r < height { image[band * 6 + r][x] = colour }
                    x += 1
                }
                i += 1
            }
        }
        return image
    }

    @Test func sixelsDecodeBackToTheImagesColours() throws {
        var image = RGBImage(width: 9, height: 8)
        for x in 0..<9 { for y in 0..<8 { image[x, y] = y < 3 ? RGB(255, 0, 0) : (x % 2 == 0 ? RGB(0, 0, 255) : RGB(255, 255, 255)) } }
        let text = Sixel.encode(image)
        #expect(text.hasPrefix("\u{1b}P0;1q\"1;1;9;8#0;2;0;0;0#1;2;0;0;20"))
        #expect(text.hasSuffix("\u{1b}\\\n"))
        #expect(text.contains("!9"))                        // a run of nine the same, compressed
        let decoded = Self.decodeSixel(text, width: 9, height: 8)
        let red = 36 * 5, blue = 5, white = 215
        for y in 0..<8 {
            for x in 0..<9 { #expect(decoded[y][x] == (y < 3 ? red : (x % 2 == 0 ? blue : white)), "pixel \(x), \(y)") }
        }
        #expect(TerminalFigure.graphics(["TERM": "foot"]) == .sixel)
        #expect(TerminalFigure.graphics(["TERM": "xterm-256color", "MOONLAB_GRAPHICS": "sixel"]) == .sixel)
        #expect(TerminalFigure.graphics(["TERM": "xterm-256color"]) == .unicode)
    }

    @Test func aPictureIsShrunkToTheTerminalsWidth() throws {
        var image = RGBImage(width: 200, height: 100)
        for x in 100..<200 { for y in 0..<100 { image[x, y] = .black } }
        let small = image.fitted(width: 50)
        #expect(small.width == 50 && small.height == 25)
        #expect(small[10, 10] == .white && small[40, 10] == .black)
        let text = try TerminalFigure.show(.picture(image), columns: 60, environment: ["TERM": "xterm"])
        #expect(text.split(separator: "\n").count == 15)     // 59 pixels across, 29 down, two a line
    }
}
