import Foundation
import LuaKit
import MoonEngine
import MoonNN

/// An initializer in a userdata (the Swift value is a struct).
final class InitializerBox: LuaJSONRepresentable {
    let value: Initializer
    init(_ value: Initializer) { self.value = value }
    var jsonValue: JSONValue { value.config }
}

/// Reading layers, models, nodes, initializers and option values from Lua, and pushing them.
extension LuaState {
    /// Layers and models tell Lua's collector the memory their weights keep alive.
    func push(layer: Layer) {
        LuaState.noteAllocation(bytes: 256 + layer.parameterCount * MemoryLayout<Float>.stride)
        push(object: layer, metatable: layerMeta)
    }
    func push(model: Model) {
        LuaState.noteAllocation(bytes: 512 + model.parameterCount * MemoryLayout<Float>.stride)
        push(object: model, metatable: modelMeta)
    }
    func push(node: Node) { push(object: node, metatable: nodeMeta) }
    func push(initializer: Initializer) { push(object: InitializerBox(initializer), metatable: initializerMeta) }

    func layerOrNil(_ index: Int32) -> Layer? { object(index, layerMeta, as: Layer.self) }
    func modelOrNil(_ index: Int32) -> Model? { object(index, modelMeta, as: Model.self) }
    func nodeOrNil(_ index: Int32) -> Node? { object(index, nodeMeta, as: Node.self) }

    func layer(_ index: Int32) throws -> Layer {
        guard let l = layerOrNil(index) else { throw argumentError(index, "a layer") }
        return l
    }

    func model(_ index: Int32) throws -> Model {
        guard let m = modelOrNil(index) else { throw argumentError(index, "a model") }
        return m
    }

    /// A shape from option `key` (`input={1, 28, 28}`).
    func optionShape(_ index: Int32, _ key: String) throws -> [Int]? {
        guard type(index) == .table else { return nil }
        getField(index, key)
        defer { pop() }
        if isNoneOrNil(-1) { return nil }
        if type(-1) == .number, let n = toInteger(-1) { return [n] }
        return try integerArray(-1, "option '\(key)' as a shape like {1, 28, 28}")
    }
}
