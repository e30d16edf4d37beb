/// Sets the learning rate from a schedule: `schedule(epoch, lr, step)` gives the rate, with
/// epoch from 1, lr the current rate and step the training step from 1 across epochs
/// (`(epoch − 1) · stepsPerEpoch + batch`). Called at the start of every epoch (Keras'
/// LearningRateScheduler), or before every step when `everyStep` (warm-up, cosine decay by
/// step, one-cycle). A negative or non-finite result stops `fit` with an error.
public final class LearningRateScheduler: Callback {
    public let schedule: (Int, Double, Int) throws -> Double
    public let everyStep: Bool

    public init(everyStep: Bool = false, _ schedule: @escaping (Int, Double, Int) throws -> Double) {
        self.schedule = schedule
        self.everyStep = everyStep
    }

    public override func onEpochBegin(_ trainer: Trainer, epoch: Int) throws {
        if !everyStep { try set(trainer, epoch: epoch, step: (epoch - 1) * trainer.stepsPerEpoch + 1) }
    }

    public override func onBatchBegin(_ trainer: Trainer, batch: Int) throws {
        if everyStep { try set(trainer, epoch: trainer.epoch, step: (trainer.epoch - 1) * trainer.stepsPerEpoch + batch) }
    }

    private func set(_ trainer: Trainer, epoch: Int, step: Int) throws {
        let lr = try schedule(epoch, Double(trainer.optimizer.lr), step)
        guard lr.isFinite, lr >= 0 else {
            throw TrainingError("LearningRateScheduler: the schedule returned \(lr) at epoch \(epoch), step \(step); a rate must be a non-negative number")
        }
        trainer.optimizer.lr = Float(lr)
    }
}
