import Foundation
import LuaKit
import MoonAnalysis
import MoonData
import MoonNN
import MoonPlot

/// Figures of objects, shown where the researcher works: `ds:show(i)`, `model:show_filters`,
/// and `plot.show(path)` for a PNG file already written.
enum ShowMethods {
    nonisolated(unsafe) static let datasetMethods: [LuaMethod] = [
        LuaMethod("show", "ds", options: ImagesOptions.self, leading: ["i | {i, ...}"], returns: "count", doc: """
            Shows samples as images with their labels (class names when the dataset has them): \
            in the terminal, or to out=. i is a position or a list of them (1-based).
            """) { L, o in
            let ds = try L.dataset(1)
            var pick = LabeledImages()
            pick.indices = L.type(2) == .number ? [try L.integer(2)] : try L.integerArray(2, "a position or a list of positions")
            pick.labels = try ds.y.map { try ClassLabels.from($0, L.fn, "labels") }
            (pick.classNames, pick.limit) = (o.classNames ?? ds.classNames, o.max)
            var grid = try L.named { try pick.grid(try ds.singleInput(L.fn), op: L.fn) }
            (grid.columns, grid.scale, grid.invert) = (o.cols, max(o.scale, 4), o.invert)
            return try PlotModule.present(L, .images(grid), out: o.captions.out, count: grid.count)
        },
    ]

    nonisolated(unsafe) static let modelMethods: [LuaMethod] = [
        LuaMethod("show_filters", "model", options: FilterImages.Options.self, leading: ["layer"], returns: "count", doc: """
            Shows a convolution's kernels as small images, one a filter (of input channel \
            channel=, or their mean), each stretched to its own range: in the terminal, or to \
            out=. layer: a Conv2D's position, name or object (nil: the first Conv2D).
            """) { L, o in
            let m = try L.model(1)
            let layer: Layer
            if L.isNoneOrNil(2) {
                guard let first = m.layers.first(where: { $0 is Conv2D }) else { throw L.fail("the model has no Conv2D layer") }
                layer = first
            } else {
                layer = try ModelClass.layer(L, m, 2)
            }
            guard let conv = layer as? Conv2D, let kernel = conv.trainableWeights.first else {
                throw L.fail("layer \(layer.displayName) is a \(layer.kind), not a built Conv2D")
            }
            var grid = try L.named { try FilterImages.grid(kernel: kernel, channel: o.channel.map { $0 - 1 }, op: L.fn) }
            grid.columns = o.cols
            if let s = o.scale { grid.scale = s }
            return try PlotModule.present(L, .images(grid), out: o.out, count: grid.count)
        },
    ]

    static func plotShow(_ m: ModuleBuilder) {
        m.function("show", "plot.show(path)", """
            Shows a PNG file (a figure written before, an image) in the terminal: as a picture \
            where the terminal shows images (kitty, iTerm2, sixel), else in coloured blocks \
            shrunk to its width. SVG files are not read back: write figures as .png to see them here.
            """) { L in
            let path = try L.string(1)
            guard !path.lowercased().hasSuffix(".svg") else {
                throw L.fail("\(path) is an SVG file; write the figure as .png to show it in the terminal")
            }
            let image = try L.named { RGBImage(try PNGReader.read(path, mode: .rgb)) }
            return try PlotModule.show(L, .picture(image))
        }
    }
}
