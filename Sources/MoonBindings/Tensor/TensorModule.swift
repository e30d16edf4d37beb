import LuaKit
import MoonEngine

/// The `tensor` module: constructors and functions over several tensors.
enum TensorModule {
    static func install(_ L: LuaState) {
        TensorStorage.allocationObserver = { LuaState.noteAllocation(bytes: $0) }
        Seeding.seeders.append { RandomGenerator.global.seed($0) }
        TensorClass.install(L)
        L.defineModule("tensor", doc: """
            Float32 tensors of any rank with NumPy broadcasting and reverse-mode autograd.
            Positions and dims are 1-based. See help(tensor.zeros), help(tensor.from), and the \
            methods of a tensor: help(tensor.zeros{1}).
            """) { m in
            constructors(m)
            combinators(m)
            files(m)
        }
    }

    static func constructors(_ m: ModuleBuilder) {
        m.function("zeros", "tensor.zeros{d1, d2, ...}", "A tensor of zeros with the given shape.") { L in
            L.push(try Tensor.zeros(try L.shape(from: 1))); return 1
        }
        m.function("ones", "tensor.ones{d1, d2, ...}", "A tensor of ones with the given shape.") { L in
            L.push(try Tensor.ones(try L.shape(from: 1))); return 1
        }
        m.function("full", "tensor.full({d1, ...}, value)", "A tensor filled with `value`.") { L in
            let shape = try L.shape(from: 1)
            L.push(try Tensor.full(shape, Float(try L.number(2)))); return 1
        }
        m.function("rand", "tensor.rand({d1, ...}[, low, high])",
                   "Uniform random values in [low, high) (default [0, 1)), from the seeded generator.") { L in
            let shape = try L.shape(from: 1)
            let lo = try L.optionalNumber(2, default: 0)
            let hi = try L.optionalNumber(3, default: 1)
            L.push(try L.named { try Tensor.rand(shape, low: Float(lo), high: Float(hi)) }); return 1
        }
        m.function("randn", "tensor.randn({d1, ...}[, mean, std])",
                   "Normal random values (default mean 0, std 1), from the seeded generator.") { L in
            let shape = try L.shape(from: 1)
            let mean = try L.optionalNumber(2, default: 0)
            let std = try L.optionalNumber(3, default: 1)
            L.push(try L.named { try Tensor.randn(shape, mean: Float(mean), std: Float(std)) }); return 1
        }
        m.function("arange", "tensor.arange(a, b[, step])",
                   "Values a, a+step, ... below b (step defaults to 1), as a 1-d tensor; arange(n) is 0..n-1.") { L in
            var a = try L.number(1)
            var b: Double
            if L.isNoneOrNil(2) { b = a; a = 0 } else { b = try L.number(2) }
            L.push(try L.named { try Tensor.arange(a, b, step: try L.optionalNumber(3, default: 1)) }); return 1
        }
        m.function("eye", "tensor.eye(n[, m])", "The n x m identity matrix (m defaults to n).") { L in
            let n = try L.integer(1)
            L.push(try L.named { try Tensor.eye(n, try L.optionalInteger(2, default: n)) }); return 1
        }
        m.function("from", "tensor.from(values)",
                   "A tensor from a number or nested Lua arrays of numbers: tensor.from{{1, 2}, {3, 4}}.") { L in
            let (values, shape) = try L.nestedNumbers(1)
            L.push(try Tensor(values, shape: shape)); return 1
        }
        m.function("is_tensor", "tensor.is_tensor(x)", "True when x is a tensor.") { L in
            L.push(L.tensorOrNil(1) != nil); return 1
        }
    }

    static func combinators(_ m: ModuleBuilder) {
        m.function("cat", "tensor.cat({a, b, ...}[, dim])",
                   "Concatenates tensors along an existing dim (default 1); other sizes must match.") { L in
            let ts = try L.tensorList(1)
            let d = L.isNoneOrNil(2) ? 0 : try L.dim(2, rank: ts[0].rank)
            L.push(try Tensor.cat(ts, dim: d)); return 1
        }
        m.function("stack", "tensor.stack({a, b, ...}[, dim])",
                   "Stacks same-shaped tensors along a new dim (default 1).") { L in
            let ts = try L.tensorList(1)
            let d = L.isNoneOrNil(2) ? 0 : try L.dim(2, rank: ts[0].rank + 1)
            L.push(try Tensor.stack(ts, dim: d)); return 1
        }
        m.function("where", "tensor.where(mask, a, b)",
                   "Elementwise a where mask is non-zero, else b (tensors or numbers, broadcast).") { L in
            let mask = try L.tensor(1)
            L.push(try Tensor.where(mask, try L.tensorOrNumber(2), try L.tensorOrNumber(3)))
            return 1
        }
        m.function("no_grad", "tensor.no_grad(fn, ...) --> fn's results",
                   "Calls fn with gradient recording off: nothing inside builds a graph.") { L in
            try L.checkFunction(1)
            // The function sits at 1: after the call the stack holds exactly its results.
            try Tensor.noGrad { try L.call(nargs: L.top - 1, nresults: -1) }
            return L.top
        }
        m.function("cross_entropy", "tensor.cross_entropy(logits, labels)",
                   "Mean cross-entropy of logits {N, K} against class labels {N} (values 0..K-1); stable, fused.") { L in
            L.push(try Tensor.crossEntropy(try L.tensor(1), try L.tensor(2)))
            return 1
        }
        m.function("mse", "tensor.mse(prediction, target)", "Mean squared error.") { L in
            L.push(try Tensor.mse(try L.tensor(1), try L.tensorOrNumber(2))); return 1
        }
        m.function("mae", "tensor.mae(prediction, target)", "Mean absolute error.") { L in
            L.push(try Tensor.mae(try L.tensor(1), try L.tensorOrNumber(2))); return 1
        }
    }
}
