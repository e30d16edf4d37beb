import Foundation
import MoonEngine
import Testing
import MoonData
@testable import MoonTrain

@Suite struct SavingTests {
    @Test func safetensorsRoundTrip() throws {
        let a = try Tensor([1, -2.5, 3, 4, 5, 6], shape: [2, 3]), b = Tensor([7])
        let scalar = Tensor(Float(0.5)), empty = try Tensor.zeros([0, 4])
        let bytes = try SafeTensors.encode([("a", a), ("b", b), ("s", scalar), ("e", empty)], metadata: ["k": "v"])
        let (tensors, metadata) = try SafeTensors.decode(bytes)
        #expect(tensors.map(\.name) == ["a", "e", "b", "s"] || tensors.map(\.name) == ["a", "b", "s", "e"] || Set(tensors.map(\.name)) == ["a", "b", "s", "e"])
        let byName = Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0.tensor) })
        #expect(byName["a"]!.shape == [2, 3] && byName["a"]!.toArray() == a.toArray())
        #expect(byName["s"]!.shape == [] && byName["s"]!.toArray() == [0.5])
        #expect(byName["e"]!.shape == [0, 4])
        #expect(metadata["k"] == "v" && metadata.count == 2)
        #expect(metadata[SafeTensors.checksumKey]?.count == 8)
    }

    @Test func headerFormatByteByByte() throws {
        let t = try Tensor([1, 2], shape: [2])
        let bytes = try SafeTensors.encode([("w", t)], metadata: ["format": "x"])
        // 8-byte little-endian header length, then the JSON header padded to a multiple of 8.
        let n = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(n % 8 == 0)
        #expect(bytes.count == 8 + n + 8)
        let header = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
        #expect(header.trimmingCharacters(in: .whitespaces) ==
                #"{"__metadata__":{"data_crc32":"2e3fa576","format":"x"},"w":{"data_offsets":[0,8],"dtype":"F32","shape":[2]}}"#)
        // data_crc32 is zlib's CRC-32 of the data bytes (Python: '%08x' % zlib.crc32(struct.pack('<2f', 1, 2))).
        #expect(header.hasPrefix("{"))
        // The data: 1.0 and 2.0 as little-endian IEEE float32.
        #expect(Array(bytes[(8 + n)...]) == [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40])
    }

    @Test func rejectsDamagedFiles() throws {
        let good = try SafeTensors.encode([("w", Tensor([1, 2]))])
        #expect(throws: TrainingError.self) { try SafeTensors.decode(Array(good.dropLast(1))) }
        #expect(throws: TrainingError.self) { try SafeTensors.decode([1, 2, 3]) }
        var bad = good
        bad[0] = 0xFF
        #expect(throws: TrainingError.self) { try SafeTensors.decode(bad) }
    }

    /// An independent reader (Python's standard library, no packages: the format is an 8-byte
    /// length, a JSON header and raw little-endian data) reads what we write.
    @Test func pythonReadsOurFiles() throws {
        let folder = try temporaryFolder()
        let path = folder + "/w.safetensors"
        try SafeTensors.write([("dense_1.kernel", try Tensor([1, 2, 3, 4, 5, 6], shape: [3, 2])), ("dense_1.bias", Tensor([0.5, -0.5]))],
                              metadata: ["format": "moonlab.model"], to: path)
        let script = """
        import json, struct, sys
        data = open(sys.argv[1], "rb").read()
        n = struct.unpack("<Q", data[:8])[0]
        header = json.loads(data[8:8 + n])
        body = data[8 + n:]
        def read(name):
            e = header[name]
            a, b = e["data_offsets"]
            return e["dtype"], e["shape"], list(struct.unpack("<%df" % ((b - a) // 4), body[a:b]))
        dt, shape, k = read("dense_1.kernel")
        _, _, bias = read("dense_1.bias")
        print(tuple(shape), dt, sum(k), bias, header["__metadata__"]["format"])
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        p.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "(3, 2) F32 21.0 [0.5, -0.5] moonlab.model", "\(out)")
    }

    @Test func atomicWriteKeepsTheOldFileOnFailure() throws {
        let folder = try temporaryFolder()
        let path = folder + "/model.moon"
        try AtomicFile.write(Array("old contents".utf8), to: path)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try AtomicFile.write(to: path) { fd in
                try AtomicFile.writeAll(fd, Array("half of the new".utf8), path: path)
                throw Boom()
            }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old contents")
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["model.moon"])
        try AtomicFile.write(Array("new".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new")
        #expect(throws: DataError.self) { try AtomicFile.write([1], to: folder + "/missing/x.moon") }
    }

    @Test func modelFileRoundTripAndMismatches() throws {
        let folder = try temporaryFolder()
        let m = try TinyModel(inputs: 3, outputs: 2, seed: 1)
        let opt = try Adam(params: m.parameters) { $0.lr = 0.01 }
        m.w.grad = try Tensor.ones([3, 2]); m.b.grad = try Tensor.ones([2])
        try opt.step()
        try ModelFile.save(m, optimizer: opt, to: folder + "/m.moon")
        let saved = try ModelFile.read(folder + "/m.moon")
        #expect(saved.format == "moonlab.model")
        #expect(saved.architecture["inputs"]?.int == 3)
        #expect(Set(saved.optimizerState.keys) == ["0.m", "0.v", "1.m", "1.v"])
        let other = try TinyModel(inputs: 3, outputs: 2, seed: 2)
        try ModelFile.loadWeights(saved.weights, into: other, source: "m.moon")
        #expect(other.w.toArray() == m.w.toArray())
        let restored = try saved.makeOptimizer(params: other.parameters)!
        #expect(restored is Adam && restored.iterations == 1 && restored.lr == 0.01)

        let wrong = try TinyModel(inputs: 4, outputs: 2)
        do {
            try ModelFile.loadWeights(saved.weights, into: wrong, source: "m.moon")
            Issue.record("expected an error")
        } catch let e as TrainingError {
            #expect(e.message == "m.moon does not match the model: dense_1.kernel has shape {3,2} in the file, {4,2} in the model")
        }
        do {
            try ModelFile.loadWeights([saved.weights[0], ("extra.bias", Tensor([1]))], into: other, source: "m.moon")
            Issue.record("expected an error")
        } catch let e as TrainingError {
            #expect(e.message == "m.moon does not match the model: missing from the file: dense_1.bias; not in the model: extra.bias")
        }
    }
}
