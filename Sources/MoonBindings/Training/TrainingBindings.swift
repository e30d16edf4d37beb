import Foundation
import LuaKit
import MoonBase
import MoonData
import MoonEngine
import MoonNN
import MoonRuns
import MoonTrain

/// Methods that training adds to the model class (`compile`, `fit`, `evaluate`, `predict`,
/// `classify`, `save`). The model class (NN/ModelClass.swift) includes them in its method table.
enum TrainingBindings {
    nonisolated(unsafe) static let modelMethods: [LuaMethod] = [compile, fit, evaluate, predict, classify, save, saveWeights, loadWeights]

    static func selfModel(_ L: LuaState) throws -> TrainableModel {
        guard let m = L.object(1, modelMeta, as: AnyObject.self) as? TrainableModel else {
            throw L.argumentError(1, "a model (call it as \(L.fn)(...))")
        }
        return m
    }

    // MARK: compile

    nonisolated(unsafe) static let compile = LuaMethod("compile", "model", options: CompileOptions.self, extra: ["optimizer", "loss", "metrics"], doc: """
        Sets up training. optimizer: an optim object (optim.Adam{lr=1e-3}) or a name ("adam", with \
        Keras' defaults; nil: Adam). loss: a name, or a table of names per output for models with \
        several outputs ({hour="sparse_categorical_crossentropy", minute="mae"}). Cross-entropy \
        losses read the output as probabilities when the model ends in softmax/sigmoid and as \
        logits otherwise; from_logits=true|false overrides. A loss may be a function(prediction, \
        target) returning a scalar tensor (autograd gives its gradient); a metric a \
        function(prediction, target) returning a number (averaged over batches by size), named by \
        its key (metrics={"accuracy", top2=fn}). Saved models name a loss function custom_loss \
        (<output>_custom_loss per output): nn.load's custom= gives them back. Returns the model.
        """) { L, o in
        let model = try selfModel(L)
        var o = o
        if L.type(2) == .table { try LuaLosses.read(L, 2, into: &o) }
        let optimizer: Optimizer
        switch L.getField(2, "optimizer") {
        case .nil: optimizer = try OptimizerFactory.make("Adam", options: [:])
        case .string: optimizer = try L.named { try OptimizerFactory.make(L.toString(-1)!, options: [:]) }
        default:
            guard let o = L.optimizerOrNil(-1) else {
                throw L.fail("optimizer must be an optimizer (optim.Adam{...}) or a name (\(OptimizerFactory.names.joined(separator: ", ")))")
            }
            optimizer = o
        }
        L.pop()
        let (losses, weights, metrics) = try L.named { try o.resolve(outputs: model.outputNames) }
        let state = CompiledState(model: model, optimizer: optimizer, losses: losses, lossWeights: weights, metrics: metrics)
        _ = try state.trainer(model)   // checks output names, attaches the optimizer
        CompiledModels.set(state, for: model)
        L.pushValue(1)
        return 1
    }

    // MARK: data arguments

    /// A dataset from argument `index`: a dataset, or x and y (then options follow y), where x
    /// is a tensor or a table of named input tensors {image=t, extra=t} and y a tensor or a
    /// table of named target tensors {hour=t, minute=t}. Returns the dataset and the index of
    /// the options table.
    static func data(_ L: LuaState, _ index: Int32) throws -> (Dataset, Int32) {
        if let ds = L.datasetOrNil(index) { return (ds, index + 1) }
        guard let x = L.fieldsOrNil(index) else {
            throw L.argumentError(index, "a dataset, a tensor or a table of named input tensors")
        }
        if let y = L.fieldsOrNil(index + 1) {
            return (try L.named { try Dataset(name: "tensors", inputs: x, targets: y) }, index + 2)
        }
        throw L.fail("give a dataset, or inputs x and targets y (a tensor or a table of named tensors), got \(L.describe(index + 1)) after x")
    }

    /// A history as Lua sees it: one array a logged key (`loss`, `val_accuracy`, `lr`, ...).
    static func push(history: History, _ L: LuaState) {
        L.newTable(fieldCount: Int32(history.keys.count + 1))
        for k in history.keys {
            L.push(array: history.values[k]!)
            L.setField(-2, k)
        }
        L.push(array: history.seconds)
        L.setField(-2, "seconds")
    }

    static func push(logs: [(String, Double)], _ L: LuaState) {
        L.newTable(fieldCount: Int32(logs.count))
        for (k, v) in logs { L.push(v); L.setField(-2, k) }
    }

    // MARK: fit

    /// fit's options that are objects, read from the table by the binding.
    static let fitObjects: Set<String> = ["validation", "augment", "callbacks"]

    nonisolated(unsafe) static let fit = LuaMethod("fit", "model:fit(train | x, y, \(FitOptions.table(extra: ["validation=", "augment=", "callbacks="]))) --> history", """
        Trains the compiled model and returns its history: history.loss, history.accuracy, \
        history.val_loss, history.val_accuracy, history.lr, history.seconds (each epoch's wall \
        time) ... (Lua arrays, one value an epoch; with \
        several outputs also <output>_loss and <output>_<metric>). train: a dataset, or x, y (x a tensor, \
        or named input tensors {image=, extra=} for a graph with several inputs, fed by input name; y \
        a tensor or named target tensors {hour=, minute=}, matched to outputs by name). \
        validation: a dataset evaluated after each epoch; validation_split: the last fraction of train \
        held out instead (as Keras). shuffle: reshuffle every epoch from the seeded generator. augment: a \
        function (or aug transform) applied to each training batch x. verbose: 0 silent, 1 progress bar \
        (plain lines when not on a terminal), 2 one line an epoch. callbacks: nn.EarlyStopping{...}, \
        nn.ReduceLROnPlateau{...}, nn.LearningRateScheduler(fn), nn.ModelCheckpoint(path), \
        nn.CSVLogger(path), nn.TerminateOnNaN(), or tables with on_train_begin, on_epoch_begin(epoch), \
        on_epoch_end(epoch, logs), on_batch_end(batch, logs), on_train_end(logs) (epochs and batches \
        count from 1; an error in one stops fit with that error). checkpoint: a file saved atomically \
        after every epoch (model, optimizer state, history, random state); if it exists, fit continues \
        from it and ends as an uninterrupted run with the same seed would. Ctrl-C stops between batches \
        with an error; the model keeps the weights of its last step and model.history the finished \
        epochs (model.history is always the last fit's history). fit leaves the model in eval mode.
        """) { L in
        let model = try selfModel(L)
        let trainer = try CompiledModels.trainer(L, model)
        let (train, opts) = try data(L, 2)
        var o = try L.options(FitOptions.self, at: opts, skipping: fitObjects)
        o.output = .standard
        o.shouldStop = { Interrupt.pending }
        if L.type(opts) == .table {
            if L.getField(opts, "validation") != .nil {
                let v = L.absolute(-1)
                if let ds = L.datasetOrNil(v) { o.validation = ds }
                else if L.type(v) == .table, L.rawLength(v) == 2 {
                    let xy = try L.list(v, of: "a tensor or a table of named tensors") { L.fieldsOrNil($0) }
                    o.validation = try L.named { try Dataset(name: "validation", inputs: xy[0], targets: xy[1]) }
                } else {
                    throw L.fail("validation must be a dataset or {x, y} tensors, got \(L.describe(v))")
                }
            }
            L.pop()
            // Lua values used during training stay on the stack (stable indices) until fit returns.
            if L.getField(opts, "augment") != .nil, let t = L.transformOrNil(-1) {
                // An aug transform runs in Swift on the batch thread, ahead of training.
                o.backgroundAugment = { x, generator in try t.apply(x, generator: generator) }
            } else if L.type(-1) != .nil {
                let a = L.absolute(-1)
                o.augment = { x in
                    L.pushValue(a)
                    L.push(x)
                    try L.call(nargs: 1, nresults: 1)
                    defer { L.pop() }
                    guard let t = L.tensorOrNil(-1) else { throw L.fail("augment must return a tensor, got \(L.describe(-1))") }
                    return t
                }
            } else { L.pop() }
            if L.getField(opts, "callbacks") != .nil {
                o.callbacks = try CallbackBindings.callbacks(L, L.absolute(-1))
            } else { L.pop() }
        }
        let history: History
        let started = WallClock.now()
        func record(_ history: History, _ status: String, error: String? = nil) {
            guard let m = model as? Model else { return }
            RunsBindings.record(RunRecord.make(model: m, trainer: trainer, options: o, train: train, history: history,
                                               seconds: WallClock.now() - started, status: status, error: error,
                                               seed: Seeding.lastSeed))
        }
        do {
            history = try trainer.fit(train, o)
        } catch let e as LuaError {
            record(trainer.history, "failed", error: e.message)
            throw e
        } catch {
            record(trainer.history, "failed", error: "\(error)")
            throw L.fail("\(error)")
        }
        CompiledModels.state(model)?.lastHistory = history
        record(history, trainer.interrupted ? "interrupted" : "done")
        if trainer.interrupted {
            Interrupt.clear()
            let done = history.epochs.count
            throw L.fail("interrupted in epoch \(trainer.epoch); model.history holds the \(done) finished epoch\(done == 1 ? "" : "s") and the model keeps the weights of its last step (fit with checkpoint= resumes exactly)")
        }
        push(history: history, L)
        return 1
    }

    // MARK: evaluate, predict, classify

    nonisolated(unsafe) static let evaluate = LuaMethod("evaluate", "model:evaluate(data | x, y, \(InferenceOptions.table())) --> {loss=, accuracy=, ...}", """
        The mean loss and metrics over the data, in evaluation mode (the loss includes l1/l2 penalties, \
        as Keras reports it).
        """ + "\n" + InferenceOptions.optionDocs) { L in
        let model = try selfModel(L)
        let trainer = try CompiledModels.trainer(L, model)
        let (ds, opts) = try data(L, 2)
        let o = try L.options(InferenceOptions.self, at: opts)
        push(logs: try trainer.evaluate(ds, batchSize: try L.named { try o.batchSize() }), L)
        return 1
    }

    /// The outputs of `predict` and `classify` for x at 2, and the options at 3.
    static func outputs(_ L: LuaState) throws -> (TrainableModel, [String: Tensor], InferenceOptions) {
        let model = try selfModel(L)
        let x: Inputs
        if let ds = L.datasetOrNil(2) { x = ds.inputs }
        else if let given = L.fieldsOrNil(2) { x = given }
        else { throw L.argumentError(2, "a tensor, a table of named input tensors or a dataset") }
        let o = try L.options(InferenceOptions.self, at: 3)
        return (model, try L.named { try Inference.predict(model, inputs: x, batchSize: try o.batchSize()) }, o)
    }

    nonisolated(unsafe) static let predict = LuaMethod("predict", "model:predict(x | data, \(InferenceOptions.table())) --> tensor | {name=tensor}", """
        The model's outputs for every sample, in batches, in evaluation mode, without a graph: one \
        tensor, or a table of tensors by output name for a model with several outputs. x: a tensor, \
        or named input tensors {image=, extra=} for a model with several inputs.
        """ + "\n" + InferenceOptions.optionDocs) { L in
        let (model, out, _) = try outputs(L)
        if model.outputNames.count == 1 { L.push(out[model.outputNames[0]]!); return 1 }
        L.newTable()
        for name in model.outputNames { if let t = out[name] { L.push(t); L.setField(-2, name) } }
        return 1
    }

    nonisolated(unsafe) static let classify = LuaMethod("classify", "model:classify(x | data, \(InferenceOptions.table())) --> labels", """
        Class labels 0..K-1 (a 1-d tensor): the argmax of each output row (for a single sigmoid unit, \
        1 above 0.5).
        """ + "\n" + InferenceOptions.optionDocs) { L in
        let (model, out, o) = try outputs(L)
        let name = try L.named { try o.classOutput(of: model.outputNames) }
        L.push(try Inference.classify(out[name]!, activation: model.outputActivation(name)))
        return 1
    }

    // MARK: save

    nonisolated(unsafe) static let save = LuaMethod("save", "model:save(path)", """
        Saves architecture and weights (and, once compiled, the optimizer's state and the losses) to \
        one safetensors file, atomically: a crash mid-save leaves the old file intact. Python's \
        safetensors reads the weights; nn.load(path) restores the model.
        """) { L in
        let model = try selfModel(L)
        let path = try L.string(2)
        let state = CompiledModels.state(model)
        do {
            try ModelFile.save(model, optimizer: state?.optimizer, compile: try state?.trainer(model).compileConfig, to: path)
        } catch {
            throw L.fail("\(error)")
        }
        return 0
    }
}
