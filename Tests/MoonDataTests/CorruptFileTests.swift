import Foundation
import Testing
@testable import MoonData
import MoonEngine

/// Feeds the IDX reader hundreds of damaged copies of real MNIST files: truncated, with
/// flipped magic bytes, wrong dims, wrong dtypes, trailing bytes, broken gzip streams. Each
/// must end in a thrown `DataError` naming the file, or (when the damage left a valid file)
/// in exactly what an independent check of the bytes expects. Never a crash.
@Suite struct CorruptFileTests {
    /// What a damaged file should give.
    enum Expectation {
        /// The decompressed content is known: valid IDX bytes must load, others must fail.
        case content([UInt8])
        /// A damaged gzip stream: an error, or (damage in ignored bits) the original content.
        case errorOrSame([UInt8])
    }

    struct Variant {
        let name: String
        let bytes: [UInt8]
        let expect: Expectation
    }

    /// An independent reading of IDX bytes: the dims and values when valid, else nil.
    static func reference(_ c: [UInt8]) -> (dims: [Int], values: [Float])? {
        guard c.count >= 4, c[0] == 0, c[1] == 0 else { return nil }
        let sizes: [UInt8: Int] = [0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8]
        guard let size = sizes[c[2]] else { return nil }
        let n = Int(c[3])
        guard n >= 1, n <= 8, c.count >= 4 + 4 * n else { return nil }
        var dims: [Int] = []
        var total = size
        for d in 0..<n {
            let o = 4 + 4 * d
            let v = Int(c[o]) << 24 | Int(c[o + 1]) << 16 | Int(c[o + 2]) << 8 | Int(c[o + 3])
            guard v > 0 else { return nil }
            total = total.multipliedReportingOverflow(by: v).overflow ? Int.max : total * v
            guard total <= 1 << 32 else { return nil }
            dims.append(v)
        }
        guard c.count == 4 + 4 * n + total else { return nil }
        let payload = Array(c[(4 + 4 * n)...])
        var values: [Float] = []
        switch c[2] {
        case 0x08: values = payload.map { Float($0) }
        case 0x09: values = payload.map { Float(Int8(bitPattern: $0)) }
        case 0x0B: values = stride(from: 0, to: payload.count, by: 2).map { Float(Int16(bitPattern: UInt16(payload[$0]) << 8 | UInt16(payload[$0 + 1]))) }
        default:
            // Wider types: compare shapes only; floats must be finite.
            if c[2] == 0x0D {
                for i in stride(from: 0, to: payload.count, by: 4) {
                    let bits = UInt32(payload[i]) << 24 | UInt32(payload[i + 1]) << 16 | UInt32(payload[i + 2]) << 8 | UInt32(payload[i + 3])
                    if !Float(bitPattern: bits).isFinite { return nil }
                }
            }
            if c[2] == 0x0E {
                for i in stride(from: 0, to: payload.count, by: 8) {
                    var bits: UInt64 = 0
                    for k in 0..<8 { bits = bits << 8 | UInt64(payload[i + k]) }
                    if !Float(Double(bitPattern: bits)).isFinite { return nil }
                }
            }
            return (dims, [])
        }
        return (dims, values)
    }

    /// The damaged copies of one real file's uncompressed bytes.
    static func variants(of base: [UInt8], label: String) -> [Variant] {
        var out: [Variant] = []
        var rng = RandomGenerator(seed: 42)
        func add(_ name: String, _ bytes: [UInt8]) { out.append(Variant(name: "\(label) \(name)", bytes: bytes, expect: .content(bytes))) }
        let ndims = Int(base[3])
        let headerLength = 4 + 4 * ndims

        // Truncations: through the header byte by byte, then across the payload.
        var cuts = Set(0...(headerLength + 2))
        for k in 1...40 { cuts.insert(headerLength + (base.count - headerLength) * k / 41) }
        cuts.insert(base.count - 1)
        for cut in cuts.sorted() { add("truncated to \(cut) bytes", Array(base[..<cut])) }

        // Flipped magic bytes (dtype and dim count included).
        for i in 0..<4 {
            for mask: UInt8 in [0x01, 0x02, 0x04, 0x08, 0x10, 0x40, 0x80, 0xFF] {
                var b = base; b[i] ^= mask
                add("magic byte \(i + 1) xor \(mask)", b)
            }
        }
        // Every dtype code, known or not.
        for code: UInt8 in [0x00, 0x01, 0x07, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x88, 0xFF] {
            var b = base; b[2] = code
            add("dtype 0x\(String(code, radix: 16))", b)
        }
        // Wrong dims.
        for d in 0..<ndims {
            let o = 4 + 4 * d
            let have = Int(base[o]) << 24 | Int(base[o + 1]) << 16 | Int(base[o + 2]) << 8 | Int(base[o + 3])
            for v in [0, 1, have - 1, have + 1, 2 * have, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x0100_0000] {
                var b = base
                b[o] = UInt8(v >> 24 & 255); b[o + 1] = UInt8(v >> 16 & 255); b[o + 2] = UInt8(v >> 8 & 255); b[o + 3] = UInt8(v & 255)
                add("dim \(d + 1) set to \(v)", b)
            }
        }
        // Trailing bytes.
        for extra in [1, 2, 3, 4, 100, 4096, 70_000] {
            add("with \(extra) trailing bytes", base + [UInt8](repeating: 0xAB, count: extra))
        }
        // Random garbage of several sizes, and garbage after a good header.
        for size in [1, 3, 16, 100, 5000] {
            add("\(size) random bytes", (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.nextUInt64()) })
            add("header and \(size) random bytes", Array(base[..<headerLength]) + (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.nextUInt64()) })
        }

        // The same damage inside a valid gzip stream, for a sample of the raw variants.
        let raw = out
        for (k, v) in raw.enumerated() where k % 3 == 0 {
            out.append(Variant(name: v.name + " (gzipped)", bytes: Fixtures.gzip(v.bytes), expect: v.expect))
        }
        // Damaged gzip streams: truncated, bytes flipped, garbage after a gzip magic.
        let gz = Fixtures.gzip(base)
        for k in 0...30 {
            let cut = k < 12 ? k : 12 + (gz.count - 12) * (k - 12) / 19
            guard cut < gz.count else { continue }
            out.append(Variant(name: "\(label) gzip truncated to \(cut) of \(gz.count) bytes", bytes: Array(gz[..<cut]),
                               expect: cut == 0 ? .content([]) : .errorOrSame(base)))
        }
        for k in 0..<40 {
            var b = gz
            let pos = k < 20 ? k : Int(rng.nextInt(below: gz.count))
            b[pos] ^= UInt8(1 << (k % 8))
            out.append(Variant(name: "\(label) gzip byte \(pos + 1) flipped", bytes: b, expect: .errorOrSame(base)))
        }
        for size in [0, 1, 10, 100, 1000, 20000] {
            let g = [0x1F, 0x8B, 0x08, 0x00] + (0..<size).map { _ in UInt8(truncatingIfNeeded: rng.nextUInt64()) }
            out.append(Variant(name: "\(label) gzip magic and \(size) random bytes", bytes: g, expect: .errorOrSame(base)))
        }
        return out
    }

    static func realBases() -> [(String, [UInt8])] {
        let labels = Fixtures.inflate(Fixtures.mnist + "/t10k-labels-idx1-ubyte.gz")
        let images = Fixtures.inflate(Fixtures.mnist + "/t10k-images-idx3-ubyte.gz")
        // The first 300 test images, with the header's count set to match.
        var small = Array(images[..<(16 + 300 * 784)])
        small[4] = 0; small[5] = 0; small[6] = 0x01; small[7] = 0x2C
        return [("labels", labels), ("images", small)]
    }

    @Test func everyDamagedFileEndsInAClearError() throws {
        let tmp = TempFolder()
        var total = 0, failures = 0, loaded = 0
        var problems: [String] = []
        for (label, base) in Self.realBases() {
            #expect(Self.reference(base) != nil, "the undamaged \(label) file must be valid")
            for (i, v) in Self.variants(of: base, label: label).enumerated() {
                total += 1
                let path = tmp.write("\(label)-\(i).idx", v.bytes)
                var result: (IDXReader.Header, Tensor)?
                var thrown: (any Error)?
                do { result = try IDXReader.read(path) } catch { thrown = error }
                if let thrown {
                    failures += 1
                    guard let e = thrown as? DataError else {
                        problems.append("\(v.name): threw \(type(of: thrown)) \(thrown), not a DataError"); continue
                    }
                    if !e.description.hasPrefix(path + ": ") && !e.description.contains(path) {
                        problems.append("\(v.name): message does not name the file: \(e.description)")
                    }
                    if e.description.count < path.count + 10 {
                        problems.append("\(v.name): message too short to say the fault: \(e.description)")
                    }
                }
                let content: [UInt8]
                switch v.expect {
                case .content(let c): content = c
                case .errorOrSame(let c):
                    content = c
                    if thrown != nil { continue }
                }
                let ref = Self.reference(content)
                switch (ref, result) {
                case (nil, nil), (nil, _?) where thrown != nil: break
                case (nil, let r?):
                    problems.append("\(v.name): loaded as \(r.0.dims) but the bytes are not a valid IDX file")
                case (let ref?, nil):
                    problems.append("\(v.name): valid IDX \(ref.dims) but the reader failed: \(thrown.map { "\($0)" } ?? "?")")
                case (let ref?, let r?):
                    loaded += 1
                    if r.1.shape != ref.dims { problems.append("\(v.name): shape \(r.1.shape), expected \(ref.dims)") }
                    if !ref.values.isEmpty && r.1.toArray() != ref.values { problems.append("\(v.name): values differ from the bytes") }
                }
            }
        }
        #expect(total >= 300, "only \(total) variants")
        #expect(failures >= total * 8 / 10, "\(failures) errors of \(total) variants")
        let report = problems.prefix(30).joined(separator: "\n")
        #expect(problems.isEmpty, "\(problems.count) problems:\n\(report)")
        print("corrupt-file test: \(total) variants, \(failures) clear errors, \(loaded) still-valid files loaded correctly")
    }

    /// Damaged label files paired with good images: every pair load fails cleanly.
    @Test func damagedPairsFailCleanly() throws {
        let tmp = TempFolder()
        let images = tmp.write("images.gz", Fixtures.gzip(Self.realBases()[1].1))
        var labels = Array(Fixtures.inflate(Fixtures.mnist + "/t10k-labels-idx1-ubyte.gz")[..<(8 + 299)])
        labels[6] = 0x01; labels[7] = 0x2B   // 299 labels for 300 images
        let l = tmp.write("labels", labels)
        let m = message { try IDXReader.readPair(images: images, labels: l) }
        #expect(m?.contains("300 images") == true && m?.contains("299 labels") == true)
        #expect(message { try DataSets.idx(images: images, labels: images) }?.contains("label file needs 1 dim") == true)
    }
}
