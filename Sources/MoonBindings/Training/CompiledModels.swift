import LuaKit
import MoonNN
import MoonTrain

/// What `model:compile{...}` set up for one model: optimizer, losses, weights and metrics.
/// Kept beside the model (not inside it), weakly keyed, so a collected model frees its entry.
final class CompiledState {
    weak var model: AnyObject?
    let optimizer: Optimizer
    let losses: [String: Loss]
    let lossWeights: [String: Double]
    let metrics: [String: [Metric]]
    /// The history of the model's last `fit` (its finished epochs, when Ctrl-C stopped it).
    var lastHistory: History?

    init(model: TrainableModel, optimizer: Optimizer, losses: [String: Loss],
         lossWeights: [String: Double], metrics: [String: [Metric]]) {
        self.model = model
        (self.optimizer, self.losses, self.lossWeights, self.metrics) = (optimizer, losses, lossWeights, metrics)
    }

    /// A trainer over this state (the optimizer and its buffers are shared between calls).
    func trainer(_ model: TrainableModel) throws -> Trainer {
        try Trainer(model: model, optimizer: optimizer, losses: losses, lossWeights: lossWeights, metrics: metrics)
    }
}

enum CompiledModels {
    nonisolated(unsafe) private static var states: [ObjectIdentifier: CompiledState] = [:]

    static func set(_ state: CompiledState, for model: TrainableModel) {
        states = states.filter { $0.value.model != nil }
        states[ObjectIdentifier(model)] = state
    }

    static func state(_ model: TrainableModel) -> CompiledState? {
        guard let s = states[ObjectIdentifier(model)], s.model === model else { return nil }
        return s
    }

    static func trainer(_ L: LuaState, _ model: TrainableModel) throws -> Trainer {
        guard let s = state(model) else {
            throw L.fail("compile the model first: model:compile{optimizer=optim.Adam{}, loss=\"sparse_categorical_crossentropy\", metrics={\"accuracy\"}}")
        }
        return try s.trainer(model)
    }
}
