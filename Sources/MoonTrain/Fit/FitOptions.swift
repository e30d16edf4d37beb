import MoonData
import MoonEngine

/// The options of `Trainer.fit`, with Keras' defaults where Keras has them.
public struct FitOptions {
    public var epochs = 1
    /// Samples per step (Keras' default 32).
    public var batchSize = 32
    /// Reshuffle the training samples every epoch (from `generator`).
    public var shuffle = true
    /// Data to evaluate on after each epoch (`val_*` logs).
    public var validation: Dataset?
    /// Without `validation`: hold out this fraction of the training samples (the last ones,
    /// before shuffling, as Keras does).
    public var validationSplit = 0.0
    /// 0 silent, 1 progress bar (plain lines when not on a terminal), 2 one line per epoch.
    public var verbose = 1
    public var callbacks: [Callback] = []
    /// A checkpoint file written (atomically) after every epoch; if it exists when `fit`
    /// starts, training continues from it (see `TrainingCheckpoint`).
    public var checkpoint: String?
    /// Applied to every training batch's inputs (augmentation), not to validation data.
    public var augment: ((Tensor) throws -> Tensor)?
    /// Augmentation that may run on the batch-assembly thread, ahead of training, so its
    /// cost overlaps the training step. Each batch gets its own generator, seeded from one
    /// draw of `generator` per epoch and the batch's first row, so results do not depend on
    /// which thread or when it ran, and checkpoints resume it exactly. Used instead of
    /// `augment` when set.
    public var backgroundAugment: ((Tensor, RandomGenerator) throws -> Tensor)?
    /// Polled between batches; true stops training (Ctrl-C), leaving the model usable.
    public var shouldStop: () -> Bool = { false }
    /// The generator that shuffles (its state is saved in checkpoints).
    public var generator: RandomGenerator = .global
    public var output: ProgressOutput = .standard
    /// Warnings and notes (early stopping, reduced rates); default: the progress output.
    public var log: ((String) -> Void)?

    public init(epochs: Int = 1, batchSize: Int = 32) {
        self.epochs = epochs
        self.batchSize = batchSize
    }

    func validate() throws {
        guard epochs >= 1 else { throw TrainingError("fit: epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw TrainingError("fit: batch must be at least 1, got \(batchSize)") }
        guard validationSplit >= 0 && validationSplit < 1 else {
            throw TrainingError("fit: validation_split must be in [0, 1), got \(validationSplit)")
        }
        guard (0...2).contains(verbose) else { throw TrainingError("fit: verbose must be 0, 1 or 2, got \(verbose)") }
        if validation != nil && validationSplit > 0 {
            throw TrainingError("fit: give validation or validation_split, not both")
        }
    }
}

extension FitOptions: Options {
    public init() {}

    /// The options a Lua table gives; the rest (validation data, augmentation, callbacks) are
    /// objects the caller reads.
    public static var fields: [OptionField<FitOptions>] {
        [OptionField("epochs", \.epochs, "passes over the training data"),
         OptionField("batch", \.batchSize, "samples per step", aliases: ["batch_size"]),
         OptionField("validation_split", \.validationSplit, "the last fraction of train held out for validation (as Keras)"),
         OptionField("shuffle", \.shuffle, "reshuffle every epoch from the seeded generator"),
         OptionField("verbose", \.verbose, "0 silent, 1 progress bar (plain lines when not on a terminal), 2 one line an epoch"),
         OptionField("checkpoint", \.checkpoint, "a file saved after every epoch; if it exists, fit continues from it")]
    }
}
