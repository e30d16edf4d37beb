import MoonEngine

/// Multiplies the learning rate by `factor` when `monitor` (default `val_loss`) has not
/// improved by more than `minDelta` for `patience` epochs, never below `minLR`; after a
/// reduction, waits `cooldown` epochs before counting again. Defaults are Keras': factor 0.1,
/// patience 10, min_delta 1e-4, cooldown 0, min_lr 0.
public final class ReduceLROnPlateau: Callback {
    public let monitor: Monitor
    public let factor: Double, patience: Int, minLR: Double, cooldown: Int
    public private(set) var best: Double
    public private(set) var wait = 0
    public private(set) var cooldownCounter = 0
    private var warned = false

    public init(monitor: String = "val_loss", factor: Double = 0.1, patience: Int = 10, mode: Monitor.Mode = .auto,
                minDelta: Double = 1e-4, cooldown: Int = 0, minLR: Double = 0) throws {
        guard factor > 0 && factor < 1 else { throw TrainingError("ReduceLROnPlateau: factor must be in (0, 1), got \(factor)") }
        guard patience >= 0, cooldown >= 0 else { throw TrainingError("ReduceLROnPlateau: patience and cooldown must be non-negative") }
        guard minLR >= 0, minLR.isFinite else { throw TrainingError("ReduceLROnPlateau: min_lr must be non-negative, got \(minLR)") }
        self.monitor = try Monitor(key: monitor, mode: mode, minDelta: minDelta)
        (self.factor, self.patience, self.minLR, self.cooldown) = (factor, patience, minLR, cooldown)
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

    public override var checkpointState: [String: Any] {
        ["best": JSON.number(best), "wait": wait, "cooldown_counter": cooldownCounter]
    }
    public override func restore(checkpointState s: [String: Any], tensors: [String: MoonEngine.Tensor]) throws {
        best = JSON.number(from: s["best"])
        wait = JSON.int(s["wait"]) ?? 0
        cooldownCounter = JSON.int(s["cooldown_counter"]) ?? 0
    }
}
