import LuaKit
import MoonEngine

/// Reductions over all entries or one dim. Positions come back 1-based.
extension TensorClass {
    /// `t:name()` over everything (a 0-d tensor) or `t:name(dim[, keepdim])`.
    static func reduction(_ name: String, _ doc: String,
                          all: @escaping (Tensor) throws -> Tensor,
                          along: @escaping (Tensor, Int, Bool) throws -> Tensor) -> LuaMethod {
        LuaMethod(name, "t:\(name)([dim[, keepdim]])", doc) { L in
            let t = try selfTensor(L)
            if L.isNoneOrNil(2) { L.push(try all(t)); return 1 }
            let d = try L.dim(2, rank: t.rank)
            let keep = L.isNoneOrNil(3) ? false : try L.boolean(3)
            L.push(try along(t, d, keep)); return 1
        }
    }

    /// max/min: without a dim the extreme value (0-d); with a dim, values and 1-based positions.
    static func extreme(_ name: String, largest: Bool) -> LuaMethod {
        LuaMethod(name, "t:\(name)([dim[, keepdim]]) --> values[, positions]",
                  "The \(largest ? "largest" : "smallest") entry; along a dim, the values and their 1-based positions.") { L in
            let t = try selfTensor(L)
            if L.isNoneOrNil(2) { L.push(try largest ? t.max() : t.min()); return 1 }
            let d = try L.dim(2, rank: t.rank)
            let keep = L.isNoneOrNil(3) ? false : try L.boolean(3)
            let (values, indices) = try largest ? t.max(dim: d, keepdim: keep) : t.min(dim: d, keepdim: keep)
            L.push(values)
            L.push(try indices.add(1))
            return 2
        }
    }

    static func argExtreme(_ name: String, largest: Bool) -> LuaMethod {
        LuaMethod(name, "t:\(name)([dim[, keepdim]])",
                  "1-based position of the \(largest ? "largest" : "smallest") entry (flat without a dim, or along dim).") { L in
            let t = try selfTensor(L)
            let d = try L.optionalDim(2, rank: t.rank)
            let keep = L.isNoneOrNil(3) ? false : try L.boolean(3)
            let r = try largest ? t.argmax(dim: d, keepdim: keep) : t.argmin(dim: d, keepdim: keep)
            L.push(try r.add(1)); return 1
        }
    }

    static func spread(_ name: String, _ doc: String,
                       _ f: @escaping (Tensor, Int?, Bool, Bool) throws -> Tensor) -> LuaMethod {
        LuaMethod(name, "t", options: Tensor.SpreadOptions.self, leading: ["dim"], doc: doc) { L, o in
            let t = try selfTensor(L)
            L.push(try f(t, try L.optionalDim(2, rank: t.rank), o.unbiased, o.keepdim)); return 1
        }
    }

    nonisolated(unsafe) static let reductionMethods: [LuaMethod] = [
        reduction("sum", "Sum of all entries (0-d tensor) or along dim.", all: { try $0.sum() },
                  along: { try $0.sum(dim: $1, keepdim: $2) }),
        reduction("mean", "Mean of all entries (0-d tensor) or along dim.", all: { try $0.mean() },
                  along: { try $0.mean(dim: $1, keepdim: $2) }),
        extreme("max", largest: true),
        extreme("min", largest: false),
        argExtreme("argmax", largest: true),
        argExtreme("argmin", largest: false),
        spread("var", "Variance (unbiased by default, as PyTorch), of all entries or along dim.") {
            try $0.variance(dim: $1, unbiased: $2, keepdim: $3)
        },
        spread("std", "Standard deviation (unbiased by default, as PyTorch).") {
            try $0.std(dim: $1, unbiased: $2, keepdim: $3)
        },
    ]

    nonisolated(unsafe) static let autogradMethods: [LuaMethod] = [
        LuaMethod("requires_grad", "t:requires_grad([flag]) --> t",
                  "Marks t (a leaf) to collect gradients in t.grad when a result computed from it calls backward(); returns t.") { L in
            let t = try selfTensor(L)
            let flag = L.isNoneOrNil(2) ? true : try L.boolean(2)
            _ = t.requiringGrad(flag)
            L.pushValue(1); return 1
        },
        LuaMethod("is_requires_grad", "t:is_requires_grad() --> boolean", "Whether gradients flow to or through t.") { L in
            L.push(try selfTensor(L).requiresGrad); return 1
        },
        LuaMethod("backward", "t", options: Tensor.BackwardOptions.self, leading: ["gradient"],
                  doc: "Back-propagates from t (a scalar, or with an upstream gradient of t's shape); gradients accumulate into .grad of the leaves. The graph is freed afterwards unless retain_graph is true.") { L, o in
            let t = try selfTensor(L)
            try t.backward(gradient: L.isNoneOrNil(2) ? nil : try L.tensor(2), retainGraph: o.retainGraph)
            return 0
        },
        LuaMethod("zero_grad", "t:zero_grad()", "Clears t.grad.") { L in
            try selfTensor(L).zeroGrad(); return 0
        },
        LuaMethod("detach", "t:detach()", "The same values, cut from the graph (shares storage).") { L in
            L.push(try selfTensor(L).detach()); return 1
        },
    ]
}
