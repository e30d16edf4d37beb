import Foundation
import MoonBase

/// Writes files so that a reader (or a crash) never sees a half-written one: the bytes go to
/// a temporary file in the same folder, are flushed to disk (`fsync`), and the temporary file
/// is renamed over the target (atomic on POSIX file systems); the folder is synced too, so the
/// rename itself survives a power cut. Until the rename, the old file stays intact; if
/// anything fails, the temporary file is removed and the old file is untouched.
/// Every writer in moonlab (model files, checkpoints, NPY, PNG, figures, CSV) goes through it.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String, createFolders: Bool = false) throws {
        try write(to: path, createFolders: createFolders) { fd in try writeAll(fd, bytes, path: path) }
    }

    /// Calls `body` with a descriptor of a fresh temporary file; when it returns, the file is
    /// synced and renamed to `path`. If `body` throws, the temporary file is removed. With
    /// `createFolders`, missing folders on the way to `path` are made first (for outputs a
    /// script owns: figures, generated pages); otherwise a missing folder is an error.
    public static func write(to path: String, createFolders: Bool = false, _ body: (Int32) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: folder, isDirectory: &isDir)
        if exists && !isDir.boolValue {
            throw DataError("cannot write \(path): \(folder) is a file, not a folder")
        }
        if !exists {
            guard createFolders else { throw DataError("cannot write \(path): folder \(folder) does not exist") }
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw DataError("cannot write \(path): cannot create folder \(folder) (\(error.localizedDescription))")
            }
        }
        // Renaming over a device or pipe (/dev/null as root) would replace it with a file.
        var st = stat()
        if lstat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG && (st.st_mode & S_IFMT) != S_IFLNK {
            throw DataError("cannot write \(path): it is not a regular file")
        }
        removeStaleTemporaries(folder: folder, name: url.lastPathComponent)
        let temp = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DataError("cannot write \(path): \(String(cString: strerror(errno)))") }
        var closed = false
        do {
            try body(fd)
            guard fsync(fd) == 0 else { throw DataError("cannot write \(path): fsync failed: \(String(cString: strerror(errno)))") }
            closed = true
            guard close(fd) == 0 else { throw DataError("cannot write \(path): \(String(cString: strerror(errno)))") }
            guard rename(temp, path) == 0 else {
                throw DataError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            if !closed { close(fd) }
            unlink(temp)
            throw error
        }
        let dfd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Removes the temporary files that writers of `name` killed mid-write left in `folder`
    /// (`.NAME.tmp-PID-N` whose process no longer runs on this machine), so a kill -9 during a
    /// save costs disk space only until the next save of the same file.
    static func removeStaleTemporaries(folder: String, name: String) {
        let prefix = "." + name + ".tmp-"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            let rest = entry.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]) else { continue }
            if pid == getpid() { continue }
            if !processIsAlive(Int(pid)) { unlink(folder + "/" + entry) }
        }
    }

    /// Writes every byte of `bytes`, retrying short writes.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw DataError("cannot write \(path): \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
    }
}
