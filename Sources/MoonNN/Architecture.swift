import MoonEngine

/// Models as JSON-compatible dictionaries and back: what `model:save` stores beside the
/// weights and `nn.load` rebuilds from.
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

    /// Makers of every layer class by its `kind`, from its `config` and name. Extend it to make
    /// new layer classes loadable.
    nonisolated(unsafe) public static var makers: [String: ([String: Any], String) throws -> Layer] = [
        "Dense": { try Dense.fromConfig($0, name: $1) },
        "Conv2D": { try Conv2D.fromConfig($0, name: $1) },
        "MaxPool2D": { try MaxPool2D.fromConfig($0, name: $1) },
        "AvgPool2D": { try AvgPool2D.fromConfig($0, name: $1) },
        "GlobalAvgPool2D": { _, n in GlobalAvgPool2D(name: n) },
        "Flatten": { _, n in Flatten(name: n) },
        "Reshape": { try Reshape.fromConfig($0, name: $1) },
        "Dropout": { try Dropout.fromConfig($0, name: $1) },
        "BatchNorm": { try BatchNorm.fromConfig($0, name: $1) },
        "Activation": { try Activation.fromConfig($0, name: $1) },
        "Residual": { try Residual.fromConfig($0, name: $1) },
        "BasicBlock": { try BasicBlock.fromConfig($0, name: $1) },
        "InputLayer": { try InputLayer.fromConfig($0, name: $1) },
        "Add": { _, n in Add(name: n) },
        "Concatenate": { try Concatenate.fromConfig($0, name: $1) },
    ]

    /// `{"class", "name", "config"}` of one layer.
    public static func describe(_ layer: Layer) -> [String: Any] {
        ["class": layer.kind, "name": layer.name, "config": layer.config]
    }

    /// A new layer from `describe`'s dictionary.
    public static func layer(from d: [String: Any]) throws -> Layer {
        guard let cls = d["class"] as? String else { throw TensorError("architecture: a layer entry has no 'class'") }
        guard let make = makers[cls] else {
            throw unknownName("layer class", cls, "architecture", valid: makers.keys.sorted())
        }
        return try make(d["config"] as? [String: Any] ?? [:], d["name"] as? String ?? "")
    }

    /// The whole model (see the type's documentation).
    public static func describe(_ model: Model) -> [String: Any] {
        var layerList: [[String: Any]] = []
        var seen = Set<ObjectIdentifier>()
        for node in model.order where seen.insert(ObjectIdentifier(node.layer)).inserted {
            layerList.append(describe(node.layer))
        }
        let index = Dictionary(uniqueKeysWithValues: model.order.enumerated().map { (ObjectIdentifier($1), $0) })
        let nodes: [[String: Any]] = model.order.map { n in
            ["layer": n.layer.name, "inputs": n.inputs.map { index[ObjectIdentifier($0)]! }]
        }
        var a: [String: Any] = [
            "format": format, "version": version, "class": model.kind, "name": model.name,
            "layers": layerList, "nodes": nodes,
            "inputs": zip(model.inputNames, model.inputNodes).map { ["name": $0, "node": index[ObjectIdentifier($1)]!] as [String: Any] },
            "outputs": zip(model.outputNames, model.outputNodes).map { ["name": $0, "node": index[ObjectIdentifier($1)]!] as [String: Any] },
        ]
        if let s = model as? Sequential { a["input"] = s.inputShape }
        return a
    }

    /// Rebuilds a model from `describe(model)`: same layers, names, shapes and outputs, with
    /// freshly initialized weights (load the saved ones with `namedWeights`).
    public static func model(from a: [String: Any]) throws -> Model {
        let r = ConfigReader(a, owner: "architecture")
        if let f = a["format"] as? String, f != format {
            throw TensorError("architecture: format '\(f)' is not '\(format)'")
        }
        if r.has("version"), try r.int("version") > version {
            throw TensorError("architecture: version \(try r.int("version")) is newer than this moonlab reads (\(version))")
        }
        let cls = try r.string("class", default: "Model")
        let name = try r.string("name", default: cls == "Sequential" ? "sequential" : "model")
        var layers: [String: Layer] = [:]
        var ordered: [(String, [String: Any])] = []
        for item in try r.list("layers") {
            guard let d = item as? [String: Any], let n = d["name"] as? String else {
                throw TensorError("architecture: every layer entry needs a 'name'")
            }
            ordered.append((n, d))
        }
        if cls == "Sequential" {
            let input = try r.ints("input")
            let chain = try ordered.filter { ($0.1["class"] as? String) != "InputLayer" }.map { try layer(from: $0.1) }
            return try Sequential(input: input, layers: chain, name: name)
        }
        for (n, d) in ordered { layers[n] = try layer(from: d) }
        var nodes: [Node] = []
        for item in try r.list("nodes") {
            guard let d = item as? [String: Any], let ln = d["layer"] as? String, let l = layers[ln] else {
                throw TensorError("architecture: a node names a layer that is not listed")
            }
            let ins = try ConfigReader(d, owner: "architecture node").ints("inputs")
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
            try r.list(key).map { item in
                guard let d = item as? [String: Any], let n = d["name"] as? String,
                      let k = ConfigReader.int(d["node"] ?? ""), k >= 0, k < nodes.count else {
                    throw TensorError("architecture: bad entry in '\(key)'")
                }
                return (n, nodes[k])
            }
        }
        return try Model(inputs: try ends("inputs"), outputs: try ends("outputs"), name: name)
    }
}
