import Foundation
import LuaKit
import MoonEngine
import MoonNN

/// An initializer in a userdata (the Swift value is a struct).
final class InitializerBox {
    let value: Initializer
    init(_ value: Initializer) { self.value = value }
}

/// Reading layers, models, nodes, initializers and option values from Lua, and pushing them.
extension LuaState {
    func push(layer: Layer) { push(object: layer, metatable: layerMeta) }
    func push(model: Model) { push(object: model, metatable: modelMeta) }
    func push(node: Node) { push(object: node, metatable: nodeMeta) }
    func push(initializer: Initializer) { push(object: InitializerBox(initializer), metatable: initializerMeta) }

    func layerOrNil(_ index: Int32) -> Layer? { object(index, layerMeta, as: Layer.self) }
    func modelOrNil(_ index: Int32) -> Model? { object(index, modelMeta, as: Model.self) }
    func nodeOrNil(_ index: Int32) -> Node? { object(index, nodeMeta, as: Node.self) }

    func layer(_ index: Int32, _ fn: String) throws -> Layer {
        guard let l = layerOrNil(index) else { throw argumentError(fn, index, "a layer") }
        return l
    }

    func model(_ index: Int32, _ fn: String) throws -> Model {
        guard let m = modelOrNil(index) else { throw argumentError(fn, index, "a model") }
        return m
    }

    /// An initializer given as a name or an `nn.init` object, from option `key` of the table at `index`.
    func optionInitializer(_ index: Int32, _ key: String, _ fn: String) throws -> Initializer? {
        guard type(index) == .table else { return nil }
        getField(index, key)
        defer { pop() }
        if isNoneOrNil(-1) { return nil }
        if type(-1) == .string, let s = toString(-1) { return try Initializer(named: s, owner: fn) }
        if let box = object(-1, initializerMeta, as: InitializerBox.self) { return box.value }
        throw LuaError("\(fn): option '\(key)' must be an initializer name or nn.init.<name>{...}, got \(describe(-1))")
    }

    /// An activation name from option `key`, checked (the error lists the valid names).
    func optionActivation(_ index: Int32, _ key: String, _ fn: String, default d: String) throws -> String {
        guard let s = try optionString(index, key, fn) else { return d }
        return try checkActivation(s, fn)
    }

    /// A number or a pair `{h, w}` at `index` (an argument).
    func pairArgument(_ index: Int32, _ fn: String, _ what: String) throws -> (Int, Int) {
        if type(index) == .number, let n = toInteger(index) { return (n, n) }
        if type(index) == .table {
            let a = try integerArray(index, fn, "\(what) as a number or {h, w}")
            if a.count == 2 { return (a[0], a[1]) }
        }
        throw argumentError(fn, index, "\(what) as a number or a pair {h, w}")
    }

    /// A number or a pair from option `key`.
    func optionPair(_ index: Int32, _ key: String, _ fn: String) throws -> (Int, Int)? {
        guard type(index) == .table else { return nil }
        getField(index, key)
        defer { pop() }
        if isNoneOrNil(-1) { return nil }
        if type(-1) == .number, let n = toInteger(-1) { return (n, n) }
        if type(-1) == .table {
            let a = try integerArray(-1, fn, "option '\(key)' as a number or {h, w}")
            if a.count == 2 { return (a[0], a[1]) }
        }
        throw LuaError("\(fn): option '\(key)' must be a number or a pair {h, w}, got \(describe(-1))")
    }

    /// Padding from option `key`: "valid", "same", pixels, {v, h} or {top, bottom, left, right}.
    func optionPadding(_ index: Int32, _ key: String, _ fn: String) throws -> LayerPadding {
        guard type(index) == .table else { return .valid }
        getField(index, key)
        defer { pop() }
        if isNoneOrNil(-1) { return .valid }
        if type(-1) == .string, let s = toString(-1) { return try LayerPadding(config: s, owner: fn) }
        if type(-1) == .number, let n = toInteger(-1) { return try LayerPadding(config: n, owner: fn) }
        if type(-1) == .table { return try LayerPadding(config: try integerArray(-1, fn, "padding pixels"), owner: fn) }
        throw LuaError("\(fn): option 'padding' must be \"valid\", \"same\" or a number of pixels, got \(describe(-1))")
    }

    /// A number or a list of numbers from option `key` (`filters=32` or `filters={32, 64}`).
    func optionNumbers(_ index: Int32, _ key: String, _ fn: String) throws -> [Double]? {
        guard type(index) == .table else { return nil }
        getField(index, key)
        defer { pop() }
        if isNoneOrNil(-1) { return nil }
        if type(-1) == .number, let v = toNumber(-1) { return [v] }
        if type(-1) == .table {
            var out: [Double] = []
            for i in 0..<rawLength(-1) {
                rawGet(-1, i + 1)
                defer { pop() }
                guard type(-1) == .number, let v = toNumber(-1) else {
                    throw LuaError("\(fn): option '\(key)' must hold numbers, element \(i + 1) is \(describe(-1))")
                }
                out.append(v)
            }
            return out
        }
        throw LuaError("\(fn): option '\(key)' must be a number or a list of numbers, got \(describe(-1))")
    }

    /// A shape from option `key` (`input={1, 28, 28}`).
    func optionShape(_ index: Int32, _ key: String, _ fn: String) throws -> [Int]? {
        guard type(index) == .table else { return nil }
        getField(index, key)
        defer { pop() }
        if isNoneOrNil(-1) { return nil }
        if type(-1) == .number, let n = toInteger(-1) { return [n] }
        return try integerArray(-1, fn, "option '\(key)' as a shape like {1, 28, 28}")
    }

    /// The l1/l2 regularizer and max-norm options of Dense and Conv2D.
    func regularization(_ index: Int32, _ fn: String) throws -> (Regularizer, MaxNorm?) {
        let l1 = try optionNumber(index, "l1", fn) ?? 0, l2 = try optionNumber(index, "l2", fn) ?? 0
        let reg = try Regularizer(l1: Float(l1), l2: Float(l2), owner: fn)
        let mn = try optionNumber(index, "max_norm", fn).map { try MaxNorm(Float($0), owner: fn) }
        return (reg, mn)
    }

    /// Pushes a JSON-compatible Swift value (dictionaries, arrays, numbers, strings, booleans).
    func push(json value: Any) {
        switch value {
        case let b as Bool: push(b)
        case let i as Int: push(i)
        case let d as Double: push(d)
        case let f as Float: push(Double(f))
        case let s as String: push(s)
        case let a as [Any]:
            newTable(arrayCount: Int32(a.count))
            for (k, v) in a.enumerated() { push(json: v); rawSet(-2, k + 1) }
        case let d as [String: Any]:
            newTable(fieldCount: Int32(d.count))
            for (k, v) in d { push(json: v); setField(-2, k) }
        case let n as NSNumber: push(n.doubleValue)
        default: pushNil()
        }
    }

    /// Calls Lua's `print` with `text`.
    func printText(_ text: String) throws {
        getGlobal("print")
        push(text)
        try call(nargs: 1, nresults: 0)
    }
}
