import Foundation

/// Writes files whole or not at all: into a temporary file beside the target, then renamed
/// over it, so a reader (or a crash half-way) never sees a half-written figure.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String, _ fn: String) throws {
        let expanded = (path as NSString).expandingTildeInPath
        guard !expanded.isEmpty else { throw PlotError("\(fn): the output path is empty") }
        let directory = (expanded as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if !directory.isEmpty && !(FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw PlotError("\(fn): cannot write '\(path)': folder '\(directory)' does not exist")
        }
        let temporary = expanded + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw PlotError("\(fn): cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
        if rename(temporary, expanded) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw PlotError("\(fn): cannot write '\(path)': \(reason)")
        }
    }

    static func write(_ text: String, to path: String, _ fn: String) throws {
        try write(Array(text.utf8), to: path, fn)
    }
}

extension LineChart {
    /// Writes the chart's SVG to `path` atomically.
    public func write(to path: String, _ fn: String = "plot.lines") throws {
        try checkExtension(path, "svg", fn)
        try AtomicFile.write(svg(), to: path, fn)
    }
}

extension Heatmap {
    /// Writes the heatmap's SVG to `path` atomically.
    public func write(to path: String, _ fn: String = "plot.heatmap") throws {
        try checkExtension(path, "svg", fn)
        try AtomicFile.write(svg(), to: path, fn)
    }
}

extension ImageGrid {
    /// Writes the grid as a PNG file to `path` atomically.
    public func write(to path: String, _ fn: String = "plot.images") throws {
        try checkExtension(path, "png", fn)
        try AtomicFile.write(render().png(), to: path, fn)
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
