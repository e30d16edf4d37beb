import MoonEngine

/// Multiplies the learning rate by `factor` when `monitor` (default `val_loss`) has not
/// improved by more than `minDelta` for `patience` epochs, never below `minLR`; after a
/// reduction, waits `cooldown` epochs before counting again. Defaults are Keras': factor 0.1,
/// patience 10, min_delta 1e-4, cooldown 0, min_lr 0.
public final class ReduceLROnPlateau: Callback, ConfigurableCallback {
    public let options: ReduceLROnPlateauOptions
    public let monitor: Monitor
    public var factor: Double { options.factor }
    public var patience: Int { options.patience }
    public var minLR: Double { options.minLR }
    public var cooldown: Int { options.cooldown }
    public private(set) var best: Double
    public private(set) var wait = 0
    public private(set) var cooldownCounter = 0
    private var warned = false

    public init(config o: ReduceLROnPlateauOptions) throws {
        guard o.factor > 0 && o.factor < 1 else { throw TrainingError("ReduceLROnPlateau: factor must be in (0, 1), got \(o.factor)") }
        guard o.patience >= 0, o.cooldown >= 0 else { throw TrainingError("ReduceLROnPlateau: patience and cooldown must be non-negative") }
        guard o.minLR >= 0, o.minLR.isFinite else { throw TrainingError("ReduceLROnPlateau: min_lr must be non-negative, got \(o.minLR)") }
        self.options = o
        self.monitor = try Monitor(key: o.monitor, mode: o.mode, minDelta: o.minDelta)
        best = self.monitor.worst
    }


    public override func onTrainBegin(_ trainer: Trainer) throws {
        best = monitor.worst; wait = 0; cooldownCounter = 0
    }

    public override func onEpochEnd(_ trainer: Trainer, epoch: Int, logs: [String: Double]) throws {
        guard let current = logs[monitor.key] else {
            if !warned { warned = true; trainer.warn("ReduceLROnPlateau: '\(monitor.key)' is not logged (have: \(logs.keys.sorted().joined(separator: ", "))); ignoring it") }
            return
        }
        if cooldownCounter > 0 { cooldownCounter -= 1; wait = 0 }
        if monitor.improves(current, on: best) {
            best = current
            wait = 0
        } else if cooldownCounter == 0 {
            wait += 1
            if wait >= patience {
                let old = Double(trainer.optimizer.lr)
                if old > minLR {
                    let new = Swift.max(old * factor, minLR)
                    trainer.optimizer.lr = Float(new)
                    trainer.note("epoch \(epoch): ReduceLROnPlateau reducing the learning rate to \(Trainer.format(new))")
                    cooldownCounter = cooldown
                    wait = 0
                }
            }
        }
    }

    public override var checkpointState: JSONValue {
        ["best": JSON.number(best), "wait": .int(wait), "cooldown_counter": .int(cooldownCounter)]
    }
    public override func restore(checkpointState s: JSONValue, tensors: [String: MoonEngine.Tensor]) throws {
        best = JSON.number(from: s["best"])
        wait = s["wait"]?.int ?? 0
        cooldownCounter = s["cooldown_counter"]?.int ?? 0
    }
}

/// `nn.ReduceLROnPlateau{...}`, with Keras' defaults.
public struct ReduceLROnPlateauOptions: Options {
    public var monitor = "val_loss"
    public var factor = 0.1
    public var patience = 10
    public var minLR = 0.0
    public var minDelta = 1e-4
    public var cooldown = 0
    public var mode = Monitor.Mode.auto
    public init() {}
    public static var fields: [OptionField<ReduceLROnPlateauOptions>] {
        [OptionField("monitor", \.monitor, "the logged value watched"),
         OptionField("factor", \.factor, "the rate is multiplied by this on a plateau"),
         OptionField("patience", \.patience, "epochs without improvement before reducing"),
         OptionField("min_lr", \.minLR, "the rate never goes below this"),
         OptionField("min_delta", \.minDelta, "the smallest change that counts as an improvement"),
         OptionField("cooldown", \.cooldown, "epochs to wait after a reduction"),
         OptionField("mode", \.mode, "auto: accuracies are maximized, everything else minimized")]
    }
}

extension ReduceLROnPlateau {
    /// What `nn.ReduceLROnPlateau` does, for help.
    public static let summary = """
        Multiplies the learning rate by factor when monitor has not improved by more than \
        min_delta for patience epochs, never below min_lr, then waits cooldown epochs. Keras' defaults.
        """
}
