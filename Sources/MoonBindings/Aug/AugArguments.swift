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
    func transform(_ index: Int32) throws -> any Transform {
        guard let t = transformOrNil(index) else { throw argumentError(index, "an aug transform") }
        return t
    }
}
