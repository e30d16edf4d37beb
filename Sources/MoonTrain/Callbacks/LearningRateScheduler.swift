/// Sets the learning rate at the start of every epoch to `schedule(epoch, lr)` (epoch from 1,
/// lr the current rate). A negative or non-finite result stops `fit` with an error.
public final class LearningRateScheduler: Callback {
    public let schedule: (Int, Double) throws -> Double

    public init(_ schedule: @escaping (Int, Double) throws -> Double) { self.schedule = schedule }

    public override func onEpochBegin(_ trainer: Trainer, epoch: Int) throws {
        let lr = try schedule(epoch, Double(trainer.optimizer.lr))
        guard lr.isFinite, lr >= 0 else {
            throw TrainingError("LearningRateScheduler: the schedule returned \(lr) at epoch \(epoch); a rate must be a non-negative number")
        }
        trainer.optimizer.lr = Float(lr)
    }
}
