@preconcurrency import CLua
import CMoonLua
import MoonBase

/// An error that becomes a Lua error when it leaves a Swift function called from Lua.
///
/// Swift code behind Lua never raises Lua errors itself (a longjmp over Swift frames leaks
/// and corrupts); it throws, and the C trampoline raises the message after Swift returns.
public struct LuaError: Error, CustomStringConvertible, Sendable {
    public let message: String
    /// A non-string error object (a table `error{code = 1}` raised by a Lua function called
    /// from Swift), kept in the registry so that it reaches the Lua caller unchanged.
    public let object: Int32?
    public init(_ message: String) { self.message = message; self.object = nil }
    init(_ message: String, object: Int32) { self.message = message; self.object = object }
    public var description: String { message }
}

/// Pushes what a thrown Swift error raises in Lua: the original error object when it was a
/// non-string value, else the message.
func pushError(_ state: LuaState, _ error: any Error) {
    if let e = error as? LuaError, let ref = e.object {
        lua_rawgeti(state.L, moon_registryindex(), lua_Integer(ref))
        luaL_unref(state.L, moon_registryindex(), ref)
        return
    }
    state.push(luaMessage(for: error, in: state))
}

/// The message a thrown Swift error shows in Lua. A bad argument reads as Lua's own
/// (`bad argument #1 to 'split' (a number expected, got string)`): the function's name is
/// the one it was called by, and a method's arguments are counted without `self`, as
/// `luaL_argerror` does.
func luaMessage(for error: any Error, in state: LuaState) -> String {
    if let e = error as? LuaError { return e.message }
    guard let e = error as? MoonError else { return String(describing: error) }
    guard case .argument(var position) = e.kind else { return e.description }
    var ar = lua_Debug()
    var name = e.operation ?? state.fn
    if lua_getstack(state.L, 0, &ar) != 0, lua_getinfo(state.L, "nf", &ar) != 0 {
        // Called by name (`tensor.zeros(...)`, `t:split(...)`): that name, as Lua shows it;
        // called through pcall or a local: where the function lives (`nn.Dense`).
        if let n = ar.name { name = String(cString: n) } else if let found = state.globalName(ofFunctionAt: -1) { name = found }
        state.pop()
        if let what = ar.namewhat, String(cString: what) == "method" {
            position -= 1
            if position == 0 { return "calling '\(name)' on bad self (\(e.message))" }
        }
    }
    return "bad argument #\(position) to '\(name)' (\(e.message))"
}

extension LuaState {
    /// `module.field` (or a global's name) of the function at `index`, searched one level
    /// deep in the global table, as `luaL_argerror` searches `package.loaded`; nil when it
    /// lives nowhere such. Raises no Lua error.
    func globalName(ofFunctionAt index: Int32) -> String? {
        let f = absolute(index)
        moon_pushglobaltable(L)
        defer { pop() }
        let globals = top
        var found: String?
        pushNil()
        while found == nil, lua_next(L, globals) != 0 {
            defer { pop() }
            guard type(-2) == .string, let key = rawStringKey(-2) else { continue }
            if lua_rawequal(L, -1, f) != 0 { found = key; break }
            guard type(-1) == .table else { continue }
            let module = top
            pushNil()
            while lua_next(L, module) != 0 {
                if type(-2) == .string, lua_rawequal(L, -1, f) != 0, let field = rawStringKey(-2) {
                    found = "\(key).\(field)"
                    pop(2)
                    break
                }
                pop()
            }
        }
        if found != nil { pop() }   // the key left by the outer loop's break
        return found
    }

    /// A string key without converting it in place (which would break `lua_next`).
    private func rawStringKey(_ index: Int32) -> String? {
        var len = 0
        guard let p = lua_tolstring(L, index, &len) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
    }
}