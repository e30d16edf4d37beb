import Foundation
import MoonData

/// A figure drawn once on a canvas, from which every output comes: SVG and PNG files, and
/// the terminal's images.
protocol Drawable {
    func drawing() throws -> Canvas
}

/// Figures are written whole or not at all, through the data module's `AtomicFile`; errors
/// name the plotting call. The file's extension picks the format (`.svg` or `.png`; a name
/// with neither gets the figure's usual one). Missing folders on the way are created
/// (`out/figures/loss.svg` works in a fresh checkout), as figures are outputs a script owns.
enum FigureFile {
    enum Format: String { case svg, png }

    static func write(_ figure: some Drawable, to path: String, usually: Format, _ fn: String) throws {
        let format = try self.format(of: path, usually: usually, fn)
        let canvas = try figure.drawing()
        let bytes = format == .svg ? Array(try canvas.svg().utf8) : try canvas.png()
        let expanded = (path as NSString).expandingTildeInPath
        guard !expanded.isEmpty else { throw PlotError("\(fn): the output path is empty") }
        do { try AtomicFile.write(bytes, to: expanded, createFolders: true) } catch { throw PlotError("\(fn): \(error)") }
    }

    /// The format `path`'s extension names; another image format's extension is an error.
    static func format(of path: String, usually: Format, _ fn: String) throws -> Format {
        let ext = (path as NSString).pathExtension.lowercased()
        if let format = Format(rawValue: ext) { return format }
        if ["jpg", "jpeg", "pdf", "gif", "webp", "eps", "ps"].contains(ext) {
            throw PlotError("\(fn): writes SVG or PNG files, but '\(path)' ends in .\(ext) (use a .svg or .png name)")
        }
        return usually
    }
}

extension LineChart: Drawable {
    /// Writes the chart to `path` atomically: SVG, or PNG for a `.png` name.
    public func write(to path: String, _ fn: String = "plot.lines") throws {
        try FigureFile.write(self, to: path, usually: .svg, fn)
    }
}

extension Heatmap: Drawable {
    /// Writes the heatmap to `path` atomically: SVG, or PNG for a `.png` name.
    public func write(to path: String, _ fn: String = "plot.heatmap") throws {
        try FigureFile.write(self, to: path, usually: .svg, fn)
    }
}

extension ImageGrid: Drawable {
    /// Writes the grid to `path` atomically: PNG, or SVG for a `.svg` name.
    public func write(to path: String, _ fn: String = "plot.images") throws {
        try FigureFile.write(self, to: path, usually: .png, fn)
    }
}
