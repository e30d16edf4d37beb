import MoonEngine

/// A model: a graph of layers from named inputs to named outputs. `Sequential` is the chain
/// case; `Model(inputs:outputs:)` builds any graph made with `Node`s (several inputs,
/// named outputs, shared layers, merges).
///
/// Layers without a name get Keras-style ones, unique in the model (`dense_1`, `dense_2`,
/// `conv2d_1`, ...); sub-layers of Residual blocks are named inside their parent. Weights are
/// listed (and saved) as `layer.weight` (`dense_1.kernel`, `basic_block_1.bn1.gamma`).
open class Model: TrainableModel, CustomStringConvertible {
    /// `sequential`, `model` or the user's.
    public var name: String
    public let inputNames: [String]
    public let outputNames: [String]
    /// The graph's input and output nodes, parallel to the names.
    public let inputNodes: [Node]
    public let outputNodes: [Node]
    /// Every node, inputs first, each after the nodes it reads.
    public let order: [Node]
    /// Every layer once, in the order of the graph (Input layers excluded).
    public let layers: [Layer]
    /// Whether the model is in training mode.
    public private(set) var training = true

    /// A graph model from its inputs and outputs (pairs of name and node).
    /// With `arrayNamesFromLayers`, an empty input or output name becomes its layer's name.
    public init(inputs: [(String, Node)], outputs: [(String, Node)], name: String = "model",
                arrayNamesFromLayers: Bool = false) throws {
        guard !inputs.isEmpty else { throw TensorError("Model: needs at least one input") }
        guard !outputs.isEmpty else { throw TensorError("Model: needs at least one output") }
        for (n, node) in inputs where !node.isInput {
            throw TensorError("Model: input '\(n)' must be a node made by nn.Input, got the output of \(node.layer.kind)")
        }
        // Inputs before outputs, each node after what it reads (depth-first from the outputs).
        var order: [Node] = []
        var state: [ObjectIdentifier: Bool] = [:]   // false: on the path, true: done
        func visit(_ node: Node) throws {
            let id = ObjectIdentifier(node)
            if state[id] == true { return }
            if state[id] == false { throw TensorError("Model: the graph has a cycle through \(node.layer.kind)") }
            state[id] = false
            for i in node.inputs { try visit(i) }
            state[id] = true
            order.append(node)
        }
        for (_, node) in outputs { try visit(node) }
        for (_, node) in inputs where state[ObjectIdentifier(node)] == nil { order.insert(node, at: 0) }
        let inputIDs = Set(inputs.map { ObjectIdentifier($0.1) })
        for node in order where node.isInput && !inputIDs.contains(ObjectIdentifier(node)) {
            throw TensorError("Model: an output depends on the input \(shapeText(node.shape)) \(node.layer.name.isEmpty ? "" : "'\(node.layer.name)' ")that is not among the model's inputs")
        }
        var seen = Set<ObjectIdentifier>(), layers: [Layer] = []
        for node in order where !node.isInput && seen.insert(ObjectIdentifier(node.layer)).inserted {
            layers.append(node.layer)
        }
        try Model.name(inputs.map(\.1.layer) + layers, scope: "Model")
        let inputNames = inputs.map { $0.0.isEmpty && arrayNamesFromLayers ? $0.1.layer.name : $0.0 }
        let outputNames = outputs.map { $0.0.isEmpty && arrayNamesFromLayers ? $0.1.layer.name : $0.0 }
        for list in [inputNames, outputNames] {
            if let dup = Model.firstDuplicate(list) { throw TensorError("Model: the name '\(dup)' is used twice") }
            if list.contains("") { throw TensorError("Model: input and output names must not be empty") }
        }
        self.name = name
        self.inputNames = inputNames
        self.outputNames = outputNames
        self.inputNodes = inputs.map(\.1)
        self.outputNodes = outputs.map(\.1)
        self.order = order
        self.layers = layers
    }

    /// "Sequential" or "Model": the class stored in saved architectures.
    open var kind: String { "Model" }

    // MARK: - Names

    /// Gives every unnamed layer (and sub-layer) a Keras-style name, unique among its siblings.
    static func name(_ layers: [Layer], scope: String) throws {
        var used = Set(layers.map(\.name).filter { !$0.isEmpty })
        var seen = Set<String>()
        for l in layers where !l.name.isEmpty {
            if !seen.insert(l.name).inserted {
                throw TensorError("\(scope): two layers are named '\(l.name)'; names must be unique in a model")
            }
        }
        var counters: [String: Int] = [:]
        for l in layers where l.name.isEmpty {
            var k = counters[l.namePrefix, default: 0]
            var candidate: String
            repeat { k += 1; candidate = "\(l.namePrefix)_\(k)" } while used.contains(candidate)
            counters[l.namePrefix] = k
            l.name = candidate
            used.insert(candidate)
        }
        for l in layers where !l.children.isEmpty { try name(l.children, scope: l.name) }
    }

    private static func firstDuplicate(_ names: [String]) -> String? {
        var seen = Set<String>()
        return names.first { !seen.insert($0).inserted }
    }

    // MARK: - Running

    /// Runs a batch: one tensor per input name, one per output name.
    public func forward(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        for key in inputs.keys where !inputNames.contains(key) {
            throw TensorError("\(kind): unknown input '\(key)' (inputs: \(inputNames.joined(separator: ", ")))")
        }
        var values: [ObjectIdentifier: Tensor] = [:]
        for (n, node) in zip(inputNames, inputNodes) {
            guard let x = inputs[n] else {
                throw TensorError("\(kind): missing input '\(n)' (inputs: \(inputNames.joined(separator: ", ")))")
            }
            try checkInput(x, node: node, name: n)
            values[ObjectIdentifier(node)] = x
        }
        for node in order where !node.isInput {
            let xs = try node.inputs.map { i -> Tensor in
                guard let v = values[ObjectIdentifier(i)] else { throw TensorError("\(kind): internal error: node not computed") }
                return v
            }
            let y: Tensor
            if let merge = node.layer as? MergeLayer { y = try merge.forward(inputs: xs) } else { y = try node.layer.forward(xs[0]) }
            values[ObjectIdentifier(node)] = y
        }
        var out: [String: Tensor] = [:]
        for (n, node) in zip(outputNames, outputNodes) { out[n] = values[ObjectIdentifier(node)] }
        return out
    }

    /// Checks one input batch against its node's shape. A model whose first layer reads the
    /// input directly lets that layer word the message (`Dense: expected input with 784
    /// features, got shape {32,28,28}`).
    func checkInput(_ x: Tensor, node: Node, name: String) throws {
        if x.rank == node.shape.count + 1 && Array(x.shape.dropFirst()) == node.shape { return }
        if let reader = order.first(where: { $0.inputs.count == 1 && $0.inputs[0] === node }), !(reader.layer is MergeLayer),
           inputNames.count == 1 {
            try reader.layer.checkInput(x.shape)
        }
        if inputNames.count == 1 {
            throw TensorError("\(kind): expected input of shape \(batchShapeText(node.shape)), got shape \(shapeText(x.shape))")
        }
        throw TensorError("\(kind): input '\(name)' expects shape \(batchShapeText(node.shape)), got shape \(shapeText(x.shape))")
    }

    /// Runs a single-input model on a batch and returns its single output.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard inputNames.count == 1 else {
            throw TensorError("\(kind): has \(inputNames.count) inputs (\(inputNames.joined(separator: ", "))); pass them by name")
        }
        let out = try forward([inputNames[0]: x])
        guard outputNames.count == 1, let y = out[outputNames[0]] else {
            throw TensorError("\(kind): has \(outputNames.count) outputs (\(outputNames.joined(separator: ", "))); use forward to get them by name")
        }
        return y
    }

    // MARK: - TrainableModel

    public var parameters: [Tensor] { layers.flatMap(\.allTrainableWeights) }

    public func setTraining(_ on: Bool) {
        training = on
        for l in layers { l.setTraining(on) }
    }

    public func regularizationLoss() throws -> Tensor? {
        try Layer.sum(layers.map { try $0.regularizationLoss() })
    }

    public func applyConstraints() throws {
        try Tensor.noGrad { for l in layers { try l.applyConstraints() } }
    }

    /// The activation that ends `output`, looking through layers that do not change values'
    /// meaning (Dropout, Flatten, Reshape).
    public func outputActivation(_ output: String) -> String? {
        guard let k = outputNames.firstIndex(of: output) else { return nil }
        var node = outputNodes[k]
        while node.layer is Dropout || node.layer is Flatten || node.layer is Reshape, let up = node.inputs.first {
            node = up
        }
        return node.layer.outputActivation
    }

    public func namedWeights() -> [(name: String, tensor: Tensor)] {
        layers.flatMap { l in l.allNamedWeights.map { (name: l.name + "." + $0.name, tensor: $0.tensor) } }
    }

    public func architecture() -> JSONValue { Architecture.describe(self) }

    /// Rebuilds a model from `architecture()` (new weights, initialized afresh).
    public static func fromArchitecture(_ a: JSONValue, custom: Architecture.CustomMakers = [:]) throws -> Model {
        try Architecture.model(from: a, custom: custom)
    }

    // MARK: - Inspection

    /// Floating-point operations of one sample's forward pass in the layers' matrix products
    /// (see `Layer.forwardFlops`; a layer used at several nodes counts once).
    public var forwardFlops: Int { layers.reduce(0) { $0 + $1.forwardFlops } }

    /// The layer called `name` (`dense_1`, or a path to a sub-layer: `basic_block_1.conv1`).
    /// A layer by 1-based position (negative positions count from the end, -1 the last, as
    /// `string.sub` does) or by name (`basic_block_1.conv1` reaches a sub-layer).
    public func layer(at reference: JSONValue) throws -> Layer {
        if let i = reference.int {
            let count = layers.count
            let position = i < 0 ? count + 1 + i : i
            guard position >= 1 && position <= count else {
                throw TensorError("layer \(i) out of range (the model has \(count) layers: positions 1 to \(count), or -1 to -\(count) from the end)")
            }
            return layers[position - 1]
        }
        guard let n = reference.string else { throw TensorError("a layer is named by its position or name, got \(reference.shortText)") }
        guard let l = layer(named: n) else {
            throw TensorError("no layer named '\(n)' (layers: \(layers.map(\.name).joined(separator: ", ")))")
        }
        return l
    }

    /// The model as Lua prints it: its inputs, layers, outputs and parameter count.
    public var listing: String {
        var lines = ["nn.\(kind) \"\(name)\" {"]
        if self is Sequential {
            lines.append("  input: \(shapeText(inputNodes[0].shape))")
        } else {
            lines.append("  inputs: " + zip(inputNames, inputNodes).map { "\($0) \(shapeText($1.shape))" }.joined(separator: ", "))
        }
        for (k, l) in layers.enumerated() { lines.append("  (\(k + 1)) \(l.name): nn.\(l.description)") }
        if !(self is Sequential) {
            lines.append("  outputs: " + zip(outputNames, outputNodes).map { "\($0) <- \($1.layer.name)" }.joined(separator: ", "))
        }
        lines.append("}  \(Model.grouped(parameterCount)) parameters")
        return lines.joined(separator: "\n")
    }

    public func layer(named name: String) -> Layer? {
        let parts = name.split(separator: ".").map(String.init)
        guard var current = layers.first(where: { $0.name == parts.first }) else {
            return inputNodes.first(where: { $0.layer.name == name })?.layer
        }
        for p in parts.dropFirst() {
            guard let c = current.children.first(where: { $0.name == p }) else { return nil }
            current = c
        }
        return current
    }

    /// The node a layer produced (its first use), for activations.
    public func node(of layer: Layer) -> Node? { order.first { $0.layer === layer } }

    /// Runs a batch in evaluation mode without recording gradients and returns the values
    /// after `layer`, flattened per sample to `{N, units}`. Sub-layers are not reachable.
    public func activations(_ inputs: [String: Tensor], at layer: Layer) throws -> Tensor {
        guard let target = node(of: layer) else {
            throw TensorError("\(kind).activations: layer \(layer.displayName) is not a top-level layer of this model")
        }
        let was = training
        setTraining(false)
        defer { setTraining(was) }
        let truncated = try Model(inputs: zip(inputNames, inputNodes).map { ($0, $1) }, outputs: [("activations", target)], name: name)
        let y = try Tensor.noGrad { try truncated.forward(inputs) }["activations"]!
        return y.rank == 2 ? y : try y.reshape([y.shape[0], -1])
    }

    /// Every weight value (`parameterCount`) and the trainable ones.
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }
    public var trainableParameterCount: Int { layers.reduce(0) { $0 + $1.trainableParameterCount } }

    /// Copies of every weight (`get_weights`), in layer order.
    public func getWeights() throws -> [Tensor] { try layers.flatMap { try $0.getWeights() } }

    /// Sets every weight from `getWeights()`'s order; counts and shapes must match.
    public func setWeights(_ values: [Tensor]) throws {
        var at = 0
        for l in layers {
            let n = l.allWeights.count
            guard at + n <= values.count else {
                throw TensorError("\(kind).set_weights: expects \(namedWeights().count) weights, got \(values.count)")
            }
            try l.setWeights(Array(values[at..<at + n]))
            at += n
        }
        guard at == values.count else {
            throw TensorError("\(kind).set_weights: expects \(at) weights, got \(values.count)")
        }
    }

    public var description: String {
        var lines = ["\(kind == "Sequential" ? "Sequential" : "Model") {"]
        for (k, l) in layers.enumerated() { lines.append("  (\(k + 1)) \(l.name): \(l.description)") }
        lines.append("}")
        return lines.joined(separator: "\n")
    }
}
