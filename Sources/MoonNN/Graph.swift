import MoonEngine

/// A symbolic value in a graph model: the output of `layer` applied to `inputs`, with a
/// known per-sample `shape`. `Node.input(shape:)` starts a graph; `layer.call(node)` extends
/// it; `Model(inputs:outputs:)` turns the nodes between into a model.
public final class Node: CustomStringConvertible {
    public let layer: Layer
    public let inputs: [Node]
    public let shape: [Int]

    init(layer: Layer, inputs: [Node], shape: [Int]) {
        self.layer = layer
        self.inputs = inputs
        self.shape = shape
    }

    /// A graph input of per-sample `shape` (`{1, 28, 28}`).
    public static func input(shape: [Int], name: String = "") throws -> Node {
        let layer = try InputLayer(shape: shape, name: name)
        return Node(layer: layer, inputs: [], shape: shape)
    }

    public var isInput: Bool { layer is InputLayer }

    public var description: String {
        "Node(" + (layer.name.isEmpty ? layer.kind : layer.name) + " -> " + batchShapeText(shape) + ")"
    }
}

extension Layer {
    /// Applies this layer to a node (building it for the node's shape): a new node.
    public func call(_ node: Node) throws -> Node {
        if let merge = self as? MergeLayer { return try merge.call([node]) }
        if self is InputLayer { throw TensorError("Input: an Input cannot be applied to a node") }
        let shape = try ensureBuilt(inputShape: node.shape)
        return Node(layer: self, inputs: [node], shape: shape)
    }
}

extension MergeLayer {
    /// Applies this layer to several nodes: a new node.
    public func call(_ nodes: [Node]) throws -> Node {
        let shape = try ensureBuilt(inputShapes: nodes.map(\.shape))
        return Node(layer: self, inputs: nodes, shape: shape)
    }
}
