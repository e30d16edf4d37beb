// Training: optimizers, losses, the fit loop, callbacks, checkpoints. See Trainer.swift.
