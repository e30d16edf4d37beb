import MoonEngine

/// A layer: one step of a model, Keras style. Shapes are per sample (`{1, 28, 28}`,
/// `{784}`); the batch dim is implicit and comes first in every tensor a layer sees.
///
/// The protocol (as Torch's nn modules answer the same few questions the same way):
/// `build` creates weights once the input shape is known and returns the output shape;
/// `forward` maps a batch; `trainableWeights`/`weights` list tensors in Keras'
/// `get_weights` order; `regularizationLoss` adds l1/l2 penalties; `applyConstraints` runs
/// max-norm after each optimizer step; `config` describes the layer for saving.
open class Layer: CustomStringConvertible {
    /// Unique within a model (`dense_1`, `conv2d_2`, or the user's). Empty until a model
    /// names it (or the user does).
    public var name: String
    /// Per-sample input shape, known after `build`.
    public internal(set) var inputShape: [Int]?
    /// Per-sample output shape, known after `build`.
    public internal(set) var outputShape: [Int]?
    /// Training mode (dropout on, batch statistics) or evaluation mode.
    public internal(set) var training = true

    public init(name: String) { self.name = name }

    /// The class name shown by `summary()` and stored in saved files (`Dense`).
    open var kind: String { "Layer" }

    /// The stem of automatic names, Keras' (`dense` gives `dense_1`, `dense_2`, ...).
    open var namePrefix: String { kind.lowercased() }

    /// Creates the weights for a per-sample `inputShape` and returns the output shape.
    /// Throws a message naming the layer when the shape does not fit.
    open func build(inputShape: [Int]) throws -> [Int] { inputShape }

    /// Maps a batch `{N, ...inputShape}` to `{N, ...outputShape}`.
    open func forward(_ x: Tensor) throws -> Tensor { x }

    /// Tensors the optimizer updates (they require grad), in `get_weights` order.
    open var trainableWeights: [Tensor] { [] }

    /// Every weight in Keras' `get_weights` order, non-trainable ones included
    /// (BatchNorm: gamma, beta, moving_mean, moving_variance).
    open var weights: [Tensor] { trainableWeights }

    /// The names of `weights`, in the same order (`kernel`, `bias`; `gamma`, ...).
    open var weightNames: [String] { weights.indices.map { "weight_\($0 + 1)" } }

    /// Sub-layers (Residual, BasicBlock), for mode switches, summaries and saving.
    open var children: [Layer] { [] }

    /// The l1/l2 penalty of this layer's weights, added to the training loss; nil if none.
    open func regularizationLoss() throws -> Tensor? {
        try Layer.sum(children.map { try $0.regularizationLoss() })
    }

    /// Applies weight constraints (max-norm) after an optimizer step.
    open func applyConstraints() throws {
        for c in children { try c.applyConstraints() }
    }

    /// The options that rebuild this layer (`units`, `activation`, ...), JSON-compatible.
    open var config: JSONValue { .object([]) }

    /// The activation that ends this layer's output (`softmax`, `sigmoid`), or nil for none.
    open var outputActivation: String? { nil }

    /// How the layer prints in a REPL, torch style: `Dense(784 -> 10, relu)`.
    open var description: String { kind + "()" }

    /// Switches training/evaluation mode here and in every sub-layer.
    public func setTraining(_ on: Bool) {
        training = on
        for c in children { c.setTraining(on) }
    }

    // MARK: - Built on the protocol

    /// Whether `build` has run.
    public var isBuilt: Bool { outputShape != nil }

    /// Builds the layer for `shape` the first time; later calls check that the shape is the
    /// one it was built for (a layer shared between models or graph nodes keeps its weights).
    @discardableResult
    public func ensureBuilt(inputShape shape: [Int]) throws -> [Int] {
        if let inputShape, let outputShape {
            guard inputShape == shape else {
                throw TensorError("\(kind): layer \(displayName) was built for input \(shapeText(inputShape)), cannot take \(shapeText(shape))")
            }
            return outputShape
        }
        if shape.contains(where: { $0 < 1 }) {
            throw TensorError("\(kind): input shape \(shapeText(shape)) must have positive sizes")
        }
        let out = try build(inputShape: shape)
        inputShape = shape
        outputShape = out
        return out
    }

    /// Checks a batch before `forward`: the message names the layer and both shapes.
    open func checkInput(_ shape: [Int]) throws {
        guard let inputShape else { return }
        if shape.count != inputShape.count + 1 || Array(shape.dropFirst()) != inputShape {
            throw TensorError("\(kind): expected input of shape \(batchShapeText(inputShape)), got shape \(shapeText(shape))")
        }
    }

    /// Floating-point operations of one sample's forward pass in the layer's matrix products
    /// (2 per multiply-add of Dense and Conv2D, sub-layers included; activations, pooling and
    /// normalization are not counted): the GEMM work, from which a training step's is about 3x.
    open var forwardFlops: Int { children.reduce(0) { $0 + $1.forwardFlops } }

    /// The number of values in `weights`.
    public var parameterCount: Int { weights.reduce(0) { $0 + $1.count } + childWeightCount(\.parameterCount) }

    /// The number of values in `trainableWeights`.
    public var trainableParameterCount: Int {
        trainableWeights.reduce(0) { $0 + $1.count } + childWeightCount(\.trainableParameterCount)
    }

    private func childWeightCount(_ key: KeyPath<Layer, Int>) -> Int {
        children.reduce(0) { $0 + $1[keyPath: key] }
    }

    /// Every weight of this layer and its sub-layers, named `child.kernel` relative to it.
    public var allNamedWeights: [(name: String, tensor: Tensor)] {
        var out = Array(zip(weightNames, weights)).map { (name: $0.0, tensor: $0.1) }
        for c in children {
            out += c.allNamedWeights.map { (name: c.name + "." + $0.name, tensor: $0.tensor) }
        }
        return out
    }

    /// Trainable tensors of this layer and its sub-layers, in order.
    public var allTrainableWeights: [Tensor] { trainableWeights + children.flatMap(\.allTrainableWeights) }

    /// Every weight of this layer and its sub-layers, in `get_weights` order.
    public var allWeights: [Tensor] { allNamedWeights.map(\.tensor) }

    /// Copies of `allWeights` (Keras' `get_weights`).
    public func getWeights() throws -> [Tensor] { try allWeights.map { try $0.detach().clone() } }

    /// Copies `values` into the weights, in `get_weights` order; the tensors themselves stay
    /// (optimizers keep their references). A count or shape mismatch is an error naming both.
    public func setWeights(_ values: [Tensor]) throws {
        let named = allNamedWeights
        if !isBuilt && !values.isEmpty {
            throw TensorError("\(kind).set_weights: layer \(displayName) is not built yet (its input shape is unknown)")
        }
        guard values.count == named.count else {
            throw TensorError("\(kind).set_weights: expects \(named.count) weights (\(named.map(\.name).joined(separator: ", "))), got \(values.count)")
        }
        for (i, (w, v)) in zip(named, values).enumerated() where w.tensor.shape != v.shape {
            throw TensorError("\(kind).set_weights: weight \(i + 1) (\(w.name)) has shape \(shapeText(w.tensor.shape)), got \(shapeText(v.shape))")
        }
        try Tensor.noGrad {
            for (w, v) in zip(named, values) { try w.tensor.copy(from: v) }
        }
    }

    /// The name for messages: the layer's own, or its kind while it has none.
    public var displayName: String { name.isEmpty ? kind : name }

    /// Sums optional penalties; nil when all are nil.
    public static func sum(_ terms: [Tensor?]) throws -> Tensor? {
        var total: Tensor?
        for case let t? in terms { total = try total.map { try $0.add(t) } ?? t }
        return total
    }
}

/// A layer that takes several inputs (Add, Concatenate) in a graph model.
open class MergeLayer: Layer {
    /// Creates weights (if any) for the per-sample input shapes; returns the output shape.
    open func build(inputShapes: [[Int]]) throws -> [Int] { inputShapes.first ?? [] }

    /// Maps batches, one per input, to one batch.
    open func forward(inputs: [Tensor]) throws -> Tensor {
        guard let first = inputs.first else { throw TensorError("\(kind): needs at least one input") }
        return first
    }

    /// The input shapes it was built for.
    public internal(set) var inputShapes: [[Int]]?

    @discardableResult
    public func ensureBuilt(inputShapes shapes: [[Int]]) throws -> [Int] {
        if let inputShapes, let outputShape {
            guard inputShapes == shapes else {
                throw TensorError("\(kind): layer \(displayName) was built for inputs \(inputShapes.map(shapeText).joined(separator: ", ")), cannot take \(shapes.map(shapeText).joined(separator: ", "))")
            }
            return outputShape
        }
        let out = try build(inputShapes: shapes)
        inputShapes = shapes
        inputShape = shapes.first
        outputShape = out
        return out
    }

    open override func build(inputShape: [Int]) throws -> [Int] { try build(inputShapes: [inputShape]) }
    open override func forward(_ x: Tensor) throws -> Tensor { try forward(inputs: [x]) }
}
