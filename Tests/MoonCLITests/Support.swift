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

    /// Runs moonlab with `arguments` and `stdin` (nil: an empty, non-terminal input).
    static func run(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:],
                    directory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment(extra)
        process.currentDirectoryURL = directory ?? root
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read standard error on the side, so a full pipe cannot block the process.
        let errorData = DataBox()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errorData.data = errors.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
        // A process that exits without reading its input must not kill the tests with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        if let stdin { try? input.fileHandleForWriting.write(contentsOf: Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        done.wait()
        return Result(stdout: String(decoding: outputData, as: UTF8.self),
                      stderr: String(decoding: errorData.data, as: UTF8.self),
                      status: process.terminationStatus, reason: process.terminationReason)
    }
}

final class DataBox: @unchecked Sendable {
    var data = Data()
}
