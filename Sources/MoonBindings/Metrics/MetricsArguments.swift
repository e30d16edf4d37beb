import LuaKit
import MoonEngine

/// Reading the arguments of `metrics`, `analysis` and `plot` from Lua: label tensors or
/// arrays, arrays of numbers and strings. Errors name the call and the argument.
enum MetricsArguments {
    /// A tensor, or a Lua array of numbers made into a 1-d tensor (labels `{3, 1, 0}`).
    static func tensor(_ L: LuaState, _ index: Int32, _ what: String) throws -> Tensor {
        if let t = L.tensorOrNil(index) { return t }
        if L.type(index) == .table {
            let values = try numbers(L, index, what)
            return try Tensor(values.map(Float.init), shape: [values.count])
        }
        throw L.argumentError(index, "\(what) (a tensor or a Lua array of numbers)")
    }

    /// The numbers of a Lua array or a 1-d tensor (a history's `val_accuracy`).
    static func numbers(_ L: LuaState, _ index: Int32, _ what: String) throws -> [Double] {
        if let t = L.tensorOrNil(index) {
            guard t.rank <= 1 || t.shape.filter({ $0 != 1 }).count <= 1 else {
                throw L.fail("\(what) must be a 1-d tensor or a Lua array of numbers, got a tensor of shape \(shapeText(t.shape))")
            }
            return t.toArray().map(Double.init)
        }
        guard L.type(index) == .table else {
            throw L.fail("\(what) must be a Lua array of numbers or a 1-d tensor, got \(L.describe(index))")
        }
        let n = L.rawLength(index)
        var out: [Double] = []
        out.reserveCapacity(n)
        for i in 1...max(n, 1) where i <= n {
            L.rawGet(index, i)
            defer { L.pop() }
            guard L.type(-1) == .number, let v = L.toNumber(-1) else {
                throw L.fail("\(what) entry \(i) must be a number, got \(L.describe(-1))")
            }
            out.append(v)
        }
        return out
    }

    /// The strings of a Lua array at `index`, or nil when the value there is nil.
    static func strings(_ L: LuaState, _ index: Int32, _ what: String) throws -> [String]? {
        if L.isNoneOrNil(index) { return nil }
        guard L.type(index) == .table else {
            throw L.fail("\(what) must be a Lua array of strings, got \(L.describe(index))")
        }
        let n = L.rawLength(index)
        var out: [String] = []
        for i in 1...max(n, 1) where i <= n {
            L.rawGet(index, i)
            defer { L.pop() }
            guard L.type(-1) == .string || L.type(-1) == .number, let s = L.toString(-1) else {
                throw L.fail("\(what) entry \(i) must be a string, got \(L.describe(-1))")
            }
            out.append(s)
        }
        return out
    }

    /// Runs `read` on `opts[key]` pushed on top of the stack, when present.
    static func withOption<T>(_ L: LuaState, _ opts: Int32, _ key: String, _ read: (Int32) throws -> T) throws -> T? {
        guard L.type(opts) == .table else { return nil }
        L.getField(opts, key)
        defer { L.pop() }
        if L.isNoneOrNil(-1) { return nil }
        return try read(L.absolute(-1))
    }
}
