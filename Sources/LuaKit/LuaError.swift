@preconcurrency import CLua
import CMoonLua

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
    state.push(luaMessage(for: error))
}

/// The message a thrown Swift error shows in Lua.
func luaMessage(for error: any Error) -> String {
    if let e = error as? LuaError { return e.message }
    return String(describing: error)
}
