import Foundation
import CZlib
import MoonBase
import MoonEngine

/// NumPy's `.npz` archives: a zip file of `.npy` entries (`np.savez`: stored;
/// `np.savez_compressed`: deflated). Entries are found through the central directory
/// (zip64 records included), inflated with zlib's raw inflate, checked against their CRC-32,
/// and decoded by `NPYFormat`. Every fault is a `DataError` naming the archive and the entry.
public enum NPZArchive {
    /// One entry of the central directory.
    struct Entry {
        let name: String
        let method: Int
        let flags: Int
        let crc: UInt32
        let compressedSize: Int
        let size: Int
        let localOffset: Int
    }

    /// Reads every array of an `.npz` file, keyed by name without `.npy`, in archive order.
    public static func read(_ path: String) throws -> [(name: String, array: Tensor)] {
        try readDetailed(path).map { ($0.name, $0.array) }
    }

    /// Like `read`, with each array's stored dtype (`|u1`), so callers can scale bytes.
    public static func readDetailed(_ path: String) throws -> [(name: String, array: Tensor, descr: String)] {
        let bytes = try DataFile.read(path, "an .npz file")
        return try bytes.withUnsafeBytes { b in
            let entries = try centralDirectory(b, path: path)
            var out: [(String, Tensor, String)] = []
            var seen = Set<String>()
            for e in entries {
                let label = "\(path):\(e.name)"
                let key = e.name.hasSuffix(".npy") ? String(e.name.dropLast(4)) : e.name
                guard seen.insert(key).inserted else { throw DataError("\(path): entry '\(e.name)' appears twice") }
                let (t, descr) = try withContents(b, e, path: path) { d -> (Tensor, String) in
                    let (header, _) = try NPYFormat.parseHeader(d, name: label)
                    return (try NPYFormat.decode(d, name: label), header.descr)
                }
                out.append((key, t, descr))
            }
            return out
        }
    }

    static func u16(_ b: UnsafeRawBufferPointer, _ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
    static func u32(_ b: UnsafeRawBufferPointer, _ o: Int) -> Int { u16(b, o) | u16(b, o + 2) << 16 }
    static func u64(_ b: UnsafeRawBufferPointer, _ o: Int) -> Int {
        let hi = u32(b, o + 4)
        return hi >= 1 << 30 ? Int.max : u32(b, o) | hi << 32
    }

    /// The entries listed in the central directory.
    static func centralDirectory(_ b: UnsafeRawBufferPointer, path: String) throws -> [Entry] {
        // The end-of-central-directory record lies in the last 22 + 65535 bytes.
        guard b.count >= 22 else {
            if b.count >= 4, u32(b, 0) == 0x0403_4B50 {
                throw DataError("\(path): truncated zip archive: \(b.count) bytes, the end-of-directory record is missing")
            }
            throw DataError("\(path): not an .npz (zip) file: \(b.count) bytes, too short for a zip directory")
        }
        var eocd = -1
        var o = b.count - 22
        while o >= max(0, b.count - 22 - 65535) {
            if u32(b, o) == 0x0605_4B50 { eocd = o; break }
            o -= 1
        }
        guard eocd >= 0 else {
            if b.count >= 4, u32(b, 0) == 0x0403_4B50 {
                throw DataError("\(path): truncated zip archive: the end-of-directory record is missing")
            }
            throw DataError("\(path): not an .npz (zip) file: no zip directory found")
        }
        var count = u16(b, eocd + 10), size = u32(b, eocd + 12), offset = u32(b, eocd + 16)
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            // Zip64: a locator just before the record points at the zip64 record.
            let loc = eocd - 20
            guard loc >= 0, u32(b, loc) == 0x0706_4B50 else {
                throw DataError("\(path): corrupt zip archive: zip64 sizes without a zip64 locator")
            }
            let z = u64(b, loc + 8)
            guard z <= b.count - 56, u32(b, z) == 0x0606_4B50 else {
                throw DataError("\(path): corrupt zip archive: the zip64 directory record is missing")
            }
            count = u64(b, z + 32); size = u64(b, z + 40); offset = u64(b, z + 48)
        }
        guard offset <= b.count, size <= b.count - offset else {
            throw DataError("\(path): corrupt zip archive: the directory (\(size) bytes at \(offset)) lies outside the \(b.count)-byte file")
        }
        guard count <= size / 46 else {
            throw DataError("\(path): corrupt zip archive: \(count) entries cannot fit in a \(size)-byte directory")
        }
        var entries: [Entry] = []
        var p = offset
        for k in 0..<count {
            guard p + 46 <= offset + size, u32(b, p) == 0x0201_4B50 else {
                throw DataError("\(path): corrupt zip archive: directory entry \(k + 1) of \(count) is damaged")
            }
            let nameLength = u16(b, p + 28), extraLength = u16(b, p + 30), commentLength = u16(b, p + 32)
            let end = p + 46 + nameLength + extraLength + commentLength
            guard end <= offset + size else {
                throw DataError("\(path): corrupt zip archive: directory entry \(k + 1) runs past the directory")
            }
            guard let name = String(bytes: UnsafeRawBufferPointer(rebasing: b[(p + 46)..<(p + 46 + nameLength)]), encoding: .utf8) else {
                throw DataError("\(path): corrupt zip archive: entry \(k + 1) has a name that is not UTF-8")
            }
            var compressed = u32(b, p + 20), plain = u32(b, p + 24), local = u32(b, p + 42)
            // Zip64 extra field: the 64-bit values of the fields saturated above, in order.
            var e = p + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = u16(b, e), length = u16(b, e + 2)
                guard e + 4 + length <= extraEnd else { break }
                if id == 0x0001 {
                    var q = e + 4
                    func next() -> Int? {
                        guard q + 8 <= e + 4 + length else { return nil }
                        defer { q += 8 }
                        return u64(b, q)
                    }
                    if plain == 0xFFFF_FFFF, let v = next() { plain = v }
                    if compressed == 0xFFFF_FFFF, let v = next() { compressed = v }
                    if local == 0xFFFF_FFFF, let v = next() { local = v }
                }
                e += 4 + length
            }
            entries.append(Entry(name: name, method: u16(b, p + 10), flags: u16(b, p + 8),
                                 crc: UInt32(u32(b, p + 16)), compressedSize: compressed,
                                 size: plain, localOffset: local))
            p = end
        }
        return entries
    }

    /// Calls `body` with the uncompressed bytes of one entry, CRC-checked (stored entries
    /// are read in place, without a copy).
    static func withContents<R>(_ b: UnsafeRawBufferPointer, _ e: Entry, path: String,
                                _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let label = "\(path): entry '\(e.name)'"
        if e.flags & 1 != 0 { throw DataError("\(label) is encrypted") }
        guard e.localOffset <= b.count - 30, u32(b, e.localOffset) == 0x0403_4B50 else {
            throw DataError("\(label): its local header at byte \(e.localOffset) is missing or damaged")
        }
        let start = e.localOffset + 30 + u16(b, e.localOffset + 26) + u16(b, e.localOffset + 28)
        guard start <= b.count, e.compressedSize <= b.count - start else {
            throw DataError("\(label): truncated: \(e.compressedSize) compressed bytes at \(start) run past the end of the \(b.count)-byte file")
        }
        guard e.size <= DataFile.maxBytes else { throw DataError("\(label) claims \(e.size) bytes: a corrupt directory") }
        let data = UnsafeRawBufferPointer(rebasing: b[start..<(start + e.compressedSize)])
        func checked(_ d: UnsafeRawBufferPointer) throws -> R {
            let crc = UInt32(crc32(0, d.baseAddress?.assumingMemoryBound(to: Bytef.self), UInt32(d.count)))
            guard crc == e.crc else {
                throw DataError("\(label): CRC-32 mismatch (stored \(String(format: "%08x", e.crc)), computed \(String(format: "%08x", crc))): the data is corrupt")
            }
            return try body(d)
        }
        switch e.method {
        case 0:
            guard e.compressedSize == e.size else {
                throw DataError("\(label): a stored entry of \(e.size) bytes holds \(e.compressedSize)")
            }
            return try checked(data)
        case 8:
            let out = try inflateRaw(data, size: e.size, label: label)
            return try out.withUnsafeBytes { try checked($0) }
        default:
            throw DataError("\(label) uses zip compression method \(e.method) (supported: 0 stored, 8 deflated)")
        }
    }

    /// Inflates a raw deflate stream that must yield exactly `size` bytes.
    static func inflateRaw(_ data: UnsafeRawBufferPointer, size: Int, label: String) throws -> [UInt8] {
        try Allocation.check(count: size, bytesEach: 1, op: label, what: "an entry that claims \(size) bytes")
        var out = [UInt8](repeating: 0, count: max(size, 1))
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError("\(label): cannot start zlib inflate")
        }
        defer { inflateEnd(&stream) }
        var status: Int32 = Z_OK
        var produced = 0
        out.withUnsafeMutableBytes { o in
            stream.next_in = UnsafeMutablePointer(mutating: data.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = UInt32(data.count)
            stream.next_out = o.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = UInt32(size)
            status = inflate(&stream, Z_FINISH)
            produced = Int(stream.total_out)
        }
        if status == Z_STREAM_END && produced == size { out.removeLast(out.count - size); return out }
        if status == Z_DATA_ERROR {
            let msg = stream.msg.map { String(cString: $0) } ?? "invalid data"
            throw DataError("\(label): corrupt deflate data (zlib: \(msg))")
        }
        if status == Z_BUF_ERROR || status == Z_OK {
            if stream.avail_out == 0 && status != Z_STREAM_END {
                throw DataError("\(label): inflates to more than the \(size) bytes the directory gives")
            }
            throw DataError("\(label): truncated deflate data (\(produced) of \(size) bytes)")
        }
        if status == Z_STREAM_END {
            throw DataError("\(label): inflates to \(produced) bytes, the directory gives \(size)")
        }
        throw DataError("\(label): zlib inflate failed (code \(status))")
    }
}

extension NPZArchive {
    /// `{x=, y=, scale=, shape=, name=, class_names=}` of `data.npz`: which arrays make a
    /// dataset, and how.
    public struct Options: MoonBase.Options {
        public var x: String? = nil
        public var y: ArrayNames? = nil
        public var scale: Double? = nil
        public var shape: [Int]? = nil
        public var name: String? = nil
        public var classNames: [String]? = nil
        public init() {}
        public static var fields: [OptionField<Options>] {
            [OptionField("x", \.x, "the input array's name (nil: no dataset, a table of every array)"),
             OptionField("y", \.y, "the label array's name, or {target=array name, ...} (nil: all-zero labels)"),
             OptionField("scale", \.scale, "multiplies x (nil: 1/255 for unsigned bytes, else 1)"),
             OptionField("shape", \.shape, "one sample's shape (nil: N x H x W becomes N x 1 x H x W)"),
             OptionField("name", \.name, "the dataset's name (nil: x's)"),
             OptionField("class_names", \.classNames, "a name per label, in label order")]
        }
    }

    /// An array's name, or target names mapped to array names.
    public enum ArrayNames: OptionValue, Sendable {
        case single(String)
        case named([(String, String)])
        public init?(option: JSONValue) throws {
            if let s = option.string { self = .single(s); return }
            guard case .object(let pairs) = option else { return nil }
            guard !pairs.isEmpty else { throw DataError("is an empty table") }
            self = .named(try pairs.map { key, value in
                guard let s = value.string else { throw DataError("must map target names to array names, got \(key) = \(value.shortText)") }
                return (key, s)
            })
        }
        public var option: JSONValue {
            switch self {
            case .single(let s): return .string(s)
            case .named(let pairs): return .object(pairs.map { ($0.0, .string($0.1)) })
            }
        }
        public static var optionType: String { "an array name or a table of them" }
    }

    /// The dataset `options` pick out of `arrays` (read from `path`), or nil when they name no x.
    public static func dataset(_ arrays: [(name: String, array: Tensor, descr: String)], path: String, _ o: Options) throws -> Dataset? {
        guard let xName = o.x else {
            for (key, given) in [("y", o.y != nil), ("scale", o.scale != nil), ("shape", o.shape != nil)] where given {
                throw DataError("option '\(key)' needs x= (the name of the input array)")
            }
            return nil
        }
        func array(_ name: String) throws -> (array: Tensor, descr: String) {
            guard let a = arrays.first(where: { $0.name == name }) else {
                throw DataError("\(path) has no array '\(name)' (arrays: \(arrays.map(\.name).joined(separator: ", ")))")
            }
            return (a.array, a.descr)
        }
        let (raw, descr) = try array(xName)
        guard raw.rank >= 1 else { throw DataError("array '\(xName)' is 0-d; x needs the samples along dim 1") }
        let scale = o.scale ?? (descr.hasSuffix("u1") ? 1.0 / 255 : 1)
        var x = scale == 1 ? raw : try raw.mul(Float(scale))
        if let shape = o.shape {
            guard !shape.isEmpty, shape.allSatisfy({ $0 >= 1 }) else {
                throw DataError("option 'shape' must hold positive sizes, got {\(shape.map(String.init).joined(separator: ","))}")
            }
            x = try x.reshape([x.shape[0]] + shape)
        } else if x.rank == 3 {
            x = try x.reshape([x.shape[0], 1, x.shape[1], x.shape[2]])
        }
        let targets: Targets
        switch o.y {
        case nil: targets = .single(try Tensor.zeros([x.shape[0]]))
        case .single(let name)?: targets = .single(try array(name).array)
        case .named(let pairs)?: targets = .named(try pairs.sorted { $0.0 < $1.0 }.map { ($0.0, try array($0.1).array) })
        }
        return try Dataset(name: o.name ?? xName, x: x, targets: targets, classNames: o.classNames)
    }
}
