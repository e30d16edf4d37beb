import MoonEngine

/// Models as JSON and back: what `model:save` stores beside the weights and `nn.load`
/// rebuilds from.
///
/// ```
/// {"format": "moonlab.model", "version": 1, "class": "Sequential" | "Model", "name": "sequential",
///  "layers": [{"class": "Dense", "name": "dense_1", "config": {...}}, ...],   // each layer once
///  "nodes": [{"layer": "input", "inputs": []}, {"layer": "dense_1", "inputs": [0]}, ...],
///  "inputs": [{"name": "input", "node": 0}], "outputs": [{"name": "output", "node": 3}],
///  "input": [784]}                                                            // Sequential only
/// ```
/// Nodes are listed in graph order; `inputs` holds positions in that list. Input layers are
/// among `layers` (class `InputLayer`, config `{"shape": [...]}`).
public enum Architecture {
    public static let format = "moonlab.model"
    public static let version = 1

    /// The layer classes whose config is one `Options` declaration.
    static let configurable: [any ConfigurableLayer.Type] = [
        Dense.self, Conv2D.self, MaxPool2D.self, AvgPool2D.self, GlobalAvgPool2D.self, Flatten.self,
        Reshape.self, Dropout.self, BatchNorm.self, Activation.self, BasicBlock.self, InputLayer.self,
        Add.self, Concatenate.self,
    ]

    /// Makers of every layer class by its `kind`, from its `config` and name. Extend it to make
    /// new layer classes loadable.
    nonisolated(unsafe) public static var makers: [String: (JSONValue, String) throws -> Layer] = {
        var m: [String: (JSONValue, String) throws -> Layer] = [:]
        for type in configurable { m[type.className] = { try type.make(config: $0, name: $1) } }
        m["Residual"] = { try Residual.fromConfig($0, name: $1) }
        return m
    }()

    /// Makers of layers defined outside the engine (`CustomLayer`), by class name: a loader
    /// passes them, as Keras' `custom_objects`.
    public typealias CustomMakers = [String: (JSONValue, String) throws -> Layer]

    /// `{"class", "name", "config"}` of one layer; `"custom": true` for a `CustomLayer`.
    public static func describe(_ layer: Layer) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("class", .string(layer.kind)), ("name", .string(layer.name)), ("config", layer.config)]
        if layer is CustomLayer { pairs.append(("custom", .bool(true))) }
        return .object(pairs)
    }

    /// A new layer from `describe`'s object. A custom layer's class comes from `custom`; one
    /// missing there is an error naming the class and the layer.
    public static func layer(from d: JSONValue, custom: CustomMakers = [:]) throws -> Layer {
        guard let cls = d["class"]?.string else { throw TensorError("architecture: a layer entry has no 'class'") }
        let name = d["name"]?.string ?? ""
        let config = d["config"] ?? .object([])
        if d["custom"] == .bool(true) {
            // A Lambda's function is found by its layer's name; other classes by class name.
            let isLambda = cls == CustomLayer.lambdaClass
            guard let make = isLambda ? custom[name] : custom[cls] else {
                throw TensorError(isLambda
                    ? "the model needs the function of its Lambda layer '\(name)', which was not given: pass custom = {\(name) = <function>}"
                    : "the model needs the custom layer class '\(cls)' (layer '\(name)'), which was not given: pass its definition as custom = {\(cls) = \(cls)}")
            }
            return try make(config["options"] ?? .object([]), name)
        }
        guard let make = makers[cls] ?? custom[cls] else {
            throw unknownName("layer class", cls, "architecture", valid: makers.keys.sorted())
        }
        return try make(config, name)
    }

    /// The whole model (see the type's documentation).
    public static func describe(_ model: Model) -> JSONValue {
        var layerList: [JSONValue] = []
        var seen = Set<ObjectIdentifier>()
        for node in model.order where seen.insert(ObjectIdentifier(node.layer)).inserted {
            layerList.append(describe(node.layer))
        }
        let index = Dictionary(uniqueKeysWithValues: model.order.enumerated().map { (ObjectIdentifier($1), $0) })
        let nodes: [JSONValue] = model.order.map { n in
            ["layer": .string(n.layer.name), "inputs": .array(n.inputs.map { .int(index[ObjectIdentifier($0)]!) })]
        }
        func ends(_ names: [String], _ nodes: [Node]) -> JSONValue {
            .array(zip(names, nodes).map { ["name": .string($0), "node": .int(index[ObjectIdentifier($1)]!)] })
        }
        var a: [(String, JSONValue)] = [
            ("format", .string(format)), ("version", .int(version)), ("class", .string(model.kind)),
            ("name", .string(model.name)), ("layers", .array(layerList)), ("nodes", .array(nodes)),
            ("inputs", ends(model.inputNames, model.inputNodes)),
            ("outputs", ends(model.outputNames, model.outputNodes)),
        ]
        if let s = model as? Sequential { a.append(("input", s.inputShape.option)) }
        return .object(a)
    }

    /// Rebuilds a model from `describe(model)`: same layers, names, shapes and outputs, with
    /// freshly initialized weights (load the saved ones with `namedWeights`).
    public static func model(from a: JSONValue, custom: CustomMakers = [:]) throws -> Model {
        if let f = a["format"], f != .string(format) {
            throw TensorError("architecture: format '\(f)' is not '\(format)'")
        }
        if let v = a["version"] {
            guard let n = v.int else { throw TensorError("architecture: version must be an integer, got \(v.shortText)") }
            if n > version { throw TensorError("architecture: version \(n) is newer than this moonlab reads (\(version))") }
        }
        let cls = a["class"]?.string ?? "Model"
        let name = a["name"]?.string ?? (cls == "Sequential" ? "sequential" : "model")
        guard let entries = a["layers"]?.items else { throw TensorError("architecture: 'layers' must be a list") }
        var ordered: [(String, JSONValue)] = []
        for d in entries {
            guard let n = d["name"]?.string else { throw TensorError("architecture: every layer entry needs a 'name'") }
            ordered.append((n, d))
        }
        if cls == "Sequential" {
            guard let input = a["input"].flatMap({ try? [Int](option: $0) }) else {
                throw TensorError("architecture: a Sequential model needs 'input', a list of integers")
            }
            let chain = try ordered.filter { $0.1["class"]?.string != "InputLayer" }.map { try layer(from: $0.1, custom: custom) }
            return try Sequential(input: input, layers: chain, name: name)
        }
        var layers: [String: Layer] = [:]
        for (n, d) in ordered { layers[n] = try layer(from: d, custom: custom) }
        var nodes: [Node] = []
        guard let nodeList = a["nodes"]?.items else { throw TensorError("architecture: 'nodes' must be a list") }
        for d in nodeList {
            guard let ln = d["layer"]?.string, let l = layers[ln] else {
                throw TensorError("architecture: a node names a layer that is not listed")
            }
            guard let ins = d["inputs"].flatMap({ try? [Int](option: $0) }) else {
                throw TensorError("architecture node: 'inputs' must be a list of integers")
            }
            guard ins.allSatisfy({ $0 >= 0 && $0 < nodes.count }) else {
                throw TensorError("architecture: node of '\(ln)' reads a node that comes later")
            }
            if let input = l as? InputLayer {
                nodes.append(Node(layer: input, inputs: [], shape: input.inputShape ?? []))
            } else if let merge = l as? MergeLayer {
                nodes.append(try merge.call(ins.map { nodes[$0] }))
            } else {
                guard ins.count == 1 else { throw TensorError("architecture: layer '\(ln)' takes one input, got \(ins.count)") }
                nodes.append(try l.call(nodes[ins[0]]))
            }
        }
        func ends(_ key: String) throws -> [(String, Node)] {
            guard let list = a[key]?.items else { throw TensorError("architecture: '\(key)' must be a list") }
            return try list.map { d in
                guard let n = d["name"]?.string, let k = d["node"]?.int, k >= 0, k < nodes.count else {
                    throw TensorError("architecture: bad entry in '\(key)'")
                }
                return (n, nodes[k])
            }
        }
        return try Model(inputs: try ends("inputs"), outputs: try ends("outputs"), name: name)
    }
}
