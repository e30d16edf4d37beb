import Foundation
import CZlib
@testable import MoonData

/// Where the test data lives: the shared MNIST copy beside the repository.
enum Fixtures {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `/work/shared/data` (a folder holding `mnist/`), as MOONLAB_DATA for the tests.
    static let dataRoot = repository.deletingLastPathComponent().appendingPathComponent("shared/data").path
    static let sharedMNIST = dataRoot + "/mnist"
    static let fashion = "/usr/share/datasets/fashion-mnist"
    static var hasFashion: Bool { FileManager.default.fileExists(atPath: fashion + "/train-images-idx3-ubyte.gz") }
    /// The shared MNIST copy is there on development machines and in CI, but not on every
    /// fresh clone: tests of MNIST's own contents need it, reader tests take any real IDX set.
    static var hasMNIST: Bool { FileManager.default.fileExists(atPath: sharedMNIST + "/t10k-labels-idx1-ubyte.gz") }
    /// A folder of real IDX files: MNIST when present, else Fashion-MNIST (same format and names).
    static var mnist: String { hasMNIST ? sharedMNIST : fashion }

    /// A real test split: MNIST's when present, else Fashion-MNIST's (same shapes and classes).
    static func realTestSet() throws -> Dataset {
        if hasMNIST { return try DataSets.mnist(split: .test, environment: environment()) }
        return try DataSets.fashionMNIST(split: .test, environment: ["HOME": "/nonexistent-home"])
    }

    /// An environment that finds only the test data.
    static func environment(data: String = dataRoot, home: String = "/nonexistent-home") -> [String: String] {
        ["MOONLAB_DATA": data, "HOME": home]
    }

    /// The uncompressed bytes of a (gz or raw) file.
    static func inflate(_ path: String) -> [UInt8] {
        guard let f = gzopen(path, "rb") else { return [] }
        defer { gzclose_r(f) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { gzread(f, $0.baseAddress, UInt32($0.count)) }
            if n <= 0 { break }
            out += buf[0..<Int(n)]
        }
        return out
    }

    /// `bytes` gzip-compressed (level 1: fast).
    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        let tmp = TempFolder()
        let p = tmp.path("x.gz")
        let f = gzopen(p, "wb1")!
        bytes.withUnsafeBytes { _ = gzwrite(f, $0.baseAddress, UInt32($0.count)) }
        gzclose(f)
        return [UInt8](FileManager.default.contents(atPath: p)!)
    }
}

/// A private temporary folder, removed when the value goes away.
final class TempFolder {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("moondata-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let p = path(name)
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }
}

/// An IDX file: magic, big-endian sizes, payload.
func idxBytes(dtype: UInt8, dims: [Int], payload: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0, 0, dtype, UInt8(dims.count)]
    for d in dims { out += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
    return out + payload
}

/// The error message a call throws, or nil when it does not throw.
func message(_ body: () throws -> Any) -> String? {
    do { _ = try body(); return nil } catch let e as DataError { return e.description } catch { return "\(type(of: error)): \(error)" }
}
