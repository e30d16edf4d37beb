import Foundation
import Testing
@testable import MoonData
import MoonEngine

@Suite struct IDXReaderTests {
    @Test(.enabled(if: Fixtures.hasMNIST)) func readsMNISTTestSet() throws {
        let x = try IDXReader.readImages(Fixtures.mnist + "/t10k-images-idx3-ubyte.gz")
        let y = try IDXReader.readLabels(Fixtures.mnist + "/t10k-labels-idx1-ubyte.gz")
        #expect(x.shape == [10000, 1, 28, 28])
        #expect(y.shape == [10000])
        #expect(Array(y.toArray().prefix(10)) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
        let v = x.toArray()
        #expect(v.min() == 0)
        #expect(v.max() == 1)
        // Pixel values are k/255 exactly as stored.
        let raw = Fixtures.inflate(Fixtures.mnist + "/t10k-images-idx3-ubyte.gz")
        #expect(raw.count == 7_840_016)
        #expect(zip(raw.dropFirst(16), v).allSatisfy { Float($0) / 255 == $1 || abs(Float($0) * (1 / 255) - $1) < 1e-7 })
    }

    @Test func rawAndGzipReadTheSame() throws {
        let tmp = TempFolder()
        let raw = tmp.write("labels", Fixtures.inflate(Fixtures.mnist + "/t10k-labels-idx1-ubyte.gz"))
        let a = try IDXReader.readLabels(raw)
        let b = try IDXReader.readLabels(Fixtures.mnist + "/t10k-labels-idx1-ubyte.gz")
        #expect(a.toArray() == b.toArray())
    }

    @Test func readsEveryDtype() throws {
        let tmp = TempFolder()
        // signed byte
        let sb = tmp.write("sb", idxBytes(dtype: 0x09, dims: [3], payload: [0xFF, 0x00, 0x7F]))
        #expect(try IDXReader.read(sb).values.toArray() == [-1, 0, 127])
        // short, big-endian
        let sh = tmp.write("sh", idxBytes(dtype: 0x0B, dims: [2], payload: [0xFF, 0xFE, 0x01, 0x00]))
        #expect(try IDXReader.read(sh).values.toArray() == [-2, 256])
        // int
        let it = tmp.write("it", idxBytes(dtype: 0x0C, dims: [1, 2], payload: [0, 0, 1, 0, 0xFF, 0xFF, 0xFF, 0xFD]))
        let ti = try IDXReader.read(it).values
        #expect(ti.shape == [1, 2])
        #expect(ti.toArray() == [256, -3])
        // float
        let fb = withUnsafeBytes(of: Float(1.5).bitPattern.bigEndian) { Array($0) }
        let fl = tmp.write("fl", idxBytes(dtype: 0x0D, dims: [1], payload: fb))
        #expect(try IDXReader.read(fl).values.toArray() == [1.5])
        // double
        let db = withUnsafeBytes(of: Double(-0.25).bitPattern.bigEndian) { Array($0) }
        let dd = tmp.write("dd", idxBytes(dtype: 0x0E, dims: [1], payload: db))
        #expect(try IDXReader.read(dd).values.toArray() == [-0.25])
        // non-finite floats are rejected
        let nanb = withUnsafeBytes(of: Float.nan.bitPattern.bigEndian) { Array($0) }
        let nf = tmp.write("nan", idxBytes(dtype: 0x0D, dims: [1], payload: nanb))
        #expect(message { try IDXReader.read(nf) }?.contains("not finite") == true)
        // unsigned bytes, scaled for images
        let ub = tmp.write("ub", idxBytes(dtype: 0x08, dims: [1, 1, 2], payload: [0, 255]))
        let img = try IDXReader.readImages(ub)
        #expect(img.shape == [1, 1, 1, 2])
        #expect(img.toArray() == [0, 1])
    }

    @Test func countsMustAgree() throws {
        let tmp = TempFolder()
        let images = tmp.write("img", idxBytes(dtype: 0x08, dims: [3, 2, 2], payload: [UInt8](repeating: 7, count: 12)))
        let labels = tmp.write("lab", idxBytes(dtype: 0x08, dims: [2], payload: [1, 2]))
        let m = message { try IDXReader.readPair(images: images, labels: labels) }
        #expect(m?.contains("3 images") == true && m?.contains("2 labels") == true && m?.contains(images) == true)
        // Wrong ranks for labels and images.
        #expect(message { try IDXReader.readLabels(images) }?.contains("label file needs 1 dim") == true)
        #expect(message { try IDXReader.readImages(labels) }?.contains("image file needs") == true)
    }

    @Test func missingFileAndFolder() {
        #expect(message { try IDXReader.read("/nonexistent/file.gz") } == "/nonexistent/file.gz: no such file")
        #expect(message { try IDXReader.read("/tmp") }?.contains("is a folder") == true)
    }
}
