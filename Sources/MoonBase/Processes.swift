import Foundation

/// Whether a process with this id is alive on this machine. A zombie (killed, not yet reaped
/// by its parent) counts as dead: it will never write again.
public func processIsAlive(_ pid: Int) -> Bool {
    guard pid > 0, pid <= Int(Int32.max) else { return false }
    if kill(pid_t(pid), 0) != 0 && errno == ESRCH { return false }
    if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
       let close = stat.lastIndex(of: ")") {
        let rest = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces)
        if rest.hasPrefix("Z") || rest.hasPrefix("X") { return false }
    }
    return true
}
