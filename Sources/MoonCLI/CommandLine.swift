import Foundation
import LuaKit
import MoonBindings
import MoonTune

/// The `moonlab` command: runs `-e` chunks and scripts, then (or instead) the REPL.
public enum MoonlabCommand {
    /// `moonlab 0.1.0 (Lua 5.4)`
    static let versionLine = "moonlab \(Moonlab.version) (Lua \(LuaState.luaVersion))"

    public static func main() -> Int32 {
        LuaState.resetSignalMask()
        let arguments = CommandLine.arguments
        if arguments.count > 1 && arguments[1] == "sweep" {
            return SweepCommand.main(arguments, runScript: run)
        }
        if arguments.count > 1 && arguments[1] == "runs" {
            return RunsCommand.main(arguments)
        }
        return run(arguments)
    }

    /// Runs one command line (program name first) as `moonlab` does.
    static func run(_ arguments: [String]) -> Int32 {
        let options: Options
        do {
            options = try Options.parse(arguments)
        } catch {
            Output.error("moonlab: \(error)\n\(usage)")
            return 1
        }
        if options.help { Output.write(usage + "\n"); return 0 }
        if options.versionOnly { Output.write(versionLine + "\n"); return 0 }

        let interpreter: Interpreter
        do {
            interpreter = try Interpreter()
        } catch {
            Output.error("moonlab: \(error)")
            return 1
        }
        Moonlab.install(into: interpreter)
        let status = Session(interpreter: interpreter, options: options).run()
        Output.flush()
        return status
    }
}

/// One run of the command over one interpreter, in the order `lua` uses: `-v`, the `-e` and
/// `-l` options in order, the script, then the REPL when asked for or when nothing else was.
struct Session {
    let interpreter: Interpreter
    let options: Options
    var state: LuaState { interpreter.state }

    func run() -> Int32 {
        prepare()
        if options.showVersion { Output.write(MoonlabCommand.versionLine + "\n") }
        do {
            for action in options.actions { try perform(action) }
            if let index = options.scriptIndex { try runScript(at: index) }
        } catch {
            Output.error("moonlab: \(error)")
            return 1
        }
        if options.interactive || options.readsStandardInput {
            TuneHost.command = nil // a sweep typed at the prompt cannot be replayed by a worker
            return REPL(interpreter: interpreter).run()
        }
        return 0
    }

    /// `arg`, the module search path, warnings and Ctrl-C, before any user code runs.
    private func prepare() {
        interpreter.setArgTable(commandLine: options.commandLine, scriptIndex: options.scriptIndex ?? 0)
        var scriptDirectory: String?
        if let script = options.script, script != "-" { scriptDirectory = Self.folder(of: script) }
        interpreter.configureSearchPath(scriptDirectory: scriptDirectory, stdlib: Interpreter.locateStdlib())
        if options.warnings { state.enableWarnings() }
        Terminal.fitDisplay()
        Interrupt.install(state)
        // tune's workers start this command line again; a script on standard input cannot be re-read.
        if options.script != "-" && !options.readsStandardInput { TuneHost.command = options.commandLine }
    }

    /// The folder part of a path as written (`lib/a.lua` -> `lib`, `/a.lua` -> `/`), nil
    /// for a bare file name: the current folder comes next on the search path anyway.
    static func folder(of path: String) -> String? {
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private func perform(_ action: Options.Action) throws {
        Interrupt.clear()
        switch action {
        case .execute(let chunk):
            try interpreter.runString(chunk)
        case .require(let global, let module):
            state.getGlobal("require")
            state.push(module)
            try state.call(nargs: 1, nresults: 1, traceback: true)
            state.setGlobal(global)
        }
    }

    /// Runs the script (a file, or standard input for `-`) with its arguments as `...`.
    private func runScript(at index: Int) throws {
        let path = options.commandLine[index]
        Moonlab.source = path == "-" ? "stdin" : (path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path)
        if path == "-" {
            let bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
            try interpreter.loadScript(bytes, name: "=stdin", displayName: "standard input")
        } else {
            try interpreter.loadFile(path)
        }
        let arguments = options.commandLine[(index + 1)...]
        try state.ensureStack(Int32(arguments.count) + 1)
        for a in arguments { state.push(a) }
        Interrupt.clear()
        try state.call(nargs: Int32(arguments.count), nresults: 0, traceback: true)
    }
}
