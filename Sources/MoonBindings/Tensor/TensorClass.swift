import LuaKit
import MoonEngine

/// The tensor class: metatable, metamethods (`+ - * / ^`, unary minus, `#`, `t[i]`,
/// `t[i] = v`, `tostring`) and the method table assembled from the method groups.
enum TensorClass {
    static func install(_ L: LuaState) {
        let methods = (shapeMethods + mathMethods + reductionMethods + autogradMethods).map(namingErrors)
        L.defineClass(tensorMeta, name: "tensor", doc: """
            A float32 tensor. Arithmetic broadcasts like NumPy; positions and dims are 1-based; \
            t[i] selects along dim 1 (a number for 1-d tensors); t.grad holds the gradient after \
            backward(). Methods: see help(tensor) and Tab completion after `t:`.
            """, methods: methods, metamethods: metamethods, index: index, fields: ["grad"])
    }

    /// A tensor method whose engine errors name the method users called (`tensor:add_`, not
    /// the engine's `addInPlace`).
    static func namingErrors(_ m: LuaMethod) -> LuaMethod {
        LuaMethod(m.name, lazy: m.texts) { L in try L.named { try m.body(L) } }
    }

    /// Binary arithmetic with a tensor or a number on either side.
    static func arithmetic(_ name: String, _ tt: @escaping (Tensor, Tensor) throws -> Tensor,
                           _ ts: @escaping (Tensor, Float) throws -> Tensor,
                           _ st: @escaping (Float, Tensor) throws -> Tensor) -> LuaFunction {
        { L in
            if let a = L.tensorOrNil(1) {
                if let b = L.tensorOrNil(2) { L.push(try tt(a, b)); return 1 }
                if L.type(2) == .number { L.push(try ts(a, Float(L.toNumber(2)!))); return 1 }
                throw LuaError("tensor \(name): cannot combine a tensor with \(L.describe(2))")
            }
            if L.type(1) == .number, let b = L.tensorOrNil(2) {
                L.push(try st(Float(L.toNumber(1)!), b)); return 1
            }
            throw LuaError("tensor \(name): cannot combine \(L.describe(1)) with \(L.describe(2))")
        }
    }

    nonisolated(unsafe) static let metamethods: [(String, LuaFunction)] = [
        ("__add", arithmetic("+", { try $0.add($1) }, { try $0.add($1) }, { try $1.add($0) })),
        ("__sub", arithmetic("-", { try $0.sub($1) }, { try $0.sub($1) }, { try $1.rsub($0) })),
        ("__mul", arithmetic("*", { try $0.mul($1) }, { try $0.mul($1) }, { try $1.mul($0) })),
        ("__div", arithmetic("/", { try $0.div($1) }, { try $0.div($1) }, { try $1.rdiv($0) })),
        ("__pow", arithmetic("^", { try $0.pow($1) }, { try $0.pow($1) },
                             { try Tensor.full($1.shape, $0).pow($1) })),
        ("__unm", { L in L.push(try L.tensor(1).neg()); return 1 }),
        ("__len", { L in
            let t = try L.tensor(1)
            guard t.rank > 0 else { throw LuaError("#tensor: a 0-d tensor has no length; use t:item()") }
            L.push(t.shape[0]); return 1
        }),
        ("__tostring", { L in L.push(try L.tensor(1).format()); return 1 }),
        ("__newindex", { L in
            let t = try L.tensor(1)
            guard L.type(2) == .number, let i = L.toInteger(2) else {
                throw LuaError("tensor[k] = v: tensors take only integer positions (and .grad), got \(L.describe(2))")
            }
            let row = try t.select(0, try position(L, i, size: t.rank > 0 ? t.shape[0] : 0))
            if L.type(3) == .number { row.fill(Float(L.toNumber(3)!)) }
            else if let v = L.tensorOrNil(3) { try row.copy(from: v) }
            else { throw LuaError("tensor[i] = v: v must be a number or a tensor, got \(L.describe(3))") }
            return 0
        }),
    ]

    /// Keys the method table does not answer: `t[i]` and `t.grad`.
    nonisolated(unsafe) static let index: LuaFunction = { L in
        let t = try L.tensor(1)
        if L.type(2) == .number, let i = L.toInteger(2) {
            guard t.rank > 0 else { throw LuaError("tensor[\(i)]: a 0-d tensor cannot be indexed; use t:item()") }
            let row = try t.select(0, try position(L, i, size: t.shape[0]))
            if row.rank == 0 { L.push(entry: try row.item()) } else { L.push(row) }
            return 1
        }
        if L.type(2) == .string, L.toString(2) == "grad", let g = t.grad {
            L.push(g)
            return 1
        }
        L.pushNil()
        return 1
    }

    /// A 1-based position (negative counts from the end) as a 0-based index, checked.
    static func position(_ L: LuaState, _ i: Int, size: Int) throws -> Int {
        if i >= 1 && i <= size { return i - 1 }
        if i <= -1 && i >= -size { return size + i }
        throw L.fail("position \(i) out of range for size \(size)")
    }
}
