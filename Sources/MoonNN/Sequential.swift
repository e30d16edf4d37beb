import MoonEngine

/// A chain of layers with shapes inferred from the per-sample `input` shape: each layer is
/// built for the output of the one before. Input name `input`, output name `output`.
public final class Sequential: Model {
    public init(input: [Int], layers: [Layer], name: String = "sequential") throws {
        let start = try Node.input(shape: input, name: "input")
        var node = start
        for (k, layer) in layers.enumerated() {
            do {
                node = try layer.call(node)
            } catch let e as TensorError {
                throw TensorError("Sequential: layer \(k + 1) of \(layers.count): \(e)")
            }
        }
        try super.init(inputs: [("input", start)], outputs: [("output", node)], name: name)
    }

    public override var kind: String { "Sequential" }

    /// The per-sample input shape.
    public var inputShape: [Int] { inputNodes[0].shape }
}
