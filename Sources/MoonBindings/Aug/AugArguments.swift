import LuaKit
import MoonAug
import MoonData
import MoonEngine

/// Reading transforms, ranges and fill options from Lua, and pushing transforms back.
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

    /// A number `v` (the range [-v, v], returned as `(v, nil)`) or a pair `{lo, hi}` at `index`.
    func augRange(_ index: Int32, _ fn: String, _ what: String) throws -> (Double, Double?) {
        if type(index) == .number, let v = toNumber(index) { return (v, nil) }
        if type(index) == .table, rawLength(index) == 2 {
            let lo = try augNumberAt(index, 1, fn, what), hi = try augNumberAt(index, 2, fn, what)
            return (lo, hi)
        }
        throw argumentError(fn, index, "\(what) as a number or a pair {lo, hi}")
    }

    /// Option `key` as a number `v` (`(v, nil)`) or a pair `{lo, hi}`; nil when absent.
    func augOptionRange(_ index: Int32, _ key: String, _ fn: String) throws -> (Double, Double?)? {
        guard type(index) == .table else { return nil }
        getField(index, key)
        defer { pop() }
        if isNoneOrNil(-1) { return nil }
        let top = absolute(-1)
        if type(top) == .number, let v = toNumber(top) { return (v, nil) }
        if type(top) == .table, rawLength(top) == 2 {
            return (try augNumberAt(top, 1, fn, key), try augNumberAt(top, 2, fn, key))
        }
        throw LuaError("\(fn): option '\(key)' must be a number or a pair {lo, hi}, got \(describe(top))")
    }

    private func augNumberAt(_ table: Int32, _ i: Int, _ fn: String, _ what: String) throws -> Double {
        rawGet(table, i)
        defer { pop() }
        guard type(-1) == .number, let v = toNumber(-1) else {
            throw LuaError("\(fn): \(what) {lo, hi} must hold two numbers, but entry \(i) is \(describe(-1))")
        }
        return v
    }

    /// Option `key` as one number or a Lua array of numbers (per-channel values).
    func augOptionNumbers(_ index: Int32, _ key: String, _ fn: String) throws -> [Float]? {
        guard type(index) == .table else { return nil }
        getField(index, key)
        defer { pop() }
        if isNoneOrNil(-1) { return nil }
        let top = absolute(-1)
        if type(top) == .number, let v = toNumber(top) { return [Float(v)] }
        if type(top) == .table {
            let n = rawLength(top)
            var out: [Float] = []
            for i in 1...max(n, 1) where i <= n { out.append(Float(try augNumberAt(top, i, fn, key))) }
            if !out.isEmpty { return out }
        }
        throw LuaError("\(fn): option '\(key)' must be a number or a Lua array of numbers (one per channel), got \(describe(top))")
    }

    /// `fill_mode` and `value` (or Keras' `cval`) from the option table at `index`; the value
    /// matters only for "constant" (as in Keras, where cval is ignored by other modes).
    func augFill(_ index: Int32, _ fn: String, default fallback: FillMode) throws -> FillMode {
        let name = try optionString(index, "fill_mode", fn) ?? fallback.name
        let value = try optionNumber(index, "value", fn) ?? optionNumber(index, "cval", fn) ?? 0
        guard value.isFinite else { throw LuaError("\(fn): the fill value must be finite, got \(value)") }
        guard let fill = FillMode(name: name, value: Float(value)) else {
            throw LuaError("\(fn): unknown fill_mode \"\(name)\" (valid: \(FillMode.names.joined(separator: ", ")))")
        }
        return fill
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
