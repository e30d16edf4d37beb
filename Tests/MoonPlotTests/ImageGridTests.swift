import Foundation
import Testing
@testable import MoonPlot

@Suite struct ImageGridTests {
    /// Three 4x4 grey images: black, mid grey, white.
    func grid() throws -> ImageGrid {
        var values: [Float] = []
        for v: Float in [0, 0.5, 1] { values += [Float](repeating: v, count: 16) }
        return try ImageGrid(values: values, shape: [3, 1, 4, 4])
    }

    @Test func pngHasTheGridsSizeAndPixels() throws {
        var g = try grid()
        g.columns = 2; g.scale = 3
        let png = try readPNG(try g.render().png())
        #expect(png.chunkTypes == ["IHDR", "IDAT", "IEND"])
        #expect(png.bitDepth == 8 && png.colorType == 2)
        // Cells are 4*3 + 2*2 = 16 wide and high; 2 columns, 2 rows, padding 6.
        #expect(png.width == 2 * 16 + 3 * 6 && png.height == 2 * 16 + 3 * 6)
        let pad = ImageGrid.padding, frame = ImageGrid.frame
        #expect(png.pixel(0, 0) == .white)
        #expect(png.pixel(pad + frame, pad + frame) == RGB(0, 0, 0))
        #expect(png.pixel(pad + 16 + pad + frame + 5, pad + frame + 5) == RGB(128, 128, 128))
        #expect(png.pixel(pad + frame, pad + 16 + pad + frame) == .white)   // third image: white
    }

    @Test func captionsAndWrongMarks() throws {
        var g = try grid()
        g.captions = [[.init("7")], [.init("1"), .init("2", color: .wrong)], [.init("A")]]
        g.marked = [false, true, false]
        let png = try readPNG(try g.render().png())
        let pad = ImageGrid.padding
        let cellW = 4 * 2 + 4
        // The wrong image is framed in red; the right one is not.
        #expect(png.pixel(pad + cellW + pad, pad) == .wrong)
        #expect(png.pixel(pad, pad) == RGB(0, 0, 0) || png.pixel(pad, pad) == .white)
        #expect(png.pixel(pad, pad) != .wrong)
        // Text below: dark pixels for the label, red ones for the wrong prediction (on its
        // own line), nothing red under the right one.
        let textTop = pad + 4 * 2 + 4, line = ImageGrid.lineHeight
        func count(_ x0: Int, _ rows: Range<Int>, _ color: (RGB) -> Bool) -> Int {
            var c = 0
            for y in rows { for x in (x0 - 2)..<(x0 + cellW + 2) where color(png.pixel(x, y)) { c += 1 } }
            return c
        }
        let dark = { (c: RGB) in c.luminance < 0.4 }, red = { (c: RGB) in c.r > 150 && c.g < 110 && c.b < 110 }
        #expect(count(pad, textTop..<(textTop + line), dark) > 5)
        #expect(count(pad + cellW + pad, (textTop + line)..<(textTop + 2 * line + 2), red) > 5)
        #expect(count(pad, textTop..<(textTop + 2 * line + 2), red) == 0)
    }

    @Test func captionsAreMeasuredInTheirFont() throws {
        let canvas = try Canvas()
        #expect(canvas.textWidth("iiii", size: 10) < canvas.textWidth("WWWW", size: 10))
        #expect(canvas.textWidth("abc", size: 20) > 1.9 * canvas.textWidth("abc", size: 10))
        let fitted = canvas.fitting("automobile", width: 30, size: 10)
        #expect(!fitted.isEmpty && "automobile".hasPrefix(fitted) && canvas.textWidth(fitted, size: 10) <= 30)
        var g = try grid()
        g.scale = 1
        g.captions = [[.init("automobile")], [.init("a")], [.init("b")]]
        let captions = try g.drawing().searchableText
        #expect(captions.map(\.string) == ["auto", "a", "b"] || captions[0].string.count < 10)
    }

    @Test func acceptsFlatRowsAndRGBAndRescalesNormalisedValues() throws {
        let flat = try ImageGrid(values: [Float](repeating: -1, count: 2 * 9), shape: [2, 9])
        #expect(flat.height == 3 && flat.width == 3 && flat.channels == 1)
        var colour = try ImageGrid(values: [1, 0, 0], shape: [1, 3, 1, 1])
        colour.scale = 1
        let png = try readPNG(try colour.render().png())
        #expect(png.pixel(ImageGrid.padding + ImageGrid.frame, ImageGrid.padding + ImageGrid.frame) == RGB(255, 0, 0))
        var spread = try ImageGrid(values: [-1, 1], shape: [1, 1, 1, 2])
        spread.scale = 1
        let s = try readPNG(try spread.render().png())
        let y = ImageGrid.padding + ImageGrid.frame, x = ImageGrid.padding + ImageGrid.frame
        #expect(s.pixel(x, y) == RGB(0, 0, 0) && s.pixel(x + 1, y) == .white)
        #expect(message { try ImageGrid(values: [Float](repeating: 0, count: 10), shape: [2, 5]) }?.contains("not square") == true)
        #expect(message { try ImageGrid(values: [Float](repeating: 0, count: 8), shape: [1, 2, 2, 2]) }?.contains("C = 1") == true)
    }

    @Test func writesAtomicallyAndChecksPaths() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/grid.png"
        try grid().write(to: path)
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        #expect(try readPNG(bytes).width > 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["grid.png"])   // no temporary file left
        // Missing folders are created; a folder that cannot be made (a file is in the way) is an error.
        try grid().write(to: folder + "/new/deeper/grid.png")
        #expect(try readPNG([UInt8](FileManager.default.contents(atPath: folder + "/new/deeper/grid.png")!)).width > 0)
        #expect(message { try self.grid().write(to: folder + "/grid.png/inside.png") }?.contains("is a file, not a folder") == true)
        #expect(message { try self.grid().write(to: folder + "/grid.jpg") }
                == "plot.images: writes SVG or PNG files, but '\(folder)/grid.jpg' ends in .jpg (use a .svg or .png name)")
        // The extension picks the format: an image grid as SVG, a chart as PNG or SVG.
        try grid().write(to: folder + "/grid.svg")
        #expect(try parseSVG(String(contentsOfFile: folder + "/grid.svg", encoding: .utf8)).all("image").count >= 1)
        let chart = LineChart(series: [Series(name: "a", y: [1, 2])])
        try chart.write(to: folder + "/a.svg")
        _ = try parseSVG(String(contentsOfFile: folder + "/a.svg", encoding: .utf8))
        try chart.write(to: folder + "/a.png")
        let png = try readPNG([UInt8](FileManager.default.contents(atPath: folder + "/a.png")!))
        #expect(png.width == Int(chart.width) && png.height == Int(chart.height))
    }
}
