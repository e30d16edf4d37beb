import LuaKit
import MoonEngine
import MoonTrain

/// The metatable of optimizer objects (`optim.Adam{...}`).
let optimizerMeta: StaticString = "moonlab.optimizer"

extension LuaState {
    func optimizerOrNil(_ index: Int32) -> Optimizer? { object(index, optimizerMeta, as: Optimizer.self) }
}

/// The `optim` module: one constructor per optimizer, and the optimizer class
/// (`opt:step()`, `opt:zero_grad()`, `opt.lr`).
enum OptimModule {
    static func install(_ L: LuaState) {
        L.defineClass(optimizerMeta, name: "optimizer", doc: """
            An optimizer. opt:step() updates its parameters from their .grad; opt:zero_grad() clears \
            the gradients; opt.lr reads or sets the learning rate (also opt:set_lr(x)); \
            opt.iterations counts steps; tostring(opt) shows its settings.
            """, methods: methods, metamethods: metamethods, index: index, fields: ["lr", "iterations", "name", "params"])
        L.defineModule("optim", doc: """
            Optimizers: SGD, Adam, Nadam, RMSprop, Adagrad, Adadelta, Adamax. Options as one table: \
            optim.Adam{lr=1e-3}. Defaults follow Keras (the studies are Keras). Pass one to \
            model:compile{optimizer=...}, or give params= for a hand-written loop: \
            opt:zero_grad(); loss:backward(); opt:step().
            """) { m in
            for type in OptimizerFactory.types { optimizer(m, type) }
        }
    }

    /// `optim.<name>{...}`; params= (a list of tensors, for hand-written loops) is every optimizer's.
    static func optimizer<T: ConfigurableOptimizer>(_ m: ModuleBuilder, _ type: T.Type) {
        let name = T.optimizerName
        m.function(name, options: T.Config.self, doc: T.summary + " Order: clipvalue, clipnorm, weight_decay.",
                   extra: ["params"]) { L, config, _ in
            var params: [Tensor] = []
            if L.type(1) == .table, L.getField(1, "params") != .nil {
                defer { L.pop() }
                params = try L.tensorList(L.absolute(-1))
            } else if L.type(1) == .table {
                L.pop()
            }
            L.push(object: try T(params: params, config: config), metatable: optimizerMeta)
            return 1
        }
    }

    static func selfOptimizer(_ L: LuaState) throws -> Optimizer {
        guard let o = L.optimizerOrNil(1) else { throw L.argumentError(1, "an optimizer (call it as \(L.fn)(...))") }
        return o
    }

    static func rate(_ L: LuaState, _ index: Int32) throws -> Float {
        let v = try L.number(index)
        guard v.isFinite, v >= 0 else { throw L.fail("the learning rate must be a non-negative number, got \(v)") }
        return Float(v)
    }

    nonisolated(unsafe) static let methods: [LuaMethod] = [
        LuaMethod("step", "opt:step()", "Updates every parameter that has a gradient (then clears nothing; call zero_grad).") { L in
            try selfOptimizer(L).step(); return 0
        },
        LuaMethod("zero_grad", "opt:zero_grad()", "Clears the gradients of the optimizer's parameters.") { L in
            try selfOptimizer(L).zeroGrad(); return 0
        },
        LuaMethod("set_lr", "opt:set_lr(lr)", "Sets the learning rate (as opt.lr = lr).") { L in
            try selfOptimizer(L).lr = try rate(L, 2); return 0
        },
        LuaMethod("get_lr", "opt:get_lr() --> lr", "The learning rate.") { L in
            L.push(Double(try selfOptimizer(L).lr)); return 1
        },
        LuaMethod("config", "opt:config() --> table", "Name, options and step count.") { L in
            let o = try selfOptimizer(L)
            L.newTable()
            L.push(o.name); L.setField(-2, "name")
            L.push(o.iterations); L.setField(-2, "iterations")
            L.push(Double(o.lr)); L.setField(-2, "lr")
            for (k, v) in o.hyperparameters { L.push(v); L.setField(-2, k) }
            return 1
        },
    ]

    nonisolated(unsafe) static let metamethods: [(String, LuaFunction)] = [
        ("__tostring", { L in L.push(try selfOptimizer(L).description); return 1 }),
        ("__newindex", { L in
            let o = try selfOptimizer(L)
            guard L.type(2) == .string, L.toString(2) == "lr" else {
                throw LuaError("optimizer: only lr can be set, got \(L.describe(2))")
            }
            o.lr = try rate(L, 3)
            return 0
        }),
    ]

    nonisolated(unsafe) static let index: LuaFunction = { L in
        let o = try selfOptimizer(L)
        switch L.toString(2) {
        case "lr": L.push(Double(o.lr))
        case "iterations": L.push(o.iterations)
        case "name": L.push(o.name)
        case "params":
            L.newTable()
            for (i, p) in o.params.enumerated() { L.push(p); L.rawSet(-2, i + 1) }
        default: L.pushNil()
        }
        return 1
    }
}
