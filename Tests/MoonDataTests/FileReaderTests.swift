import Foundation
import Testing
@testable import MoonData
import MoonEngine

/// The CSV, NPY, NPZ and PNG readers: what they read, and hundreds of damaged copies of real
/// files, each of which must end in a `DataError` naming the file or (when the damage left a
/// valid file) in a loaded result. Never a crash.
@Suite struct FileReaderTests {
    /// Feeds every damaged copy to `read`; returns how many failed with a clear error.
    @discardableResult
    static func fuzz(_ base: [UInt8], ext: String, seed: UInt64, focus: Range<Int>? = nil,
                     truncationsFail: Bool, _ read: (String) throws -> Any) -> Int {
        let tmp = TempFolder()
        var failures = 0
        let variants = ReaderFixtures.damage(base, seed: seed, focus: focus)
        #expect(variants.count >= 250)
        for (k, v) in variants.enumerated() {
            let path = tmp.write("v\(k).\(ext)", v.bytes)
            do {
                _ = try read(path)
                if truncationsFail && v.truncated { Issue.record("\(v.name): a truncated file loaded") }
            } catch let e as DataError {
                failures += 1
                #expect(e.description.hasPrefix(path), "\(v.name): \(e.description)")
            } catch {
                Issue.record("\(v.name): unexpected error \(error)")
            }
        }
        return failures
    }

    // MARK: CSV

    @Test func csvReadsKaggleStyleFiles() throws {
        let tmp = TempFolder()
        let path = tmp.write("digits.csv", ReaderFixtures.csv(20))
        var o = CSVReader.Options()
        o.scale = 1 / 255
        o.shape = [1, 28, 28]
        let ds = try CSVReader.read(path, options: o)
        let mnist = try Fixtures.realTestSet().subset(0..<20)
        #expect(ds.x.shape == [20, 1, 28, 28])
        #expect(ds.y!.toArray() == mnist.y!.toArray())
        let diff = zip(ds.x.toArray(), mnist.x.toArray()).map { abs($0 - $1) }.max()!
        #expect(diff < 1e-6)
        // Label by name, by position, none; header detection.
        o.label = .name("pixel300")
        #expect(try CSVReader.read(path, options: o).y!.toArray()[0] == Float(ReaderFixtures.digits(1).pixels[0][300]))
        var plain = CSVReader.Options()
        plain.label = .none
        let p2 = tmp.write("small.csv", Array("1, 2,3\r\n4,5.5,-6e1\n\n\"7\",8,9\n".utf8))
        let s = try CSVReader.read(p2, options: plain)
        #expect(s.x.shape == [3, 3])
        #expect(s.x.toArray() == [1, 2, 3, 4, 5.5, -60, 7, 8, 9])
        var third = CSVReader.Options()
        third.label = .position(2)
        #expect(try CSVReader.read(p2, options: third).y!.toArray() == [3, -60, 9])
        #expect(try CSVReader.read(p2).x.toArray() == [2, 3, 5.5, -60, 8, 9])
    }

    @Test func csvFaultsNameLineAndField() throws {
        let tmp = TempFolder()
        func fault(_ text: String, _ options: CSVReader.Options = CSVReader.Options()) -> String? {
            let p = tmp.write("f\(UUID().uuidString).csv", Array(text.utf8))
            return message { try CSVReader.read(p, options: options) }
        }
        #expect(fault("a,b\n1,2\n3,x\n")?.contains("line 3: field 2 'x' is not a number") == true)
        #expect(fault("1,2\n3,4,5\n")?.contains("line 2: 3 fields, but the first row has 2") == true)
        #expect(fault("1,2,3\n3,4\n")?.contains("line 2: 2 fields, but the first row has 3") == true)
        #expect(fault("1,2\n3,\n")?.contains("line 2: field 2 is empty") == true)
        #expect(fault("")?.contains("empty CSV file") == true)
        #expect(fault("label,a\n")?.contains("no data rows") == true)
        var o = CSVReader.Options()
        o.label = .name("digit")
        #expect(fault("label,a\n1,2\n", o)?.contains("no column named 'digit'") == true)
        o.label = .position(5)
        #expect(fault("1,2\n", o)?.contains("label column 6 does not exist") == true)
        o = CSVReader.Options()
        o.shape = [2, 2]
        #expect(fault("1,2,3\n", o)?.contains("shape {2,2} holds 4 values but each row has 2 features") == true)
        #expect(message { try CSVReader.read("/nonexistent.csv") } == "/nonexistent.csv: no such file")
    }

    @Test func csvLargeFileParsesOnEveryCore() throws {
        // Enough rows to split into chunks: errors still name the right line.
        let tmp = TempFolder()
        var text = ""
        for i in 0..<40000 { text += "\(i % 10),\(i),\(i + 1),\(Double(i) / 4)\n" }
        let ds = try CSVReader.read(tmp.write("big.csv", Array(text.utf8)))
        #expect(ds.count == 40000)
        #expect(Array(ds.x.toArray()[(3 * 39999)...]) == [39999, 40000, 9999.75])
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines[35000] = "1,2,3,oops"
        let p = tmp.write("bad.csv", Array(lines.joined(separator: "\n").utf8))
        #expect(message { try CSVReader.read(p) }?.contains("line 35001: field 4 'oops'") == true)
    }

    @Test func csvSurvivesDamagedFiles() {
        let failures = Self.fuzz(ReaderFixtures.csv(4), ext: "csv", seed: 1, truncationsFail: false) { try CSVReader.read($0) }
        #expect(failures > 100)
    }

    // MARK: NPY

    @Test func npyRoundTripAndDtypes() throws {
        let tmp = TempFolder()
        let t = try Tensor((0..<24).map { Float($0) * 0.5 - 3 }, shape: [2, 3, 4])
        let path = tmp.path("t.npy")
        try NPYFormat.write(t, to: path)
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        #expect(bytes.count == 128 + 96)   // the header is padded to 64 bytes
        let back = try NPYFormat.read(path)
        #expect(back.shape == [2, 3, 4] && back.toArray() == t.toArray())
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.url.path) == ["t.npy"])
        // 0-d and 1-d shapes.
        try NPYFormat.write(Tensor(Float(2.5)), to: path)
        #expect(try NPYFormat.read(path).shape == [])
        try NPYFormat.write(Tensor([1, 2, 3]), to: path)
        #expect(try NPYFormat.read(path).shape == [3])

        func le<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] { values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } } }
        func be<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] { values.flatMap { v in withUnsafeBytes(of: v.bigEndian) { Array($0) } } }
        let cases: [(String, [UInt8])] = [
            ("|u1", [0, 7, 255, 3, 4, 5]),
            ("|i1", [0, 7, 0xFF, 3, 4, 5]),
            ("<i4", le([Int32(0), 7, -1, 3, 4, 5])),
            (">i4", be([Int32(0), 7, -1, 3, 4, 5])),
            ("<i8", le([Int64(0), 7, -1, 3, 4, 5])),
            ("<u2", le([UInt16(0), 7, 65535, 3, 4, 5])),
            ("<f8", le([0.0, 7, -1, 3, 4, 5.25].map { $0.bitPattern })),
            ("<f4", le([Float(0), 7, -1, 3, 4, 5.25].map { $0.bitPattern })),
            ("<f2", le([UInt16(0), 0x4700, 0xBC00, 0x4200, 0x4400, 0x4540])),
            ("|b1", [0, 1, 1, 0, 0, 1]),
        ]
        let expected: [String: [Float]] = [
            "|u1": [0, 7, 255, 3, 4, 5], "|i1": [0, 7, -1, 3, 4, 5], "<i4": [0, 7, -1, 3, 4, 5],
            ">i4": [0, 7, -1, 3, 4, 5], "<i8": [0, 7, -1, 3, 4, 5], "<u2": [0, 7, 65535, 3, 4, 5],
            "<f8": [0, 7, -1, 3, 4, 5.25], "<f4": [0, 7, -1, 3, 4, 5.25], "<f2": [0, 7, -1, 3, 4, 5.25],
            "|b1": [0, 1, 1, 0, 0, 1],
        ]
        for (descr, payload) in cases {
            let p = tmp.write("d.npy", ReaderFixtures.npy(descr: descr, shape: "(2, 3)", payload: payload))
            let t = try NPYFormat.read(p)
            #expect(t.shape == [2, 3], "\(descr)")
            #expect(t.toArray() == expected[descr]!, "\(descr)")
        }
        // Fortran order: the stored values are the transpose's C order.
        let f = tmp.write("f.npy", ReaderFixtures.npy(descr: "|u1", shape: "(2, 3)", fortran: true, payload: [1, 4, 2, 5, 3, 6]))
        #expect(try NPYFormat.read(f).toArray() == [1, 2, 3, 4, 5, 6])
        // Version 2.0 headers.
        let v2 = tmp.write("v2.npy", ReaderFixtures.npy(descr: "|u1", shape: "(3,)", payload: [1, 2, 3], version: 2))
        #expect(try NPYFormat.read(v2).toArray() == [1, 2, 3])
    }

    @Test func npyFaultsNameTheFile() {
        let tmp = TempFolder()
        func fault(_ bytes: [UInt8]) -> String? {
            let p = tmp.write("x.npy", bytes)
            return message { try NPYFormat.read(p) }.map { $0.replacingOccurrences(of: p, with: "F") }
        }
        #expect(fault(ReaderFixtures.npy(descr: "<c8", shape: "(2,)", payload: [UInt8](repeating: 0, count: 16)))?.hasPrefix("F: unsupported dtype '<c8'") == true)
        #expect(fault(ReaderFixtures.npy(descr: "<f4", shape: "(2, 3)", payload: [UInt8](repeating: 0, count: 20)))
                == "F: truncated: shape {2,3} of '<f4' needs 24 data bytes, the file holds 20")
        #expect(fault(ReaderFixtures.npy(descr: "|u1", shape: "(2,)", payload: [1, 2, 3]))?.contains("1 trailing bytes") == true)
        #expect(fault(Array("hello world, not numpy".utf8))?.hasPrefix("F: not a .npy file") == true)
        #expect(fault(ReaderFixtures.npy(descr: "<f4", shape: "(1,)", payload: [0, 0, 0xC0, 0x7F]))?.contains("not finite") == true)
        #expect(fault(Array(ReaderFixtures.npy(descr: "|u1", shape: "(2,)", payload: [1, 2]).prefix(30)))?.contains("truncated") == true)
        #expect(message { try NPYFormat.write(Tensor([1]), to: "/nonexistent-folder/x.npy") }?.contains("does not exist") == true)
    }

    @Test func npySurvivesDamagedFiles() throws {
        let images = try Fixtures.realTestSet().x.narrow(0, 0, 2)
        let f4 = try NPYFormat.encode(images)
        Self.fuzz(f4, ext: "npy", seed: 2, focus: 0..<140, truncationsFail: true) { try NPYFormat.read($0) }
        let u1 = ReaderFixtures.npy(descr: "|u1", shape: "(3, 28, 28)", payload: ReaderFixtures.digits(3).pixels.flatMap { $0 })
        Self.fuzz(u1, ext: "npy", seed: 3, focus: 0..<140, truncationsFail: true) { try NPYFormat.read($0) }
        // Headers whose counts disagree with the data, and every dtype letter.
        let tmp = TempFolder()
        for shape in ["(3, 28, 27)", "(3, 28, 29)", "(0,)", "(99999999999, 99999999999)", "(3, -1)", "()", "(3 28)", "[3]"] {
            let p = tmp.write("s.npy", ReaderFixtures.npy(descr: "|u1", shape: shape, payload: [UInt8](repeating: 1, count: 2352)))
            #expect(message { try NPYFormat.read(p) }?.hasPrefix(p) == true, "\(shape)")
        }
        for descr in ["<f4", "<f3", "|u3", "<x4", "f4", "<i16", "", "<U8", "|O", ">f8", "<f8"] {
            let p = tmp.write("d.npy", ReaderFixtures.npy(descr: descr, shape: "(3, 784)", payload: [UInt8](repeating: 1, count: 2352)))
            #expect(message { try NPYFormat.read(p) }?.hasPrefix(p) == true, "\(descr)")
        }
    }

    // MARK: NPZ

    @Test func npzReadsStoredAndDeflatedEntries() throws {
        let tmp = TempFolder()
        let a = try NPYFormat.encode(try Tensor((0..<12).map(Float.init), shape: [3, 4]))
        let b = ReaderFixtures.npy(descr: "|u1", shape: "(4,)", payload: [9, 8, 7, 6])
        for deflate in [false, true] {
            let p = tmp.write("a.npz", ReaderFixtures.zip([("x.npy", a, deflate), ("y.npy", b, deflate)]))
            let arrays = try NPZArchive.read(p)
            #expect(arrays.map(\.name) == ["x", "y"])
            #expect(arrays[0].array.shape == [3, 4] && arrays[0].array.toArray() == (0..<12).map(Float.init))
            #expect(arrays[1].array.toArray() == [9, 8, 7, 6])
        }
        var bad = ReaderFixtures.zip([("x.npy", a, false)])
        bad[40 + 80] ^= 1   // a payload byte: the CRC catches it
        let p = tmp.write("bad.npz", bad)
        #expect(message { try NPZArchive.read(p) }?.contains("CRC-32 mismatch") == true)
    }

    @Test func npzSurvivesDamagedFiles() throws {
        let images = ReaderFixtures.npy(descr: "|u1", shape: "(3, 784)", payload: ReaderFixtures.digits(3).pixels.flatMap { $0 })
        let labels = ReaderFixtures.npy(descr: "<i8", shape: "(3,)", payload: [7, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
        let stored = ReaderFixtures.zip([("x.npy", images, false), ("y.npy", labels, false)])
        let deflated = ReaderFixtures.zip([("x.npy", images, true), ("y.npy", labels, true)])
        let f1 = Self.fuzz(stored, ext: "npz", seed: 4, truncationsFail: true) { try NPZArchive.read($0) }
        let f2 = Self.fuzz(deflated, ext: "npz", seed: 5, truncationsFail: true) { try NPZArchive.read($0) }
        let f3 = Self.fuzz(deflated, ext: "npz", seed: 6, focus: (deflated.count - 160)..<deflated.count, truncationsFail: true) { try NPZArchive.read($0) }
        #expect(f1 > 150 && f2 > 150 && f3 > 150)
    }

    // MARK: PNG

    @Test func pngReadsWhatTheWriterWrote() throws {
        let tmp = TempFolder()
        let (digits, _) = ReaderFixtures.digits(1)
        let gray = tmp.path("g.png")
        try PNGWriter.write(gray, width: 28, height: 28, color: .gray, pixels: digits[0])
        let g = try PNGReader.read(gray)
        #expect(g.width == 28 && g.height == 28 && g.channels == 1 && !g.isColor)
        #expect(g.pixels == digits[0])
        let asRGB = try PNGReader.read(gray, mode: .rgb)
        #expect(asRGB.channels == 3 && asRGB.pixels[300 * 3 + 1] == digits[0][300])
        var rgbPixels: [UInt8] = []
        for i in 0..<20 { rgbPixels += [UInt8(i * 10), UInt8(255 - i * 10), 128] }
        let rgb = tmp.path("c.png")
        try PNGWriter.write(rgb, width: 5, height: 4, color: .rgb, pixels: rgbPixels)
        let c = try PNGReader.read(rgb)
        #expect(c.channels == 3 && c.isColor && c.pixels == rgbPixels)
        let t = try PNGReader.readTensor(rgb)
        #expect(t.shape == [3, 4, 5])
        #expect(abs(t.toArray()[20 + 7] - Float(255 - 70) / 255) < 1e-6)   // green plane, pixel 7
        #expect(try PNGReader.read(rgb, mode: .gray).channels == 1)
        #expect(message { try PNGReader.read(tmp.write("n.png", Array("not a png".utf8))) }?.contains("not a PNG file") == true)
    }

    @Test func pngSurvivesDamagedFiles() throws {
        let tmp = TempFolder()
        let path = tmp.path("d.png")
        try PNGWriter.write(path, width: 28, height: 28, color: .gray, pixels: ReaderFixtures.digits(1).pixels[0])
        let base = [UInt8](FileManager.default.contents(atPath: path)!)
        let failures = Self.fuzz(base, ext: "png", seed: 7, truncationsFail: true) { try PNGReader.read($0) }
        #expect(failures > 200)
    }

    @Test func imageFolderMakesADataset() throws {
        let tmp = TempFolder()
        let (digits, labels) = ReaderFixtures.digits(12)
        for (i, d) in digits.enumerated() {
            let dir = tmp.path("digit\(labels[i])")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try PNGWriter.write(dir + "/img\(String(format: "%02d", i)).png", width: 28, height: 28, color: .gray, pixels: d)
        }
        FileManager.default.createFile(atPath: tmp.path("README.txt"), contents: Data("x".utf8))
        let ds = try ImageFolder.read(tmp.url.path)
        let names = Set(labels).sorted().map { "digit\($0)" }
        #expect(ds.classNames == names)
        #expect(ds.x.shape == [12, 1, 28, 28])
        // Samples come class by class, files sorted within a class.
        let order = (0..<12).sorted { (names.firstIndex(of: "digit\(labels[$0])")!, $0) < (names.firstIndex(of: "digit\(labels[$1])")!, $1) }
        #expect(ds.y!.toArray() == order.map { Float(names.firstIndex(of: "digit\(labels[$0])")!) })
        let first = try ds.item(0).x.toArray()
        #expect(zip(first, digits[order[0]]).allSatisfy { abs($0 - Float($1) / 255) < 1e-6 })
        var o = ImageFolder.Options()
        o.size = (14, 10)
        o.gray = false
        let small = try ImageFolder.read(tmp.url.path, options: o)
        #expect(small.x.shape == [12, 3, 14, 10])
        // A different size without size= is an error naming both files.
        try PNGWriter.write(tmp.path("digit\(labels[0])/zz.png"), width: 5, height: 5, color: .gray, pixels: [UInt8](repeating: 9, count: 25))
        #expect(message { try ImageFolder.read(tmp.url.path) }?.contains("give size={h, w}") == true)
        #expect(message { try ImageFolder.read(tmp.path("README.txt")) }?.contains("is a file") == true)
    }

    @Test func bilinearResizeKeepsConstantsAndAverages() {
        let src: [Float] = [0, 1, 2, 3]   // 1 x 2 x 2
        var up = [Float](repeating: 0, count: 16)
        Resize.bilinear(src, channels: 1, height: 2, width: 2, into: &up, height: 4, width: 4)
        // PyTorch's F.interpolate(mode="bilinear", align_corners=False) gives these rows.
        #expect(up == [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3])
        var down = [Float](repeating: 0, count: 1)
        Resize.bilinear(src, channels: 1, height: 2, width: 2, into: &down, height: 1, width: 1)
        #expect(down == [1.5])
    }
}
