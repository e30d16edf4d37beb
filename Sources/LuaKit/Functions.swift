@preconcurrency import CLua
import CMoonLua
import MoonBase

/// A Swift function callable from Lua: reads its arguments from the stack, pushes its
/// results and returns how many. Throwing turns into a Lua error once Swift has returned.
public typealias LuaFunction = (LuaState) throws -> Int32

/// Every Swift function exposed to Lua, by id. A Lua closure carries only the id; the C
/// trampoline calls `dispatch`, which looks the function up and runs it.
enum FunctionTable {
    nonisolated(unsafe) static var functions: [LuaFunction] = []
    /// Each function's name as users call it (`tensor.zeros`, `dataset:split`), for messages.
    nonisolated(unsafe) static var names: [String] = []
    /// The id of the Swift function running now (-1: none), restored when it returns, so a
    /// function called back from Lua inside another does not change its caller's name.
    nonisolated(unsafe) static var current: Int32 = -1
    /// A name the running function gave itself for this call (`dataset(5)`), or nil.
    nonisolated(unsafe) static var currentName: String?
    nonisolated(unsafe) static var installed = false

    static func add(_ f: @escaping LuaFunction, name: String) -> Int32 {
        install()
        functions.append(f)
        names.append(name)
        return Int32(functions.count - 1)
    }

    static func install() {
        if installed { return }
        installed = true
        moon_set_dispatch { L, id in
            let state = LuaState(L!)
            let (caller, callerName) = (FunctionTable.current, FunctionTable.currentName)
            (FunctionTable.current, FunctionTable.currentName) = (id, nil)
            defer { (FunctionTable.current, FunctionTable.currentName) = (caller, callerName) }
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
    /// `name` is how users call it, for its error messages (`fail`, `fn`).
    public func push(function body: @escaping LuaFunction, name: String = "function") {
        moon_push_swift_function(L, FunctionTable.add(body, name: name))
    }

    /// Registers `body` once and returns a handle that pushes the same function cheaply.
    public static func register(_ body: @escaping LuaFunction, name: String = "function") -> LuaFunctionHandle {
        LuaFunctionHandle(id: FunctionTable.add(body, name: name))
    }

    /// The name of the Swift function Lua is running now, as users call it (`tensor.zeros`,
    /// `dataset:split`): LuaKit knows it, so no binding writes its own name. A function may
    /// name itself for the rest of the call (`L.fn = "dataset(5)"`).
    public var fn: String {
        get {
            if let name = FunctionTable.currentName { return name }
            return FunctionTable.current >= 0 ? FunctionTable.names[Int(FunctionTable.current)] : "moonlab"
        }
        nonmutating set { FunctionTable.currentName = newValue }
    }

    /// An error of the running function: `dataset:split: fraction must be in (0, 1)`.
    public func fail(_ message: String) -> LuaError { LuaError("\(fn): \(message)") }

    /// Runs `body`, naming the running function in the engine's errors: the engine's name for
    /// the operation (`indexSelect`) gives way to the one users called (`dataset:select`); an
    /// error without one gets it in front. Argument errors pass unchanged (LuaKit renders them
    /// in Lua's form).
    public func named<R>(_ body: () throws -> R) throws -> R {
        do { return try body() } catch var e as MoonError where !e.isArgumentError {
            if e.operation != nil { e.operation = fn } else { e = e.within(fn) }
            throw LuaError(e.description)
        }
    }

    public func push(_ handle: LuaFunctionHandle) { moon_push_swift_function(L, handle.id) }
}

/// A Swift function registered once; pushing it makes a new Lua closure over the same id.
public struct LuaFunctionHandle: Sendable {
    let id: Int32
}
