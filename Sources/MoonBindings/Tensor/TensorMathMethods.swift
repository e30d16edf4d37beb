import LuaKit
import MoonEngine

/// Elementwise maths, activations, comparisons, matmul and in-place updates.
extension TensorClass {
    static func unary(_ name: String, _ doc: String, _ f: @escaping (Tensor) throws -> Tensor) -> LuaMethod {
        LuaMethod(name, "t:\(name)()", doc) { L in L.push(try f(try selfTensor(L))); return 1 }
    }

    static func binary(_ name: String, _ doc: String, _ tt: @escaping (Tensor, Tensor) throws -> Tensor,
                       _ ts: @escaping (Tensor, Float) throws -> Tensor) -> LuaMethod {
        LuaMethod(name, "t:\(name)(other)", doc) { L in
            let t = try selfTensor(L)
            if let o = L.tensorOrNil(2) { L.push(try tt(t, o)) }
            else if L.type(2) == .number { L.push(try ts(t, Float(L.toNumber(2)!))) }
            else { throw L.argumentError(2, "a tensor or a number") }
            return 1
        }
    }

    nonisolated(unsafe) static let mathMethods: [LuaMethod] = [
        binary("add", "Elementwise sum with a tensor (broadcast) or a number.", { try $0.add($1) }, { try $0.add($1) }),
        binary("sub", "Elementwise difference.", { try $0.sub($1) }, { try $0.sub($1) }),
        binary("mul", "Elementwise product.", { try $0.mul($1) }, { try $0.mul($1) }),
        binary("div", "Elementwise quotient.", { try $0.div($1) }, { try $0.div($1) }),
        binary("pow", "Elementwise power.", { try $0.pow($1) }, { try $0.pow($1) }),
        binary("maximum", "Elementwise maximum.", { try $0.maximum($1) }, { try $0.maximum(Tensor($1)) }),
        binary("minimum", "Elementwise minimum.", { try $0.minimum($1) }, { try $0.minimum(Tensor($1)) }),
        binary("eq", "1 where equal, else 0 (no gradient).", { try $0.eq($1) }, { try $0.eq($1) }),
        binary("ne", "1 where not equal, else 0.", { try $0.ne($1) }, { try $0.ne($1) }),
        binary("lt", "1 where less, else 0.", { try $0.lt($1) }, { try $0.lt($1) }),
        binary("le", "1 where less or equal, else 0.", { try $0.le($1) }, { try $0.le($1) }),
        binary("gt", "1 where greater, else 0.", { try $0.gt($1) }, { try $0.gt($1) }),
        binary("ge", "1 where greater or equal, else 0.", { try $0.ge($1) }, { try $0.ge($1) }),
        unary("neg", "Elementwise negation.") { try $0.neg() },
        unary("exp", "Elementwise e^x.") { try $0.exp() },
        unary("log", "Elementwise natural logarithm.") { try $0.log() },
        unary("sqrt", "Elementwise square root.") { try $0.sqrt() },
        unary("abs", "Elementwise absolute value.") { try $0.abs() },
        unary("square", "Elementwise x^2.") { try $0.square() },
        unary("relu", "max(x, 0).") { try $0.relu() },
        unary("elu", "x for x > 0, else e^x - 1.") { try $0.elu() },
        unary("selu", "Scaled ELU (Klambauer et al. 2017 constants).") { try $0.selu() },
        unary("gelu", "x * Phi(x), the exact (erf) form.") { try $0.gelu() },
        unary("sigmoid", "1 / (1 + e^-x).") { try $0.sigmoid() },
        unary("hard_sigmoid", "Keras' relu6(x + 3) / 6.") { try $0.hardSigmoid() },
        unary("tanh", "Hyperbolic tangent.") { try $0.tanh() },
        unary("swish", "x * sigmoid(x).") { try $0.swish() },
        unary("softplus", "log(1 + e^x), stable.") { try $0.softplus() },
        unary("exponential", "e^x (the Keras activation name).") { try $0.exponential() },
        LuaMethod("leaky_relu", "t:leaky_relu([alpha])", "x for x > 0, else alpha * x (alpha defaults to 0.01, as PyTorch).") { L in
            let t = try selfTensor(L)
            L.push(try t.leakyRelu(Float(try L.optionalNumber(2, default: 0.01)))); return 1
        },
        LuaMethod("activation", "t:activation(name)", "Applies an activation by its Keras name (relu, tanh, sigmoid, ...).") { L in
            L.push(try selfTensor(L).activation(try L.string(2))); return 1
        },
        LuaMethod("clamp", "t:clamp(min, max)", "Limits values to [min, max]; either bound may be nil.") { L in
            let t = try selfTensor(L)
            let lo = L.isNoneOrNil(2) ? nil : Float(try L.number(2))
            let hi = L.isNoneOrNil(3) ? nil : Float(try L.number(3))
            if let lo, let hi, lo > hi { throw LuaError("clamp: min \(lo) exceeds max \(hi)") }
            L.push(try t.clamp(min: lo, max: hi)); return 1
        },
        LuaMethod("softmax", "t:softmax(dim)", "Softmax over dim, numerically stable.") { L in
            let t = try selfTensor(L)
            L.push(try t.softmax(try L.dim(2, rank: t.rank))); return 1
        },
        LuaMethod("log_softmax", "t:log_softmax(dim)", "Log of the softmax over dim, computed stably.") { L in
            let t = try selfTensor(L)
            L.push(try t.logSoftmax(try L.dim(2, rank: t.rank))); return 1
        },
        LuaMethod("matmul", "a:matmul(b)", "Matrix product (1-d, 2-d, or batched 3-d with broadcast batch), through BLAS sgemm.") { L in
            L.push(try selfTensor(L).matmul(try L.tensor(2))); return 1
        },
        LuaMethod("linear", "x:linear(weight[, bias])", """
            x·weight + bias in one fused operation (nn.Dense's own): x {N, in}, weight {in, out}, \
            bias {out}; backward included. A Lua layer's Dense is x:linear(self.kernel, self.bias).
            """) { L in
            L.push(try L.named { try Tensor.linear(try selfTensor(L), weight: try L.tensor(2), bias: L.tensorOrNil(3)) }); return 1
        },
        LuaMethod("dropout", "t:dropout(p[, training])", "Inverted dropout: zeroes each entry with probability p and scales the rest by 1/(1-p); identity when training is false.") { L in
            let t = try selfTensor(L)
            let p = try L.number(2)
            guard p >= 0 && p < 1 else { throw LuaError("dropout: rate must be in [0, 1), got \(p)") }
            let training = L.isNoneOrNil(3) ? true : try L.boolean(3)
            L.push(try t.dropout(Float(p), training: training)); return 1
        },
        LuaMethod("cross_entropy", "logits:cross_entropy(labels)", "Mean cross-entropy against class labels 0..K-1 (see tensor.cross_entropy).") { L in
            L.push(try Tensor.crossEntropy(try selfTensor(L), try L.tensor(2))); return 1
        },
        // In place (no graph: for parameter updates inside tensor.no_grad or optimizers).
        LuaMethod("fill_", "t:fill_(value) --> t", "Sets every entry to value, in place.") { L in
            let t = try selfTensor(L)
            t.fill(Float(try L.number(2))); L.pushValue(1); return 1
        },
        LuaMethod("zero_", "t:zero_() --> t", "Sets every entry to 0, in place.") { L in
            try selfTensor(L).fill(0); L.pushValue(1); return 1
        },
        LuaMethod("copy_", "t:copy_(src) --> t", "Copies src's values (broadcast) into t, in place.") { L in
            try selfTensor(L).copy(from: try L.tensor(2)); L.pushValue(1); return 1
        },
        LuaMethod("add_", "t:add_(other[, alpha]) --> t", "t += alpha * other, in place (other a tensor or number).") { L in
            let t = try selfTensor(L)
            let alpha = Float(try L.optionalNumber(3, default: 1))
            try t.addInPlace(try L.tensorOrNumber(2), alpha: alpha); L.pushValue(1); return 1
        },
        LuaMethod("sub_", "t:sub_(other[, alpha]) --> t", "t -= alpha * other, in place.") { L in
            let t = try selfTensor(L)
            let alpha = Float(try L.optionalNumber(3, default: 1))
            try t.addInPlace(try L.tensorOrNumber(2), alpha: -alpha); L.pushValue(1); return 1
        },
        LuaMethod("mul_", "t:mul_(s) --> t", "t *= s (a number), in place.") { L in
            try selfTensor(L).mulInPlace(Float(try L.number(2))); L.pushValue(1); return 1
        },
    ]
}
