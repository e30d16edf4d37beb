import LuaKit
import MoonEngine
import MoonNN

/// The metatable of layer classes written in Lua (`nn.Module{...}`'s result).
let layerClassMeta: StaticString = "moonlab.layer_class"

/// Layers written in Lua: `nn.Module{name=, build=, forward=}` classes and `nn.Lambda(fn)`.
/// The engine's `CustomLayer` does the layer's work; this file only calls the Lua functions.
///
/// A class is a Lua table (its functions, and `__index` = itself, so instances find them);
/// an instance is a Lua table of its options and weights whose metatable is the class. The
/// engine layer keeps the instance (and the class) through registry references.
enum LuaLayers {
    /// What a `CustomLayer` made here holds of Lua: the instance table (or Lambda function).
    final class Host {
        let object: LuaReference
        init(_ object: LuaReference) { self.object = object }
    }

    /// The layers being made or built now (innermost last): `self:param` and `self:layer`
    /// declare on the last.
    nonisolated(unsafe) static var declaring: [(layer: CustomLayer, host: Host)] = []

    static func install(_ L: LuaState) {
        L.defineClass(layerClassMeta, name: "module", doc: """
            A layer class written in Lua (nn.Module{...}). Call it with an option table to make a \
            layer: Gate{units = 8, name = "gate"}. In build and forward, self is the layer: its \
            options, its weights (self:param), and the class's functions.
            """, methods: [
                LuaMethod("param", "self:param(name, shape | tensor[, init][, {trainable=true, l1=0, l2=0}]) --> tensor", """
                    Declares a weight (in init or build): shape and an initializer \
                    (nn.init.<name>{...} or its name; default glorot_uniform), or a tensor holding \
                    the first value. It becomes self.<name>, is listed by get_weights and saved \
                    with the model; trainable=false makes it a buffer the optimizer leaves alone.
                    """) { L in try declare(L, trainable: true) },
                LuaMethod("buffer", "self:buffer(name, shape | tensor[, init]) --> tensor", """
                    Declares a non-trainable weight (running statistics, counters; default zeros): \
                    self:param(name, shape, init, {trainable=false}). Update it in place \
                    (self.count:add_(1)) so the layer keeps it.
                    """) { L in try declare(L, trainable: false) },
                LuaMethod("layer", "self:layer(name, layer) --> layer", """
                    Declares a sub-layer (in init or build; built-in or written in Lua): it becomes \
                    self.<name>, call it on tensors in forward (self.conv(x)); its weights train, \
                    count and save with the block's (as name.kernel), and it follows the block's \
                    training mode.
                    """) { L in
                    let (layer, _) = try declaringLayer(L)
                    let name = try L.string(2)
                    let child = try L.layer(3)
                    try L.named { try layer.addChild(name, child) }
                    L.pushValue(3)
                    L.setField(1, name)
                    L.pushValue(3)
                    return 1
                },
            ], metamethods: [
                ("__call", { L in try construct(L, classIndex: 1, optionsIndex: 2) }),
                ("__tostring", { L in
                    L.getField(1, "name")
                    L.push("nn.Module " + (L.toString(-1) ?? "?"))
                    return 1
                }),
            ])
    }

    static func functions(_ m: ModuleBuilder) {
        m.function("Module", "nn.Module{name=, build=function(self, input_shape), forward=function(self, x, training), init=, ...} --> class", """
            A layer class written in Lua. forward(self, x, training) maps a batch to a batch with \
            tensor operations (backward comes from autograd); build(self, input_shape), optional, \
            declares weights with self:param once the per-sample input shape is known and may \
            return the output shape (else one zero sample is run to find it); init(self, options), \
            optional, checks options and may declare sub-layers (self:layer) and weights whose \
            shapes the options give. Other functions become methods; help "module:param" and \
            help "module:layer" tell the rest. Call the class with an option \
            table (plain values, saved with the model; name= names the layer) to make a layer that \
            works wherever a built-in one does: Sequential, graphs, fit, summary, activations, \
            save, and nn.load(path, {custom = {Name = Class}}).
            """) { L in
            try L.checkTable(1, "a table {name=, forward=function(self, x, training) ... end}")
            guard L.getField(1, "name") == .string, let name = L.toString(-1) else {
                throw L.fail("needs name=, the class name saved files use (a word, like \"Gate\")")
            }
            L.pop()
            if L.getField(1, "forward") != .function { throw L.fail("needs forward=function(self, x, training) ... end") }
            L.pop()
            for key in ["build", "init"] where ![.function, .nil].contains(L.getField(1, key)) {
                throw L.fail("'\(key)' must be a function, got \(L.describe(-1))")
            }
            for key in ["param", "buffer"] where L.getField(1, key) != .nil {
                throw L.fail("'\(key)' is the name of a method every layer class has; call yours otherwise")
            }
            L.pop(4)
            _ = try L.named { try CustomLayer(className: name, build: { _, _ in nil }, forward: { _, x in x }) }
            L.newTable()
            let cls = L.top
            L.forEachPair(1) {
                L.pushValue(-2)
                L.pushValue(-2)
                L.rawSetPair(cls)
            }
            L.pushValue(-1)
            L.setField(-2, "__index")
            L.setMetatable(-1, named: layerClassMeta)
            return 1
        }
        m.function("Lambda", "nn.Lambda(fn, {name=}) --> layer", """
            A layer without weights that applies fn(x, training) to each batch (an activation, a \
            scaling). A model holding one is loaded with nn.load(path, {custom = {<layer name> = fn}}).
            """) { L in
            guard L.type(1) == .function else { throw L.argumentError(1, "a function(x, training)") }
            try L.checkOptionKeys(2, ["name"])
            L.push(layer: try lambda(L, function: LuaReference(L, 1), name: try L.optionString(2, "name") ?? ""))
            return 1
        }
    }

    // MARK: - Making layers

    /// `Class{options}`: the instance table, its `init`, and the engine layer over it.
    static func construct(_ L: LuaState, classIndex: Int32, optionsIndex: Int32) throws -> Int32 {
        let cls = L.absolute(classIndex)
        L.getField(cls, "name")
        let className = L.toString(-1) ?? "Module"
        L.pop()
        L.fn = className + "{...}"
        let options = L.absolute(optionsIndex)
        if !L.isNoneOrNil(options) { try L.checkTable(options, "an option table") }
        let layerName = try L.isNoneOrNil(options) ? "" : L.optionString(options, "name") ?? ""
        let config = try L.isNoneOrNil(options) ? JSONValue.object([])
            : L.json(options, "the options (plain values, saved with the model)", skipping: ["name"])
        L.newTable()
        let instance = L.top
        if !L.isNoneOrNil(options) {
            L.forEachPair(options) {
                if L.type(-2) == .string, L.toString(-2) == "name" { return }
                L.pushValue(-2)
                L.pushValue(-2)
                L.rawSetPair(instance)
            }
        }
        L.pushValue(cls)
        L.setMetatable(instance)
        let host = Host(LuaReference(L, instance))
        let layer = try L.named {
            try CustomLayer(className: className, options: config, name: layerName, build: { layer, shape in
                try build(layer, host, shape)
            }, forward: { layer, x in
                try forward(layer, host, x)
            })
        }
        layer.host = host
        if L.getField(cls, "init") == .function {
            L.pushValue(instance)
            if L.isNoneOrNil(options) { L.newTable() } else { L.pushValue(options) }
            declaring.append((layer, host))
            defer { declaring.removeLast() }
            try L.call(nargs: 2, nresults: 0, label: "\(className) init")
        } else {
            L.pop()
        }
        L.push(layer: layer)
        return 1
    }

    static func lambda(_ L: LuaState, function: LuaReference, name: String) throws -> CustomLayer {
        let host = Host(function)
        let layer = try CustomLayer(className: CustomLayer.lambdaClass, name: name, build: { _, _ in nil }, forward: { layer, x in
            let L = try runningState(layer)
            host.object.push(L)
            L.push(x)
            L.push(layer.training)
            return try result(L, layer, nargs: 2, "forward")
        })
        layer.host = host
        return layer
    }

    /// Makers for `nn.load`'s `custom` table at `index`: classes by their key, Lambda functions
    /// by their layer's name.
    static func customMakers(_ L: LuaState, _ index: Int32) throws -> Architecture.CustomMakers {
        var makers: Architecture.CustomMakers = [:]
        for (key, value) in try L.keyed(index, of: "a layer class (nn.Module) or a Lambda's function", { i in
            L.type(i) == .function || L.hasMetatable(i, named: layerClassMeta) ? LuaReference(L, i) : nil
        }) {
            guard let key else { continue }
            value.push(L)
            let isFunction = L.type(-1) == .function
            L.pop()
            makers[key] = { options, name in
                let L = try LuaState.running(for: "custom layer \(key)")
                if isFunction { return try lambda(L, function: value, name: name) }
                value.push(L)
                L.push(json: options)
                L.getField(-2, "name")
                if let n = L.toString(-1), n != key {
                    throw LuaError("nn.load: custom = {\(key) = ...} holds the class '\(n)'; the file names its classes by their name= (use custom = {\(n) = \(n)})")
                }
                L.pop()
                if !name.isEmpty { L.push(name); L.setField(-2, "name") }
                let top = L.top
                _ = try construct(L, classIndex: top - 1, optionsIndex: top)
                defer { L.pop(3) }
                guard let layer = L.layerOrNil(-1) else { throw LuaError("nn.load: \(key) made no layer") }
                return layer
            }
        }
        return makers
    }

    // MARK: - Calling Lua from the engine

    static func runningState(_ layer: CustomLayer) throws -> LuaState {
        try LuaState.running(for: "layer \(layer.displayName) (\(layer.kind))")
    }

    /// `build(self, input_shape)` if the class has one; its result is the output shape.
    static func build(_ layer: CustomLayer, _ host: Host, _ shape: [Int]) throws -> [Int]? {
        let L = try runningState(layer)
        host.object.push(L)
        defer { L.pop() }
        guard L.getField(-1, "build") == .function else { L.pop(); return nil }
        L.pushValue(-2)
        L.push(array: shape)
        declaring.append((layer, host))
        defer { declaring.removeLast() }
        try L.call(nargs: 2, nresults: 1, label: label(layer, "build"))
        defer { L.pop() }
        if L.isNoneOrNil(-1) { return nil }
        if L.type(-1) == .number, let n = L.toInteger(-1) { return [n] }
        return try L.integerArray(-1, "the output shape build returns, like {64} or {32, 14, 14}")
    }

    /// `self:forward(x, training)`.
    static func forward(_ layer: CustomLayer, _ host: Host, _ x: Tensor) throws -> Tensor {
        let L = try runningState(layer)
        host.object.push(L)
        L.getField(-1, "forward")
        L.insert(-2)
        L.push(x)
        L.push(layer.training)
        return try result(L, layer, nargs: 3, "forward")
    }

    /// Calls the function below `nargs` arguments and takes its tensor result.
    static func result(_ L: LuaState, _ layer: CustomLayer, nargs: Int32, _ what: String) throws -> Tensor {
        try L.call(nargs: nargs, nresults: 1, label: label(layer, what))
        defer { L.pop() }
        guard let y = L.tensorOrNil(-1) else { throw LuaError("\(label(layer, what)) must return a tensor, got \(L.describe(-1))") }
        return y
    }

    /// `gate_1 (Gate) forward`, or `Gate forward` while the layer has no name yet.
    static func label(_ layer: CustomLayer, _ what: String) -> String {
        layer.name.isEmpty ? "\(layer.kind) \(what)" : "\(layer.name) (\(layer.kind)) \(what)"
    }

    /// `self:param(...)` and `self:buffer(...)`.
    /// The layer `self` (argument 1) is, while it is being made or built.
    static func declaringLayer(_ L: LuaState) throws -> (CustomLayer, Host) {
        guard let (layer, host) = declaring.last else {
            throw L.fail("weights and sub-layers are declared in init(self, options) or build(self, input_shape)")
        }
        host.object.push(L)
        let same = L.rawEqual(1, -1)
        L.pop()
        guard same else { throw L.fail("called on another layer than the one being made or built (\(layer.displayName))") }
        return (layer, host)
    }

    static func declare(_ L: LuaState, trainable: Bool) throws -> Int32 {
        let (layer, _) = try declaringLayer(L)
        let name = try L.string(2)
        var options = try L.options(CustomLayer.WeightOptions.self, at: 5)
        if !trainable { options.trainable = false }
        let regularizer = try options.regularizer(owner: L.fn)
        let weight: Tensor
        if let first = L.tensorOrNil(3) {
            if !L.isNoneOrNil(4) { throw L.fail("takes an initializer or a first value (a tensor), not both") }
            weight = try L.named { try layer.addWeight(name, tensor: first, trainable: options.trainable, regularizer: regularizer) }
        } else {
            let shape = L.type(3) == .number ? [try L.integer(3)] : try L.integerArray(3, "a shape like {64} or a tensor")
            let initializer = L.isNoneOrNil(4) ? (trainable ? Initializer.glorotUniform : .zeros)
                : try Initializer(option: try L.json(4, "the initializer")) ?? { throw L.argumentError(4, "an initializer or its name") }()
            weight = try L.named {
                try layer.addWeight(name, shape: shape, initializer: initializer, trainable: options.trainable, regularizer: regularizer)
            }
        }
        L.push(weight)
        L.pushValue(-1)
        L.setField(1, name)
        return 1
    }
}
