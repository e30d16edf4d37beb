@preconcurrency import CLua
import Foundation
import CMoonLua

/// Tab completion from the live Lua state: globals and keywords, table fields after `.`,
/// methods after `:`, on tables and on objects through their metatables (`__index` tables and
/// the `__methods` table LuaKit gives every class).
///
/// Only raw reads: completing never runs Lua code, so it can neither fail nor change state.
public struct Completer {
    public let state: LuaState
    public init(state: LuaState) { self.state = state }

    static let keywords = [
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
        "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    ]

    /// The completions of `word`, a dotted name such as `tens`, `string.fo` or `x:ma`; each is
    /// the whole word completed (`string.format`).
    public func candidates(for word: String) -> [String] {
        guard let sep = word.lastIndex(where: { $0 == "." || $0 == ":" }) else {
            return globalNames(prefix: word)
        }
        let path = word[..<sep].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let prefix = String(word[word.index(after: sep)...])
        let methodsOnly = word[sep] == ":"
        guard path.allSatisfy(Self.isIdentifier) else { return [] }
        let base = lua_gettop(state.L)
        defer { lua_settop(state.L, base) }
        guard lua_checkstack(state.L, 8) != 0 else { return [] }
        moon_pushglobaltable(state.L)
        for name in path {
            guard pushField(of: -1, name) else { return [] }
        }
        let head = String(word[...sep])
        return names(of: -1, methodsOnly: methodsOnly)
            .filter { $0.hasPrefix(prefix) }
            .map { head + $0 }
    }

    /// Inside an unfinished string literal, file names: `line` is the text before the word
    /// being completed, `word` that word (after the last `/`). Nil outside a string, so names
    /// are completed instead. Folders end in `/`; hidden files only when `word` starts with a dot.
    public static func fileCandidates(line: String, word: String) -> [String]? {
        var quote: Character?
        var escaped = false
        var opened = line.startIndex
        for i in line.indices {
            let c = line[i]
            if escaped { escaped = false; continue }
            if c == "\\" && quote != nil { escaped = true; continue }
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
                opened = line.index(after: i)
            }
        }
        guard quote != nil else { return nil }
        let folder = String(line[opened...])
        guard folder.isEmpty || folder.hasSuffix("/") else { return [] }
        let path = folder.isEmpty ? "." : (folder as NSString).expandingTildeInPath
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        return names.filter { $0.hasPrefix(word) && (word.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted().map { name in
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isFolder)
            return isFolder.boolValue ? name + "/" : name
        }
    }

    private func globalNames(prefix: String) -> [String] {
        let base = lua_gettop(state.L)
        defer { lua_settop(state.L, base) }
        guard lua_checkstack(state.L, 8) != 0 else { return [] }
        moon_pushglobaltable(state.L)
        var all = Set(names(of: -1, methodsOnly: false))
        all.formUnion(Self.keywords)
        return all.filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// Replaces the value at `index` (the top) by its field `name`, looked up raw and then
    /// through `__index` tables. False (stack unchanged) when there is no such field.
    private func pushField(of index: Int32, _ name: String) -> Bool {
        let L = state.L
        var depth = 0
        lua_pushvalue(L, index)
        while depth < 8 {
            depth += 1
            if lua_type(L, -1) == LUA_TTABLE {
                state.push(name)
                if lua_rawget(L, -2) != LUA_TNIL {
                    moon_remove(L, -2)
                    moon_replace(L, -2)
                    return true
                }
                moon_pop(L, 1)
            }
            // Not found here: continue in the metatable's __index, if it is a table.
            guard lua_getmetatable(L, -1) != 0 else { break }
            state.push("__index")
            lua_rawget(L, -2)
            moon_remove(L, -2)
            moon_replace(L, -2)
            if lua_type(L, -1) != LUA_TTABLE { break }
        }
        moon_pop(L, 1)
        return false
    }

    /// The identifier keys reachable from the value at `index`: its own (a table), then those
    /// of its metatable's `__methods` and `__index` tables, following `__index` chains, and
    /// the fields an object's class declares (`__fields`: `ds.x`, `model.history`).
    func names(of index: Int32, methodsOnly: Bool) -> [String] {
        let L = state.L
        var found = Set<String>()
        var seen = Set<UnsafeRawPointer>()
        lua_pushvalue(L, index)
        defer { moon_pop(L, 1) }
        collect(-1, into: &found, methodsOnly: methodsOnly, seen: &seen, depth: 0)
        return found.sorted()
    }

    private func collect(_ index: Int32, into found: inout Set<String>, methodsOnly: Bool,
                         seen: inout Set<UnsafeRawPointer>, depth: Int) {
        let L = state.L
        guard depth < 8, lua_checkstack(L, 6) != 0 else { return }
        let t = lua_absindex(L, index)
        if lua_type(L, t) == LUA_TTABLE {
            guard let p = lua_topointer(L, t), seen.insert(p).inserted else { return }
            lua_pushnil(L)
            while lua_next(L, t) != 0 {
                if lua_type(L, -2) == LUA_TSTRING, let key = state.toString(-2), Self.isIdentifier(key),
                   !methodsOnly || moon_isfunction(L, -1) != 0 {
                    found.insert(key)
                }
                moon_pop(L, 1)
            }
        }
        guard lua_getmetatable(L, t) != 0 else { return }
        for field in methodsOnly ? ["__methods", "__index"] : ["__methods", "__index", "__fields"] {
            state.push(field)
            if lua_rawget(L, -2) == LUA_TTABLE {
                collect(-1, into: &found, methodsOnly: methodsOnly, seen: &seen, depth: depth + 1)
            }
            moon_pop(L, 1)
        }
        moon_pop(L, 1)
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return s.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || ($0 >= 48 && $0 <= 57) }
    }

    private static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }
}
