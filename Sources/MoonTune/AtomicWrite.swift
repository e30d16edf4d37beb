import Foundation

/// Writes a file whole or not at all (a temporary file beside it, then a rename), removing the
/// temporary file when anything fails. The sweep engine's only writer of files (restored
/// checkpoints, Slurm batch files); the data modules have their own, with fsync, in MoonData.
enum AtomicWrite {
    static func data(_ data: Data, to path: String) throws {
        let tmp = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: data) else {
            throw TuneError("cannot write \(path)")
        }
        if rename(tmp, path) != 0 {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            throw TuneError("cannot write \(path): \(why)")
        }
    }
}
