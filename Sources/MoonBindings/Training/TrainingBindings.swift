import Foundation
import LuaKit
import MoonData
import MoonEngine
import MoonNN
import MoonTrain

/// Methods that training adds to the model class (`compile`, `fit`, `evaluate`, `predict`,
/// `classify`, `save`). The model class (NN/ModelClass.swift) includes them in its method table.
enum TrainingBindings {
    nonisolated(unsafe) static let modelMethods: [LuaMethod] = [compile, fit, evaluate, predict, classify, save]

    static func selfModel(_ L: LuaState, _ fn: String) throws -> TrainableModel {
        guard let m = L.object(1, modelMeta, as: AnyObject.self) as? TrainableModel else {
            throw L.argumentError(fn, 1, "a model (call it as model:\(fn.split(separator: ":").last ?? "")(...))")
        }
        return m
    }

    // MARK: compile

    nonisolated(unsafe) static let compile = LuaMethod("compile", "model:compile{optimizer=, loss=, loss_weights=, metrics=, from_logits=}", """
        Sets up training. optimizer: an optim object (optim.Adam{lr=1e-3}) or a name ("adam", with \
        Keras' defaults). loss: a name (sparse_categorical_crossentropy categorical_crossentropy mse mae \
        binary_crossentropy), or a table of names per output for models with several outputs \
        ({hour="sparse_categorical_crossentropy", minute="mae"}). loss_weights: per output (default 1); \
        the training loss is their weighted sum plus the layers' l1/l2 penalties. metrics: \
        {"accuracy", "mae", "mse"}, or a table per output ({hour={"accuracy"}, minute={"mae"}}); a flat \
        list applies accuracy to classification outputs and mae/mse to regression outputs. \
        Cross-entropy losses read the output as probabilities when the model ends in softmax/sigmoid \
        and as logits otherwise; from_logits=true|false overrides. Returns the model.
        """) { L in
        let fn = "model:compile"
        let model = try selfModel(L, fn)
        try L.checkTable(2, fn, "a table of options")
        try L.checkOptionKeys(2, fn, ["optimizer", "loss", "loss_weights", "metrics", "from_logits"])
        let fromLogits = try L.optionBool(2, "from_logits", fn)
        // Optimizer.
        let optimizer: Optimizer
        switch L.getField(2, "optimizer") {
        case .nil: optimizer = try OptimizerFactory.make("Adam", options: [:])
        case .string: optimizer = try OptimizerFactory.make(L.toString(-1)!, options: [:])
        default:
            guard let o = L.optimizerOrNil(-1) else {
                L.pop()
                throw LuaError("\(fn): optimizer must be an optimizer (optim.Adam{...}) or a name (\(OptimizerFactory.names.joined(separator: ", ")))")
            }
            optimizer = o
        }
        L.pop()
        // Losses.
        let outputs = model.outputNames
        var losses: [String: Loss] = [:]
        switch L.getField(2, "loss") {
        case .string:
            guard outputs.count == 1 else {
                L.pop()
                throw LuaError("\(fn): the model has outputs \(outputs.joined(separator: ", ")); give a loss per output: loss={\(outputs.map { "\($0)=..." }.joined(separator: ", "))}")
            }
            losses[outputs[0]] = try Loss(name: L.toString(-1)!, fromLogits: fromLogits)
        case .table:
            var problem: String?
            try L.forEachPair(-1) {
                guard L.type(-2) == .string, let k = L.toString(-2), L.type(-1) == .string, let v = L.toString(-1) else {
                    problem = "loss table entries must be output = \"loss name\""
                    return
                }
                losses[k] = try Loss(name: v, fromLogits: fromLogits)
            }
            if let problem { L.pop(); throw LuaError("\(fn): \(problem)") }
        case .nil:
            L.pop()
            throw LuaError("\(fn): needs a loss (valid: \(Loss.names.joined(separator: ", ")))")
        default:
            let d = L.describe(-1)
            L.pop()
            throw LuaError("\(fn): loss must be a name or a table of names per output, got \(d)")
        }
        L.pop()
        // Loss weights.
        var weights: [String: Double] = [:]
        if L.getField(2, "loss_weights") == .table {
            try L.forEachPair(-1) {
                guard let k = L.toString(-2), L.type(-1) == .number, let v = L.toNumber(-1) else {
                    throw LuaError("\(fn): loss_weights entries must be output = number")
                }
                weights[k] = v
            }
        }
        L.pop()
        // Metrics.
        var metrics: [String: [Metric]] = [:]
        if L.getField(2, "metrics") == .table {
            let t = L.absolute(-1)
            let n = L.rawLength(t)
            if n > 0 {
                var list: [Metric] = []
                for i in 1...n {
                    L.rawGet(t, i)
                    defer { L.pop() }
                    guard let s = L.toString(-1), L.type(-1) == .string else { throw LuaError("\(fn): metrics must be names like \"accuracy\"") }
                    list.append(try Metric(name: s))
                }
                metrics = Metric.assign(list, outputs: outputs, losses: losses)
            } else {
                try L.forEachPair(t) {
                    guard let k = L.toString(-2) else { return }
                    var list: [Metric] = []
                    if L.type(-1) == .string { list = [try Metric(name: L.toString(-1)!)] }
                    else if L.type(-1) == .table {
                        for i in 0..<L.rawLength(-1) {
                            L.rawGet(-1, i + 1)
                            defer { L.pop() }
                            guard let s = L.toString(-1) else { throw LuaError("\(fn): metrics must be names like \"accuracy\"") }
                            list.append(try Metric(name: s))
                        }
                    }
                    metrics[k] = list
                }
            }
        }
        L.pop()
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
    static func data(_ L: LuaState, _ index: Int32, _ fn: String) throws -> (Dataset, Int32) {
        if let ds = L.datasetOrNil(index) { return (ds, index + 1) }
        guard let x = L.fieldsOrNil(index) else {
            throw L.argumentError(fn, index, "a dataset, a tensor or a table of named input tensors")
        }
        if let y = L.fieldsOrNil(index + 1) {
            return (try naming(fn) { try Dataset(name: "tensors", inputs: x, targets: y) }, index + 2)
        }
        throw LuaError("\(fn): give a dataset, or inputs x and targets y (a tensor or a table of named tensors), got \(L.describe(index + 1)) after x")
    }

    static func batchOption(_ L: LuaState, _ opts: Int32, _ fn: String, default d: Int) throws -> Int {
        let b = try L.optionInteger(opts, "batch", fn) ?? L.optionInteger(opts, "batch_size", fn) ?? d
        guard b >= 1 else { throw LuaError("\(fn): batch must be at least 1, got \(b)") }
        return b
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
        let fn = "model:fit"
        let model = try selfModel(L, fn)
        let trainer = try CompiledModels.trainer(model, fn)
        let (train, opts) = try data(L, 2, fn)
        var o = try L.options(FitOptions.self, at: opts, skipping: fitObjects)
        o.output = .standard
        o.shouldStop = { Interrupt.pending }
        if L.type(opts) == .table {
            if L.getField(opts, "validation") != .nil {
                let v = L.absolute(-1)
                if let ds = L.datasetOrNil(v) { o.validation = ds }
                else if L.type(v) == .table, L.rawLength(v) == 2 {
                    L.rawGet(v, 1); L.rawGet(v, 2)
                    defer { L.pop(2) }
                    guard let x = L.fieldsOrNil(-2) else {
                        L.pop(); throw LuaError("\(fn): validation must be a dataset or {x, y}; its x is \(L.describe(-2))")
                    }
                    guard let y = L.fieldsOrNil(-1) else {
                        L.pop(); throw LuaError("\(fn): validation must be a dataset or {x, y}; its y is \(L.describe(-1))")
                    }
                    o.validation = try naming(fn) { try Dataset(name: "validation", inputs: x, targets: y) }
                } else {
                    L.pop(); throw LuaError("\(fn): validation must be a dataset or {x, y} tensors, got \(L.describe(v))")
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
                    guard let t = L.tensorOrNil(-1) else { throw LuaError("\(fn): augment must return a tensor, got \(L.describe(-1))") }
                    return t
                }
            } else { L.pop() }
            if L.getField(opts, "callbacks") != .nil {
                o.callbacks = try CallbackBindings.callbacks(L, L.absolute(-1), fn)
            } else { L.pop() }
        }
        let history: History
        do {
            history = try trainer.fit(train, o)
        } catch let e as LuaError {
            throw e
        } catch {
            throw LuaError("\(fn): \(error)")
        }
        CompiledModels.state(model)?.lastHistory = history
        if trainer.interrupted {
            Interrupt.clear()
            let done = history.epochs.count
            throw LuaError("\(fn): interrupted in epoch \(trainer.epoch); model.history holds the \(done) finished epoch\(done == 1 ? "" : "s") and the model keeps the weights of its last step (fit with checkpoint= resumes exactly)")
        }
        push(history: history, L)
        return 1
    }

    // MARK: evaluate, predict, classify

    nonisolated(unsafe) static let evaluate = LuaMethod("evaluate", "model:evaluate(data | x, y[, {batch=32}]) --> {loss=, accuracy=, ...}", """
        The mean loss and metrics over the data, in evaluation mode (the loss includes l1/l2 penalties, \
        as Keras reports it).
        """) { L in
        let fn = "model:evaluate"
        let model = try selfModel(L, fn)
        let trainer = try CompiledModels.trainer(model, fn)
        let (ds, opts) = try data(L, 2, fn)
        try L.checkOptionKeys(opts, fn, ["batch", "batch_size"])
        push(logs: try trainer.evaluate(ds, batchSize: try batchOption(L, opts, fn, default: 32)), L)
        return 1
    }

    static func outputs(_ L: LuaState, _ fn: String) throws -> (TrainableModel, [String: Tensor], Int32) {
        let model = try selfModel(L, fn)
        let x: Inputs, opts: Int32 = 3
        if let ds = L.datasetOrNil(2) { x = ds.inputs }
        else if let given = L.fieldsOrNil(2) { x = given }
        else { throw L.argumentError(fn, 2, "a tensor, a table of named input tensors or a dataset") }
        try L.checkOptionKeys(opts, fn, ["batch", "batch_size", "output"])
        let out = try Inference.predict(model, inputs: x, batchSize: try batchOption(L, opts, fn, default: 32))
        return (model, out, opts)
    }

    nonisolated(unsafe) static let predict = LuaMethod("predict", "model:predict(x | data[, {batch=32}]) --> tensor | {name=tensor}", """
        The model's outputs for every sample, in batches, in evaluation mode, without a graph: one \
        tensor, or a table of tensors by output name for a model with several outputs. x: a tensor, \
        or named input tensors {image=, extra=} for a model with several inputs.
        """) { L in
        let (model, out, _) = try outputs(L, "model:predict")
        if model.outputNames.count == 1 { L.push(out[model.outputNames[0]]!); return 1 }
        L.newTable()
        for name in model.outputNames { if let t = out[name] { L.push(t); L.setField(-2, name) } }
        return 1
    }

    nonisolated(unsafe) static let classify = LuaMethod("classify", "model:classify(x | data[, {batch=32, output=name}]) --> labels", """
        Class labels 0..K-1 (a 1-d tensor): the argmax of each output row (for a single sigmoid unit, \
        1 above 0.5). With several outputs, output= names the one holding the classes.
        """) { L in
        let fn = "model:classify"
        let (model, out, opts) = try outputs(L, fn)
        var name = model.outputNames[0]
        if let chosen = try L.optionString(opts, "output", fn) {
            guard out[chosen] != nil else { throw LuaError("\(fn): the model has no output '\(chosen)' (outputs: \(model.outputNames.joined(separator: ", ")))") }
            name = chosen
        } else if model.outputNames.count > 1 {
            throw LuaError("\(fn): the model has outputs \(model.outputNames.joined(separator: ", ")); say which: {output=\"\(name)\"}")
        }
        L.push(try Inference.classify(out[name]!, activation: model.outputActivation(name)))
        return 1
    }

    // MARK: save

    nonisolated(unsafe) static let save = LuaMethod("save", "model:save(path)", """
        Saves architecture and weights (and, once compiled, the optimizer's state and the losses) to \
        one safetensors file, atomically: a crash mid-save leaves the old file intact. Python's \
        safetensors reads the weights; nn.load(path) restores the model.
        """) { L in
        let fn = "model:save"
        let model = try selfModel(L, fn)
        let path = try L.string(2, fn)
        let state = CompiledModels.state(model)
        do {
            try ModelFile.save(model, optimizer: state?.optimizer, compile: try state?.trainer(model).compileConfig, to: path)
        } catch {
            throw LuaError("\(fn): \(error)")
        }
        return 0
    }
}
