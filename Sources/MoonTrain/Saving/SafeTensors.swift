import Foundation
import MoonEngine
import MoonData

/// The safetensors format (Hugging Face), which Python's `safetensors` reads:
///
///     8 bytes   N, the header length, unsigned little-endian
///     N bytes   a JSON object: for each tensor {"dtype": "F32", "shape": [...],
///               "data_offsets": [begin, end]} (byte offsets into the data that follows),
///               and "__metadata__": a map of strings to strings; padded with spaces to a
///               multiple of 8 bytes
///     the data  each tensor's elements, row-major, little-endian, packed without holes
///
/// moonlab writes and reads float32 (`F32`) tensors only. It adds `data_crc32` to the
/// metadata: the CRC-32 of the data, checked on reading, so a damaged file is an error rather
/// than silently wrong weights (other readers ignore the entry).
public enum SafeTensors {
    /// The bytes of a safetensors file holding `tensors` (in that order) and `metadata`.
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata given: [String: String] = [:]) throws -> [UInt8] {
        var header: [(String, JSONValue)] = []
        var data: [UInt8] = []
        for (_, t) in tensors {
            let values = try t.contiguous()
            // Float32 in memory is already little-endian on every platform Swift on Linux runs on.
            try values.withUnsafeMutableBufferPointer { data.append(contentsOf: UnsafeRawBufferPointer($0)) }
        }
        var metadata = given
        metadata[checksumKey] = data.withUnsafeBytes { Checksum.crc32Hex($0) }
        header.append(("__metadata__", .object(metadata.map { ($0.key, .string($0.value)) })))
        var offset = 0
        var seen = Set<String>()
        for (name, t) in tensors {
            guard name != "__metadata__", !name.isEmpty, seen.insert(name).inserted else {
                throw TrainingError("safetensors: tensor name '\(name)' is empty, reserved or repeated")
            }
            let bytes = t.count * 4
            header.append((name, ["dtype": "F32", "shape": .array(t.shape.map { .int($0) }),
                                  "data_offsets": [.int(offset), .int(offset + bytes)]]))
            offset += bytes
        }
        var json = Array(JSONValue.object(header).encoded.utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + json.count + offset)
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: json)
        out.append(contentsOf: data)
        return out
    }

    /// The metadata entry holding the data's CRC-32 (8 hex digits).
    public static let checksumKey = "data_crc32"

    /// Writes a safetensors file atomically (see `AtomicFile`).
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to path: String) throws {
        try AtomicFile.write(try encode(tensors, metadata: metadata), to: path)
    }

    /// The tensors (in file order) and metadata of a safetensors file's bytes.
    public static func decode(_ bytes: [UInt8], source: String = "safetensors data") throws
        -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        func fail(_ why: String) -> TrainingError { TrainingError("\(source) is not a valid safetensors file: \(why)") }
        guard bytes.count >= 8 else { throw fail("it has \(bytes.count) bytes, fewer than the 8-byte header length") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8), n < 100_000_000 else {
            throw fail("the header claims \(n) bytes but the file holds \(bytes.count - 8) after the length")
        }
        let headerEnd = 8 + Int(n)
        guard let text = String(validating: bytes[8..<headerEnd], as: UTF8.self),
              let header = try? JSONValue.parse(text), case .object(let entriesJSON) = header else {
            throw fail("the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        if let m = header["__metadata__"] {
            guard case .object(let d) = m else { throw fail("__metadata__ is not a map of strings") }
            for (k, v) in d {
                guard let s = v.string else { throw fail("__metadata__ entry '\(k)' is not a string") }
                metadata[k] = s
            }
        }
        let dataSize = bytes.count - headerEnd
        var entries: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        var names = Set<String>()
        for (name, d) in entriesJSON where name != "__metadata__" {
            guard names.insert(name).inserted else { throw fail("tensor '\(name)' is listed twice") }
            guard case .object = d, let dtype = d["dtype"]?.string,
                  let shapeAny = d["shape"]?.items, let offsAny = d["data_offsets"]?.items, offsAny.count == 2 else {
                throw fail("entry '\(name)' lacks dtype, shape or data_offsets")
            }
            guard dtype == "F32" else {
                throw TrainingError("\(source): tensor '\(name)' has dtype \(dtype); moonlab reads F32 only")
            }
            let shape = shapeAny.compactMap(\.int)
            guard shape.count == shapeAny.count, shape.allSatisfy({ $0 >= 0 }),
                  let begin = offsAny[0].int, let end = offsAny[1].int,
                  begin >= 0, end >= begin, end <= dataSize else {
                throw fail("entry '\(name)' has a bad shape or offsets outside the data (\(dataSize) bytes)")
            }
            let (elements, overflow) = shape.reduce((1, false)) { acc, d in
                let r = acc.0.multipliedReportingOverflow(by: d); return (r.partialValue, acc.1 || r.overflow)
            }
            guard !overflow, elements * 4 == end - begin else {
                throw fail("entry '\(name)' of shape \(shape) spans \(end - begin) bytes, not \(elements * 4)")
            }
            entries.append((name, shape, begin, end))
        }
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var expected = 0
        for e in entries {
            guard e.begin == expected else { throw fail("the data has a hole or overlap at byte \(expected) ('\(e.name)')") }
            expected = e.end
        }
        guard expected == dataSize else { throw fail("\(dataSize - expected) bytes of data belong to no tensor") }
        if let stored = metadata[checksumKey] {
            let actual = bytes.withUnsafeBytes { Checksum.crc32Hex(UnsafeRawBufferPointer(rebasing: $0[headerEnd...])) }
            guard stored.lowercased() == actual else {
                throw TrainingError("\(source) is damaged: its tensor data has checksum \(actual), the file records \(stored)")
            }
        }
        var tensors: [(String, Tensor)] = []
        for e in entries {
            let t = try Tensor.make(e.shape, op: "safetensors") { buf in
                bytes.withUnsafeBytes { raw in
                    if buf.count > 0 { memcpy(buf.baseAddress!, raw.baseAddress! + headerEnd + e.begin, 4 * buf.count) }
                }
            }
            tensors.append((e.name, t))
        }
        return (tensors, metadata)
    }

    /// Reads a safetensors file.
    public static func read(_ path: String) throws -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainingError("cannot read \(path): " + (FileManager.default.fileExists(atPath: path) ? "permission denied or a folder" : "no such file"))
        }
        return try decode([UInt8](data), source: path)
    }
}
