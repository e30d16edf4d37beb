#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Where `fit` writes its progress: standard output through C's stream (the one Lua's
/// `print` uses, so the two stay in order), and whether it is a terminal.
public struct ProgressOutput: Sendable {
    public var write: @Sendable (String) -> Void
    public var isTerminal: Bool

    public init(isTerminal: Bool, write: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Standard output.
    public static var standard: ProgressOutput {
        ProgressOutput(isTerminal: isatty(1) != 0) { text in
            fputs(text, stdout)
            fflush(stdout)
        }
    }

    /// Nothing written.
    public static let silent = ProgressOutput(isTerminal: false) { _ in }
}

