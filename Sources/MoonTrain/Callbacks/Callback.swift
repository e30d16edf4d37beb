import MoonEngine

/// A hook into `fit`, Keras style. Epochs are numbered from 1 (as the progress bar shows
/// them and as Lua counts), batches from 1 within an epoch. `logs` hold the epoch's values
/// (`loss`, `accuracy`, `val_loss`, `val_accuracy`, `lr`, ...). A callback stops training by
/// setting `trainer.stopTraining`; a thrown error stops `fit` with that error.
///
/// Callbacks that keep state across epochs (patience counters, best values) export it through
/// `checkpointState`/`checkpointTensors`, so a run resumed from `fit{checkpoint=}` continues
/// exactly where it stopped.
open class Callback {
    public init() {}
    open func onTrainBegin(_ trainer: Trainer) throws {}
    open func onTrainEnd(_ trainer: Trainer, logs: [String: Double]) throws {}
    open func onEpochBegin(_ trainer: Trainer, epoch: Int) throws {}
    open func onEpochEnd(_ trainer: Trainer, epoch: Int, logs: [String: Double]) throws {}
    /// Before a training batch's step; `trainer.stepsPerEpoch` tells how many the epoch has.
    open func onBatchBegin(_ trainer: Trainer, batch: Int) throws {}
    open func onBatchEnd(_ trainer: Trainer, batch: Int, logs: [String: Double]) throws {}

    /// JSON-compatible state to carry over a checkpoint.
    open var checkpointState: JSONValue { [:] }
    /// Tensors to carry over a checkpoint (EarlyStopping's best weights).
    open var checkpointTensors: [(name: String, tensor: Tensor)] { [] }
    /// Restores what `checkpointState` and `checkpointTensors` saved; called after `onTrainBegin`.
    open func restore(checkpointState: JSONValue, tensors: [String: Tensor]) throws {}
}

/// A callback whose options are one `Options` declaration (the Lua constructor and its
/// help come from `Config`).
public protocol ConfigurableCallback: Callback {
    associatedtype Config: Options
    /// What the callback does, for help (its options document themselves).
    static var summary: String { get }
    init(config: Config) throws
}

extension ConfigurableCallback {
    /// The callback with its options set in Swift: `EarlyStopping { $0.patience = 3 }`.
    public init(_ configure: (inout Config) throws -> Void = { _ in }) throws {
        var o = Config()
        try configure(&o)
        try self.init(config: o)
    }
}

/// Which direction of a monitored quantity is better, and by how much it must move.
public struct Monitor: Sendable {
    public enum Mode: String, Sendable, OptionChoice { case auto, min, max }
    public let key: String
    /// True when larger is better.
    public let maximize: Bool
    public let minDelta: Double

    /// `auto` maximizes keys that name an accuracy (`accuracy`, `val_acc`), minimizes the rest.
    public init(key: String, mode: Mode = .auto, minDelta: Double = 0) throws {
        guard minDelta.isFinite else { throw TrainingError("min_delta must be a finite number, got \(minDelta)") }
        self.key = key
        switch mode {
        case .min: maximize = false
        case .max: maximize = true
        case .auto: maximize = key.contains("acc")
        }
        self.minDelta = Swift.abs(minDelta)
    }

    /// Parses `auto`, `min`, `max`.
    public static func mode(_ name: String, op: String) throws -> Mode {
        guard let m = Mode(rawValue: name) else { throw TrainingError("\(op): mode must be auto, min or max, got '\(name)'") }
        return m
    }

    /// The worst possible value (the starting best).
    public var worst: Double { maximize ? -.infinity : .infinity }

    /// Whether `current` beats `best` by more than `minDelta`.
    public func improves(_ current: Double, on best: Double) -> Bool {
        maximize ? current - minDelta > best : current + minDelta < best
    }
}
