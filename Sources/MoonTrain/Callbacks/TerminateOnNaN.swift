import MoonEngine

/// Stops training at the first batch whose loss is NaN or infinite.
public final class TerminateOnNaN: Callback, ConfigurableCallback {
    public private(set) var stoppedAt: (epoch: Int, batch: Int)?

    public init(config: NoOptions = NoOptions()) {}

    public override func onBatchEnd(_ trainer: Trainer, batch: Int, logs: [String: Double]) throws {
        if let loss = logs["loss"], !loss.isFinite {
            stoppedAt = (trainer.epoch, batch)
            trainer.note("epoch \(trainer.epoch), batch \(batch): invalid loss \(loss), terminating training")
            trainer.stopTraining = true
        }
    }
}

extension TerminateOnNaN {
    /// What `nn.TerminateOnNaN` does, for help.
    public static let summary = "Stops training at the first batch whose loss is NaN or infinite."
}
