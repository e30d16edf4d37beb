import Foundation
@preconcurrency import CLua
import CMoonLua

/// One Lua 5.4 state with the standard libraries, the help registry and moonlab's module
/// search path. Owns the state and closes it on deinit.
public final class Interpreter {
    public let state: LuaState

    public init() throws {
        guard let L = luaL_newstate() else { throw LuaError("cannot create a Lua state (out of memory)") }
        state = LuaState(L)
        luaL_openlibs(L)
        FunctionTable.install()
        state.installHelp()
        // Generational collection: the modules, their functions and help stay (old objects),
        // while tensors made and dropped every step are young. A minor collection visits only
        // the young, so a training step that calls Lua (a layer written in Lua) pays little
        // for the collector; the incremental mode re-walked the whole heap.
        moon_gc_generational(L)
    }

    deinit { lua_close(state.L) }

    // MARK: module search path

    /// Sets `package.path`/`package.cpath` so `require` looks, in order, in the running
    /// script's folder, the current folder, each `MOONLAB_PATH` entry, the shipped `stdlib/`,
    /// then the standard `LUA_PATH_5_4`/`LUA_PATH` (and C modules likewise).
    public func configureSearchPath(scriptDirectory: String?, stdlib: String?,
                                    environment: [String: String] = ProcessInfo.processInfo.environment) {
        var dirs: [String] = []
        if let d = scriptDirectory, !d.isEmpty { dirs.append(d) }
        dirs.append(".")
        if let extra = environment["MOONLAB_PATH"] {
            dirs += extra.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        var luaDirs = dirs
        if let stdlib { luaDirs.append(stdlib) }
        func patterns(_ ds: [String], _ templates: [String]) -> String {
            ds.flatMap { d in templates.map { d == "." ? "./" + $0 : d + "/" + $0 } }.joined(separator: ";")
        }
        let lua = patterns(luaDirs, ["?.lua", "?/init.lua"])
        let c = patterns(dirs, ["?.so"])
        state.getGlobal("package")
        // luaopen_package already read LUA_PATH_5_4 / LUA_PATH (and the C paths) into these.
        state.getField(-1, "path")
        let path = state.toString(-1) ?? ""
        state.pop()
        state.push(lua + ";" + path)
        state.setField(-2, "path")
        state.getField(-1, "cpath")
        let cpath = state.toString(-1) ?? ""
        state.pop()
        state.push(c + ";" + cpath)
        state.setField(-2, "cpath")
        state.pop()
    }

    /// The `stdlib/` folder shipped with the program: `MOONLAB_STDLIB` if set, else found next
    /// to the executable (`bin/../share/moonlab/stdlib`, `<exe dir>/stdlib`) or, for a binary
    /// built in the source tree, in the nearest parent folder holding `Package.swift` and `stdlib/`.
    public static func locateStdlib(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let fm = FileManager.default
        func isDir(_ p: String) -> Bool {
            var d: ObjCBool = false
            return fm.fileExists(atPath: p, isDirectory: &d) && d.boolValue
        }
        if let p = environment["MOONLAB_STDLIB"], isDir(p) { return p }
        let exe = URL(fileURLWithPath: (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
            .resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for candidate in ["stdlib", "../share/moonlab/stdlib"] {
            let p = dir.appendingPathComponent(candidate).standardizedFileURL.path
            if isDir(p) { return p }
        }
        while dir.path != "/" {
            let p = dir.appendingPathComponent("stdlib").path
            if isDir(p), fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return p }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    // MARK: running code

    /// Compiles `source` as a chunk named `name` (`@file` or `=stdin` conventions) and
    /// leaves the function on the stack. Binary chunks are refused (`mode` "t").
    public func load(_ source: [UInt8], name: String) throws {
        let empty: [CChar] = [0]
        let status = source.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { chars in
                empty.withUnsafeBufferPointer { e in
                    moon_loadbuffer(state.L, chars.baseAddress ?? e.baseAddress, chars.count, name, "t")
                }
            }
        }
        if status != LUA_OK {
            let msg = state.toString(-1) ?? "cannot load \(name)"
            state.pop()
            throw LuaError(msg)
        }
    }

    /// Loads a script file and leaves its function on the stack. A missing file, a folder,
    /// a precompiled chunk or a binary file gives a clear error instead of a parser message.
    public func loadFile(_ path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                throw LuaError("cannot run \(path): it is a folder")
            }
            throw LuaError("cannot open \(path): " + (FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"))
        }
        try loadScript([UInt8](data), name: "@" + path, displayName: path)
    }

    /// Loads script source (a file's or standard input's bytes) and leaves its function on the
    /// stack. A first line starting with `#` (`#!/usr/bin/env moonlab`) is skipped, keeping
    /// line numbers; precompiled chunks and binary files are refused.
    public func loadScript(_ source: [UInt8], name: String, displayName: String) throws {
        var bytes = source
        if bytes.first == 0x1B {
            throw LuaError("cannot run \(displayName): it is a precompiled binary chunk, not a Lua script")
        }
        // Text never holds NUL bytes; executables, images and archives do within their header.
        if bytes.prefix(8192).contains(0) {
            throw LuaError("cannot run \(displayName): it is a binary file, not a Lua script")
        }
        if bytes.first == 0x23 { // '#!' line: skip it but keep line numbers
            let end = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
            bytes.replaceSubrange(0..<end, with: [])
        }
        try load(bytes, name: name)
    }

    /// Runs a script file with `arg` and `...` set as the `lua` command sets them.
    public func runFile(_ path: String, arguments: [String], programName: String) throws {
        try loadFile(path)
        setArgTable(script: path, arguments: arguments, programName: programName)
        for a in arguments { state.push(a) }
        try state.call(nargs: Int32(arguments.count), nresults: 0, traceback: true)
    }

    /// Runs a chunk of source, e.g. from `-e`.
    public func runString(_ source: String, name: String = "=(command line)") throws {
        try load(Array(source.utf8), name: name)
        try state.call(nargs: 0, nresults: 0, traceback: true)
    }

    /// `arg[0]` is the script, `arg[1..]` its arguments, negative indices the interpreter.
    public func setArgTable(script: String, arguments: [String], programName: String) {
        setArgTable(commandLine: [programName, script] + arguments, scriptIndex: 1)
    }

    /// Sets `arg` from a whole command line as `lua` does: `arg[0]` is
    /// `commandLine[scriptIndex]` (the script, or the program when there is none), later words
    /// are `arg[1]`, `arg[2]`, ..., earlier ones (program and options) negative indices.
    public func setArgTable(commandLine: [String], scriptIndex: Int) {
        let after = max(commandLine.count - scriptIndex - 1, 0)
        state.newTable(arrayCount: Int32(after), fieldCount: Int32(scriptIndex + 1))
        for (i, word) in commandLine.enumerated() {
            state.push(word)
            state.rawSet(-2, i - scriptIndex)
        }
        state.setGlobal("arg")
    }
}
