import Foundation
import CZlib
@testable import MoonData
import MoonEngine

/// Real files for the reader tests, made from the first MNIST test digits, and the damage
/// the fuzz tests do to them.
enum ReaderFixtures {
    /// The first `n` MNIST test images as bytes (n x 784) and their labels.
    static func digits(_ n: Int) -> (pixels: [[UInt8]], labels: [Int]) {
        let images = Fixtures.inflate(Fixtures.mnist + "/t10k-images-idx3-ubyte.gz")
        let labels = Fixtures.inflate(Fixtures.mnist + "/t10k-labels-idx1-ubyte.gz")
        return ((0..<n).map { Array(images[(16 + 784 * $0)..<(16 + 784 * ($0 + 1))]) },
                (0..<n).map { Int(labels[8 + $0]) })
    }

    /// Kaggle-style CSV: `label,pixel0,...,pixel783`.
    static func csv(_ n: Int) -> [UInt8] {
        let (pixels, labels) = digits(n)
        var s = "label," + (0..<784).map { "pixel\($0)" }.joined(separator: ",") + "\n"
        for i in 0..<n { s += "\(labels[i])," + pixels[i].map(String.init).joined(separator: ",") + "\n" }
        return Array(s.utf8)
    }

    /// A zip archive of the given entries (stored or raw-deflated), as NumPy's savez writes.
    static func zip(_ entries: [(name: String, data: [UInt8], deflate: Bool)]) -> [UInt8] {
        var out: [UInt8] = [], directory: [UInt8] = []
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 255), UInt8(v >> 8 & 255)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16 & 0xFFFF) }
        for e in entries {
            let crc = e.data.withUnsafeBufferPointer { Int(crc32(0, $0.baseAddress, UInt32($0.count))) }
            let body = e.deflate ? deflateRaw(e.data) : e.data
            let name = Array(e.name.utf8)
            let offset = out.count
            let common = le16(20) + le16(0) + le16(e.deflate ? 8 : 0) + le16(0) + le16(0x21)
                + le32(crc) + le32(body.count) + le32(e.data.count) + le16(name.count)
            out += le32(0x0403_4B50) + common + le16(0) + name + body
            directory += le32(0x0201_4B50) + le16(20) + common + le16(0) + le16(0) + le16(0) + le16(0)
                + le32(0) + le32(offset) + name
        }
        let dirOffset = out.count
        out += directory
        out += le32(0x0605_4B50) + le16(0) + le16(0) + le16(entries.count) + le16(entries.count)
            + le32(directory.count) + le32(dirOffset) + le16(0)
        return out
    }

    static func deflateRaw(_ data: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        deflateInit2_(&stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(data.count))) + 64)
        var input = data
        input.withUnsafeMutableBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in
                stream.next_in = i.baseAddress
                stream.avail_in = UInt32(i.count)
                stream.next_out = o.baseAddress
                stream.avail_out = UInt32(o.count)
                _ = deflate(&stream, Z_FINISH)
            }
        }
        return Array(out[..<Int(stream.total_out)])
    }

    /// An `.npy` file with a hand-written header and payload.
    static func npy(descr: String, shape: String, fortran: Bool = false, payload: [UInt8], version: UInt8 = 1) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
        let pre = version == 1 ? 10 : 12
        header += String(repeating: " ", count: (64 - (pre + header.utf8.count + 1) % 64) % 64) + "\n"
        let n = header.utf8.count
        let length: [UInt8] = version == 1 ? [UInt8(n & 255), UInt8(n >> 8)] : [UInt8(n & 255), UInt8(n >> 8 & 255), 0, 0]
        return [0x93] + Array("NUMPY".utf8) + [version, 0] + length + Array(header.utf8) + payload
    }

    /// Damaged copies of a file: truncations, flipped bytes, overwritten bytes, trailing
    /// garbage and random bytes. `strictPrefixesFail`: every truncation must be an error.
    static func damage(_ base: [UInt8], seed: UInt64, focus: Range<Int>? = nil) -> [(name: String, bytes: [UInt8], truncated: Bool)] {
        var out: [(String, [UInt8], Bool)] = []
        var rng = RandomGenerator(seed: seed)
        var cuts = Set(0..<min(base.count, 80))
        for k in 1...60 { cuts.insert(base.count * k / 61) }
        cuts.insert(base.count - 1)
        for cut in cuts.sorted() where cut < base.count { out.append(("truncated to \(cut) bytes", Array(base[..<cut]), true)) }
        let region = focus ?? 0..<base.count
        for k in 0..<160 {
            var b = base
            let pos = k < min(120, region.count) ? region.lowerBound + k : region.lowerBound + rng.nextInt(below: region.count)
            if k % 2 == 0 { b[pos] ^= UInt8(1 << (k % 8)) } else { b[pos] = UInt8(truncatingIfNeeded: rng.nextUInt64()) }
            out.append(("byte \(pos + 1) changed", b, false))
        }
        for k in 0..<40 {
            var b = base
            let pos = rng.nextInt(below: base.count)
            b[pos] ^= 0xFF
            b[(pos * 7 + k) % base.count] ^= 0x55
            out.append(("two bytes changed near \(pos + 1)", b, false))
        }
        for extra in [1, 7, 100] { out.append(("\(extra) trailing bytes", base + [UInt8](repeating: 0x2C, count: extra), false)) }
        for size in [1, 10, 100, 3000] {
            out.append(("\(size) random bytes", (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.nextUInt64()) }, false))
        }
        return out
    }
}
