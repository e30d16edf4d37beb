import MoonData

/// An 8-bit RGB raster, row-major, three bytes a pixel.
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

    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ c: RGB) {
        for yy in Swift.max(0, y)..<Swift.min(height, y + h) where w > 0 {
            for xx in Swift.max(0, x)..<Swift.max(Swift.max(0, x), Swift.min(width, x + w)) { self[xx, yy] = c }
        }
    }

    /// Draws `s` with the built-in 5x7 font, top-left corner at (x, y).
    public mutating func draw(_ s: String, x: Int, y: Int, color: RGB, scale: Int = 1) {
        var cx = x
        for ch in s {
            for col in 0..<BitmapFont.glyphWidth {
                for row in 0..<BitmapFont.glyphHeight where BitmapFont.isSet(ch, col: col, row: row) {
                    fill(x: cx + col * scale, y: y + row * scale, width: scale, height: scale, color)
                }
            }
            cx += BitmapFont.advance * scale
        }
    }

    /// The image as a PNG file (8-bit RGB), through the one PNG encoder the data module has.
    public func png() throws -> [UInt8] {
        try PNGWriter.encode(width: width, height: height, color: .rgb, pixels: pixels)
    }
}
