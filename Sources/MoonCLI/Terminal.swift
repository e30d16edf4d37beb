import Foundation
import LuaKit
import MoonBindings

/// The terminal standard output writes to: its size, which printing and help follow, and a
/// pager for help longer than the screen.
enum Terminal {
    /// Columns and rows of the terminal on standard output; nil when it is not one.
    static func size() -> (columns: Int, rows: Int)? {
        guard isatty(STDOUT_FILENO) != 0 else { return nil }
        var w = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &w) == 0, w.ws_col > 0 else { return nil }
        return (Int(w.ws_col), Int(w.ws_row))
    }

    /// Tensors and help fit the terminal's current width (nothing changes off a terminal).
    static func fitDisplay() {
        if let (columns, _) = size() { Moonlab.displayColumns = columns }
    }

    /// Shows `text` through `$PAGER` (else `less -R` when it is installed) when it has more
    /// lines than the screen; false when it was not paged (short, not a terminal, `PAGER`
    /// set empty, no pager), so the caller prints it.
    static func page(_ text: String) -> Bool {
        guard let (_, rows) = size(), text.split(separator: "\n", omittingEmptySubsequences: false).count > rows - 2 else { return false }
        let environment = ProcessInfo.processInfo.environment
        let command = environment["PAGER"] ?? (installed("less", path: environment["PATH"]) ? "less -R" : "")
        guard !command.trimmingCharacters(in: .whitespaces).isEmpty else { return false }
        let pager = Process()
        pager.executableURL = URL(fileURLWithPath: "/bin/sh")
        pager.arguments = ["-c", command]
        let input = Pipe()
        pager.standardInput = input
        Output.flush()
        do { try pager.run() } catch { return false }
        input.fileHandleForWriting.write(Data((text + "\n").utf8))
        try? input.fileHandleForWriting.close()
        pager.waitUntilExit()
        return true
    }

    static func installed(_ program: String, path: String?) -> Bool {
        (path ?? "/usr/bin:/bin").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(program)")
        }
    }
}
