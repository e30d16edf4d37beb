import Foundation
import MoonEngine
import MoonNN
import MoonData

/// A training checkpoint (`fit{checkpoint=path}`): a model file (see `ModelFile`; `nn.load`
/// reads it too) with `format` = `moonlab.checkpoint` and, in its metadata:
///
/// - `epoch`: the last completed epoch (from 1); `stopped`: `true` when a callback ended
///   training there (a resumed `fit` then returns at once);
/// - `history`: the history so far (JSON: epochs, keys, values; NaN as "nan");
/// - `rng`: the shuffling generator's four state words (decimal strings), and `rng_global`
///   the global generator's (dropout, augmentation) when that is another generator;
/// - `callbacks`: per callback, in `fit`'s order, its kind and `checkpointState`; their tensors
///   are stored as `callback/<i>/<name>`.
///
/// It is written atomically after every epoch, after the callbacks ran. Resuming restores
/// weights, optimizer state, history, generators and callback state, then continues with the
/// next epoch: the result equals an uninterrupted run with the same seed.
public struct TrainingCheckpoint {
    public let model: SavedModel
    public let epoch: Int
    public let stopped: Bool
    public let history: History
    let rng: [UInt64]?
    let rngGlobal: [UInt64]?
    let callbackStates: [JSONValue]

    static let callbackPrefix = "callback/"

    /// Called with the path after every checkpoint `fit` writes (the file complete and in
    /// place): a sweep whose storage keeps checkpoints sends it there at once. An error it
    /// throws stops training.
    nonisolated(unsafe) public static var didSave: ((String) throws -> Void)?

    /// Saves the state of `trainer` after `epoch`.
    public static func save(to path: String, trainer: Trainer, epoch: Int, stopped: Bool,
                            generator: RandomGenerator, callbacks: [Callback]) throws {
        var (tensors, metadata) = try ModelFile.contents(trainer.model, optimizer: trainer.optimizer, format: "moonlab.checkpoint")
        metadata["epoch"] = String(epoch)
        metadata["stopped"] = stopped ? "true" : "false"
        metadata["history"] = trainer.history.json.encoded
        metadata["rng"] = JSONValue.array(generator.state.map { .string(String($0)) }).encoded
        if generator !== RandomGenerator.global {
            metadata["rng_global"] = JSONValue.array(RandomGenerator.global.state.map { .string(String($0)) }).encoded
        }
        var states: [JSONValue] = []
        for (i, c) in callbacks.enumerated() {
            states.append(["kind": .string(String(describing: type(of: c))), "state": c.checkpointState])
            for (name, t) in c.checkpointTensors { tensors.append(("\(callbackPrefix)\(i)/\(name)", t)) }
        }
        metadata["callbacks"] = JSONValue.array(states).encoded
        try SafeTensors.write(tensors, metadata: metadata, to: path)
        try didSave?(path)
    }

    /// Reads a checkpoint file.
    public static func read(_ path: String) throws -> TrainingCheckpoint {
        let model = try ModelFile.read(path)
        guard model.format == "moonlab.checkpoint" else {
            throw TrainingError("\(path) is a saved model, not a training checkpoint; use another checkpoint path (or nn.load it)")
        }
        return try TrainingCheckpoint(model: model)
    }

    init(model: SavedModel) throws {
        self.model = model
        let m = model.metadata
        guard let e = m["epoch"].flatMap(Int.init), e >= 0 else { throw TrainingError("\(model.path): checkpoint without an epoch") }
        epoch = e
        stopped = m["stopped"] == "true"
        history = try History.from(json: try m["history"].map { try JSON.decode($0, what: "\(model.path): history") })
        func words(_ key: String) throws -> [UInt64]? {
            guard let text = m[key] else { return nil }
            guard let list = try JSON.decode(text, what: "\(model.path): \(key)").items else { return nil }
            let w = list.compactMap { $0.string.flatMap { UInt64($0) } }
            guard w.count == 4 else { throw TrainingError("\(model.path): \(key) must hold 4 words") }
            return w
        }
        rng = try words("rng")
        rngGlobal = try words("rng_global")
        callbackStates = try m["callbacks"].map { try JSON.decode($0, what: "\(model.path): callbacks") }?.items ?? []
    }

    /// Puts weights, optimizer state and generator state back.
    public func restore(into trainer: Trainer, generator: RandomGenerator) throws {
        try ModelFile.loadWeights(model.weights, into: trainer.model, source: "checkpoint \(model.path)")
        if let config = model.optimizerConfig {
            try trainer.optimizer.restoreState(config: config, tensors: model.optimizerState)
        }
        if let rng { try generator.setState(rng) }
        if let rngGlobal, generator !== RandomGenerator.global { try RandomGenerator.global.setState(rngGlobal) }
    }

    /// Gives each callback the state it saved (matched by position and kind).
    public func restoreCallbacks(_ callbacks: [Callback]) throws {
        for (i, c) in callbacks.enumerated() where i < callbackStates.count {
            let entry = callbackStates[i]
            guard entry["kind"]?.string == String(describing: type(of: c)) else { continue }
            let prefix = "\(TrainingCheckpoint.callbackPrefix)\(i)/"
            var tensors: [String: Tensor] = [:]
            for (name, t) in model.extraTensors where name.hasPrefix(prefix) { tensors[String(name.dropFirst(prefix.count))] = t }
            try c.restore(checkpointState: entry["state"] ?? [:], tensors: tensors)
        }
    }
}
