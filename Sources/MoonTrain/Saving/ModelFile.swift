import Foundation
import MoonEngine
import MoonNN
import MoonData

/// A model file (`model:save(path)`, read by `nn.load`): one safetensors file, so Python's
/// `safetensors` reads the weights.
///
/// - tensors: every weight under its model name (`dense_1.kernel`; BatchNorm statistics too),
///   then, when the model was compiled, the optimizer's buffers as `optimizer/<i>.<slot>`
///   (parameter index from 0, slot as the optimizer names it: `optimizer/0.m`);
/// - `__metadata__`: `format` = `moonlab.model` (or `moonlab.checkpoint`), `format_version`
///   = `1`, `architecture` = the model's architecture as JSON, `weights` = the weight names in
///   model order (JSON array), and `optimizer` = the optimizer's name, options and counters
///   (JSON) when there is one.
public enum ModelFile {
    public static let formatVersion = "1"
    static let optimizerPrefix = "optimizer/"

    /// The tensors and metadata of a model (and optimizer) file.
    static func contents(_ model: TrainableModel, optimizer: Optimizer?, format: String = "moonlab.model")
        throws -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        let weights = model.namedWeights()
        var tensors = weights.map { (name: $0.name, tensor: $0.tensor) }
        var metadata = ["format": format, "format_version": formatVersion,
                        "architecture": model.architecture().encoded,
                        "weights": JSONValue.array(weights.map { .string($0.name) }).encoded]
        if let optimizer {
            metadata["optimizer"] = optimizer.config.encoded
            tensors += optimizer.stateTensors.map { (name: optimizerPrefix + $0.name, tensor: $0.tensor) }
        }
        return (tensors, metadata)
    }

    /// Saves architecture, weights and (if given) optimizer state to `path`, atomically.
    /// `compile` (the losses and metrics, from `Trainer.compileConfig`) is stored as JSON too.
    public static func save(_ model: TrainableModel, optimizer: Optimizer? = nil,
                            compile: JSONValue? = nil, to path: String) throws {
        var (tensors, metadata) = try contents(model, optimizer: optimizer)
        if let compile { metadata["compile"] = compile.encoded }
        try SafeTensors.write(tensors, metadata: metadata, to: path)
    }

    /// Saves the weights alone under the model's names (`dense_1.kernel`), atomically:
    /// `__metadata__` has `format` = `moonlab.weights` and `weights` = the names in model
    /// order. `model:load_weights` reads it into any model with those names; Python's
    /// safetensors reads it too; `nn.load` does not (it holds no architecture).
    public static func saveWeights(_ model: TrainableModel, to path: String) throws {
        let weights = model.namedWeights()
        guard !weights.isEmpty else { throw TrainingError("the model has no weights to save (is it built?)") }
        try SafeTensors.write(weights, metadata: ["format": weightsFormat, "format_version": formatVersion,
                                                  "weights": JSONValue.array(weights.map { .string($0.name) }).encoded], to: path)
    }

    /// The `format` of a weights-only file.
    public static let weightsFormat = "moonlab.weights"

    /// Reads a model file.
    public static func read(_ path: String) throws -> SavedModel {
        let (tensors, metadata) = try SafeTensors.read(path)
        return try SavedModel(path: path, tensors: tensors, metadata: metadata)
    }

    /// Copies saved weights into `model` after checking that names and shapes match exactly;
    /// on a mismatch nothing is copied and the error lists every difference.
    public static func loadWeights(_ weights: [(name: String, tensor: Tensor)], into model: TrainableModel, source: String) throws {
        let saved = Dictionary(weights.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        let mine = model.namedWeights()
        var problems: [String] = []
        let missing = mine.filter { saved[$0.name] == nil }.map(\.name)
        if !missing.isEmpty { problems.append("missing from the file: " + missing.joined(separator: ", ")) }
        let known = Set(mine.map(\.name))
        let extra = weights.map(\.name).filter { !known.contains($0) }
        if !extra.isEmpty { problems.append("not in the model: " + extra.joined(separator: ", ")) }
        for (name, t) in mine {
            if let s = saved[name], s.shape != t.shape {
                problems.append("\(name) has shape \(shapeText(s.shape)) in the file, \(shapeText(t.shape)) in the model")
            }
        }
        if !problems.isEmpty {
            throw TrainingError("\(source) does not match the model: " + problems.joined(separator: "; "))
        }
        try Tensor.noGrad {
            for (name, t) in mine { try t.copy(from: saved[name]!) }
        }
    }
}

/// What a model file holds, read back.
public struct SavedModel {
    public let path: String
    /// `moonlab.model` or `moonlab.checkpoint`.
    public let format: String
    /// The architecture the model was saved with (what `Model.fromArchitecture` rebuilds).
    public let architecture: JSONValue
    /// Weights in model order.
    public let weights: [(name: String, tensor: Tensor)]
    /// The optimizer's name, options and counters, when one was saved.
    public let optimizerConfig: JSONValue?
    /// The optimizer's buffers (`<i>.<slot>`).
    public let optimizerState: [String: Tensor]
    /// Every tensor not a weight or optimizer buffer (checkpoints keep callback state there).
    public let extraTensors: [String: Tensor]
    public let metadata: [String: String]

    /// The losses, weights and metrics the model was compiled with (`Trainer.compileConfig`).
    public var compileConfig: JSONValue? {
        metadata["compile"].flatMap { try? JSON.decode($0, what: "compile") }
    }

    init(path: String, tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) throws {
        self.path = path
        self.metadata = metadata
        guard let format = metadata["format"], format.hasPrefix("moonlab.") else {
            throw TrainingError("\(path) is a safetensors file but not a moonlab model (no format metadata): build the model and load its weights by name with model:load_weights(path)")
        }
        guard format != ModelFile.weightsFormat else {
            throw TrainingError("\(path) holds weights only (model:save_weights): build the model, then model:load_weights(path)")
        }
        self.format = format
        // A version this program does not know (a newer moonlab's file, or damage) is refused.
        let version = metadata["format_version"] ?? "(none)"
        guard version == ModelFile.formatVersion else {
            throw TrainingError("\(path): format_version \(version) is not one this moonlab reads (it reads \(ModelFile.formatVersion)); the file comes from another moonlab version or is damaged")
        }
        guard let arch = metadata["architecture"] else { throw TrainingError("\(path) holds no architecture") }
        let architecture = try JSON.decode(arch, what: "\(path): architecture")
        guard case .object = architecture else { throw TrainingError("\(path) holds no architecture") }
        self.architecture = architecture
        let order = (metadata["weights"].flatMap { try? JSON.decode($0, what: "weights") }?.items ?? []).compactMap(\.string)
        let byName = Dictionary(tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        var weights: [(name: String, tensor: Tensor)] = []
        for name in order {
            guard let t = byName[name] else { throw TrainingError("\(path) lists weight '\(name)' but does not hold it") }
            weights.append((name, t))
        }
        self.weights = weights
        optimizerConfig = try metadata["optimizer"].map { try JSON.decode($0, what: "\(path): optimizer") }
        var state: [String: Tensor] = [:], extra: [String: Tensor] = [:]
        let weightNames = Set(order)
        for (name, t) in tensors where !weightNames.contains(name) {
            if name.hasPrefix(ModelFile.optimizerPrefix) { state[String(name.dropFirst(ModelFile.optimizerPrefix.count))] = t }
            else { extra[name] = t }
        }
        optimizerState = state
        extraTensors = extra
    }

    /// An optimizer rebuilt from the saved configuration, over `params`, with its state restored.
    public func makeOptimizer(params: [Tensor]) throws -> Optimizer? {
        guard let config = optimizerConfig, let name = config["name"]?.string else { return nil }
        let optimizer = try OptimizerFactory.make(name, options: OptimizerFactory.savedOptions(config["options"] ?? [:]),
                                                  params: params)
        try optimizer.restoreState(config: config, tensors: optimizerState)
        return optimizer
    }
}

extension ModelFile {
    /// What `load` restores: the model, and when it was saved compiled, its optimizer (with
    /// its state) and training settings, so training resumes as it would have.
    public struct Loaded {
        public let model: Model
        public let optimizer: Optimizer?
        public let settings: (losses: [String: Loss], lossWeights: [String: Double], metrics: [String: [Metric]])?
    }

    /// Rebuilds a model saved with `save` (or a fit checkpoint) in evaluation mode. A file
    /// that does not match says what differs.
    /// `custom` gives what was defined outside the engine (layers, losses, metrics written in
    /// Lua); `compile` false loads the model without its optimizer and training settings.
    public static func load(_ path: String, custom: CustomObjects = CustomObjects(), compile: Bool = true) throws -> Loaded {
        let saved = try read(path)
        let model = try Model.fromArchitecture(saved.architecture, custom: custom.layers)
        try loadWeights(saved.weights, into: model, source: path)
        model.setTraining(false)
        guard compile, let config = saved.compileConfig, let optimizer = try saved.makeOptimizer(params: model.parameters) else {
            return Loaded(model: model, optimizer: nil, settings: nil)
        }
        return Loaded(model: model, optimizer: optimizer, settings: try Trainer.settings(from: config, custom: custom))
    }
}

/// What a loader needs of things defined outside the engine (written in Lua), by name: layer
/// classes (a Lambda's function by its layer's name), losses and metrics — Keras'
/// `custom_objects`.
public struct CustomObjects {
    public var layers: Architecture.CustomMakers = [:]
    public var losses: [String: CustomLoss] = [:]
    public var metrics: [String: CustomMetric] = [:]
    public init() {}
}
