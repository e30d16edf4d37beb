import LuaKit
import MoonData
import MoonEngine
import MoonPlot

/// Reading histories, series and matrices for the `plot` module.
enum PlotArguments {
    /// One history (`model:fit`'s result: `{loss={...}, val_accuracy={...}, ...}`) or several
    /// runs: a table of named histories `{adam=h1, sgd=h2}` or an array `{h1, h2}` (named
    /// `run 1`, `run 2`). Named runs come in name order.
    static func runs(_ L: LuaState, _ index: Int32, _ fn: String) throws -> [(name: String, history: [String: [Double]])] {
        guard L.type(index) == .table else { throw L.argumentError(fn, index, "a history table (as model:fit returns it)") }
        if let single = try history(L, index, fn, "history") { return [("", single)] }
        var runs: [(String, [String: [Double]])] = []
        try L.forEachPair(index) {
            let name: String
            if L.type(-2) == .number, let i = L.toInteger(-2) { name = "run \(i)" } else { name = L.toString(-2) ?? "?" }
            guard L.type(-1) == .table, let h = try history(L, L.absolute(-1), fn, "history '\(name)'") else {
                throw LuaError("\(fn): '\(name)' is \(L.describe(-1)), not a history (a table of arrays such as loss={...})")
            }
            runs.append((name, h))
        }
        if runs.isEmpty { throw LuaError("\(fn): the history is empty") }
        return runs.sorted { a, b in
            let (na, nb) = (Int(a.0.dropFirst(4)), Int(b.0.dropFirst(4)))
            if a.0.hasPrefix("run "), b.0.hasPrefix("run "), let na, let nb { return na < nb }
            return a.0 < b.0
        }
    }

    /// The arrays of numbers in the table at `index` by key, or nil when it holds none
    /// (a table of histories). Non-array entries (a nested `params` table, a string) are skipped.
    static func history(_ L: LuaState, _ index: Int32, _ fn: String, _ what: String) throws -> [String: [Double]]? {
        var out: [String: [Double]] = [:]
        try L.forEachPair(index) {
            guard L.type(-2) == .string, let key = L.toString(-2) else { return }
            let value = L.absolute(-1)
            var isArray = L.tensorOrNil(value) != nil
            if !isArray && L.type(value) == .table && L.rawLength(value) > 0 {
                isArray = L.rawGet(value, 1) == .number
                L.pop()
            }
            if isArray { out[key] = try MetricsArguments.numbers(L, value, fn, "\(what).\(key)") }
        }
        return out.isEmpty ? nil : out
    }

    /// Series from `{name=array, ...}` (drawn in name order) or an ordered array
    /// `{{name=, y=array[, x=array]}, ...}`.
    static func series(_ L: LuaState, _ index: Int32, _ fn: String) throws -> [Series] {
        guard L.type(index) == .table else {
            throw LuaError("\(fn): series must be a table {name=array, ...}, got \(L.describe(index))")
        }
        var out: [Series] = []
        let n = L.rawLength(index)
        if n > 0 {
            for i in 1...n {
                L.rawGet(index, i)
                defer { L.pop() }
                let t = L.absolute(-1)
                guard L.type(t) == .table else { throw LuaError("\(fn): series[\(i)] must be a table {name=, y=}, got \(L.describe(t))") }
                let name = try L.optionString(t, "name", fn) ?? "series \(i)"
                guard let y = try MetricsArguments.withOption(L, t, "y", { try MetricsArguments.numbers(L, $0, fn, "series '\(name)' y") }) else {
                    throw LuaError("\(fn): series[\(i)] has no y values (write {name=, y={...}})")
                }
                let x = try MetricsArguments.withOption(L, t, "x", { try MetricsArguments.numbers(L, $0, fn, "series '\(name)' x") })
                out.append(Series(name: name, y: y, x: x))
            }
            return out
        }
        try L.forEachPair(index) {
            guard L.type(-2) == .string, let name = L.toString(-2) else {
                throw LuaError("\(fn): series keys must be names, got \(L.describe(-2))")
            }
            out.append(Series(name: name, y: try MetricsArguments.numbers(L, L.absolute(-1), fn, "series '\(name)'")))
        }
        if out.isEmpty { throw LuaError("\(fn): series is empty") }
        return out.sorted { $0.name < $1.name }
    }

    /// A matrix from a 2-d tensor or nested Lua arrays.
    static func matrix(_ L: LuaState, _ index: Int32, _ fn: String) throws -> [[Double]] {
        let t: Tensor
        if let x = L.tensorOrNil(index) {
            t = x
        } else if L.type(index) == .table {
            let (values, shape) = try L.nestedNumbers(index, fn)
            t = try Tensor(values, shape: shape)
        } else {
            throw L.argumentError(fn, index, "a matrix (a 2-d tensor or nested arrays)")
        }
        guard t.rank == 2, t.shape[0] > 0, t.shape[1] > 0 else {
            throw LuaError("\(fn): expected a matrix {rows, cols}, got shape \(shapeText(t.shape))")
        }
        let v = t.toArray(), cols = t.shape[1]
        return (0..<t.shape[0]).map { i in (0..<cols).map { Double(v[i * cols + $0]) } }
    }

    /// The output path: `opts.out`, else the string at `positional`, else an error.
    static func outPath(_ L: LuaState, positional: Int32?, opts: Int32, _ fn: String, example: String) throws -> String {
        if let p = positional, L.type(p) == .string, let s = L.toString(p) { return s }
        if let s = try L.optionString(opts, "out", fn) { return s }
        throw LuaError("\(fn): needs an output path: out=\"\(example)\"")
    }
}
