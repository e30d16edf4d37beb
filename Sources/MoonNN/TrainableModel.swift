import MoonEngine

/// What the training loop needs from a model. `Model` (Sequential and graph models)
/// conforms; the loop, optimizers, callbacks and checkpoints see nothing else.
public protocol TrainableModel: AnyObject {
    /// Input names in order (`["input"]` for a Sequential model).
    var inputNames: [String] { get }
    /// Output names in order (`["output"]` for a Sequential model; `["hour", "minute"]`).
    var outputNames: [String] { get }
    /// Runs a batch: one tensor per input name, one per output name.
    func forward(_ inputs: [String: Tensor]) throws -> [String: Tensor]
    /// Trainable tensors in layer order, each layer's in `get_weights` order.
    var parameters: [Tensor] { get }
    /// Training mode (dropout, batch statistics) on or off, everywhere in the model.
    func setTraining(_ on: Bool)
    /// Sum of every layer's l1/l2 penalty, or nil when there is none.
    func regularizationLoss() throws -> Tensor?
    /// Max-norm and other constraints, after each optimizer step.
    func applyConstraints() throws
    /// The activation that ends `output` (`"softmax"`, `"sigmoid"`, or nil for logits), so a
    /// cross-entropy loss knows whether it receives probabilities or logits.
    func outputActivation(_ output: String) -> String?
    /// Every weight (trainable or not: BatchNorm moving statistics too) with a stable unique
    /// name (`dense_1.kernel`), for checkpoints and safetensors files.
    func namedWeights() -> [(name: String, tensor: Tensor)]
    /// The architecture as a JSON-compatible dictionary, enough to rebuild the model.
    func architecture() -> JSONValue
}
