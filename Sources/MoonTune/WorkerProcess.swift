import Foundation

/// One trial's worker: a moonlab process started with `posix_spawn`, in the parent's process
/// group (so `kill -9 -PGID` stops the sweep and every worker at once), standard input from
/// /dev/null and its output into the trial's log file.
public struct WorkerProcess: Sendable {
    public let pid: Int32
    public let log: String?

    /// Starts `arguments[0]` with `arguments`, the parent's environment plus `environment`.
    /// `log`: where standard output and error go (appended); nil keeps the parent's.
    public static func spawn(executable: String, arguments: [String], environment: [String: String],
                             log: String?) throws -> WorkerProcess {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let log {
            let dir = PathText.folder(of: log)
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // Default signal handling in the worker, whatever the parent ignores (SIGPIPE).
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attr, argv, envp)
        guard rc == 0 else { throw TuneError(in: "tune", "cannot start a worker (\(executable)): \(String(cString: strerror(rc)))") }
        return WorkerProcess(pid: pid, log: log)
    }

    /// How a worker ended.
    public enum Exit: Equatable, Sendable, CustomStringConvertible {
        case status(Int32)
        case signal(Int32)
        public var description: String {
            switch self {
            case .status(let s): return "exited with status \(s)"
            case .signal(let s): return "was killed by signal \(s)" + (Self.signalNames[s].map { " (\($0))" } ?? "")
            }
        }
        static let signalNames: [Int32: String] = [SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGKILL: "SIGKILL",
                                                   SIGBUS: "SIGBUS", SIGILL: "SIGILL", SIGFPE: "SIGFPE",
                                                   SIGTERM: "SIGTERM", SIGINT: "SIGINT", SIGTRAP: "SIGTRAP"]
    }

    /// The exit, once the worker has ended (reaping it); nil while it runs.
    public func poll() -> Exit? {
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == 0 { return nil }
        if r < 0 { return .status(-1) }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros: decode the status word by hand.
        let sig = status & 0x7F
        if sig == 0 { return .status((status >> 8) & 0xFF) }
        return .signal(sig)
    }

    /// Blocks until the worker ends.
    public func wait() -> Exit {
        while true {
            if let e = poll() { return e }
            usleep(10_000)
        }
    }

    /// The last `lines` lines of the worker's log, for error messages.
    public func logTail(_ lines: Int = 12) -> String {
        guard let log, let text = try? String(contentsOfFile: log, encoding: .utf8) else { return "" }
        let all = text.split(separator: "\n", omittingEmptySubsequences: false)
        return all.suffix(lines + 1).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
