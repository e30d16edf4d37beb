import Foundation

/// Finding and running the built `moonlab` binary from tests.
enum MoonlabBinary {
    /// The repository root, from this file's path.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `$MOONLAB_BIN`, else `moonlab` next to the test bundle in the build folder.
    static var binary: String {
        if let p = ProcessInfo.processInfo.environment["MOONLAB_BIN"], !p.isEmpty { return p }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // Inside an .xctest bundle folder (other platforms), step out of it.
        while dir.path != "/" && dir.lastPathComponent.hasSuffix(".xctest") || dir.lastPathComponent == "MacOS" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("moonlab").path
    }

    /// The environment tests give moonlab: data found from the repository, nothing from the
    /// user's own setup that could change results.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["MOONLAB_DATA"] = root.deletingLastPathComponent().appendingPathComponent("shared/data").path
        env["MOONLAB_PATH"] = nil
        env["LUA_PATH"] = nil
        env["LUA_PATH_5_4"] = nil
        for (k, v) in extra { env[k] = v }
        return env
    }

    struct Result {
        var stdout: String
        var stderr: String
        var status: Int32
        /// How the process ended: .exit or .uncaughtSignal.
        var reason: Process.TerminationReason
    }

    /// Runs moonlab with `arguments` and `stdin` (nil: an empty, non-terminal input), in
    /// `directory` (default the repository root). Spawned and reaped here (posix_spawn and
    /// waitpid), not through Foundation's Process, whose reaping of a child can stall when
    /// the machine is loaded.
    static func run(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:],
                    directory: URL? = nil) throws -> Result {
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0], errors: [Int32] = [0, 0]
        guard pipe(&input) == 0, pipe(&output) == 0, pipe(&errors) == 0 else { throw CocoaError(.fileWriteUnknown) }
        // Close-on-exec, so no other child spawned meanwhile keeps these pipes open.
        for fd in input + output + errors { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        // env -C: the working folder, set in the child only.
        let argv: [UnsafeMutablePointer<CChar>?] = (["env", "-C", (directory ?? root).path, binary] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment(extra).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, envp)
        close(input[0]); close(output[1]); close(errors[1])
        guard rc == 0 else {
            close(input[1]); close(output[0]); close(errors[0])
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "cannot start \(binary): \(String(cString: strerror(rc)))"])
        }
        // Read standard error on the side, so a full pipe cannot block the process.
        let errorData = DataBox()
        let done = DispatchSemaphore(value: 0)
        let errorFD = errors[0]
        DispatchQueue.global().async {
            errorData.data = readAll(errorFD)
            done.signal()
        }
        // A process that exits without reading its input must not kill the tests with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        if let stdin {
            let bytes = Array(stdin.utf8)
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { write(input[1], $0.baseAddress, $0.count) }
                if n <= 0 { break }
                sent += n
            }
        }
        close(input[1])
        let outputData = readAll(output[0])
        done.wait()
        close(output[0]); close(errors[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signalled = status & 0x7F
        return Result(stdout: String(decoding: outputData, as: UTF8.self),
                      stderr: String(decoding: errorData.data, as: UTF8.self),
                      status: signalled == 0 ? (status >> 8) & 0xFF : signalled,
                      reason: signalled == 0 ? .exit : .uncaughtSignal)
    }

    /// Every byte until end of file.
    static func readAll(_ fd: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { data.append(contentsOf: buffer[0..<n]) } else if n < 0 && errno == EINTR { continue } else { break }
        }
        return data
    }
}

final class DataBox: @unchecked Sendable {
    var data = Data()
}
