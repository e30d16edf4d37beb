import Foundation
import CMoonPNG
import MoonEngine

/// Decodes PNG files through libpng (in the C helper `CMoonPNG`, whose setjmp keeps
/// libpng's longjmp out of Swift frames).
public enum PNGReader {
    /// The channels to decode into.
    public enum Mode: Int32, Sendable {
        /// Gray files give 1 channel, colour (RGB or palette) files 3.
        case native = 0
        case gray = 1
        case rgb = 3
    }

    /// A decoded image: `height x width x channels` bytes, row-major, interleaved.
    public struct Image: Sendable {
        public let width: Int
        public let height: Int
        public let channels: Int
        /// Whether the file itself stores colour.
        public let isColor: Bool
        public let pixels: [UInt8]
    }

    /// Largest width or height accepted; a header claiming more is treated as corrupt.
    public static let maxSide = 16384

    /// Decodes a PNG file. Alpha is dropped, 16-bit samples become 8-bit, palettes and low
    /// bit depths are expanded, interlacing is undone; `gray` uses libpng's RGB-to-gray weights.
    public static func read(_ path: String, mode: Mode = .native) throws -> Image {
        try DataFile.checkFile(path, "a PNG file")
        var image = moon_png_image()
        var message = [CChar](repeating: 0, count: 512)
        let status = moon_png_decode(path, mode.rawValue, Int32(maxSide), &image, &message, message.count)
        guard status == 0, let raw = image.pixels else {
            let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw DataError("\(path): \(text.isEmpty ? "cannot decode the PNG file" : text)")
        }
        defer { free(raw) }
        let count = Int(image.width) * Int(image.height) * Int(image.channels)
        return Image(width: Int(image.width), height: Int(image.height), channels: Int(image.channels),
                     isColor: image.color != 0, pixels: Array(UnsafeBufferPointer(start: raw, count: count)))
    }

    /// A PNG file as a `{C, H, W}` tensor in [0, 1].
    public static func readTensor(_ path: String, mode: Mode = .native) throws -> Tensor {
        let img = try read(path, mode: mode)
        return try Tensor.make([img.channels, img.height, img.width], op: "png \(path)") { out in
            planar(img, into: out.baseAddress!)
        }
    }

    /// Writes an image's interleaved bytes as planar floats in [0, 1] (`C x H x W`).
    static func planar(_ img: Image, into dst: UnsafeMutablePointer<Float>) {
        let c = img.channels, plane = img.width * img.height
        img.pixels.withUnsafeBufferPointer { src in
            for p in 0..<plane {
                for k in 0..<c { dst[k * plane + p] = Float(src[p * c + k]) * (1 / 255) }
            }
        }
    }
}
