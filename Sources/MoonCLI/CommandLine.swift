import Foundation
import LuaKit
import MoonBindings

/// The `moonlab` command: runs scripts, `-e` chunks, or the REPL.
public enum MoonlabCommand {
    public static func main() -> Int32 {
        let args = Array(CommandLine.arguments.dropFirst())
        do {
            let interp = try Interpreter()
            Moonlab.install(into: interp)
            if let script = args.first, !script.hasPrefix("-") {
                interp.configureSearchPath(scriptDirectory: (script as NSString).deletingLastPathComponent,
                                           stdlib: Interpreter.locateStdlib())
                try interp.runFile(script, arguments: Array(args.dropFirst()), programName: CommandLine.arguments[0])
            } else if args.first == "-e", args.count > 1 {
                interp.configureSearchPath(scriptDirectory: nil, stdlib: Interpreter.locateStdlib())
                try interp.runString(args[1])
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("moonlab: \(error)\n".utf8))
            return 1
        }
    }
}
