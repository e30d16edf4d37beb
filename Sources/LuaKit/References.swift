@preconcurrency import CLua
import CMoonLua

/// A Lua value kept alive from Swift: held in the registry until this object goes away.
/// An engine object that calls back into Lua (a layer written in Lua) keeps its functions
/// and tables this way.
public final class LuaReference: @unchecked Sendable {
    /// The main thread of the state the value lives in (a coroutine may end; the main one
    /// lives as long as the state).
    private let main: OpaquePointer
    private let ref: Int32

    /// A reference to the value at `index` of `L`'s stack (left on the stack).
    public init(_ L: LuaState, _ index: Int32) {
        L.pushValue(index)
        ref = luaL_ref(L.L, moon_registryindex())
        lua_rawgeti(L.L, moon_registryindex(), lua_Integer(LUA_RIDX_MAINTHREAD))
        main = lua_tothread(L.L, -1)
        L.pop()
    }

    /// Pushes the value onto `L`'s stack (any thread of the same state).
    public func push(_ L: LuaState) { lua_rawgeti(L.L, moon_registryindex(), lua_Integer(ref)) }

    deinit { luaL_unref(main, moon_registryindex(), ref) }
}

extension LuaState {
    /// The Lua thread whose call is running Swift on this OS thread, or nil when Lua is not
    /// running here: what the engine calls back into (a Lua layer's forward during `fit`).
    public static var running: LuaState? { moon_current_state().map { LuaState($0) } }

    /// `running`, or an error saying that `what` (written in Lua) runs only there.
    public static func running(for what: @autoclosure () -> String) throws -> LuaState {
        guard let L = running else { throw LuaError("\(what()) is written in Lua and runs only while Lua runs, on its thread") }
        return L
    }

    /// `call(nargs:nresults:)` for a function called on the user's behalf from the engine: a
    /// Lua error comes back prefixed with `label` (`gate_1 (Gate) forward: ...`), which is made
    /// only then (the call may run every batch).
    public func call(nargs: Int32, nresults: Int32, label: @autoclosure () -> String) throws {
        do { try call(nargs: nargs, nresults: nresults) } catch let e as LuaError { throw LuaError("\(label()): \(e.message)") }
    }

    /// Whether the values at `a` and `b` are the same, without metamethods.
    public func rawEqual(_ a: Int32, _ b: Int32) -> Bool { lua_rawequal(L, a, b) != 0 }
}

extension LuaState {
    /// `t[k] = v` without metamethods, for the table at `index` with k and v on top (popped); `index` counts from the bottom (absolute).
    public func rawSetPair(_ index: Int32) { lua_rawset(L, index) }

    /// Replaces the key on top with `t[key]` (no metamethods) of the table at `index`.
    public func rawGetTop(_ index: Int32) { lua_rawget(L, index) }

    /// Whether the value at `index` has the class metatable `metatable` (a table made into a
    /// class object with `setMetatable(_:named:)`, or a userdata of that class).
    public func hasMetatable(_ index: Int32, named metatable: StaticString) -> Bool {
        guard lua_getmetatable(L, index) != 0 else { return false }
        moon_getmetatable_named(L, Self.cName(metatable))
        defer { pop(2) }
        return lua_rawequal(L, -1, -2) != 0
    }
}
