@preconcurrency import CEdit
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The REPL's persistent history, kept by libedit: read at start, written at exit (also when a
/// script calls `os.exit`). Blank lines and a repeat of the previous entry are not kept, and
/// the file holds at most `limit` entries.
final class History {
    /// Where history lives: `$MOONLAB_HISTORY` (empty: nowhere), else `~/.moonlab_history`.
    let path: String?
    let limit: Int32
    private var last: String?
    private var dirty = false

    init(path: String?, limit: Int32 = 1000) {
        self.path = path
        self.limit = limit
    }

    static func defaultPath(environment: [String: String]) -> String? {
        if let p = environment["MOONLAB_HISTORY"] { return p.isEmpty ? nil : p }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.moonlab_history" }
        if let pw = getpwuid(getuid()), let dir = pw.pointee.pw_dir { return String(cString: dir) + "/.moonlab_history" }
        return nil
    }

    /// Loads the file (a missing one is an empty history) and arranges for `save` at exit.
    func load() {
        using_history()
        stifle_history(limit)
        if let path { _ = read_history(path) }
        if history_length > 0, let entry = history_get(history_base + history_length - 1), let line = entry.pointee.line {
            last = String(cString: line)
        }
        History.current = self
        if !History.exitHookInstalled {
            History.exitHookInstalled = true
            atexit { History.current?.save() }
        }
    }

    /// Adds a chunk the user entered.
    func add(_ chunk: String) {
        guard chunk.contains(where: { !$0.isWhitespace }), chunk != last else { return }
        last = chunk
        dirty = true
        _ = add_history(chunk)
    }

    /// Writes the history file if anything was added.
    func save() {
        guard dirty, let path else { return }
        dirty = false
        if write_history(path) != 0 {
            Output.error("moonlab: cannot save history to \(path): \(String(cString: strerror(errno)))")
        }
    }

    nonisolated(unsafe) static var current: History?
    nonisolated(unsafe) static var exitHookInstalled = false
}
