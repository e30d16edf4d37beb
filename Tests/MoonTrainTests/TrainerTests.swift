import Foundation
import MoonData
import MoonEngine
import MoonNN
import Testing
@testable import MoonTrain

@Suite struct TrainerTests {
    func compiled(_ activation: String? = nil, seed: UInt64 = 1, optimizer: Optimizer? = nil) throws -> Trainer {
        let m = try TinyModel(inputs: 2, outputs: 2, activation: activation, seed: seed)
        return try Trainer(model: m, optimizer: optimizer ?? (try SGD { $0.lr = 0.5 }),
                           loss: Loss(.sparseCategoricalCrossentropy), metrics: [.accuracy])
    }

    @Test func learnsSeparableBlobs() throws {
        let t = try compiled()
        var o = quiet(5)
        o.validationSplit = 0.25
        let h = try t.fit(try blobs(64), o)
        #expect(h.keys == ["loss", "accuracy", "val_loss", "val_accuracy", "lr"])
        #expect(h.epochs == [1, 2, 3, 4, 5])
        #expect(h.values["loss"]!.last! < h.values["loss"]!.first!)
        #expect(h.values["val_accuracy"]!.last! == 1)
        let eval = Dictionary(uniqueKeysWithValues: try t.evaluate(try blobs(40, seed: 11)))
        #expect(eval["accuracy"]! >= 0.95)
        let m = t.model as! TinyModel
        #expect(!m.trainingMode)                 // fit leaves evaluation mode
        #expect(m.constraintCalls == 5 * 6)      // 48 samples / batch 8 = 6 steps an epoch
    }

    @Test func softmaxOutputsAreReadAsProbabilities() throws {
        let t = try compiled("softmax")
        let h = try t.fit(try blobs(64), quiet(5))
        #expect(h.values["accuracy"]!.last! > 0.9)
        #expect(h.values["loss"]!.allSatisfy { $0.isFinite && $0 > 0 })
    }

    @Test func regularizationIsAddedToTheLoss() throws {
        let t = try compiled()
        let m = t.model as! TinyModel
        let data = try blobs(16)
        let plain = Dictionary(uniqueKeysWithValues: try t.evaluate(data))["loss"]!
        m.l2 = 1
        let penalty = Double(try m.w.square().sum().item())
        let withL2 = Dictionary(uniqueKeysWithValues: try t.evaluate(data))["loss"]!
        #expect(Swift.abs(withL2 - plain - penalty) < 1e-5)
    }

    @Test func predictAndClassify() throws {
        let t = try compiled()
        _ = try t.fit(try blobs(64), quiet(5))
        let x = try Tensor([-1, -1, 1, 1, -1.2, -0.8], shape: [3, 2])
        let out = try Inference.predict(t.model, x, batchSize: 2)["output"]!
        #expect(out.shape == [3, 2])
        #expect(try Inference.classify(out, activation: nil).toArray() == [0, 1, 0])
        #expect(try Inference.classify(try Tensor([0.7, 0.2], shape: [2, 1]), activation: "sigmoid").toArray() == [1, 0])
    }

    @Test func shouldStopInterruptsBetweenBatches() throws {
        let t = try compiled()
        var calls = 0
        var o = quiet(3)
        o.shouldStop = { calls += 1; return calls > 3 }
        let h = try t.fit(try blobs(64), o)
        #expect(t.interrupted)
        #expect(h.epochs.isEmpty)                // the partial epoch is not recorded
        #expect((t.model as! TinyModel).constraintCalls == 3)
        #expect(try Inference.predict(t.model, try Tensor.zeros([1, 2]))["output"]!.toArray().allSatisfy(\.isFinite))
    }

    @Test func badOptionsAndData() throws {
        let t = try compiled()
        #expect(throws: TrainingError.self) { try t.fit(try blobs(8), FitOptions(epochs: 0)) }
        var both = quiet(1)
        both.validation = try blobs(4)
        both.validationSplit = 0.5
        #expect(throws: TrainingError.self) { try t.fit(try blobs(8), both) }
        let bad = try Dataset(name: "bad", x: try Tensor.zeros([4, 2]), y: Tensor([0, 1, 2, 5]))
        do {
            var inOrder = quiet(1, batch: 4)
            inOrder.shuffle = false
            try t.fit(bad, inOrder)
            Issue.record("expected an error")
        } catch let e as TrainingError {
            #expect(e.message == "sparse_categorical_crossentropy: label 2 at position 3 is outside 0..1")
        }
        #expect(throws: TrainingError.self) {
            try Trainer(model: t.model, optimizer: try SGD(), losses: ["hour": Loss(.mse)])
        }
    }

    @Test func progressLinesWhenNotATerminal() throws {
        let t = try compiled()
        final class Sink: @unchecked Sendable { var text = "" }
        let sink = Sink()
        var o = quiet(2)
        o.verbose = 1
        o.output = ProgressOutput(isTerminal: false) { sink.text += $0 }
        o.validation = try blobs(8, seed: 4)
        _ = try t.fit(try blobs(16), o)
        let lines = sink.text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("epoch 1/2  2/2 [==============================] "))
        #expect(lines[1].contains("/step - loss: ") && lines[1].contains(" - accuracy: ") && lines[1].contains(" - val_loss: "))
        #expect(!sink.text.contains("\r"))
        #expect(ProgressBar.bar(10, 30, width: 10) == "[==>.......]")
        #expect(ProgressBar.value(0.31244) == "0.3124" && ProgressBar.value(1e-5) == "1.0000e-05")
        #expect(ProgressBar.perStep(0.0021) == "2ms/step")
    }

    @Test func checkpointResumeEqualsAnUninterruptedRun() throws {
        let folder = try temporaryFolder()
        let data = try blobs(48), val = try blobs(16, seed: 8)
        func options(_ epochs: Int) -> FitOptions {
            var o = quiet(epochs, seed: 42)
            o.validation = val
            return o
        }
        func callbacks() throws -> [Callback] {
            [try ReduceLROnPlateau { $0.monitor = "loss"; $0.factor = 0.5; $0.patience = 0; $0.minDelta = 10 }, try EarlyStopping { $0.monitor = "val_loss"; $0.patience = 10 }]
        }
        // Uninterrupted: 4 epochs.
        let a = try compiled(optimizer: try Adam { $0.lr = 0.05 })
        var oa = options(4)
        oa.callbacks = try callbacks()
        let ha = try a.fit(data, oa)

        // Interrupted after 2 epochs, then resumed in a fresh process-like setting: a new model
        // with other initial weights, a new optimizer and generator, the same checkpoint.
        let path = folder + "/run.ckpt"
        let b1 = try compiled(optimizer: try Adam { $0.lr = 0.05 })
        var ob1 = options(2)
        ob1.checkpoint = path
        ob1.callbacks = try callbacks()
        _ = try b1.fit(data, ob1)
        #expect(try TrainingCheckpoint.read(path).epoch == 2)

        let b2 = try compiled(seed: 99, optimizer: try Adam { $0.lr = 0.05 })
        var ob2 = options(4)
        ob2.checkpoint = path
        ob2.generator = RandomGenerator(seed: 1234)     // overwritten by the checkpoint's state
        ob2.callbacks = try callbacks()
        let hb = try b2.fit(data, ob2)

        #expect(hb.epochs == [1, 2, 3, 4])
        #expect(hb.values["loss"]! == ha.values["loss"]!)
        #expect(hb.values["val_loss"]! == ha.values["val_loss"]!)
        #expect(hb.values["lr"]! == ha.values["lr"]!)
        #expect((b2.model as! TinyModel).w.toArray() == (a.model as! TinyModel).w.toArray())
        // After the first epoch (which sets the best) the rate is halved every epoch (min_delta 10
        // is never beaten): the callback's state carried over the resume.
        #expect(hb.values["lr"]!.map { Float($0) } == [0.05, 0.05, 0.025, 0.0125])

        // A finished checkpoint returns its history at once.
        let b3 = try compiled(seed: 7, optimizer: try Adam { $0.lr = 0.05 })
        var ob3 = options(4)
        ob3.checkpoint = path
        let again = try b3.fit(data, ob3)
        #expect(again.values["loss"]! == ha.values["loss"]!)
        #expect((b3.model as! TinyModel).w.toArray() == (a.model as! TinyModel).w.toArray())
        // A model file is not a checkpoint.
        try ModelFile.save(a.model, to: folder + "/m.moon")
        var wrong = options(1)
        wrong.checkpoint = folder + "/m.moon"
        #expect(throws: TrainingError.self) { try b3.fit(data, wrong) }
    }

    @Test func multiOutputLossesAndWeights() throws {
        final class TwoHeads: TrainableModel {
            let w = try! Tensor([0.1, -0.2, 0.3, 0.05, 0.2, -0.1], shape: [2, 3]).requiringGrad()
            var inputNames: [String] { ["input"] }
            var outputNames: [String] { ["hour", "minute"] }
            func forward(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
                let y = try inputs["input"]!.matmul(w)
                return ["hour": try y.narrow(1, 0, 2), "minute": try y.narrow(1, 2, 1)]
            }
            var parameters: [Tensor] { [w] }
            func setTraining(_ on: Bool) {}
            func regularizationLoss() throws -> Tensor? { nil }
            func applyConstraints() throws {}
            func outputActivation(_ output: String) -> String? { nil }
            func namedWeights() -> [(name: String, tensor: Tensor)] { [("w", w)] }
            func architecture() -> JSONValue { [:] }
        }
        let m = TwoHeads()
        let t = try Trainer(model: m, optimizer: try SGD { $0.lr = 0.1 },
                            losses: ["hour": Loss(.sparseCategoricalCrossentropy), "minute": Loss(.mae)],
                            lossWeights: ["hour": 1, "minute": 0.5], metrics: ["hour": [.accuracy], "minute": [.mae]])
        let x = try Tensor([1, 0, 0, 1, 1, 1, -1, 0], shape: [4, 2])
        let data = try Dataset(name: "two", x: x, targets: .named([("hour", Tensor([0, 1, 1, 0])), ("minute", Tensor([0.5, 0, 1, 2]))]))
        let logs = Dictionary(uniqueKeysWithValues: try t.evaluate(data, batchSize: 4))
        let out = try m.forward(["input": x])
        let hour = Double(try Losses.sparseCategoricalCrossentropy(out["hour"]!, Tensor([0, 1, 1, 0])).item())
        let minute = Double(try Losses.meanAbsoluteError(out["minute"]!, Tensor([0.5, 0, 1, 2])).item())
        #expect(Swift.abs(logs["hour_loss"]! - hour) < 1e-6)
        #expect(Swift.abs(logs["minute_loss"]! - minute) < 1e-6)
        #expect(Swift.abs(logs["loss"]! - (hour + 0.5 * minute)) < 1e-6)
        #expect(Swift.abs(logs["minute_mae"]! - minute) < 1e-6)
        #expect(logs["hour_accuracy"] != nil)
        let single = try Dataset(name: "one", x: x, y: Tensor([0, 1, 1, 0]))
        #expect(throws: TrainingError.self) { try t.fit(single, quiet(1)) }
    }
}
