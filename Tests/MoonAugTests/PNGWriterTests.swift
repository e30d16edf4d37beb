import CZlib
import Foundation
import Testing
@testable import MoonAug
import MoonData
import MoonEngine

/// A PNG decoded by hand: chunks parsed and checked (CRC), IDAT inflated with zlib.
struct DecodedPNG {
    var width = 0, height = 0, bitDepth = 0, colorType = 0, interlace = 0
    var chunkTypes: [String] = []
    var rows: [[UInt8]] = []  // filter byte removed
    var filters: Set<UInt8> = []

    init(_ bytes: [UInt8]) throws {
        struct Bad: Error { let why: String }
        guard bytes.count > 8, Array(bytes[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw Bad(why: "signature")
        }
        func u32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        var pos = 8
        var idat: [UInt8] = []
        while pos + 12 <= bytes.count {
            let length = u32(pos)
            let typed = Array(bytes[(pos + 4)..<(pos + 8 + length)])
            let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
            guard Int(crc) == u32(pos + 8 + length) else { throw Bad(why: "crc") }
            let type = String(decoding: typed[0..<4], as: UTF8.self)
            let data = Array(typed[4...])
            chunkTypes.append(type)
            if type == "IHDR" {
                width = Int(data[0]) << 24 | Int(data[1]) << 16 | Int(data[2]) << 8 | Int(data[3])
                height = Int(data[4]) << 24 | Int(data[5]) << 16 | Int(data[6]) << 8 | Int(data[7])
                bitDepth = Int(data[8]); colorType = Int(data[9]); interlace = Int(data[12])
            }
            if type == "IDAT" { idat += data }
            pos += 12 + length
        }
        guard pos == bytes.count else { throw Bad(why: "trailing bytes") }
        let channels = colorType == 2 ? 3 : 1
        let stride = width * channels + 1
        var raw = [UInt8](repeating: 0, count: stride * height)
        var rawLength = uLong(raw.count)
        guard uncompress(&raw, &rawLength, idat, uLong(idat.count)) == Z_OK, Int(rawLength) == raw.count else {
            throw Bad(why: "inflate")
        }
        for y in 0..<height {
            filters.insert(raw[y * stride])
            rows.append(Array(raw[(y * stride + 1)..<((y + 1) * stride)]))
        }
    }
}

@Suite struct PNGWriterTests {
    let folder: String = {
        let p = NSTemporaryDirectory() + "moonaug-png-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        try! FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }()

    @Test func grayImageDecodes() throws {
        let pixels: [UInt8] = (0..<20).map { UInt8($0 * 13) }
        let path = folder + "/gray.png"
        try PNGWriter.write(path, width: 5, height: 4, color: .gray, pixels: pixels)
        let png = try DecodedPNG(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(png.chunkTypes == ["IHDR", "IDAT", "IEND"])
        #expect((png.width, png.height, png.bitDepth, png.colorType, png.interlace) == (5, 4, 8, 0, 0))
        #expect(png.filters == [0])
        #expect(png.rows.flatMap { $0 } == pixels)
        // Nothing left behind but the file itself (the temporary was renamed).
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["gray.png"])
    }

    @Test func rgbTensorDecodes() throws {
        // {3, 2, 3}: R rises along x, G along y, B constant; values clamp to [0, 1].
        let t = images(1, 3, 2, 3) { _, c, y, x in [Float(x) / 2, Float(y) * 2, -1][c] }
        let path = folder + "/rgb.png"
        try PNGWriter.write(try t.select(0, 0), to: path)
        let png = try DecodedPNG(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect((png.width, png.height, png.colorType) == (3, 2, 2))
        #expect(png.rows[0] == [0, 0, 0, 128, 0, 0, 255, 0, 0])
        #expect(png.rows[1] == [0, 255, 0, 128, 255, 0, 255, 255, 0])
    }

    @Test func badInputsAreErrors() throws {
        #expect(message { try PNGWriter.encode(width: 2, height: 2, color: .rgb, pixels: [1, 2, 3]) }?
            .contains("3 bytes do not make a 2 x 2 rgb image") == true)
        #expect(message { try PNGWriter.write(folder + "/no/such/dir/x.png", width: 1, height: 1, color: .gray, pixels: [0]) }?
            .hasPrefix("png: cannot write") == true)
        #expect(message { try PNGWriter.write(try Tensor.zeros([2, 4, 4]), to: folder + "/x.png") }?
            .contains("1 or 3 channels") == true)
    }

    @Test func previewWritesOriginalsBesideAugmentedCopies() throws {
        let x = images(5, 1, 4, 6) { n, _, y, x in Float(n + y + x) / 16 }
        let path = folder + "/preview.png"
        let size = try Preview.write(x, transform: try RandomHorizontalFlip(p: 1), to: path, count: 5, columns: 2, scale: 1)
        let png = try DecodedPNG(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        // 2 pairs a row, 3 rows; pairs are 6 + 1 + 6 wide, gaps of 3.
        #expect(size.width == 2 * 13 + 3 * 3 && size.height == 3 * 4 + 4 * 3)
        #expect((png.width, png.height, png.colorType) == (size.width, size.height, 0))
        // Image 0: original at (3, 3), flipped copy at (3 + 7, 3).
        for y in 0..<4 {
            for xx in 0..<6 {
                let v = PNGWriter.byte(Float(y + xx) / 16)
                #expect(png.rows[3 + y][3 + xx] == v)
                #expect(png.rows[3 + y][10 + (5 - xx)] == v)
            }
        }
    }
}
