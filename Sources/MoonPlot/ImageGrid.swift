import MoonEngine

/// Images laid out in a grid on a white page, each with caption lines drawn under it, and a
/// coloured frame around the ones marked (wrong predictions).
public struct ImageGrid: Sendable {
    /// One line of text under an image.
    public struct Caption: Sendable {
        public var text: String
        public var color: RGB
        public init(_ text: String, color: RGB = .text) { self.text = text; self.color = color }
    }

    public let count: Int, channels: Int, height: Int, width: Int
    /// Pixel values, `count x channels x height x width`, row-major.
    public let values: [Float]
    /// Lines under each image (as many lists as images, or nil).
    public var captions: [[Caption]]?
    /// Images framed in `markColor` (as many flags as images, or nil).
    public var marked: [Bool]?
    public var markColor: RGB = .wrong
    public var columns = 8
    /// Each image pixel becomes `scale x scale` pixels.
    public var scale = 2
    /// Draw dark on light (1 = black) instead of 1 = white.
    public var invert = false

    static let padding = 6, frame = 2, lineHeight = 12
    /// Captions' font size in pixels.
    static let captionSize = 10.0

    /// Images from `values` of shape `{N, C, H, W}` (C = 1 or 3), `{N, H, W}`, or
    /// `{N, H*W}` with a square H*W (flattened MNIST rows).
    public init(values: [Float], shape: [Int]) throws {
        let fn = "plot.images"
        guard values.count == shape.reduce(1, *) else { throw PlotError("\(fn): \(values.count) values for shape \(shape)") }
        switch shape.count {
        case 4:
            guard shape[1] == 1 || shape[1] == 3 else {
                throw PlotError("\(fn): images {N, C, H, W} need C = 1 (grey) or 3 (RGB), got \(shapeText(shape))")
            }
            (count, channels, height, width) = (shape[0], shape[1], shape[2], shape[3])
        case 3: (count, channels, height, width) = (shape[0], 1, shape[1], shape[2])
        case 2:
            let side = Int(Double(shape[1]).squareRoot().rounded())
            guard side * side == shape[1] else {
                throw PlotError("\(fn): rows of \(shape[1]) values are not square images; pass {N, C, H, W}, got \(shapeText(shape))")
            }
            (count, channels, height, width) = (shape[0], 1, side, side)
        default:
            throw PlotError("\(fn): expected images {N, C, H, W}, {N, H, W} or {N, H*W}, got \(shapeText(shape))")
        }
        guard count > 0 && height > 0 && width > 0 else { throw PlotError("\(fn): no images to draw (shape \(shapeText(shape)))") }
        self.values = values
    }

    /// The grid as a raster (see `drawing`).
    public func render() throws -> RGBImage { try drawing().image() }

    /// The grid on a canvas. Values in [0, 1] map to 0...255; when any value falls outside
    /// [0, 1] (normalised data) the whole set is rescaled from its own min...max.
    func drawing() throws -> Canvas {
        let fn = "plot.images"
        if let c = captions, c.count != count { throw PlotError("\(fn): \(c.count) captions for \(count) images") }
        if let m = marked, m.count != count { throw PlotError("\(fn): \(m.count) marks for \(count) images") }
        guard columns >= 1 else { throw PlotError("\(fn): cols must be at least 1, got \(columns)") }
        guard scale >= 1 && scale <= 16 else { throw PlotError("\(fn): scale must be 1..16, got \(scale)") }
        let lines = captions?.map(\.count).max() ?? 0
        let pad = ImageGrid.padding, frame = ImageGrid.frame
        let imageW = width * scale, imageH = height * scale
        let cellW = imageW + 2 * frame
        let cellH = imageH + 2 * frame + (lines > 0 ? lines * ImageGrid.lineHeight + 2 : 0)
        let cols = Swift.min(columns, count), rows = (count + cols - 1) / cols
        let totalW = cols * cellW + (cols + 1) * pad, totalH = rows * cellH + (rows + 1) * pad
        guard totalW * totalH <= 100_000_000, totalW <= Canvas.maxSide, totalH <= Canvas.maxSide else {
            throw PlotError("\(fn): a \(totalW) x \(totalH) image is too large; show fewer images or a smaller scale")
        }
        let canvas = try Canvas(width: Double(totalW), height: Double(totalH))

        let finite = values.filter(\.isFinite)
        let lo = finite.min() ?? 0, hi = finite.max() ?? 1
        let rescale = lo < 0 || hi > 1
        func byte(_ v: Float) -> UInt8 {
            var t = v.isFinite ? (rescale ? (hi > lo ? (v - lo) / (hi - lo) : 0) : v) : 0
            if invert { t = 1 - t }
            return UInt8((Swift.min(1, Swift.max(0, t)) * 255).rounded())
        }

        let plane = height * width
        for k in 0..<count {
            let x0 = pad + (k % cols) * (cellW + pad), y0 = pad + (k / cols) * (cellH + pad)
            if marked?[k] == true {
                canvas.rect(Double(x0), Double(y0), Double(cellW), Double(imageH + 2 * frame), fill: markColor)
            }
            var image = RGBImage(width: width, height: height)
            let base = k * channels * plane
            for y in 0..<height {
                for x in 0..<width {
                    let p = base + y * width + x
                    image[x, y] = channels == 3 ? RGB(byte(values[p]), byte(values[p + plane]), byte(values[p + 2 * plane]))
                                                : { let g = byte(values[p]); return RGB(g, g, g) }()
                }
            }
            canvas.image(image, Double(x0 + frame), Double(y0 + frame), Double(imageW), Double(imageH))
            for (i, line) in (captions?[k] ?? []).enumerated() {
                let text = canvas.fitting(line.text, width: Double(cellW + pad - 2), size: ImageGrid.captionSize)
                let baseline = y0 + imageH + 2 * frame + 2 + i * ImageGrid.lineHeight + ImageGrid.lineHeight - 3
                canvas.text(text, Double(x0) + Double(cellW) / 2, Double(baseline), size: ImageGrid.captionSize, anchor: .middle,
                            color: line.color, tag: "caption")
            }
        }
        return canvas
    }
}
