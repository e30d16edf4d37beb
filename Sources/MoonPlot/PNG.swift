@preconcurrency import CZlib

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

    /// The image as a PNG file: 8-bit RGB, no interlace, every row with filter 0, one zlib
    /// stream in one IDAT chunk.
    public func png() throws -> [UInt8] {
        var raw = [UInt8](); raw.reserveCapacity((width * 3 + 1) * height)
        for y in 0..<height {
            raw.append(0)
            raw += pixels[(y * width * 3)..<((y + 1) * width * 3)]
        }
        var size = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(size))
        let status = compress2(&compressed, &size, raw, uLong(raw.count), 6)
        guard status == Z_OK else { throw PlotError("plot: zlib compress2 failed with status \(status)") }
        compressed.removeSubrange(Int(size)...)

        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, 2, 0, 0, 0]          // bit depth 8, colour type 2 (RGB), deflate, filter 0, no interlace
        chunk("IHDR", header, into: &out)
        chunk("IDAT", compressed, into: &out)
        chunk("IEND", [], into: &out)
        return out
    }

    private func chunk(_ type: String, _ data: [UInt8], into out: inout [UInt8]) {
        let typed = Array(type.utf8) + data
        out += bigEndian(UInt32(data.count)) + typed
        let crc = typed.withUnsafeBufferPointer { crc32(crc32(0, nil, 0), $0.baseAddress, uInt($0.count)) }
        out += bigEndian(UInt32(crc))
    }

    private func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
}
