import MoonBase
import MoonEngine

/// A convolution's kernels as small images (`model:show_filters`): one image a filter, of one
/// input channel or the mean over them, each stretched to its own range (so a filter's
/// pattern shows whatever its scale), captioned with its number.
public enum FilterImages {
    /// The grid of `kernel` (`{F, C, kh, kw}`); `channel` picks an input channel (0-based),
    /// nil averages them.
    public static func grid(kernel: Tensor, channel: Int?, op: String) throws -> ImageGrid {
        guard kernel.rank == 4 else {
            throw PlotError("\(op): expected a convolution kernel {filters, channels, kh, kw}, got shape \(shapeText(kernel.shape))")
        }
        let (f, c, kh, kw) = (kernel.shape[0], kernel.shape[1], kernel.shape[2], kernel.shape[3])
        if let channel, channel < 0 || channel >= c {
            throw PlotError("\(op): channel \(channel + 1) out of range 1..\(c)")
        }
        let w = kernel.toArray(), per = kh * kw
        var values = [Float](repeating: 0, count: f * per)
        let channels = channel.map { [$0] } ?? Array(0..<c)
        for i in 0..<f {
            for ch in channels {
                for p in 0..<per { values[i * per + p] += w[(i * c + ch) * per + p] / Float(channels.count) }
            }
            let filter = values[(i * per)..<((i + 1) * per)]
            let (lo, hi) = (filter.min() ?? 0, filter.max() ?? 0)
            for p in 0..<per { values[i * per + p] = hi > lo ? (values[i * per + p] - lo) / (hi - lo) : 0.5 }
        }
        var grid = try ImageGrid(values: values, shape: [f, 1, kh, kw])
        grid.captions = (0..<f).map { [ImageGrid.Caption(String($0 + 1))] }
        grid.scale = max(1, 48 / max(kh, kw))
        return grid
    }
}

extension FilterImages {
    /// `model:show_filters`'s options.
    public struct Options: MoonBase.Options {
        public var channel: Int? = nil
        public var cols = 8
        public var scale: Int? = nil
        public var out: String? = nil
        public init() {}
        public static var fields: [OptionField<Options>] {
            [OptionField("channel", \.channel, "the input channel to show (nil: the mean over channels)"),
             OptionField("cols", \.cols, "images a row"),
             OptionField("scale", \.scale, "pixels per kernel tap (nil: about 48 pixels a filter)"),
             OptionField("out", \.out, "write a PNG (or .svg) file instead of showing it")]
        }
    }
}
