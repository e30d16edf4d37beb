import MoonData

/// An 8-bit RGB raster, row-major, three bytes a pixel: what a canvas draws to (`Canvas.image`)
/// and what images are drawn from.
public struct RGBImage: Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, fill: RGB = .white) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { pixels[3 * i] = fill.r; pixels[3 * i + 1] = fill.g; pixels[3 * i + 2] = fill.b }
    }

    public subscript(x: Int, y: Int) -> RGB {
        get { let i = 3 * (y * width + x); return RGB(pixels[i], pixels[i + 1], pixels[i + 2]) }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            let i = 3 * (y * width + x)
            pixels[i] = newValue.r; pixels[i + 1] = newValue.g; pixels[i + 2] = newValue.b
        }
    }

    /// The image shrunk (by averaging boxes of pixels) to at most `width` pixels across,
    /// keeping its proportions; the image itself when it is narrow enough.
    public func fitted(width limit: Int) -> RGBImage {
        guard width > limit, limit > 0 else { return self }
        let w = limit, h = max(1, height * limit / width)
        var out = RGBImage(width: w, height: h)
        for y in 0..<h {
            let y0 = y * height / h, y1 = max(y0 + 1, (y + 1) * height / h)
            for x in 0..<w {
                let x0 = x * width / w, x1 = max(x0 + 1, (x + 1) * width / w)
                var sum = (0, 0, 0), n = 0
                for yy in y0..<y1 { for xx in x0..<x1 { let c = self[xx, yy]; sum.0 += Int(c.r); sum.1 += Int(c.g); sum.2 += Int(c.b); n += 1 } }
                out[x, y] = RGB(UInt8(sum.0 / n), UInt8(sum.1 / n), UInt8(sum.2 / n))
            }
        }
        return out
    }

    /// A decoded PNG file's pixels (gray files become gray RGB).
    public init(_ png: PNGReader.Image) {
        self.init(width: png.width, height: png.height)
        for p in 0..<(width * height) {
            for c in 0..<3 { pixels[3 * p + c] = png.pixels[png.channels * p + (png.channels == 3 ? c : 0)] }
        }
    }

    /// The image as a PNG file (8-bit RGB), through the one PNG encoder the data module has.
    public func png() throws -> [UInt8] {
        try PNGWriter.encode(width: width, height: height, color: .rgb, pixels: pixels)
    }
}
