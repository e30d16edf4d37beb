#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Writing to standard output and error through C's streams, the same ones Lua's `print`
/// and `io.write` use, so the two never come out of order.
enum Output {
    static func write(_ text: String) {
        fputs(text, stdout)
    }

    /// Writes `message` and a newline to standard error, after flushing standard output so a
    /// reader of both (`2>&1`) sees them in the order they happened.
    static func error(_ message: String) {
        fflush(stdout)
        fputs(message.hasSuffix("\n") ? message : message + "\n", stderr)
        fflush(stderr)
    }

    static func flush() { fflush(stdout) }
}
