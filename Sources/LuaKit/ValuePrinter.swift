@preconcurrency import CLua
import CMoonLua

/// Shows Lua values the way the REPL prints them: strings quoted, tables nested (one line
/// when they fit, indented otherwise), cycle-safe, long ones shortened with `... (N more)`,
/// objects through their `__tostring`.
///
/// Tables are read raw. The only Lua code that runs is `__tostring`, in protected mode, so
/// printing a value never raises and never unwinds Swift.
public struct ValuePrinter {
    public let state: LuaState
    /// Entries shown per table before `... (N more)`.
    public var maxItems = 40
    /// Tables nested deeper than this print as `{...}`.
    public var maxDepth = 5
    /// A table that fits in this many columns prints on one line.
    public var width = 80

    private var L: OpaquePointer { state.L }

    /// The text of the value at `index`.
    public init(state: LuaState) { self.state = state }

    public func format(_ index: Int32) -> String {
        var path = Set<UnsafeRawPointer>()
        return format(lua_absindex(L, index), depth: 0, indent: 0, path: &path)
    }

    private func format(_ index: Int32, depth: Int, indent: Int, path: inout Set<UnsafeRawPointer>) -> String {
        switch lua_type(L, index) {
        case LUA_TNIL: return "nil"
        case LUA_TBOOLEAN: return lua_toboolean(L, index) != 0 ? "true" : "false"
        case LUA_TNUMBER: return state.toString(index) ?? "?"
        case LUA_TSTRING: return Self.quote(bytes(index))
        case LUA_TTABLE where !hasMetamethod(index, "__tostring"):
            return formatTable(index, depth: depth, indent: indent, path: &path)
        default:
            // Inside a table, an object's further lines sit under its first, indented.
            return indentLines(safeToString(index), by: indent == 0 ? 0 : indent + 2)
        }
    }

    // MARK: tables

    private enum Key {
        case number(Double, integer: Int?)
        case string(String)
        case other(String)           // booleans and objects, shown with their value already

        var order: Int { switch self { case .number: 0; case .string: 1; case .other: 2 } }
    }

    private func formatTable(_ t: Int32, depth: Int, indent: Int, path: inout Set<UnsafeRawPointer>) -> String {
        guard let pointer = lua_topointer(L, t) else { return "{}" }
        if path.contains(pointer) { return "<cycle>" }
        let length = Int(lua_rawlen(L, t))
        if depth >= maxDepth { return length == 0 && isEmpty(t) ? "{}" : "{...}" }
        guard lua_checkstack(L, 8) != 0 else { return "{...}" }
        path.insert(pointer)
        defer { path.remove(pointer) }

        var entries: [String] = []
        let shownArray = min(length, maxItems)
        for i in stride(from: 1, through: shownArray, by: 1) {
            lua_rawgeti(L, t, lua_Integer(i))
            entries.append(format(lua_gettop(L), depth: depth + 1, indent: indent + 2, path: &path))
            moon_pop(L, 1)
        }

        // The other keys: numbers in order, then names alphabetically, then the rest.
        var keys: [(Key, Int)] = []   // key and its traversal position (keeps `other` stable)
        var otherCount = 0
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            defer { moon_pop(L, 1) }
            if lua_isinteger(L, -2) != 0 {
                let i = lua_tointegerx(L, -2, nil)
                if i >= 1 && i <= length { continue }
            }
            otherCount += 1
            guard keys.count < 10_000 else { continue }
            switch lua_type(L, -2) {
            case LUA_TNUMBER:
                let integer = lua_isinteger(L, -2) != 0 ? Int(lua_tointegerx(L, -2, nil)) : nil
                keys.append((.number(lua_tonumberx(L, -2, nil), integer: integer), keys.count))
            case LUA_TSTRING:
                keys.append((.string(state.toString(-2) ?? ""), keys.count))
            default:
                guard entries.count + keys.count < maxItems else { continue }
                let key = format(lua_absindex(L, -2), depth: depth + 1, indent: indent + 2, path: &path)
                let value = format(lua_gettop(L), depth: depth + 1, indent: indent + 2, path: &path)
                keys.append((.other("[\(key)] = \(value)"), keys.count))
            }
        }
        keys.sort { a, b in
            switch (a.0, b.0) {
            case let (.number(x, _), .number(y, _)): return x < y
            case let (.string(x), .string(y)): return x < y
            default: return a.0.order != b.0.order ? a.0.order < b.0.order : a.1 < b.1
            }
        }
        for (key, _) in keys.prefix(max(maxItems - entries.count, 0)) {
            switch key {
            case .other(let text):
                entries.append(text)
            case .number(let n, let integer):
                if let integer { lua_pushinteger(L, lua_Integer(integer)) } else { lua_pushnumber(L, n) }
                let name = state.toString(-1) ?? "?"
                lua_rawget(L, t)
                entries.append("[\(name)] = " + format(lua_gettop(L), depth: depth + 1, indent: indent + 2, path: &path))
                moon_pop(L, 1)
            case .string(let s):
                state.push(s)
                lua_rawget(L, t)
                let name = Completer.isIdentifier(s) && !Completer.keywords.contains(s) ? s : "[\(Self.quote(Array(s.utf8)))]"
                entries.append("\(name) = " + format(lua_gettop(L), depth: depth + 1, indent: indent + 2, path: &path))
                moon_pop(L, 1)
            }
        }
        let omitted = (length - shownArray) + otherCount - (entries.count - shownArray)
        if omitted > 0 { entries.append("... (\(omitted) more)") }
        return layout(entries, indent: indent)
    }

    /// `{a, b}` when it fits on the line, else one entry a line (short scalars packed).
    private func layout(_ entries: [String], indent: Int) -> String {
        if entries.isEmpty { return "{}" }
        let oneLine = "{" + entries.joined(separator: ", ") + "}"
        if oneLine.count + indent <= width && !oneLine.contains("\n") { return oneLine }
        let pad = String(repeating: " ", count: indent + 2)
        var lines: [String] = []
        var current = ""
        for entry in entries {
            let short = entry.count <= 24 && !entry.contains("\n") && !entry.contains(" = {")
            if short && !current.isEmpty && pad.count + current.count + entry.count + 2 <= width {
                current += " " + entry + ","
                continue
            }
            if !current.isEmpty { lines.append(current) }
            current = entry + ","
            if !short { lines.append(current); current = "" }
        }
        if !current.isEmpty { lines.append(current) }
        return "{\n" + lines.map { pad + $0 }.joined(separator: "\n") + "\n" + String(repeating: " ", count: indent) + "}"
    }

    private func isEmpty(_ t: Int32) -> Bool {
        lua_pushnil(L)
        if lua_next(L, t) != 0 { moon_pop(L, 2); return false }
        return true
    }

    // MARK: objects and strings

    private func hasMetamethod(_ index: Int32, _ name: String) -> Bool {
        guard lua_getmetatable(L, index) != 0 else { return false }
        state.push(name)
        let found = lua_rawget(L, -2) != LUA_TNIL
        moon_pop(L, 2)
        return found
    }

    /// `tostring(v)` in protected mode; a failing `__tostring` is shown, not raised.
    private func safeToString(_ index: Int32) -> String {
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        guard lua_checkstack(L, 3) != 0 else { return "?" }
        if lua_getfield(L, moon_registryindex(), Self.toStringKey) != LUA_TFUNCTION {
            moon_pop(L, 1)
            lua_getglobal(L, "tostring")
        }
        lua_pushvalue(L, index)
        guard moon_pcall(L, 1, 1, 0) == LUA_OK else {
            let why = lua_type(L, -1) == LUA_TSTRING ? state.toString(-1) ?? "" : "(error object is a \(typeName(-1)) value)"
            return "<\(typeName(index)): __tostring failed: \(why)>"
        }
        guard lua_type(L, -1) == LUA_TSTRING else { return "<\(typeName(index))>" }
        return String(decoding: bytes(-1), as: UTF8.self)
    }

    /// Where the standard `tostring` is kept, so a script that replaces the global one does
    /// not change how the REPL prints.
    static let toStringKey = "moonlab.repl.tostring"

    /// Keeps the current global `tostring` for printing (call before user code runs).
    public static func keepStandardToString(_ state: LuaState) {
        let L = state.L
        if lua_getfield(L, moon_registryindex(), toStringKey) == LUA_TFUNCTION { moon_pop(L, 1); return }
        moon_pop(L, 1)
        lua_getglobal(L, "tostring")
        lua_setfield(L, moon_registryindex(), toStringKey)
    }

    private func typeName(_ index: Int32) -> String {
        String(cString: lua_typename(L, lua_type(L, index)))
    }

    private func bytes(_ index: Int32) -> [UInt8] {
        var length = 0
        guard let p = lua_tolstring(L, index, &length) else { return [] }
        return p.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    private func indentLines(_ text: String, by indent: Int) -> String {
        guard indent > 0, text.contains("\n") else { return text }
        return text.replacingOccurrences(of: "\n", with: "\n" + String(repeating: " ", count: indent))
    }

    /// A Lua string literal for `bytes`: UTF-8 text kept, quotes, backslashes, control
    /// characters and invalid bytes escaped (`"a\"b\n\255"`).
    static func quote(_ bytes: [UInt8]) -> String {
        // A digit right after a short decimal escape would join it ("\0" then "1" reads
        // "\01"), so use three digits then.
        func escape(_ b: UInt8, at i: Int) -> String {
            let nextIsDigit = i + 1 < bytes.count && bytes[i + 1] >= 48 && bytes[i + 1] <= 57
            guard nextIsDigit else { return "\\\(b)" }
            let digits = String(b)
            return "\\" + String(repeating: "0", count: 3 - digits.count) + digits
        }
        var out = "\""
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case UInt8(ascii: "\n"): out += "\\n"
            case UInt8(ascii: "\t"): out += "\\t"
            case UInt8(ascii: "\r"): out += "\\r"
            case 0..<0x20, 0x7F: out += escape(b, at: i)
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                // A whole valid UTF-8 sequence is kept; a stray byte is escaped.
                let n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0
                if n > 0, i + n <= bytes.count,
                   let s = String(validating: bytes[i..<(i + n)], as: UTF8.self) {
                    out += s
                    i += n
                    continue
                }
                out += escape(b, at: i)
            }
            i += 1
        }
        return out + "\""
    }
}
