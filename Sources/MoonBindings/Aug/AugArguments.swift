import LuaKit
import MoonAug
import MoonData
import MoonEngine

/// Reading transforms from Lua, and pushing them back.
let transformMeta: StaticString = "moonlab.transform"

/// Bytes a transform object costs (ZCA reports its matrix through the tensor allocator).
private let transformOverheadBytes = 256

extension LuaState {
    func push(transform: any Transform) {
        LuaState.noteAllocation(bytes: transformOverheadBytes)
        push(object: transform, metatable: transformMeta)
    }

    func transformOrNil(_ index: Int32) -> (any Transform)? {
        object(index, transformMeta, as: AnyObject.self) as? any Transform
    }

    /// The transform at `index` (for `fit{augment=...}` and `aug.preview`).
    func transform(_ index: Int32, _ fn: String) throws -> any Transform {
        guard let t = transformOrNil(index) else { throw argumentError(fn, index, "an aug transform") }
        return t
    }
}

/// Runs a binding body, naming the Lua call in augmentation, tensor and data errors:
/// `aug.RandomRotation: degrees must be a number >= 0, got -5`.
func augNaming<R>(_ fn: String, _ body: () throws -> R) throws -> R {
    do { return try body() }
    catch let e as MoonError where !e.isArgumentError {
        // A transform's own error starts with its name (`RandomRotation: ...`); an engine
        // operation's with a lower-case one (`reshape: ...`), which the call's name precedes.
        if e.message.hasPrefix("aug.") { throw LuaError(e.message) }
        if e.message.first?.isUppercase == true { throw LuaError("aug." + e.message) }
        throw LuaError("\(fn): \(e.message)")
    }
}
