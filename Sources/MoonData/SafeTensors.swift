import Foundation
import MoonEngine

/// The safetensors format (Hugging Face), which Python's `safetensors` reads:
///
///     8 bytes   N, the header length, unsigned little-endian
///     N bytes   a JSON object: for each tensor {"dtype": "F32", "shape": [...],
///               "data_offsets": [begin, end]} (byte offsets into the data that follows),
///               and "__metadata__": a map of strings to strings; padded with spaces to a
///               multiple of 8 bytes
///     the data  each tensor's elements, row-major, little-endian, packed without holes
///
/// moonlab writes float32 (`F32`) tensors. It reads F32, F16, BF16, F64, I64, I32, I16, I8,
/// U64, U32, U16, U8 and BOOL, each into a float32 tensor (integers beyond 2^24 and F64
/// values lose precision). It adds `data_crc32` to the metadata: the CRC-32 of the data,
/// checked on reading when present, so a damaged file is an error rather than silently
/// wrong weights (other readers ignore the entry). Every fault of a file (truncated, a
/// header that is not JSON, offsets outside the data, overlaps, holes, unknown dtypes, a
/// header length beyond the file) is a thrown error naming the file.
public enum SafeTensors {
    /// The metadata entry holding the data's CRC-32 (8 hex digits).
    public static let checksumKey = "data_crc32"
    /// The largest header accepted (Python's reader has the same bound).
    static let maxHeaderBytes: UInt64 = 100_000_000

    /// The element types read, with the `.npy` dtype each converts like (`BF16` has its own).
    static let dtypes: [String: (size: Int, npy: String?)] = [
        "F32": (4, "<f4"), "F16": (2, "<f2"), "BF16": (2, nil), "F64": (8, "<f8"),
        "I64": (8, "<i8"), "I32": (4, "<i4"), "I16": (2, "<i2"), "I8": (1, "|i1"),
        "U64": (8, "<u8"), "U32": (4, "<u4"), "U16": (2, "<u2"), "U8": (1, "|u1"), "BOOL": (1, "|b1"),
    ]

    // MARK: writing

    /// The bytes of a safetensors file holding `tensors` (in that order) and `metadata`.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata given: [String: String] = [:]) throws -> [UInt8] {
        var seen = Set<String>()
        for (name, _) in tensors where name == "__metadata__" || name.isEmpty || !seen.insert(name).inserted {
            throw DataError("safetensors: tensor name '\(name)' is empty, reserved or repeated")
        }
        var data: [UInt8] = []
        data.reserveCapacity(tensors.reduce(0) { $0 + 4 * $1.tensor.count })
        var header: [(String, JSONValue)] = []
        for (name, t) in tensors {
            let begin = data.count
            // Float32 in memory is already little-endian on every platform Swift on Linux runs on.
            try t.contiguous().withUnsafeMutableBufferPointer { data.append(contentsOf: UnsafeRawBufferPointer($0)) }
            header.append((name, ["dtype": "F32", "shape": .array(t.shape.map { .int($0) }),
                                  "data_offsets": [.int(begin), .int(data.count)]]))
        }
        var metadata = given
        metadata[checksumKey] = data.withUnsafeBytes { Checksum.crc32Hex($0) }
        header.insert(("__metadata__", .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })), at: 0)
        var json = Array(JSONValue.object(header).encoded.utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + json.count + data.count)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out += json
        out += data
        return out
    }

    /// Writes a safetensors file atomically (see `AtomicFile`).
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to path: String) throws {
        try AtomicFile.write(try encode(tensors, metadata: metadata), to: path)
    }

    // MARK: reading

    /// One tensor's entry in the header.
    struct Entry {
        let name: String
        let dtype: String
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    /// The tensors (in data order) and metadata of a safetensors file's bytes.
    public static func decode(_ bytes: [UInt8], source: String = "safetensors data") throws
        -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        let (entries, metadata, dataStart) = try parseHeader(bytes, source: source)
        if let stored = metadata[checksumKey] {
            let actual = bytes.withUnsafeBytes { Checksum.crc32Hex(UnsafeRawBufferPointer(rebasing: $0[dataStart...])) }
            guard stored.lowercased() == actual else {
                throw DataError("\(source) is damaged: its tensor data has checksum \(actual), the file records \(stored)")
            }
        }
        let tensors = try bytes.withUnsafeBytes { raw in
            try entries.map { e in
                (e.name, try Tensor.make(e.shape, op: "safetensors \(source)") { out in
                    convert(raw.baseAddress! + dataStart + e.begin, out, dtype: e.dtype)
                })
            }
        }
        return (tensors, metadata)
    }

    /// Reads a safetensors file.
    public static func read(_ path: String) throws -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        try decode(try DataFile.read(path, "a safetensors file"), source: path)
    }

    /// The checked entries (sorted by offset), the metadata and where the data starts.
    static func parseHeader(_ bytes: [UInt8], source: String) throws -> (entries: [Entry], metadata: [String: String], dataStart: Int) {
        func fail(_ why: String) -> DataError { DataError("\(source) is not a valid safetensors file: \(why)") }
        guard bytes.count >= 8 else { throw fail("it has \(bytes.count) bytes, fewer than the 8-byte header length") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8), n <= maxHeaderBytes else {
            throw fail("the header claims \(n) bytes but the file holds \(bytes.count - 8) after the length")
        }
        let dataStart = 8 + Int(n)
        guard let text = String(validating: bytes[8..<dataStart], as: UTF8.self),
              let header = try? JSONValue.parse(text), case .object(let pairs) = header else {
            throw fail("the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        let dataSize = bytes.count - dataStart
        var entries: [Entry] = []
        var names = Set<String>()
        for (name, d) in pairs {
            guard names.insert(name).inserted else { throw fail("'\(name)' is listed twice") }
            if name == "__metadata__" {
                guard case .object(let m) = d else { throw fail("__metadata__ is not a map of strings") }
                for (k, v) in m {
                    guard let s = v.string else { throw fail("__metadata__ entry '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            entries.append(try entry(name, d, dataSize: dataSize, fail))
        }
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var expected = 0
        for e in entries {
            guard e.begin >= expected else { throw fail("tensor '\(e.name)' overlaps the one before it (its data starts at byte \(e.begin), before \(expected))") }
            guard e.begin == expected else { throw fail("the data has a hole at bytes \(expected)..<\(e.begin) (before '\(e.name)')") }
            expected = e.end
        }
        guard expected == dataSize else { throw fail("\(dataSize - expected) bytes of data belong to no tensor") }
        return (entries, metadata, dataStart)
    }

    /// One header entry, checked against the data's size.
    static func entry(_ name: String, _ d: JSONValue, dataSize: Int, _ fail: (String) -> DataError) throws -> Entry {
        guard case .object = d, let dtype = d["dtype"]?.string,
              let shapeAny = d["shape"]?.items, let offsets = d["data_offsets"]?.items, offsets.count == 2 else {
            throw fail("entry '\(name)' lacks dtype, shape or data_offsets")
        }
        guard let size = dtypes[dtype]?.size else {
            throw fail("tensor '\(name)' has dtype \(dtype), which moonlab does not read (it reads \(dtypes.keys.sorted().joined(separator: ", ")))")
        }
        let shape = shapeAny.compactMap(\.int)
        guard shape.count == shapeAny.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw fail("entry '\(name)' has a bad shape \(shapeAny.map(\.shortText))")
        }
        guard let begin = offsets[0].int, let end = offsets[1].int, begin >= 0, end >= begin, end <= dataSize else {
            throw fail("entry '\(name)' has data_offsets \(offsets.map(\.shortText)) outside the data (\(dataSize) bytes)")
        }
        var elements = size
        for dim in shape {
            let (p, overflow) = elements.multipliedReportingOverflow(by: dim)
            guard !overflow, p <= dataSize else { throw fail("entry '\(name)' of shape \(shapeText(shape)) is larger than the data (\(dataSize) bytes)") }
            elements = p
        }
        guard elements == end - begin else {
            throw fail("entry '\(name)' of shape \(shapeText(shape)) and dtype \(dtype) needs \(elements) bytes, its offsets span \(end - begin)")
        }
        return Entry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
    }

    /// Converts one tensor's elements of a known `dtype` at `src` into floats.
    static func convert(_ src: UnsafeRawPointer, _ out: UnsafeMutableBufferPointer<Float>, dtype: String) {
        guard out.count > 0 else { return }
        if let npy = dtypes[dtype]?.npy, let t = NPYFormat.DType(npy) {
            NPYFormat.convert(src, out.baseAddress!, out.count, t)
            return
        }
        // BF16: the upper half of a float32.
        for i in 0..<out.count {
            out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
        }
    }
}

extension SafeTensors {
    /// `{metadata=}` of `tensor.save`: strings stored in the file's `__metadata__`.
    public struct SaveOptions: MoonBase.Options {
        public var metadata = Metadata()
        public init() {}
        public static var fields: [OptionField<SaveOptions>] {
            [OptionField("metadata", \.metadata, "a table of strings (numbers and booleans are written as text) kept in the header's __metadata__")]
        }
    }

    /// A map of strings, as the header's `__metadata__` holds.
    public struct Metadata: OptionValue, Sendable {
        public var values: [String: String] = [:]
        public init() {}
        public init?(option: JSONValue) throws {
            if case .array(let items) = option, items.isEmpty { return }
            guard case .object(let pairs) = option else { return nil }
            for (key, value) in pairs {
                switch value {
                case .string(let s): values[key] = s
                case .int, .double, .bool: values[key] = value.encoded
                default: throw DataError("entry '\(key)' must be a string, got \(value.shortText)")
                }
            }
            if values[checksumKey] != nil { throw DataError("entry '\(checksumKey)' is moonlab's own (the data's checksum)") }
        }
        public var option: JSONValue { .object(values.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }) }
        public static var optionType: String { "a table of strings" }
    }

    /// Writes named tensors (sorted by name, so the file is the same whatever order a Lua
    /// table gives them in) with `metadata`, atomically.
    public static func save(_ tensors: [(name: String, values: Tensor)], _ options: SaveOptions, to path: String) throws {
        guard !tensors.isEmpty else { throw DataError("no tensors to save: give a table of name = tensor") }
        try write(tensors.sorted { $0.name < $1.name }.map { ($0.name, $0.values) }, metadata: options.metadata.values, to: path)
    }
}
