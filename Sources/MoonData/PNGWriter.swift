import CZlib
import Foundation
import MoonEngine

/// Writes 8-bit grey or RGB PNG files, encoded here with zlib's `compress2` and `crc32` (no
/// libpng, so no longjmp anywhere near Swift frames). Files are written to a temporary file
/// beside the target and renamed over it, so a reader never sees half a file.
public enum PNGWriter {
    public enum ColorType: UInt8, Sendable {
        case gray = 0
        case rgb = 2
        public var channels: Int { self == .gray ? 1 : 3 }
    }

    /// The PNG bytes of an image: `pixels` holds `height` rows of `width` pixels, each 1 byte
    /// (grey) or 3 (R, G, B), row-major.
    public static func encode(width: Int, height: Int, color: ColorType, pixels: [UInt8]) throws -> [UInt8] {
        guard width >= 1, height >= 1, width < 1 << 24, height < 1 << 24 else {
            throw DataError(in: "png", "image size \(width) x \(height) is not writable (1..16777215 each)")
        }
        let rowBytes = width * color.channels
        guard pixels.count == rowBytes * height else {
            throw DataError(in: "png", "\(pixels.count) bytes do not make a \(width) x \(height) \(color) image (\(rowBytes * height) needed)")
        }
        // Each row starts with filter type 0 (none).
        var raw = [UInt8](repeating: 0, count: (rowBytes + 1) * height)
        pixels.withUnsafeBufferPointer { src in
            raw.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    (dst.baseAddress! + y * (rowBytes + 1) + 1).update(from: src.baseAddress! + y * rowBytes, count: rowBytes)
                }
            }
        }
        var compressedLength = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
        let status = compress2(&compressed, &compressedLength, raw, uLong(raw.count), 6)
        guard status == Z_OK else { throw DataError(in: "png", "zlib compress failed with status \(status)") }
        compressed.removeSubrange(Int(compressedLength)...)

        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header += bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, color.rawValue, 0, 0, 0]  // bit depth, colour type, deflate, filter, no interlace
        chunk("IHDR", header, into: &out)
        chunk("IDAT", compressed, into: &out)
        chunk("IEND", [], into: &out)
        return out
    }

    /// Encodes and writes an image to `path` atomically (see `AtomicFile`).
    public static func write(_ path: String, width: Int, height: Int, color: ColorType, pixels: [UInt8]) throws {
        let bytes = try encode(width: width, height: height, color: color, pixels: pixels)
        do { try AtomicFile.write(bytes, to: path) } catch let e as DataError {
            throw DataError(in: "png", e.message)
        }
    }

    /// Writes a `{C, H, W}` (C = 1 or 3) or `{H, W}` tensor of values in [0, 1] (clamped) as a
    /// grey or RGB PNG.
    public static func write(_ image: Tensor, to path: String) throws {
        let shape = image.rank == 2 ? [1] + image.shape : image.shape
        guard shape.count == 3, shape[0] == 1 || shape[0] == 3 else {
            throw DataError(in: "png", "expected an H x W or C x H x W image with 1 or 3 channels, got shape \(shapeText(image.shape))")
        }
        let (c, h, w) = (shape[0], shape[1], shape[2])
        let values = image.toArray()
        var pixels = [UInt8](repeating: 0, count: c * h * w)
        for y in 0..<h {
            for x in 0..<w {
                for ch in 0..<c { pixels[(y * w + x) * c + ch] = byte(values[(ch * h + y) * w + x]) }
            }
        }
        try write(path, width: w, height: h, color: c == 1 ? .gray : .rgb, pixels: pixels)
    }

    /// A value in [0, 1] as a byte (rounded; clamped; NaN as 0).
    @inline(__always)
    public static func byte(_ v: Float) -> UInt8 {
        guard v > 0 else { return 0 }
        return v >= 1 ? 255 : UInt8((v * 255).rounded())
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    /// Appends a chunk: length, type, data, CRC-32 of type and data.
    static func chunk(_ type: String, _ data: [UInt8], into out: inout [UInt8]) {
        let typed = Array(type.utf8) + data
        out += bigEndian(UInt32(data.count))
        out += typed
        let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        out += bigEndian(UInt32(crc))
    }
}
