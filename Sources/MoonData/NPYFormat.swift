import Foundation
import MoonEngine

/// NumPy's `.npy` format, read and written, so arrays move to and from Python.
///
/// A file is the magic `\x93NUMPY`, a version (1.0, 2.0 or 3.0), a little-endian header
/// length (2 bytes in 1.0, 4 after), and a header that is a Python dict literal:
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`, padded with spaces to
/// a multiple of 16 (64 since NumPy 1.x) and ended by a newline; the data follows, exactly
/// `prod(shape)` values. Read: the dtypes `f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1`, little or
/// big endian, C or Fortran order (transposed into C order), all as float32 tensors (integers
/// beyond 2^24 lose precision). Written: float32 tensors as `<f4` (whole numbers as `<i8` on request), C order, version 1.0.
public enum NPYFormat {
    /// The parsed header of an `.npy` file.
    public struct Header: Equatable, Sendable {
        /// The dtype string as written (`<f4`).
        public let descr: String
        public let fortranOrder: Bool
        public let shape: [Int]
    }

    /// A dtype this reader converts.
    struct DType {
        enum Kind { case float, signed, unsigned, bool }
        let kind: Kind
        let size: Int
        let bigEndian: Bool

        init?(_ descr: String) {
            let chars = Array(descr)
            guard chars.count >= 3, let size = Int(String(chars[2...])) else { return nil }
            switch chars[0] {
            case "<", "|", "=": bigEndian = false
            case ">": bigEndian = true
            default: return nil
            }
            switch (chars[1], size) {
            case ("f", 2), ("f", 4), ("f", 8): kind = .float
            case ("i", 1), ("i", 2), ("i", 4), ("i", 8): kind = .signed
            case ("u", 1), ("u", 2), ("u", 4), ("u", 8): kind = .unsigned
            case ("b", 1): kind = .bool
            default: return nil
            }
            self.size = size
        }
    }

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]   // \x93NUMPY
    /// The dtypes the reader accepts, for messages.
    static let known = "<f4 <f8 <f2 |u1 |i1 <i2 <u2 <i4 <u4 <i8 <u8 |b1 (and big-endian >)"

    // MARK: reading

    /// Reads an `.npy` file into a float32 tensor of its shape.
    public static func read(_ path: String) throws -> Tensor {
        let bytes = try DataFile.read(path, "a .npy file")
        return try bytes.withUnsafeBytes { try decode($0, name: path) }
    }

    /// Decodes `.npy` bytes; `name` (the file, or `archive.npz:entry`) prefixes every error.
    public static func decode(_ bytes: UnsafeRawBufferPointer, name: String) throws -> Tensor {
        let (header, dataOffset) = try parseHeader(bytes, name: name)
        guard let dtype = DType(header.descr) else {
            throw DataError("\(name): unsupported dtype '\(header.descr)' (supported: \(known))")
        }
        var count = 1
        for d in header.shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, p <= DataFile.maxBytes else {
                throw DataError("\(name): shape \(shapeText(header.shape)) is too large: a corrupt header")
            }
            count = p
        }
        let need = count * dtype.size
        let have = bytes.count - dataOffset
        if have < need {
            throw DataError("\(name): truncated: shape \(shapeText(header.shape)) of '\(header.descr)' needs \(need) data bytes, the file holds \(have)")
        }
        if have > need {
            throw DataError("\(name): \(have - need) trailing bytes after the \(need) data bytes that shape \(shapeText(header.shape)) of '\(header.descr)' needs")
        }
        // Fortran order stores the transpose's C order: read with the reversed shape, then permute.
        let stored = header.fortranOrder ? Array(header.shape.reversed()) : header.shape
        let t: Tensor
        do {
            t = try Tensor.make(stored, op: "npy \(name)") { out in
                convert(bytes.baseAddress! + dataOffset, out.baseAddress!, count, dtype)
            }
        } catch let e as TensorError {
            throw DataError("\(name): \(e.message)")
        }
        if dtype.kind == .float {
            if let bad = try t.withUnsafeMutableBufferPointer({ $0.firstIndex { !$0.isFinite } }) {
                throw DataError("\(name): value \(bad + 1) of the data is not finite (NaN or infinity)")
            }
        }
        if header.fortranOrder && header.shape.count > 1 {
            return try t.permute(Array((0..<stored.count).reversed())).contiguous()
        }
        return t
    }

    /// The header and the offset of the data.
    static func parseHeader(_ b: UnsafeRawBufferPointer, name: String) throws -> (Header, Int) {
        guard b.count >= 10 else {
            throw DataError("\(name): not a .npy file: \(b.count) bytes, too short for the 10-byte preamble")
        }
        guard Array(b[0..<6]) == magic else {
            throw DataError("\(name): not a .npy file: the magic \\x93NUMPY is missing (starts \(hex(Array(b[0..<6]))))")
        }
        let major = b[6], minor = b[7]
        let lengthBytes: Int
        switch major {
        case 1: lengthBytes = 2
        case 2, 3: lengthBytes = 4
        default: throw DataError("\(name): unsupported .npy version \(major).\(minor) (known: 1.0, 2.0, 3.0)")
        }
        guard b.count >= 8 + lengthBytes else {
            throw DataError("\(name): truncated: the header length field is cut off")
        }
        var length = 0
        for k in 0..<lengthBytes { length |= Int(b[8 + k]) << (8 * k) }
        let start = 8 + lengthBytes
        guard length <= b.count - start else {
            throw DataError("\(name): truncated: the header claims \(length) bytes, the file holds \(b.count - start) after the preamble")
        }
        guard let text = String(bytes: b[start..<start + length], encoding: major == 3 ? .utf8 : .isoLatin1) else {
            throw DataError("\(name): the header is not text")
        }
        let header = try parseDict(text, name: name)
        return (header, start + length)
    }

    /// Parses `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
    static func parseDict(_ text: String, name: String) throws -> Header {
        var p = HeaderParser(chars: Array(text.unicodeScalars), name: name)
        var descr: String?, fortran: Bool?, shape: [Int]?
        try p.expect("{")
        while true {
            p.skipSpace()
            if p.peek == "}" { p.i += 1; break }
            let key = try p.string()
            try p.expect(":")
            switch key {
            case "descr":
                p.skipSpace()
                if p.peek == "[" {
                    throw DataError("\(name): structured dtypes (a 'descr' list) are not supported; save a plain numeric array")
                }
                descr = try p.string()
            case "fortran_order": fortran = try p.bool()
            case "shape": shape = try p.tuple()
            default: throw p.fail("unknown header key '\(key)'")
            }
            p.skipSpace()
            if p.peek == "," { p.i += 1; continue }
            try p.expect("}")
            break
        }
        guard let descr else { throw DataError("\(name): the header has no 'descr'") }
        guard let fortran else { throw DataError("\(name): the header has no 'fortran_order'") }
        guard let shape else { throw DataError("\(name): the header has no 'shape'") }
        return Header(descr: descr, fortranOrder: fortran, shape: shape)
    }

    struct HeaderParser {
        let chars: [Unicode.Scalar]
        let name: String
        var i = 0

        var peek: Unicode.Scalar? { i < chars.count ? chars[i] : nil }

        func fail(_ what: String) -> DataError {
            DataError("\(name): malformed header at character \(i + 1): \(what) (header: \(String(String.UnicodeScalarView(chars)).trimmingCharacters(in: .whitespacesAndNewlines).prefix(120)))")
        }

        mutating func skipSpace() {
            while let c = peek, c == " " || c == "\n" || c == "\t" || c == "\r" { i += 1 }
        }

        mutating func expect(_ c: Unicode.Scalar) throws {
            skipSpace()
            guard peek == c else { throw fail("expected '\(c)'") }
            i += 1
        }

        mutating func string() throws -> String {
            skipSpace()
            guard let q = peek, q == "'" || q == "\"" else { throw fail("expected a quoted string") }
            i += 1
            var out = String.UnicodeScalarView()
            while let c = peek, c != q { out.append(c); i += 1 }
            guard peek == q else { throw fail("unterminated string") }
            i += 1
            return String(out)
        }

        mutating func bool() throws -> Bool {
            skipSpace()
            for (word, value) in [("True", true), ("False", false)] {
                let w = Array(word.unicodeScalars)
                if i + w.count <= chars.count, Array(chars[i..<i + w.count]) == w { i += w.count; return value }
            }
            throw fail("expected True or False")
        }

        mutating func tuple() throws -> [Int] {
            try expect("(")
            var out: [Int] = []
            while true {
                skipSpace()
                if peek == ")" { i += 1; return out }
                var digits = 0, v = 0
                while let c = peek, c.value >= 48 && c.value <= 57 {
                    v = v * 10 + Int(c.value - 48)
                    if v > 1 << 40 { throw fail("dimension too large") }
                    digits += 1; i += 1
                }
                if digits == 0 { throw fail("expected a non-negative dimension") }
                if peek == "L" { i += 1 }   // Python 2 longs
                out.append(v)
                if out.count > 32 { throw fail("more than 32 dimensions") }
                skipSpace()
                if peek == "," { i += 1 } else if peek != ")" { throw fail("expected ',' or ')' in the shape") }
            }
        }
    }

    /// Converts `count` values of `dtype` at `src` into floats.
    static func convert(_ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int, _ dtype: DType) {
        let swap = dtype.bigEndian
        parallelChunks(count) { r in
            switch (dtype.kind, dtype.size) {
            case (.unsigned, 1), (.bool, 1):
                let s = src.assumingMemoryBound(to: UInt8.self)
                if dtype.kind == .bool { for i in r { dst[i] = s[i] != 0 ? 1 : 0 } } else { for i in r { dst[i] = Float(s[i]) } }
            case (.signed, 1):
                let s = src.assumingMemoryBound(to: Int8.self)
                for i in r { dst[i] = Float(s[i]) }
            case (.signed, 2):
                for i in r { let v = src.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self); dst[i] = Float(swap ? v.byteSwapped : v) }
            case (.unsigned, 2):
                for i in r { let v = src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self); dst[i] = Float(swap ? v.byteSwapped : v) }
            case (.float, 2):
                for i in r { let v = src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self); dst[i] = halfToFloat(swap ? v.byteSwapped : v) }
            case (.signed, 4):
                for i in r { let v = src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self); dst[i] = Float(swap ? v.byteSwapped : v) }
            case (.unsigned, 4):
                for i in r { let v = src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self); dst[i] = Float(swap ? v.byteSwapped : v) }
            case (.float, 4):
                for i in r { let v = src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self); dst[i] = Float(bitPattern: swap ? v.byteSwapped : v) }
            case (.signed, 8):
                for i in r { let v = src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self); dst[i] = Float(swap ? v.byteSwapped : v) }
            case (.unsigned, 8):
                for i in r { let v = src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self); dst[i] = Float(swap ? v.byteSwapped : v) }
            case (.float, 8):
                for i in r { let v = src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self); dst[i] = Float(Double(bitPattern: swap ? v.byteSwapped : v)) }
            default:
                break
            }
        }
    }

    /// IEEE half precision to single (subnormals, infinities and NaN included).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign: UInt32 = UInt32(h & 0x8000) << 16
        let exp = Int(h >> 10 & 0x1F), frac = UInt32(h & 0x3FF)
        if exp == 0 {
            let v = Float(frac) * 0x1p-24
            return sign != 0 ? -v : v
        }
        if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | frac << 13) }
        return Float(bitPattern: sign | UInt32(exp + 112) << 23 | frac << 13)
    }

    // MARK: writing

    /// How `encode` stores values: float32 (`<f4`), or int64 (`<i8`, for labels).
    public enum Stored: String, Sendable {
        case float32 = "<f4"
        case int64 = "<i8"
    }

    /// The `.npy` bytes of a tensor: `<f4` (or `<i8`, when every value is a whole number),
    /// C order, version 1.0, header padded to 64 bytes.
    public static func encode(_ t: Tensor, as stored: Stored = .float32, name: String = "tensor") throws -> [UInt8] {
        let c = t.isContiguous ? t : try t.contiguous()
        let shapeText: String
        switch c.shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(c.shape[0]),)"
        default: shapeText = "(" + c.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = "{'descr': '\(stored.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = magic + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        out += Array(header.utf8)
        let start = out.count
        let size = stored == .int64 ? 8 : 4
        out += [UInt8](repeating: 0, count: size * c.count)
        try c.withUnsafeMutableBufferPointer { values in
            try out.withUnsafeMutableBytes { raw in
                for (i, v) in values.enumerated() {
                    if stored == .float32 {
                        raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: start + 4 * i, as: UInt32.self)
                        continue
                    }
                    guard let whole = Int64(exactly: v) else {
                        throw DataError("\(name): value \(i + 1) (\(v)) is not a whole number, so it cannot be stored as int64")
                    }
                    raw.storeBytes(of: whole.littleEndian, toByteOffset: start + 8 * i, as: Int64.self)
                }
            }
        }
        return out
    }

    /// Whether every value of `t` is a whole number (labels), so `.int64` stores it exactly.
    public static func holdsWholeNumbers(_ t: Tensor) throws -> Bool {
        try t.contiguous().withUnsafeMutableBufferPointer { $0.allSatisfy { Int64(exactly: $0) != nil } }
    }

    /// Writes a tensor as an `.npy` file (`<f4`, C order), atomically.
    public static func write(_ t: Tensor, to path: String) throws {
        try DataFile.writeAtomically(path, try encode(t))
    }
}
