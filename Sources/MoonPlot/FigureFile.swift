import Foundation
import MoonData

/// Figures are written whole or not at all, through the data module's `AtomicFile`; errors
/// name the plotting call. Missing folders on the way are created (`out/figures/loss.svg`
/// works in a fresh checkout), as figures are outputs a script owns.
enum FigureFile {
    static func write(_ bytes: [UInt8], to path: String, _ fn: String) throws {
        let expanded = (path as NSString).expandingTildeInPath
        guard !expanded.isEmpty else { throw PlotError("\(fn): the output path is empty") }
        do { try AtomicFile.write(bytes, to: expanded, createFolders: true) } catch { throw PlotError("\(fn): \(error)") }
    }

    static func write(_ text: String, to path: String, _ fn: String) throws {
        try write(Array(text.utf8), to: path, fn)
    }
}

extension LineChart {
    /// Writes the chart's SVG to `path` atomically.
    public func write(to path: String, _ fn: String = "plot.lines") throws {
        try checkExtension(path, "svg", fn)
        try FigureFile.write(svg(), to: path, fn)
    }
}

extension Heatmap {
    /// Writes the heatmap's SVG to `path` atomically.
    public func write(to path: String, _ fn: String = "plot.heatmap") throws {
        try checkExtension(path, "svg", fn)
        try FigureFile.write(svg(), to: path, fn)
    }
}

extension ImageGrid {
    /// Writes the grid as a PNG file to `path` atomically.
    public func write(to path: String, _ fn: String = "plot.images") throws {
        try checkExtension(path, "png", fn)
        try FigureFile.write(render().png(), to: path, fn)
    }
}

/// Rejects a path whose extension names the other format (`chart.png` for an SVG writer).
func checkExtension(_ path: String, _ wanted: String, _ fn: String) throws {
    let ext = (path as NSString).pathExtension.lowercased()
    let formats = ["svg", "png", "jpg", "jpeg", "pdf"]
    if formats.contains(ext) && ext != wanted {
        throw PlotError("\(fn): writes \(wanted.uppercased()) files, but '\(path)' ends in .\(ext) (use a .\(wanted) name)")
    }
}
