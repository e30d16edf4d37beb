@preconcurrency import CLua
import CMoonLua

/// A Swift function callable from Lua: reads its arguments from the stack, pushes its
/// results and returns how many. Throwing turns into a Lua error once Swift has returned.
public typealias LuaFunction = (LuaState) throws -> Int32

/// Every Swift function exposed to Lua, by id. A Lua closure carries only the id; the C
/// trampoline calls `dispatch`, which looks the function up and runs it.
enum FunctionTable {
    nonisolated(unsafe) static var functions: [LuaFunction] = []
    nonisolated(unsafe) static var installed = false

    static func add(_ f: @escaping LuaFunction) -> Int32 {
        install()
        functions.append(f)
        return Int32(functions.count - 1)
    }

    static func install() {
        if installed { return }
        installed = true
        moon_set_dispatch { L, id in
            let state = LuaState(L!)
            do {
                return try FunctionTable.functions[Int(id)](state)
            } catch {
                pushError(state, error)
                return MOON_ERROR
            }
        }
    }
}

extension LuaState {
    /// Pushes a Lua function that runs `body`. Errors thrown by `body` become Lua errors
    /// prefixed with the caller's position, as `error()` does.
    public func push(function body: @escaping LuaFunction) {
        moon_push_swift_function(L, FunctionTable.add(body))
    }

    /// Registers `body` once and returns a handle that pushes the same function cheaply.
    public static func register(_ body: @escaping LuaFunction) -> LuaFunctionHandle {
        LuaFunctionHandle(id: FunctionTable.add(body))
    }

    public func push(_ handle: LuaFunctionHandle) { moon_push_swift_function(L, handle.id) }
}

/// A Swift function registered once; pushing it makes a new Lua closure over the same id.
public struct LuaFunctionHandle: Sendable {
    let id: Int32
}
