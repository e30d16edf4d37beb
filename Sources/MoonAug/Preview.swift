import Foundation
import MoonBase
import MoonData
import MoonEngine

/// A PNG grid of images beside their augmented copies, to see what a transform does.
public enum Preview {
    /// Writes `count` images of `x` `{N, C, H, W}` (the first ones; C = 1 or 3) as a grid of
    /// `columns` pairs a row: in each pair the original on the left, `transform`'s output on
    /// the right. Pixels are scaled up `scale` times (nearest neighbour); images with values
    /// outside [0, 1] (normalized, whitened) are stretched from their own min..max.
    /// Returns the PNG's width and height.
    @discardableResult
    public static func write(_ x: Tensor, transform: any Transform, to path: String, count: Int = 16,
                             columns: Int? = nil, scale: Int = 2,
                             generator: RandomGenerator = .global) throws -> (width: Int, height: Int) {
        let op = "preview"
        guard x.rank == 4, x.shape[1] == 1 || x.shape[1] == 3 else {
            throw AugError(in: op, "expected N x C x H x W images with 1 or 3 channels, got shape \(shapeText(x.shape))")
        }
        guard count >= 1 else { throw AugError(in: op, "n must be at least 1, got \(count)") }
        guard (1...16).contains(scale) else { throw AugError(in: op, "scale must be 1..16, got \(scale)") }
        let n = min(count, x.shape[0])
        guard n >= 1 else { throw AugError(in: op, "the data set is empty") }
        let cols = columns ?? Int(Double(n).squareRoot().rounded(.up))
        guard cols >= 1 else { throw AugError(in: op, "cols must be at least 1, got \(cols)") }
        let originals = try x.narrow(0, 0, n).contiguous()
        let augmented = try Images.batch(try transform.apply(originals, generator: generator), op)
        guard augmented.shape == originals.shape else {
            throw AugError(in: op, "the transform changed the shape \(shapeText(originals.shape)) to \(shapeText(augmented.shape))")
        }
        let (c, h, w) = (x.shape[1], x.shape[2], x.shape[3])
        let rows = (n + cols - 1) / cols
        let inner = 1, outer = 3  // gaps inside a pair (grey) and between pairs (white), in pixels
        let cellW = 2 * w + inner, cellH = h
        let width = (cols * cellW + (cols + 1) * outer) * scale
        let height = (rows * cellH + (rows + 1) * outer) * scale
        guard width < 1 << 16, height < 1 << 16 else {
            throw AugError(in: op, "a \(width) x \(height) grid is too large; lower n or scale")
        }
        var pixels = [UInt8](repeating: 255, count: width * height * c)
        let a = originals.toArray(), b = augmented.toArray()
        let imageSize = c * h * w
        func paint(_ values: ArraySlice<Float>, left: Int, top: Int) {
            var lo = values.min() ?? 0, hi = values.max() ?? 1
            if lo >= 0 && hi <= 1 { lo = 0; hi = 1 }
            let range = hi > lo ? hi - lo : 1
            let start = values.startIndex
            for y in 0..<h * scale {
                for xx in 0..<w * scale {
                    let px = (top + y) * width + left + xx
                    for ch in 0..<c {
                        let v = values[start + (ch * h + y / scale) * w + xx / scale]
                        pixels[px * c + ch] = PNGWriter.byte((v - lo) / range)
                    }
                }
            }
        }
        for i in 0..<n {
            let col = i % cols, row = i / cols
            let left = (outer + col * (cellW + outer)) * scale, top = (outer + row * (cellH + outer)) * scale
            for y in 0..<h * scale {
                for k in 0..<inner * scale {
                    let px = (top + y) * width + left + w * scale + k
                    for ch in 0..<c { pixels[px * c + ch] = 128 }
                }
            }
            paint(a[i * imageSize..<(i + 1) * imageSize], left: left, top: top)
            paint(b[i * imageSize..<(i + 1) * imageSize], left: left + (w + inner) * scale, top: top)
        }
        try PNGWriter.write(path, width: width, height: height, color: c == 1 ? .gray : .rgb, pixels: pixels)
        return (width, height)
    }
}

extension Preview {
    /// `{n=16, cols=, scale=2, seed=}` of `aug.preview`.
    public struct Options: MoonBase.Options {
        public var n = 16
        public var cols: Int? = nil
        public var scale = 2
        public var seed: Int? = nil
        public init() {}
        public static var fields: [OptionField<Options>] {
            [OptionField("n", \.n, "how many images, from the first"),
             OptionField("cols", \.cols, "pairs a row (nil: a square grid)"),
             OptionField("scale", \.scale, "pixels per image pixel"),
             OptionField("seed", \.seed, "draws the augmentation from its own generator (nil: the global one)")]
        }
    }

    /// Writes the preview of `x` with `options`.
    @discardableResult
    public static func write(_ x: Tensor, transform: any Transform, to path: String, _ o: Options) throws -> (width: Int, height: Int) {
        try write(x, transform: transform, to: path, count: o.n, columns: o.cols, scale: o.scale,
                  generator: SeedOptions.generator(o.seed))
    }
}
