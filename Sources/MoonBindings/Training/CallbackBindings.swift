import LuaKit
import MoonEngine
import MoonTrain

/// The metatable of built-in callback objects (`nn.EarlyStopping{...}`).
let callbackMeta: StaticString = "moonlab.callback"

/// A plain Lua table used as a callback: `{on_epoch_end=function(epoch, logs) ... end}`. Its
/// functions are called in protected mode; an error stops `fit` with that error.
final class LuaTableCallback: Callback {
    let L: LuaState
    /// The callbacks array (on the stack while `fit` runs) and this table's position in it.
    let list: Int32, position: Int

    init(_ L: LuaState, list: Int32, position: Int) {
        (self.L, self.list, self.position) = (L, list, position)
    }

    /// Calls `table[name](args...)` if the table has such a function.
    func invoke(_ name: String, _ pushArgs: () -> Int32) throws {
        L.rawGet(list, position)
        guard L.getField(-1, name) == .function else { L.pop(2); return }
        L.remove(-2)
        let n = pushArgs()
        try L.call(nargs: n, nresults: 0, label: "callback \(name)")
    }

    func push(_ logs: [String: Double]) { TrainingBindings.push(logs: logs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, L) }

    override func onTrainBegin(_ trainer: Trainer) throws { try invoke("on_train_begin") { 0 } }
    override func onTrainEnd(_ trainer: Trainer, logs: [String: Double]) throws {
        try invoke("on_train_end") { push(logs); return 1 }
    }
    override func onEpochBegin(_ trainer: Trainer, epoch: Int) throws {
        try invoke("on_epoch_begin") { L.push(epoch); return 1 }
    }
    override func onEpochEnd(_ trainer: Trainer, epoch: Int, logs: [String: Double]) throws {
        try invoke("on_epoch_end") { L.push(epoch); push(logs); return 2 }
    }
    override func onBatchEnd(_ trainer: Trainer, batch: Int, logs: [String: Double]) throws {
        try invoke("on_batch_end") { L.push(batch); push(logs); return 2 }
    }
}

enum CallbackBindings {
    /// The callbacks of `fit{callbacks={...}}` from the array at `index` (kept on the stack).
    static func callbacks(_ L: LuaState, _ index: Int32) throws -> [Callback] {
        try L.checkTable(index, "a table of callbacks")
        var out: [Callback] = []
        for i in 1...max(L.rawLength(index), 1) where i <= L.rawLength(index) {
            L.rawGet(index, i)
            defer { L.pop() }
            if let c = L.object(-1, callbackMeta, as: Callback.self) { out.append(c); continue }
            guard L.type(-1) == .table else {
                throw L.fail("callback \(i) is \(L.describe(-1)); expected nn.EarlyStopping{...} and the like, or a table of on_epoch_end=function ... ")
            }
            if L.getField(-1, "schedule") == .function {
                // nn.LearningRateScheduler(fn): a table holding the schedule function.
                L.pop()
                let list = index, position = i
                L.getField(-1, "every_step")
                let everyStep = L.toBool(-1)
                L.pop()
                out.append(LearningRateScheduler(everyStep: everyStep) { epoch, lr, step in
                    L.rawGet(list, position)
                    L.getField(-1, "schedule")
                    L.remove(-2)
                    L.push(epoch); L.push(lr); L.push(step)
                    try L.call(nargs: 3, nresults: 1)
                    defer { L.pop() }
                    guard L.type(-1) == .number, let v = L.toNumber(-1) else {
                        throw LuaError("LearningRateScheduler: the schedule must return a number, got \(L.describe(-1))")
                    }
                    return v
                })
                continue
            }
            L.pop()
            out.append(LuaTableCallback(L, list: index, position: i))
        }
        return out
    }

    static func pushCallback(_ L: LuaState, _ c: Callback) { L.push(object: c, metatable: callbackMeta) }

    static func install(_ L: LuaState, _ m: ModuleBuilder) {
        L.defineClass(callbackMeta, name: "callback", doc: "A training callback; pass it to model:fit{callbacks={...}}.",
                      methods: [], metamethods: [("__tostring", { L in
                          guard let c = L.object(1, callbackMeta, as: Callback.self) else { return 0 }
                          L.push("nn.\(String(describing: type(of: c)))"); return 1
                      })])
        m.callback(EarlyStopping.self, "EarlyStopping")
        m.callback(ReduceLROnPlateau.self, "ReduceLROnPlateau")
        m.function("LearningRateScheduler", "nn.LearningRateScheduler(function(epoch, lr, step) return new_lr end, {every=\"epoch\"})", """
            Sets the learning rate to what the function returns for the epoch (from 1), the \
            current rate and the training step (from 1, counted across epochs): at the start of \
            every epoch, or before every step with every="step" (warm-up, decay by step).
            """) { L in
            try L.checkFunction(1)
            try L.checkOptionKeys(2, ["every"])
            let every = try L.optionString(2, "every") ?? "epoch"
            guard every == "epoch" || every == "step" else { throw L.fail("option 'every' must be \"epoch\" or \"step\", got \"\(every)\"") }
            L.newTable()
            L.push(every == "step"); L.setField(-2, "every_step")
            L.pushValue(1); L.setField(-2, "schedule")
            L.push("LearningRateScheduler"); L.setField(-2, "kind")
            return 1
        }
        m.callback(ModelCheckpoint.self, "ModelCheckpoint")
        m.callback(CSVLogger.self, "CSVLogger")
        m.callback(TerminateOnNaN.self, "TerminateOnNaN")
    }
}

extension ModuleBuilder {
    /// `nn.<name>{...}` for a callback whose options are one declaration (`T.Config`).
    func callback<T: ConfigurableCallback>(_ type: T.Type, _ fname: String) {
        function(fname, options: T.Config.self, doc: T.summary) { L, config, _ in
            CallbackBindings.pushCallback(L, try T(config: config))
            return 1
        }
    }
}
