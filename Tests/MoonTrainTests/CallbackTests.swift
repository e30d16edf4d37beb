import Foundation
import MoonEngine
import Testing
@testable import MoonTrain

@Suite struct CallbackTests {
    func trainer() throws -> Trainer {
        let m = try TinyModel(inputs: 2, outputs: 2)
        return try Trainer(model: m, optimizer: try SGD { $0.lr = 0.1 }, loss: Loss(.sparseCategoricalCrossentropy), metrics: [.accuracy])
    }

    /// Feeds `values` of `key` as epochs 1, 2, ... and returns the epoch after which training stopped.
    func drive(_ c: Callback, _ t: Trainer, _ key: String, _ values: [Double]) throws -> Int? {
        try c.onTrainBegin(t)
        for (i, v) in values.enumerated() {
            try c.onEpochEnd(t, epoch: i + 1, logs: [key: v])
            if t.stopTraining { return i + 1 }
        }
        return nil
    }

    @Test func earlyStoppingPatience() throws {
        let t = try trainer()
        // Best 0.9 at epoch 2; epochs 3 and 4 do not improve: wait reaches 2 at epoch 4.
        let c = try EarlyStopping { $0.monitor = "val_loss"; $0.patience = 2 }
        #expect(try drive(c, t, "val_loss", [1.0, 0.9, 0.95, 0.96, 0.5]) == 4)
        #expect(c.best == 0.9 && c.bestEpoch == 2)
    }

    @Test func earlyStoppingMinDeltaAndMode() throws {
        let t = try trainer()
        // 0.9 improves on 1.0 by only 0.1 < min_delta 0.2: no improvement, patience 1 stops at 2.
        #expect(try drive(try EarlyStopping { $0.minDelta = 0.2; $0.patience = 1 }, t, "val_loss", [1.0, 0.9, 0.5]) == 2)
        let t2 = try trainer()
        // Accuracy is maximized in auto mode: rising values keep training going.
        #expect(try drive(try EarlyStopping { $0.monitor = "val_accuracy"; $0.patience = 1 }, t2, "val_accuracy", [0.5, 0.6, 0.7]) == nil)
        let t3 = try trainer()
        #expect(try drive(try EarlyStopping { $0.monitor = "val_accuracy"; $0.patience = 1; $0.mode = .min }, t3, "val_accuracy", [0.5, 0.6, 0.7]) == 2)
    }

    @Test func earlyStoppingRestoresBestWeights() throws {
        let t = try trainer()
        let m = t.model as! TinyModel
        let c = try EarlyStopping { $0.patience = 1; $0.restoreBest = true }
        try c.onTrainBegin(t)
        m.b.fill(1)
        try c.onEpochEnd(t, epoch: 1, logs: ["val_loss": 0.5])   // best: b = 1
        m.b.fill(2)
        try c.onEpochEnd(t, epoch: 2, logs: ["val_loss": 0.7])   // worse: stop
        #expect(t.stopTraining)
        try c.onTrainEnd(t, logs: [:])
        #expect(m.b.toArray() == [1, 1])
    }

    @Test func reduceLROnPlateau() throws {
        let t = try trainer()
        t.optimizer.lr = 0.1
        let c = try ReduceLROnPlateau { $0.factor = 0.5; $0.patience = 1; $0.cooldown = 2; $0.minLR = 0.03 }
        try c.onTrainBegin(t)
        let losses = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
        var rates: [Float] = []
        for (i, v) in losses.enumerated() {
            try c.onEpochEnd(t, epoch: i + 1, logs: ["val_loss": v])
            rates.append(t.optimizer.lr)
        }
        // Epoch 2: first plateau epoch, patience 1 → 0.05 and 2 epochs of cooldown (Keras counts
        // the cooldown down at the start of an epoch, so epoch 3 rests and epoch 4 counts again);
        // epoch 4 → 0.025, clipped to min_lr 0.03; afterwards never below 0.03.
        #expect(rates == [0.1, 0.05, 0.05, 0.03, 0.03, 0.03])
    }

    @Test func reduceLROnPlateauMinDelta() throws {
        let t = try trainer()
        t.optimizer.lr = 1
        let c = try ReduceLROnPlateau { $0.factor = 0.5; $0.patience = 2; $0.minDelta = 0.1 }
        try c.onTrainBegin(t)
        // 0.95 and 0.9 improve on 1.0 by less than 0.1... 0.9 is not < 1.0 − 0.1 either: two waits.
        for (i, v) in [1.0, 0.95, 0.91].enumerated() { try c.onEpochEnd(t, epoch: i + 1, logs: ["val_loss": v]) }
        #expect(t.optimizer.lr == 0.5)
    }

    @Test func schedulerSetsTheRateEachEpoch() throws {
        let data = try blobs(32)
        let t = try trainer()
        var o = quiet(3)
        o.callbacks = [LearningRateScheduler { epoch, lr, _ in epoch == 1 ? 0.2 : lr / 2 }]
        let h = try t.fit(data, o)
        #expect(h.values["lr"]!.map { Float($0) } == [0.2, 0.1, 0.05])
        var bad = quiet(1)
        bad.callbacks = [LearningRateScheduler { _, _, _ in -1 }]
        #expect(throws: TrainingError.self) { try t.fit(data, bad) }
    }

    @Test func schedulerByStepSeesEveryStepAcrossEpochs() throws {
        let data = try blobs(32)   // batches of 8 in quiet(): 4 a epoch
        let t = try trainer()
        var o = quiet(2)
        var steps: [Int] = []
        o.callbacks = [LearningRateScheduler(everyStep: true) { _, _, step in steps.append(step); return 0.01 * Double(step) }]
        let h = try t.fit(data, o)
        #expect(steps == Array(1...(2 * t.stepsPerEpoch)))
        #expect(Float(h.values["lr"]![1]) == Float(0.01 * Double(t.stepsPerEpoch)))
    }

    @Test func terminateOnNaN() throws {
        let t = try trainer()
        let data = try blobs(32)
        (t.model as! TinyModel).w.fill(.nan)
        final class Counter: Callback {
            var batches = 0
            override func onBatchEnd(_ trainer: Trainer, batch: Int, logs: [String: Double]) throws { batches += 1 }
        }
        let counter = Counter(), stop = TerminateOnNaN()
        var o = quiet(5)
        o.callbacks = [counter, stop]
        let h = try t.fit(data, o)
        #expect(counter.batches == 1)
        #expect(stop.stoppedAt?.epoch == 1 && stop.stoppedAt?.batch == 1)
        #expect(h.epochs == [1])
        #expect(h.values["loss"]![0].isNaN)
    }

    @Test func csvLogger() throws {
        let folder = try temporaryFolder()
        let path = folder + "/log.csv"
        let t = try trainer()
        var o = quiet(2)
        o.validation = try blobs(8, seed: 9)
        o.callbacks = [try CSVLogger(path: path)]
        let h = try t.fit(try blobs(16), o)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == "epoch,accuracy,loss,lr,val_accuracy,val_loss")
        let row2 = lines[2].split(separator: ",").map { Double($0)! }
        #expect(row2[0] == 2)
        #expect(Swift.abs(row2[2] - h.values["loss"]![1]) < 1e-12)
        #expect(Swift.abs(row2[5] - h.values["val_loss"]![1]) < 1e-12)
    }

    @Test func modelCheckpointBestOnly() throws {
        let folder = try temporaryFolder()
        let t = try trainer()
        let c = try ModelCheckpoint(path: folder + "/best_{epoch:02d}.moon") { $0.saveBestOnly = true }
        #expect(try drive(c, t, "val_loss", [1.0, 1.2, 0.8, 0.9]) == nil)
        #expect(c.saved == [folder + "/best_01.moon", folder + "/best_03.moon"])
        #expect(FileManager.default.fileExists(atPath: folder + "/best_03.moon"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/best_02.moon"))
        let every = try ModelCheckpoint(path: folder + "/last.moon")
        _ = try drive(every, t, "loss", [1, 2])
        #expect(every.saved.count == 2)
        let saved = try ModelFile.read(folder + "/last.moon")
        #expect(saved.weights.map(\.name) == ["dense_1.kernel", "dense_1.bias"])
    }
}
