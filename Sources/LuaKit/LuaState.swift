@preconcurrency import CLua
import CMoonLua

/// The Lua value types, as `lua_type` reports them.
public enum LuaType: Int32, Sendable {
    case none = -1, `nil` = 0, boolean, lightUserdata, number, string, table, function, userdata, thread

    public var name: String {
        switch self {
        case .none: return "no value"
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .lightUserdata, .userdata: return "userdata"
        case .number: return "number"
        case .string: return "string"
        case .table: return "table"
        case .function: return "function"
        case .thread: return "thread"
        }
    }
}

/// A thin, copyable view of a `lua_State *` with the stack operations moonlab's bindings use.
/// Every operation here is non-raising: errors surface as thrown `LuaError`s.
public struct LuaState: @unchecked Sendable {
    public let L: OpaquePointer

    public init(_ L: OpaquePointer) { self.L = L }

    // MARK: stack

    public var top: Int32 {
        get { lua_gettop(L) }
        nonmutating set { lua_settop(L, newValue) }
    }
    public func pop(_ n: Int32 = 1) { moon_pop(L, n) }
    public func pushValue(_ index: Int32) { lua_pushvalue(L, index) }
    public func absolute(_ index: Int32) -> Int32 { lua_absindex(L, index) }
    public func insert(_ index: Int32) { moon_insert(L, index) }
    public func remove(_ index: Int32) { moon_remove(L, index) }
    /// Makes sure the stack has room for `n` more values.
    public func ensureStack(_ n: Int32) throws {
        if lua_checkstack(L, n) == 0 { throw LuaError("stack overflow (cannot grow the Lua stack by \(n))") }
    }

    public func type(_ index: Int32) -> LuaType { LuaType(rawValue: lua_type(L, index)) ?? .none }
    public func typeName(_ index: Int32) -> String {
        if type(index) == .userdata, let name = objectTypeName(index) { return name }
        return type(index).name
    }
    public func isNoneOrNil(_ index: Int32) -> Bool { moon_isnoneornil(L, index) != 0 }

    // MARK: push

    public func pushNil() { lua_pushnil(L) }
    public func push(_ value: Bool) { lua_pushboolean(L, value ? 1 : 0) }
    public func push(_ value: Int) { lua_pushinteger(L, lua_Integer(value)) }
    public func push(_ value: Double) { lua_pushnumber(L, value) }
    public func push(_ value: Float) { lua_pushnumber(L, Double(value)) }
    public func push(_ value: String) {
        var s = value
        s.withUTF8 { buf in
            buf.withMemoryRebound(to: CChar.self) { moon_pushbytes(L, $0.baseAddress, $0.count) }
        }
    }
    /// Pushes a Lua array holding `values`.
    public func push<T>(array values: [T], _ pushOne: (T) -> Void) {
        lua_createtable(L, Int32(values.count), 0)
        for (i, v) in values.enumerated() {
            pushOne(v)
            lua_rawseti(L, -2, lua_Integer(i + 1))
        }
    }
    public func push(array values: [Int]) { push(array: values) { push($0) } }
    public func push(array values: [Double]) { push(array: values) { push($0) } }
    public func push(array values: [String]) { push(array: values) { push($0) } }
    public func newTable(arrayCount: Int32 = 0, fieldCount: Int32 = 0) { lua_createtable(L, arrayCount, fieldCount) }

    // MARK: read (non-raising)

    public func toNumber(_ index: Int32) -> Double? {
        var ok: Int32 = 0
        let v = lua_tonumberx(L, index, &ok)
        return ok != 0 ? v : nil
    }
    public func toInteger(_ index: Int32) -> Int? {
        var ok: Int32 = 0
        let v = lua_tointegerx(L, index, &ok)
        return ok != 0 ? Int(v) : nil
    }
    public func toBool(_ index: Int32) -> Bool { lua_toboolean(L, index) != 0 }
    /// The string at `index` (numbers are not converted in place).
    public func toString(_ index: Int32) -> String? {
        let t = type(index)
        guard t == .string || t == .number else { return nil }
        if t == .number { pushValue(index); defer { pop() }; return rawString(-1) }
        return rawString(index)
    }
    private func rawString(_ index: Int32) -> String? {
        var len = 0
        guard let p = lua_tolstring(L, index, &len) else { return nil }
        return p.withMemoryRebound(to: UInt8.self, capacity: len) {
            String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self)
        }
    }

    // MARK: tables

    /// Pushes `t[key]` for the table at `index`; returns its type.
    @discardableResult
    public func getField(_ index: Int32, _ key: String) -> LuaType {
        LuaType(rawValue: lua_getfield(L, index, key)) ?? .none
    }
    /// `t[key] = top`, popping the value.
    public func setField(_ index: Int32, _ key: String) { lua_setfield(L, index, key) }
    @discardableResult
    public func rawGet(_ index: Int32, _ i: Int) -> LuaType { LuaType(rawValue: lua_rawgeti(L, index, lua_Integer(i))) ?? .none }
    public func rawSet(_ index: Int32, _ i: Int) { lua_rawseti(L, index, lua_Integer(i)) }
    public func rawLength(_ index: Int32) -> Int { Int(lua_rawlen(L, index)) }
    @discardableResult
    public func getGlobal(_ name: String) -> LuaType { LuaType(rawValue: lua_getglobal(L, name)) ?? .none }
    public func setGlobal(_ name: String) { lua_setglobal(L, name) }

    /// Calls `body` for each key/value of the table at `index` with the key at -2 and value at -1.
    public func forEachPair(_ index: Int32, _ body: () throws -> Void) rethrows {
        let t = absolute(index)
        pushNil()
        while lua_next(L, t) != 0 {
            do { try body() } catch { pop(2); throw error }
            pop()
        }
    }

    // MARK: calling Lua from Swift

    /// Calls the function below `nargs` arguments in protected mode; a Lua error becomes a
    /// thrown `LuaError` (with a traceback when asked). Never lets a Lua error unwind Swift.
    public func call(nargs: Int32, nresults: Int32, traceback: Bool = false) throws {
        let status = traceback ? moon_pcall_traceback(L, nargs, nresults) : moon_pcall(L, nargs, nresults, 0)
        if status != LUA_OK {
            if type(-1) != .string && type(-1) != .number && type(-1) != .nil {
                // A table (or other) error object travels unchanged to whoever catches it in Lua.
                let msg = "(error object is a \(typeName(-1)) value)"
                throw LuaError(msg, object: luaL_ref(L, moon_registryindex()))
            }
            let msg = toString(-1) ?? "(error object is a \(typeName(-1)) value)"
            pop()
            throw LuaError(msg)
        }
    }
}

extension LuaState {
    /// The Lua release this program embeds: `5.4`.
    public static let luaVersion = "\(LUA_VERSION_MAJOR).\(LUA_VERSION_MINOR)"
    /// `nresults` for a call that keeps every result.
    public static let allResults = LUA_MULTRET

    /// Turns Lua's warnings (`warn(...)`) on, as `lua -W` does.
    public func enableWarnings() { lua_warning(L, "@on", 0) }

    /// Unblocks the signals a parent may have blocked (so Ctrl-C reaches this process).
    public static func resetSignalMask() { moon_reset_signal_mask() }
}

extension LuaState {
    /// Pops a table and makes it the metatable of the value at `index`.
    public func setMetatable(_ index: Int32) { lua_setmetatable(L, index) }

    /// Pushes the metatable of the value at `index` and returns true; false (nothing pushed)
    /// when it has none.
    public func pushMetatable(_ index: Int32) -> Bool { lua_getmetatable(L, index) != 0 }
}
