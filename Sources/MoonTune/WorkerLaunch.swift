import Foundation

/// Starting this program again as a sweep's worker, ending a worker, and the temporary
/// storage of sweeps that were given none: the process handling behind `tune.*`.
public enum WorkerLaunch {
    /// Starts this program again (`arguments`, as it was run) as the worker of `assignment`,
    /// with `threads` compute threads; its output goes to `log` (nil: inherited).
    public static func spawn(_ assignment: WorkerAssignment, arguments: [String], finishedSweeps: [String: String],
                             threads: Int, log: String?) throws -> WorkerProcess {
        // On Linux /proc/self/exe: the very program this process runs, even when its file has
        // since been replaced or deleted (a rebuild during a long sweep).
        let exe = FileManager.default.fileExists(atPath: "/proc/self/exe") ? "/proc/self/exe" : CommandLine.arguments[0]
        let finished = JSONValue.object(finishedSweeps.map { ($0.key, .string($0.value)) }).encoded
        let env = [WorkerAssignment.variable: assignment.encoded,
                   WorkerAssignment.sweepsVariable: finished,
                   WorkerAssignment.threadsVariable: String(threads),
                   "MOONLAB_HISTORY": ""]
        return try WorkerProcess.spawn(executable: exe, arguments: arguments, environment: env, log: log)
    }

    /// Ends a worker process: closes its storage, says why on standard error (when there is
    /// something to say) and exits with `code`.
    public static func leave(_ code: Int32, _ message: String? = nil, closing store: TrialStorage) -> Never {
        if let message { FileHandle.standardError.write(Data("moonlab worker: \(message)\n".utf8)) }
        store.close()
        fflush(nil)
        exit(code)
    }

    /// A fresh storage file in the temporary folder, removed (with its checkpoints and logs)
    /// when the program exits.
    public static func temporaryStorage() -> String {
        temporary(NSTemporaryDirectory() + "/moonlab-tune-\(getpid())-\(temporaryFiles.count + 1).db")
    }

    /// A private folder for the checkpoint files and logs of a sweep on a server, removed when
    /// the program exits (the server keeps the checkpoints).
    public static func temporaryFolder() -> String {
        temporary(NSTemporaryDirectory() + "/moonlab-sweep-\(getpid())-\(temporaryFiles.count + 1)")
    }

    nonisolated(unsafe) static var temporaryFiles: [String] = []

    private static func temporary(_ path: String) -> String {
        if temporaryFiles.isEmpty {
            atexit {
                for p in WorkerLaunch.temporaryFiles {
                    for suffix in ["", "-wal", "-shm", ".checkpoints", ".logs"] {
                        try? FileManager.default.removeItem(atPath: p + suffix)
                    }
                }
            }
        }
        temporaryFiles.append(path)
        return path
    }
}
