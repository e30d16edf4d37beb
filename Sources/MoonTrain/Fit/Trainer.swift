import Foundation
import MoonData
import MoonEngine
import MoonNN

/// A compiled model: optimizer, a loss per output (with weights) and metrics, and the loops
/// that use them — `fit`, `evaluate`, `predict`, `classify`.
///
/// The training loop, per epoch: callbacks' `onEpochBegin`; the model in training mode; for
/// each batch (shuffled from `FitOptions.generator`): forward, weighted sum of the output
/// losses plus the model's `regularizationLoss`, backward, optimizer step, `applyConstraints`,
/// callbacks' `onBatchEnd`; then evaluation on the validation data (evaluation mode, no
/// graph), the epoch's logs into `History`, callbacks' `onEpochEnd`, and the checkpoint.
/// Logged `loss` is the mean over the epoch's samples of the total loss (regularization
/// included, as Keras reports it); metrics are means over samples. With several outputs the
/// logs also hold `<output>_loss` and `<output>_<metric>`.
/// `fit` leaves the model in evaluation mode.
public final class Trainer {
    public let model: TrainableModel
    public let optimizer: Optimizer
    /// The loss of each output that is trained (outputs without one are ignored).
    public let losses: [String: Loss]
    public let lossWeights: [String: Double]
    public let metrics: [String: [Metric]]

    /// Set by callbacks to end training after the current batch or epoch.
    public var stopTraining = false
    /// Whether the last `fit` ended because `shouldStop` said so (Ctrl-C).
    public private(set) var interrupted = false
    /// The history of the last (or current) `fit`.
    public private(set) var history = History()
    /// The current epoch (from 1).
    public private(set) var epoch = 0
    /// The number of training batches in an epoch (known once the first epoch starts).
    public private(set) var stepsPerEpoch = 0
    /// The last completed epoch when `fit` resumed from a checkpoint (0: a fresh start).
    public private(set) var initialEpoch = 0
    private var verbose = 1
    private var log: (String) -> Void = { try? FileHandle.standardError.write(contentsOf: Data(($0 + "\n").utf8)) }

    /// Compiles `model` with a loss per output name; `lossWeights` default to 1.
    public init(model: TrainableModel, optimizer: Optimizer, losses: [String: Loss],
                lossWeights: [String: Double] = [:], metrics: [String: [Metric]] = [:]) throws {
        let outputs = model.outputNames
        guard !losses.isEmpty else { throw TrainingError("compile: needs a loss") }
        for name in losses.keys.sorted() where !outputs.contains(name) {
            throw TrainingError("compile: the model has no output '\(name)' (outputs: \(outputs.joined(separator: ", ")))")
        }
        for (name, w) in lossWeights {
            guard losses[name] != nil else { throw TrainingError("compile: loss_weights names '\(name)', which has no loss") }
            guard w.isFinite, w >= 0 else { throw TrainingError("compile: loss weight of '\(name)' must be non-negative, got \(w)") }
        }
        for name in metrics.keys where !outputs.contains(name) {
            throw TrainingError("compile: metrics name '\(name)', which is not an output (outputs: \(outputs.joined(separator: ", ")))")
        }
        self.model = model
        self.optimizer = optimizer
        self.losses = losses
        self.lossWeights = lossWeights
        self.metrics = metrics
        try attachOptimizer()
    }

    /// Compiles a single-output model.
    public convenience init(model: TrainableModel, optimizer: Optimizer, loss: Loss, metrics: [Metric] = []) throws {
        guard let out = model.outputNames.first, model.outputNames.count == 1 else {
            throw TrainingError("compile: the model has outputs \(model.outputNames.joined(separator: ", ")); give a loss per output")
        }
        try self.init(model: model, optimizer: optimizer, losses: [out: loss], metrics: metrics.isEmpty ? [:] : [out: metrics])
    }

    /// Losses (name and from_logits), loss weights and metric names, JSON-compatible: saved
    /// with the model so `nn.load` restores a compiled model. Functions are saved by name,
    /// marked `custom`: a loader passes them again (`CustomObjects`).
    public var compileConfig: JSONValue {
        let l: [(String, JSONValue)] = losses.map { k, v in
            (k, .object([("name", .string(v.name))] + (v.fromLogits.map { [("from_logits", .bool($0))] } ?? [])
                + (v.custom != nil ? [("custom", .bool(true))] : [])))
        }
        func metric(_ m: Metric) -> JSONValue {
            m.custom == nil ? .string(m.name) : .object([("name", .string(m.name)), ("custom", .bool(true))])
        }
        return ["losses": .object(l), "loss_weights": .object(lossWeights.map { ($0.key, .double($0.value)) }),
                "metrics": .object(metrics.map { ($0.key, .array($0.value.map(metric))) })]
    }

    /// Losses, weights and metrics read back from `compileConfig`; functions come from `custom`.
    public static func settings(from config: JSONValue, custom: CustomObjects = CustomObjects()) throws
        -> (losses: [String: Loss], lossWeights: [String: Double], metrics: [String: [Metric]]) {
        func missing(_ what: String, _ name: String) -> TrainingError {
            TrainingError("the model was compiled with the \(what) function '\(name)', which was not given: pass custom = {\(name) = <function>} (or load it uncompiled with compile = false)")
        }
        var losses: [String: Loss] = [:]
        for (k, d) in config["losses"]?.pairs ?? [] {
            guard let name = d["name"]?.string else { continue }
            var fromLogits: Bool?
            if case .bool(let b)? = d["from_logits"] { fromLogits = b }
            if d["custom"] == .bool(true) {
                guard let f = custom.losses[name] else { throw missing("loss", name) }
                losses[k] = Loss(f, fromLogits: fromLogits)
            } else {
                losses[k] = try Loss(name: name, fromLogits: fromLogits)
            }
        }
        var metrics: [String: [Metric]] = [:]
        for (k, v) in config["metrics"]?.pairs ?? [] {
            metrics[k] = try (v.items ?? []).map { item in
                if let name = item.string { return try Metric(name: name) }
                guard let name = item["name"]?.string else { throw TrainingError("compile settings: a metric has no name") }
                guard let f = custom.metrics[name] else { throw missing("metric", name) }
                return Metric(f)
            }
        }
        var weights: [String: Double] = [:]
        for (k, v) in config["loss_weights"]?.pairs ?? [] { if let n = v.number { weights[k] = n } }
        return (losses, weights, metrics)
    }

    /// Points the optimizer at the model's parameters (keeping its state if it already does).
    private func attachOptimizer() throws {
        let params = model.parameters
        let same = optimizer.params.count == params.count && zip(optimizer.params, params).allSatisfy { $0 === $1 }
        if !same { try optimizer.setParams(params) }
    }

    var outputOrder: [String] { model.outputNames.filter { losses[$0] != nil } }
    var multiOutput: Bool { outputOrder.count > 1 }

    // MARK: data

    /// The model's inputs for a batch's (or a dataset's) inputs.
    func inputs(_ x: Inputs, _ op: String = "fit") throws -> [String: Tensor] {
        try ModelInputs.feed(x, to: model, op)
    }

    /// The target of each trained output, from a dataset's targets.
    func targets(_ t: Targets) throws -> [String: Tensor] {
        if let single = t.single {
            guard outputOrder.count == 1 else {
                throw TrainingError("fit: the model has outputs \(outputOrder.joined(separator: ", ")) but the data has one unnamed y; give named targets")
            }
            return [outputOrder[0]: single]
        }
        var out: [String: Tensor] = [:]
        for name in outputOrder {
            guard let v = t[name] else {
                throw TrainingError("fit: the data has no target '\(name)' for the model's output (targets: \((t.names ?? []).joined(separator: ", ")))")
            }
            out[name] = v
        }
        return out
    }

    // MARK: one batch

    /// Sums of losses and metrics over samples, averaged at the end of an epoch.
    struct Accumulator {
        var sums: [String: Double] = [:]
        var counts: [String: Double] = [:]
        var order: [String] = []
        mutating func add(_ key: String, _ sum: Double, _ count: Double) {
            if sums[key] == nil { order.append(key); sums[key] = 0; counts[key] = 0 }
            sums[key]! += sum
            counts[key]! += count
        }
        var means: [(String, Double)] { order.map { ($0, counts[$0]! > 0 ? sums[$0]! / counts[$0]! : .nan) } }
    }

    /// Forward pass and the total loss of a batch; adds losses and metrics to `acc`.
    func batchLoss(_ x: Inputs, _ targets: [String: Tensor], into acc: inout Accumulator) throws -> Tensor {
        let outputs = try model.forward(try inputs(x))
        let n = Double(ModelInputs.count(x))
        var total: Tensor?
        var perOutput: [(String, Double)] = []
        for name in outputOrder {
            guard let prediction = outputs[name] else { throw TrainingError("fit: the model produced no output '\(name)'") }
            let loss = losses[name]!, target = targets[name]!
            let activation = model.outputActivation(name)
            let value = try loss.compute(prediction, target, outputActivation: activation)
            let w = lossWeights[name] ?? 1
            let weighted = w == 1 ? value : try value.mul(Float(w))
            total = try total.map { try $0.add(weighted) } ?? weighted
            perOutput.append((name, Double(try value.item())))
            for m in metrics[name] ?? [] {
                let (s, c) = try m.measure(prediction, target, loss: loss, logits: loss.readsLogits(outputActivation: activation))
                acc.add(multiOutput ? "\(name)_\(m.name)" : m.name, s, c)
            }
        }
        if let r = try model.regularizationLoss() { total = try total!.add(r) }
        acc.add("loss", Double(try total!.item()) * n, n)
        if multiOutput { for (name, v) in perOutput { acc.add("\(name)_loss", v * n, n) } }
        // Keep "loss" first, then per-output losses, then metrics.
        acc.order.sort { History.keyOrder($0, $1) }
        return total!
    }

    // MARK: fit

    /// Trains on `train` (see the type's documentation) and returns the history of all
    /// epochs, those of a resumed checkpoint included.
    @discardableResult
    public func fit(_ train: Dataset, _ options: FitOptions) throws -> History {
        // The large buffers kept from step to step go back to the system when training ends.
        defer { BlockCache.shared.clear() }
        try options.validate()
        try attachOptimizer()
        log = options.log ?? { [output = options.output] in output.write($0 + "\n") }
        verbose = options.verbose
        stopTraining = false
        interrupted = false
        history = History()
        initialEpoch = 0

        var trainSet = train, validation = options.validation
        if options.validationSplit > 0 {
            let keep = Int((Double(train.count) * (1 - options.validationSplit)).rounded())
            guard keep >= 1, keep < train.count else {
                throw TrainingError("fit: validation_split \(options.validationSplit) of \(train.count) samples leaves a part empty")
            }
            trainSet = try train.subset(0..<keep)
            validation = try train.subset(keep..<train.count)
        }
        guard trainSet.count > 0 else { throw TrainingError("fit: the training data is empty") }
        // Check the data fits the inputs and outputs before the first epoch.
        _ = try inputs(trainSet.inputs)
        _ = try targets(trainSet.targets)
        if let validation { _ = try inputs(validation.inputs); _ = try targets(validation.targets) }
        if let names = trainSet.inputs.names, options.augment != nil || options.backgroundAugment != nil {
            throw TrainingError("fit: augment transforms one input x, but the data has named inputs \(names.joined(separator: ", ")); augment the tensors beforehand and make a new data.dataset, or train without augment")
        }

        var resumedFinished = false
        var resumed: TrainingCheckpoint?
        if let path = options.checkpoint, FileManager.default.fileExists(atPath: path) {
            let saved = try TrainingCheckpoint.read(path)
            try saved.restore(into: self, generator: options.generator)
            history = saved.history
            initialEpoch = saved.epoch
            resumedFinished = saved.stopped || saved.epoch >= options.epochs
            resumed = saved
        }
        stepsPerEpoch = (trainSet.count + options.batchSize - 1) / max(options.batchSize, 1)
        for c in options.callbacks { try c.onTrainBegin(self) }
        try resumed?.restoreCallbacks(options.callbacks)
        defer { model.setTraining(false) }
        var lastLogs: [String: Double] = [:]
        if !resumedFinished {
            for e in (initialEpoch + 1)...options.epochs {
                epoch = e
                let started = WallClock.now()
                for c in options.callbacks { try c.onEpochBegin(self, epoch: e) }
                let lr = Double(optimizer.lr)
                guard let trained = try trainEpoch(trainSet, options) else { break }
                var logs = Dictionary(uniqueKeysWithValues: trained.means)
                var shown = trained.means
                if let validation {
                    let v = try evaluateAccumulated(validation, batchSize: options.batchSize)
                    for (k, value) in v.means {
                        logs["val_" + k] = value
                        shown.append(("val_" + k, value))
                    }
                }
                logs["lr"] = lr
                trained.bar.finish(stepsDone: trained.steps, logs: shown)
                history.record(epoch: e, logs: logs, seconds: WallClock.now() - started)
                lastLogs = logs
                for c in options.callbacks { try c.onEpochEnd(self, epoch: e, logs: logs) }
                if let path = options.checkpoint {
                    try TrainingCheckpoint.save(to: path, trainer: self, epoch: e, stopped: stopTraining,
                                                generator: options.generator, callbacks: options.callbacks)
                }
                if stopTraining { break }
            }
        }
        for c in options.callbacks { try c.onTrainEnd(self, logs: lastLogs) }
        if options.verbose == 1 && options.output.isTerminal, let line = ProgressBar.summary(history) {
            options.output.write(line + "\n")
        }
        return history
    }

    /// One pass over the training data; nil when `shouldStop` interrupted it.
    private func trainEpoch(_ data: Dataset, _ options: FitOptions)
        throws -> (means: [(String, Double)], steps: Int, bar: ProgressBar)? {
        model.setTraining(true)
        var prepare: ((Batch) throws -> Batch)?
        if let augment = options.backgroundAugment {
            let epochSeed = options.generator.nextUInt64()
            prepare = { batch in
                let first = UInt64(batch.indices.first ?? 0)
                let generator = RandomGenerator(seed: epochSeed ^ (first &* 0x9E37_79B9_7F4A_7C15))
                return Batch(x: try augment(batch.x, generator), targets: batch.targets, indices: batch.indices)
            }
        }
        let batches = try Batches(data, size: options.batchSize, shuffle: options.shuffle,
                                  generator: options.generator, prepare: prepare)
        let bar = ProgressBar(epoch: epoch, epochs: options.epochs, steps: batches.count, verbose: options.verbose, output: options.output)
        var acc = Accumulator()
        var step = 0
        while let batch = try batches.next() {
            if options.shouldStop() { interrupted = true; stopTraining = true; bar.interrupt(); return nil }
            step += 1
            for c in options.callbacks { try c.onBatchBegin(self, batch: step) }
            let x = options.backgroundAugment != nil ? batch.inputs
                : try options.augment.map { .single(try $0(batch.x)) } ?? batch.inputs
            var batchAcc = Accumulator()
            let loss = try batchLoss(x, try targets(batch.targets), into: &batchAcc)
            optimizer.zeroGrad()
            try loss.backward()
            try Tensor.noGrad {
                try optimizer.step()
                try model.applyConstraints()
            }
            for k in batchAcc.order { acc.add(k, batchAcc.sums[k]!, batchAcc.counts[k]!) }
            let running = acc.means
            bar.update(step: step, logs: running)
            if !options.callbacks.isEmpty {
                var batchLogs = Dictionary(uniqueKeysWithValues: batchAcc.means)
                batchLogs["size"] = Double(batch.indices.count)
                for c in options.callbacks { try c.onBatchEnd(self, batch: step, logs: batchLogs) }
            }
            if stopTraining { break }
        }
        return (acc.means, step, bar)
    }

    // MARK: evaluate, predict, classify

    func evaluateAccumulated(_ data: Dataset, batchSize: Int) throws -> Accumulator {
        guard batchSize >= 1 else { throw TrainingError("evaluate: batch must be at least 1, got \(batchSize)") }
        model.setTraining(false)
        var acc = Accumulator()
        try Tensor.noGrad {
            let batches = try Batches(data, size: batchSize)
            while let batch = try batches.next() {
                _ = try batchLoss(batch.inputs, try targets(batch.targets), into: &acc)
            }
        }
        return acc
    }

    /// The mean loss and metrics over `data`, in evaluation mode.
    public func evaluate(_ data: Dataset, batchSize: Int = 32) throws -> [(String, Double)] {
        guard data.count > 0 else { throw TrainingError("evaluate: the data is empty") }
        _ = try inputs(data.inputs, "evaluate")
        _ = try targets(data.targets)
        return try evaluateAccumulated(data, batchSize: batchSize).means
    }

    // MARK: callbacks' helpers

    /// Copies of every weight (for restoring the best epoch).
    public func snapshotWeights() throws -> [Tensor] {
        try model.namedWeights().map { try $0.tensor.clone() }
    }

    /// Puts back weights taken by `snapshotWeights`.
    public func restoreWeights(_ saved: [Tensor]) throws {
        let mine = model.namedWeights()
        guard mine.count == saved.count else { throw TrainingError("restore: \(saved.count) weights for a model with \(mine.count)") }
        try Tensor.noGrad { for (w, s) in zip(mine, saved) { try w.tensor.copy(from: s) } }
    }

    /// A warning for the user.
    public func warn(_ message: String) { log("warning: " + message) }
    /// A note for the user (early stopping, rate changes); silent at verbose 0.
    public func note(_ message: String) { if verbose > 0 { log(message) } }

    static func format(_ v: Double) -> String { ProgressBar.value(v) }
}

/// Inference helpers: no compile needed.
public enum Inference {
    /// The model's outputs for `x`, computed in batches in evaluation mode without a graph,
    /// concatenated along the samples.
    public static func predict(_ model: TrainableModel, _ x: Tensor, batchSize: Int = 32) throws -> [String: Tensor] {
        try predict(model, inputs: .single(x), batchSize: batchSize)
    }

    /// The model's outputs for one input tensor or named inputs (all with the same number of
    /// samples), in batches, in evaluation mode without a graph.
    /// The values after `layer` for every sample of `inputs`, in batches of `batchSize`, one
    /// row a sample (`model:activations`).
    public static func activations(_ model: Model, inputs: Inputs, at layer: Layer, batchSize: Int = 256, _ op: String) throws -> Tensor {
        guard batchSize >= 1 else { throw TrainingError("batch must be positive, got \(batchSize)") }
        let feed = try ModelInputs.feed(inputs, to: model, op)
        let count = ModelInputs.count(inputs)
        guard count > 0 else { throw TrainingError("no samples to run") }
        let parts = try stride(from: 0, to: count, by: batchSize).map { start in
            try model.activations(try feed.mapValues { try $0.narrow(0, start, min(batchSize, count - start)) }, at: layer)
        }
        return try Tensor.cat(parts, dim: 0)
    }

    public static func predict(_ model: TrainableModel, inputs: Inputs, batchSize: Int = 32) throws -> [String: Tensor] {
        guard batchSize >= 1 else { throw TrainingError("predict: batch must be at least 1, got \(batchSize)") }
        let feed = try ModelInputs.feed(inputs, to: model, "predict")
        let n = ModelInputs.count(inputs)
        for (name, t) in feed {
            guard t.rank >= 1, t.shape[0] > 0 else { throw TrainingError("predict: no samples in \(feed.count == 1 ? "x" : "input '\(name)'") of shape \(shapeText(t.shape))") }
            guard t.shape[0] == n else {
                throw TrainingError("predict: input '\(name)' has \(t.shape[0]) samples but the first input \(n); the counts must agree")
            }
        }
        model.setTraining(false)
        return try Tensor.noGrad {
            var parts: [String: [Tensor]] = [:]
            var start = 0
            while start < n {
                let take = Swift.min(batchSize, n - start)
                let out = try model.forward(try feed.mapValues { try $0.narrow(0, start, take) })
                for (k, v) in out { parts[k, default: []].append(v) }
                start += take
            }
            return try parts.mapValues { $0.count == 1 ? try $0[0].contiguous() : try Tensor.cat($0, dim: 0) }
        }
    }

    /// Class labels 0..K−1: the argmax of each row of a {N, K} output (for a single-unit
    /// output, 1 where it exceeds 0.5 — or 0 for logits — else 0).
    public static func classify(_ prediction: Tensor, activation: String?) throws -> Tensor {
        guard prediction.rank == 2 || prediction.rank == 1 else {
            throw TrainingError("classify: expects outputs of shape {N,K}, got \(shapeText(prediction.shape))")
        }
        let n = prediction.shape[0], k = prediction.rank == 2 ? prediction.shape[1] : 1
        let p = prediction.toArray()
        var labels = [Float](repeating: 0, count: n)
        if k == 1 {
            let threshold: Float = activation == "sigmoid" ? 0.5 : 0
            for i in 0..<n { labels[i] = p[i] > threshold ? 1 : 0 }
        } else {
            for i in 0..<n { labels[i] = Float(Metric.argmax(p, i * k, k)) }
        }
        return Tensor(labels)
    }
}
