@preconcurrency import CLua
import Foundation
import CMoonLua
import MoonBase

/// A Swift function callable from Lua: reads its arguments from the stack, pushes its
/// results and returns how many. Throwing turns into a Lua error once Swift has returned.
public typealias LuaFunction = (LuaState) throws -> Int32

/// Every Swift function exposed to Lua, by id. A Lua closure carries only the id; the C
/// trampoline calls `dispatch`, which looks the function up and runs it. The trampoline also
/// keeps, per thread, which function runs (`LuaState.fn` names it in messages).
///
/// Functions live in chunks that never move, so a lookup needs no lock while another thread
/// (another interpreter, in tests) registers more; registering takes the lock.
enum FunctionTable {
    static let chunkSize = 4096
    nonisolated(unsafe) static var chunks: [UnsafeMutablePointer<(LuaFunction, String)>?] =
        Array(repeating: nil, count: 1 << 14)
    nonisolated(unsafe) static var count = 0
    static let lock = NSLock()

    static func add(_ f: @escaping LuaFunction, name: String) -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        installLocked()
        let (c, i) = (count / chunkSize, count % chunkSize)
        precondition(c < chunks.count, "too many Swift functions registered with Lua")
        if chunks[c] == nil { chunks[c] = .allocate(capacity: chunkSize) }
        (chunks[c]! + i).initialize(to: (f, name))
        count += 1
        return Int32(count - 1)
    }

    @inline(__always)
    static func entry(_ id: Int32) -> (LuaFunction, String) {
        chunks[Int(id) / chunkSize]![Int(id) % chunkSize]
    }

    nonisolated(unsafe) static var installed = false

    static func install() {
        lock.lock()
        defer { lock.unlock() }
        installLocked()
    }

    private static func installLocked() {
        if installed { return }
        installed = true
        moon_set_name_release { Unmanaged<NameBox>.fromOpaque($0!).release() }
        moon_set_dispatch { L, id in
            let state = LuaState(L!)
            do {
                return try FunctionTable.entry(id).0(state)
            } catch {
                pushError(state, error)
                return MOON_ERROR
            }
        }
    }
}

/// A name a running function gave itself for one call, held by the C trampoline.
final class NameBox {
    let name: String
    init(_ name: String) { self.name = name }
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
            if let box = moon_current_name() { return Unmanaged<NameBox>.fromOpaque(box).takeUnretainedValue().name }
            let id = moon_current_function()
            return id >= 0 ? FunctionTable.entry(id).1 : "moonlab"
        }
        nonmutating set { moon_set_current_name(Unmanaged.passRetained(NameBox(newValue)).toOpaque()) }
    }

    /// An error of the running function: `dataset:split: fraction must be in (0, 1)`.
    public func fail(_ message: String) -> LuaError { LuaError("\(fn): \(message)") }

    /// Runs `body`, naming the running function in the engine's errors: the engine's name for
    /// the operation (`indexSelect`) gives way to the one users called (`dataset:select`); an
    /// error without one gets it in front. Argument errors pass unchanged (LuaKit renders them
    /// in Lua's form).
    public func named<R>(_ body: () throws -> R) throws -> R {
        do { return try body() } catch let e as MoonError where !e.isArgumentError {
            throw LuaError(e.renamed(fn).description)
        }
    }

    public func push(_ handle: LuaFunctionHandle) { moon_push_swift_function(L, handle.id) }
}

/// A Swift function registered once; pushing it makes a new Lua closure over the same id.
public struct LuaFunctionHandle: Sendable {
    let id: Int32
}
