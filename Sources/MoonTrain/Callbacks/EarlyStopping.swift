import MoonEngine

/// Stops training when `monitor` (default `val_loss`) has not improved by more than
/// `minDelta` for `patience` epochs (Keras' rule: after each epoch without improvement the
/// wait grows by one; training stops when it reaches `patience`, never after the first epoch).
/// With `restoreBest`, the weights of the best epoch are put back when training ends (whether
/// it stopped early or ran all epochs). `baseline`: the value to beat before waiting resets.
/// A missing monitored value (no validation data) is reported once and ignored.
public final class EarlyStopping: Callback, ConfigurableCallback {
    public let options: EarlyStoppingOptions
    public let monitor: Monitor
    public var patience: Int { options.patience }
    public var restoreBest: Bool { options.restoreBest }
    public var baseline: Double? { options.baseline }
    public private(set) var best: Double
    public private(set) var bestEpoch = 0
    public private(set) var wait = 0
    /// The epoch training stopped at (0: it did not stop early).
    public private(set) var stoppedEpoch = 0
    private var bestWeights: [Tensor]?
    private var warned = false

    public init(config o: EarlyStoppingOptions) throws {
        guard o.patience >= 0 else { throw TrainingError("EarlyStopping: patience must be non-negative, got \(o.patience)") }
        self.options = o
        self.monitor = try Monitor(key: o.monitor, mode: o.mode, minDelta: o.minDelta)
        self.best = self.monitor.worst
    }


    public override func onTrainBegin(_ trainer: Trainer) throws {
        wait = 0; stoppedEpoch = 0; best = baseline ?? monitor.worst; bestEpoch = 0; bestWeights = nil
    }

    public override func onEpochEnd(_ trainer: Trainer, epoch: Int, logs: [String: Double]) throws {
        guard let current = logs[monitor.key] else {
            if !warned { warned = true; trainer.warn("EarlyStopping: '\(monitor.key)' is not logged (have: \(logs.keys.sorted().joined(separator: ", "))); ignoring it") }
            return
        }
        if restoreBest && bestWeights == nil { bestWeights = try trainer.snapshotWeights() }
        wait += 1
        if monitor.improves(current, on: best) {
            best = current
            bestEpoch = epoch
            if restoreBest { bestWeights = try trainer.snapshotWeights() }
            wait = 0
            return
        }
        if wait >= patience && epoch > 1 {
            stoppedEpoch = epoch
            trainer.stopTraining = true
        }
    }

    public override func onTrainEnd(_ trainer: Trainer, logs: [String: Double]) throws {
        if stoppedEpoch > 0 { trainer.note("epoch \(stoppedEpoch): early stopping (best \(monitor.key) \(Trainer.format(best)) at epoch \(bestEpoch))") }
        if restoreBest, let w = bestWeights { try trainer.restoreWeights(w) }
    }

    public override var checkpointState: JSONValue {
        ["best": JSON.number(best), "best_epoch": .int(bestEpoch), "wait": .int(wait), "stopped_epoch": .int(stoppedEpoch),
         "has_best_weights": .bool(bestWeights != nil)]
    }
    public override var checkpointTensors: [(name: String, tensor: Tensor)] {
        (bestWeights ?? []).enumerated().map { ("best.\($0.offset)", $0.element) }
    }
    public override func restore(checkpointState s: JSONValue, tensors: [String: Tensor]) throws {
        best = JSON.number(from: s["best"])
        bestEpoch = s["best_epoch"]?.int ?? 0
        wait = s["wait"]?.int ?? 0
        stoppedEpoch = s["stopped_epoch"]?.int ?? 0
        if s["has_best_weights"] as? Bool == true {
            var list: [Tensor] = []
            var i = 0
            while let t = tensors["best.\(i)"] { list.append(t); i += 1 }
            bestWeights = list
        }
    }
}

/// `nn.EarlyStopping{...}`, with Keras' defaults.
public struct EarlyStoppingOptions: Options {
    public var monitor = "val_loss"
    public var minDelta = 0.0
    public var patience = 0
    public var mode = Monitor.Mode.auto
    public var restoreBest = false
    public var baseline: Double? = nil
    public init() {}
    public static var fields: [OptionField<EarlyStoppingOptions>] {
        [OptionField("monitor", \.monitor, "the logged value watched"),
         OptionField("min_delta", \.minDelta, "the smallest change that counts as an improvement"),
         OptionField("patience", \.patience, "epochs without improvement before stopping"),
         OptionField("mode", \.mode, "auto: accuracies are maximized, everything else minimized"),
         OptionField("restore_best", \.restoreBest, "put back the best epoch's weights when training ends", aliases: ["restore_best_weights"]),
         OptionField("baseline", \.baseline, "the value to beat before waiting resets")]
    }
}

extension EarlyStopping {
    /// What `nn.EarlyStopping` does, for help.
    public static let summary = """
        Stops training when monitor has not improved by more than min_delta for patience \
        epochs. A missing monitor (no validation data) is reported once and ignored.
        """
}
