import Foundation
import Testing
@testable import MoonData
import MoonEngine

/// safetensors files: round trips, the dtypes other programs write, and hundreds of damaged
/// copies, each of which must end in a `DataError` naming the file (or, where the damage left
/// a valid file, in a loaded result). Never a crash.
@Suite struct SafeTensorsTests {
    /// A file from a header's JSON text and its data, as another program would write it.
    static func file(_ header: String, _ data: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) } + Array(header.utf8) + data
    }

    static func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    @Test func roundTripsNamesShapesAndMetadata() throws {
        let w = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let encoded = try SafeTensors.encode([("w", w), ("s", Tensor(7)), ("e", try Tensor.zeros([0, 2]))], metadata: ["k": "v"])
        let (tensors, metadata) = try SafeTensors.decode(encoded)
        #expect(tensors.map(\.name) == ["w", "s", "e"])
        let byName = Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) })
        #expect(byName["w"]!.toArray() == [1, 2, 3, 4, 5, 6] && byName["w"]!.shape == [2, 3])
        #expect(byName["s"]!.shape == [] && byName["e"]!.shape == [0, 2])
        #expect(metadata["k"] == "v" && metadata[SafeTensors.checksumKey]?.count == 8)
        // The header is padded to a multiple of 8 bytes, as Python's writer does.
        let n = encoded.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(n % 8 == 0)
    }

    @Test func readsOtherDtypesAsFloat32() throws {
        let half: [UInt16] = [0xC000, 0x3C00, 0x0001, 0x7BFF]            // -2, 1, the smallest subnormal, 65504
        let bf16: [UInt16] = [0xC000, 0x3F80, 0x4020]                     // -2, 1, 2.5
        let header = """
            {"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},\
            "b":{"dtype":"BF16","shape":[3],"data_offsets":[8,14]},\
            "d":{"dtype":"F64","shape":[1],"data_offsets":[14,22]},\
            "i":{"dtype":"I32","shape":[2],"data_offsets":[22,30]},\
            "u":{"dtype":"U8","shape":[2],"data_offsets":[30,32]},\
            "t":{"dtype":"BOOL","shape":[2],"data_offsets":[32,34]},\
            "l":{"dtype":"I64","shape":[],"data_offsets":[34,42]}}
            """
        let data = Self.bytes(half) + Self.bytes(bf16) + Self.bytes([0.125]) + Self.bytes([Int32(-7), 1 << 20])
            + [255, 3] + [0, 9] + Self.bytes([Int64(-123456)])
        let t = Dictionary(uniqueKeysWithValues: try SafeTensors.decode(Self.file(header, data)).tensors.map { ($0.name, $0.tensor) })
        #expect(t["h"]!.toArray() == [-2, 1, 0x1p-24, 65504])
        #expect(t["b"]!.toArray() == [-2, 1, 2.5])
        #expect(t["d"]!.toArray() == [0.125])
        #expect(t["i"]!.toArray() == [-7, 1_048_576])
        #expect(t["u"]!.toArray() == [255, 3])
        #expect(t["t"]!.toArray() == [0, 1])
        #expect(t["l"]!.toArray() == [-123456] && t["l"]!.shape == [])
    }

    @Test func refusesEachKindOfDamageWithItsReason() {
        let two = Self.bytes([Float(1), 2])
        let cases: [(String, [UInt8])] = [
            ("fewer than the 8-byte header length", [1, 2, 3]),
            ("the header claims 18446744073709551615 bytes", [UInt8](repeating: 0xFF, count: 8) + Array("{}".utf8)),
            ("the header is not a JSON object", Self.file("{\"w\":", two)),
            ("outside the data", Self.file(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,9]}}"#, two)),
            ("overlaps the one before it", Self.file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, two)),
            ("has a hole", Self.file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, two)),
            ("dtype C64, which moonlab does not read", Self.file(#"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, two)),
            ("'a' is listed twice", Self.file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, two)),
            ("is larger than the data", Self.file(#"{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, two)),
        ]
        for (reason, bytes) in cases {
            do {
                _ = try SafeTensors.decode(bytes, source: "f.safetensors")
                Issue.record("decoded a file that should fail with '\(reason)'")
            } catch let e as DataError {
                #expect(e.description.hasPrefix("f.safetensors") && e.description.contains(reason), "\(e.description)")
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func damagedMoonlabFilesFailNamingTheFile() throws {
        // moonlab's own files carry a checksum: every damaged copy that still parses must
        // either fail it or be byte-identical in its data.
        let base = try SafeTensors.encode([("kernel", try Tensor.arange(0, 40).reshape([8, 5])), ("bias", try Tensor.arange(0, 5))])
        let failed = FileReaderTests.fuzz(base, ext: "safetensors", seed: 11, truncationsFail: true) { try SafeTensors.read($0) }
        #expect(failed >= 200)
    }

    @Test func damagedForeignHeadersFailNamingTheFile() {
        // Without a checksum only the header protects the file: damage it byte by byte.
        let header = #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"I64","shape":[1],"data_offsets":[16,24]}}"#
        let base = Self.file(header, Self.bytes([Float(1), 2, 3, 4]) + Self.bytes([Int64(5)]))
        FileReaderTests.fuzz(base, ext: "safetensors", seed: 12, focus: 0..<(8 + header.utf8.count), truncationsFail: true) {
            try SafeTensors.read($0)
        }
    }

    @Test func refusesReservedAndRepeatedNames() {
        #expect(throws: DataError.self) { try SafeTensors.encode([("__metadata__", Tensor(1))]) }
        #expect(throws: DataError.self) { try SafeTensors.encode([("a", Tensor(1)), ("a", Tensor(2))]) }
        #expect(throws: DataError.self) { try SafeTensors.encode([("", Tensor(1))]) }
    }
}

/// `.npz` archives written by moonlab, read back by the archive reader.
@Suite struct NPZWriterTests {
    @Test func writesArraysTheReaderReadsBack() throws {
        let tmp = TempFolder()
        let path = tmp.path("a.npz")
        let x = try Tensor.randn([3, 2, 2])
        try NPZArchive.write([("x", x, .float32), ("y", Tensor([0, 7, -3]), .int64), ("empty", try Tensor.zeros([0]), .float32)], to: path)
        let arrays = try NPZArchive.readDetailed(path)
        #expect(arrays.map(\.name) == ["x", "y", "empty"])
        #expect(arrays.map(\.descr) == ["<f4", "<i8", "<f4"])
        #expect(arrays[0].array.toArray() == x.toArray() && arrays[0].array.shape == [3, 2, 2])
        #expect(arrays[1].array.toArray() == [0, 7, -3])
        #expect(arrays[2].array.shape == [0])
    }

    @Test func datasetsKeepIntegerLabels() throws {
        let ds = try Dataset(name: "t", x: try Tensor.rand([4, 1, 2, 2]), y: Tensor([1, 0, 2, 1]))
        let arrays = try NPZArchive.arrays(ds)
        #expect(arrays.map(\.name) == ["x", "y"] && arrays.map(\.stored) == [.float32, .int64])
        let soft = try Dataset(name: "t", x: try Tensor.rand([2, 3]), y: Tensor([0.5, 1]))
        #expect(try NPZArchive.arrays(soft).map(\.stored) == [.float32, .float32])
    }

    @Test func refusesWhatItCannotWrite() throws {
        let tmp = TempFolder()
        #expect(throws: DataError.self) { try NPZArchive.write([("a", Tensor([0.5]), .int64)], to: tmp.path("a.npz")) }
        #expect(throws: DataError.self) { try NPZArchive.write([("a", Tensor(1), .float32), ("a", Tensor(2), .float32)], to: tmp.path("b.npz")) }
        // A failed write leaves nothing behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.url.path).isEmpty)
    }
}
