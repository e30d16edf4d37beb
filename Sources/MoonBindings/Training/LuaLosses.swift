import LuaKit
import MoonEngine
import MoonTrain

/// Losses and metrics written in Lua (`compile{loss=fn, metrics={name=fn}}`), and the
/// `custom` table of `nn.load`. The engine's `CustomLoss`/`CustomMetric` call them.
enum LuaLosses {
    /// The function at `index` as a loss: fn(prediction, target) --> scalar tensor.
    static func loss(_ L: LuaState, _ index: Int32, name: String) -> CustomLoss {
        let f = LuaReference(L, index)
        return CustomLoss(name: name) { prediction, target in
            let L = try call(f, prediction, target, "loss \(name)")
            defer { L.pop() }
            guard let t = L.tensorOrNil(-1) else { throw LuaError("loss \(name) must return a scalar tensor, got \(L.describe(-1))") }
            return t
        }
    }

    /// The function at `index` as a metric: fn(prediction, target) --> number.
    static func metric(_ L: LuaState, _ index: Int32, name: String) -> CustomMetric {
        let f = LuaReference(L, index)
        return CustomMetric(name: name) { prediction, target in
            let L = try Tensor.noGrad { try call(f, prediction, target, "metric \(name)") }
            defer { L.pop() }
            if let t = L.tensorOrNil(-1), t.count == 1 { return Double(try t.item()) }
            guard L.type(-1) == .number, let v = L.toNumber(-1) else {
                throw LuaError("metric \(name) must return a number, got \(L.describe(-1))")
            }
            return v
        }
    }

    /// `f(a, b)` on the running Lua thread, its one result left on the stack.
    private static func call(_ f: LuaReference, _ a: Tensor, _ b: Tensor, _ what: @autoclosure () -> String) throws -> LuaState {
        let L = try LuaState.running(for: what())
        f.push(L)
        L.push(a)
        L.push(b)
        try L.call(nargs: 2, nresults: 1, label: what())
        return L
    }

    // MARK: compile

    /// Reads `loss` and `metrics` of compile's option table at `index` (which the declared
    /// options skipped): functions go to `lossFunctions`/`metricFunctions`, names to the fields.
    static func read(_ L: LuaState, _ index: Int32, into o: inout CompileOptions) throws {
        let options = L.absolute(index)
        switch L.getField(options, "loss") {
        case .function:
            o.lossFunctions[""] = loss(L, -1, name: "custom_loss")
        case .string:
            o.loss = .all(L.toString(-1)!)
        case .table:
            var names: [(String, String)] = []
            try eachKey(L, L.top) { output in
                switch L.type(-1) {
                case .string: names.append((output, L.toString(-1)!))
                case .function: o.lossFunctions[output] = loss(L, -1, name: output + "_custom_loss")
                default: throw L.fail("option 'loss': output '\(output)' must have a loss name or a function, got \(L.describe(-1))")
                }
            }
            o.loss = names.isEmpty ? nil : .named(names)
        case .nil: break
        default: throw L.fail("option 'loss' must be a loss name, a function or a table of them by output name, got \(L.describe(-1))")
        }
        L.pop()
        switch L.getField(options, "metrics") {
        case .table:
            let metrics = L.top
            var perOutput = false
            L.forEachPair(metrics) { if L.type(-2) == .string, L.type(-1) == .table { perOutput = true } }
            if perOutput {
                var named: [(String, [String])] = []
                try eachKey(L, metrics) { output in
                    guard L.type(-1) == .table else { throw L.fail("option 'metrics': output '\(output)' must have a list of metrics, got \(L.describe(-1))") }
                    let (names, fs) = try list(L, L.top, prefix: output + "_")
                    named.append((output, names))
                    if !fs.isEmpty { o.metricFunctions[output] = fs }
                }
                o.metrics = .named(named)
            } else {
                let (names, fs) = try list(L, metrics, prefix: "")
                o.metrics = names.isEmpty ? nil : .all(names)
                if !fs.isEmpty { o.metricFunctions[""] = fs }
            }
        case .nil: break
        default: throw L.fail("option 'metrics' must be a list of metric names and functions, got \(L.describe(-1))")
        }
        L.pop()
    }

    /// Calls `body` with each string key of the table at `index`, in name order, its value on top.
    private static func eachKey(_ L: LuaState, _ index: Int32, _ body: (String) throws -> Void) throws {
        var keys: [String] = []
        L.forEachPair(index) { if L.type(-2) == .string, let k = L.toString(-2) { keys.append(k) } }
        for k in keys.sorted() {
            L.getField(index, k)
            defer { L.pop() }
            try body(k)
        }
    }

    /// A metric list: names and functions at positions 1..n (a function there is named
    /// `<prefix>metric_<i>`), and functions under names (`top2 = fn`).
    private static func list(_ L: LuaState, _ index: Int32, prefix: String) throws -> ([String], [CustomMetric]) {
        var names: [String] = [], functions: [CustomMetric] = []
        for i in 0..<L.rawLength(index) {
            L.rawGet(index, i + 1)
            defer { L.pop() }
            switch L.type(-1) {
            case .string: names.append(L.toString(-1)!)
            case .function: functions.append(metric(L, -1, name: "\(prefix)metric_\(i + 1)"))
            default: throw L.fail("option 'metrics': entry \(i + 1) must be a metric name or a function, got \(L.describe(-1))")
            }
        }
        try eachKey(L, index) { key in
            guard L.type(-1) == .function else {
                throw L.fail("option 'metrics': '\(key)' must be a function(prediction, target) returning a number, got \(L.describe(-1))")
            }
            functions.append(metric(L, -1, name: prefix + key))
        }
        return (names, functions)
    }

    // MARK: nn.load

    /// `custom = {...}` of nn.load at `index`: layer classes, and functions (Lambda layers by
    /// layer name, losses and metrics by their names).
    static func customObjects(_ L: LuaState, _ index: Int32) throws -> CustomObjects {
        var custom = CustomObjects()
        custom.layers = try LuaLayers.customMakers(L, index)
        let t = L.absolute(index)
        var functions: [String] = []
        L.forEachPair(t) { if L.type(-2) == .string, L.type(-1) == .function, let k = L.toString(-2) { functions.append(k) } }
        for k in functions {
            L.getField(t, k)
            custom.losses[k] = loss(L, -1, name: k)
            custom.metrics[k] = metric(L, -1, name: k)
            L.pop()
        }
        return custom
    }
}
