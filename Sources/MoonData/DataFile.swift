import Foundation
import CZlib

/// Whole-file reads and atomic writes shared by the readers.
enum DataFile {
    /// Largest file accepted by the whole-file readers (4 GiB less a byte, so sizes fit
    /// zlib's 32-bit counts).
    static let maxBytes = Int(UInt32.max)

    /// Fails unless `path` names an existing regular file; `what` names the expected kind.
    static func checkFile(_ path: String, _ what: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw DataError("\(path): no such file")
        }
        if isDir.boolValue { throw DataError("\(path): is a folder, not \(what)") }
    }

    /// The bytes of a file; `gunzip` also reads gzip-compressed files (and plain ones).
    static func read(_ path: String, _ what: String, gunzip: Bool = false) throws -> [UInt8] {
        try checkFile(path, what)
        if gunzip {
            guard let file = gzopen(path, "rb") else {
                throw DataError("\(path): cannot open (\(String(cString: strerror(errno))))")
            }
            defer { gzclose_r(file) }
            gzbuffer(file, 1 << 20)
            var out: [UInt8] = []
            if gzdirect(file) != 0, let size = IDXReader.fileSize(path) { out.reserveCapacity(size) }
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = try IDXReader.read(file, into: &chunk, path: path)
                if n == 0 { break }
                out += chunk[0..<n]
                if out.count > maxBytes { throw DataError("\(path): larger than 4 GiB") }
            }
            return out
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw DataError("\(path): cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw DataError("\(path): cannot read (\(String(cString: strerror(errno))))") }
        let size = Int(st.st_size)
        guard size <= maxBytes else { throw DataError("\(path): larger than 4 GiB") }
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var done = 0
            while done < size {
                let n = Foundation.read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = errno; break }
                if n == 0 { break }
                done += n
            }
            count = done
        }
        if failure != 0 { throw DataError("\(path): cannot read (\(String(cString: strerror(failure))))") }
        return bytes
    }

    /// Writes `bytes` to `path` atomically (see `AtomicFile`).
    static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws {
        try AtomicFile.write(bytes, to: path)
    }
}
