/// An error that becomes a Lua error when it leaves a Swift function called from Lua.
///
/// Swift code behind Lua never raises Lua errors itself (a longjmp over Swift frames leaks
/// and corrupts); it throws, and the C trampoline raises the message after Swift returns.
public struct LuaError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The message a thrown Swift error shows in Lua.
func luaMessage(for error: any Error) -> String {
    if let e = error as? LuaError { return e.message }
    return String(describing: error)
}
