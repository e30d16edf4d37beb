import Foundation

/// Writes `data` to `path` whole or not at all: a temporary file beside it, then a rename, so a
/// reader never sees half a file; on any failure (a full disk) the temporary file is removed.
/// The sweep engine's writer of files (CSV reports, restored checkpoints, Slurm batch files);
/// the data modules have their own, with fsync, in MoonData.
public func writeAtomically(_ data: Data, to path: String) throws {
    var st = stat()
    if lstat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG && (st.st_mode & S_IFMT) != S_IFLNK {
        throw TuneError("cannot write \(path): it is not a regular file")
    }
    let url = URL(fileURLWithPath: path)
    let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
    do {
        try data.write(to: URL(fileURLWithPath: tmp))
    } catch {
        unlink(tmp)
        throw TuneError("cannot write \(path): \(error.localizedDescription)")
    }
    if rename(tmp, path) != 0 {
        let why = String(cString: strerror(errno))
        unlink(tmp)
        throw TuneError("cannot write \(path): \(why)")
    }
}

public func writeAtomically(_ text: String, to path: String) throws {
    try writeAtomically(Data(text.utf8), to: path)
}
