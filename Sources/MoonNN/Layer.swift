import MoonEngine

/// A layer: one step of a model, Keras style. Shapes are per sample (`{1, 28, 28}`,
/// `{784}`); the batch dim is implicit and comes first in every tensor a layer sees.
///
/// The protocol (as Torch's nn modules answer the same few questions the same way):
/// `build` creates weights once the input shape is known and returns the output shape;
/// `forward` maps a batch; `trainableWeights`/`weights` list tensors in Keras'
/// `get_weights` order; `regularizationLoss` adds l1/l2 penalties; `applyConstraints` runs
/// max-norm after each optimizer step; `config` describes the layer for saving.
open class Layer {
    /// Unique within a model (`dense_1`, `conv2d_2`, or the user's).
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

    /// Sub-layers (Residual, BasicBlock), for mode switches, summaries and saving.
    open var children: [Layer] { [] }

    /// The l1/l2 penalty of this layer's weights, added to the training loss; nil if none.
    open func regularizationLoss() throws -> Tensor? { nil }

    /// Applies weight constraints (max-norm) after an optimizer step.
    open func applyConstraints() throws {}

    /// The options that rebuild this layer (`units`, `activation`, ...), JSON-compatible.
    open var config: [String: Any] { [:] }

    /// Switches training/evaluation mode here and in every sub-layer.
    public func setTraining(_ on: Bool) {
        training = on
        for c in children { c.setTraining(on) }
    }
}
