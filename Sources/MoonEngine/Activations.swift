import Foundation
import MoonKernels

/// Activation functions, each a pointwise map with its derivative beside it.
extension Tensor {
    /// max(0, x).
    public func relu() throws -> Tensor {
        // Dedicated loops (the generic pointwise path calls its closures per element).
        let x = self
        guard x.isContiguous else {
            return try pointwise("relu", { $0 > 0 ? $0 : 0 }, derivative: { x, _ in x > 0 ? 1 : 0 })
        }
        let y = try Tensor.empty(x.shape, op: "relu")
        reluForward(x.base, y.base, y.count)
        return y.recording("relu", [x]) { [y = y.detach()] g in [try Tensor.reluGradient(g, output: y, op: "relu")] }
    }

    /// The gradient through a relu whose output was `y`: `g` where y > 0, else 0 (a new
    /// contiguous tensor). Also how ops that end in a relu of their own (conv2d, batchNorm) begin
    /// their backward pass.
    static func reluGradient(_ g: Tensor, output y: Tensor, op: String) throws -> Tensor {
        guard g.isContiguous, y.isContiguous, g.shape == y.shape else {
            return try zipKernel(g, y, op: op) { g, y in g * (y > 0 ? 1 : 0) }
        }
        let dx = try Tensor.empty(y.shape, op: op)
        reluBackward(g.base, y.base, dx.base, dx.count)
        return dx
    }

    /// x for x > 0, `alpha`·x otherwise. Default slope 0.01, as PyTorch's LeakyReLU
    /// (Keras 3 uses 0.2 for `leaky_relu`, 0.3 for the LeakyReLU layer).
    public func leakyRelu(_ alpha: Float = 0.01) throws -> Tensor {
        try pointwise("leakyRelu", { $0 > 0 ? $0 : alpha * $0 }, derivative: { x, _ in x > 0 ? 1 : alpha })
    }

    /// x for x > 0, `alpha`·(e^x − 1) otherwise (default alpha 1).
    public func elu(_ alpha: Float = 1) throws -> Tensor {
        try pointwise("elu", { $0 > 0 ? $0 : alpha * Foundation.expm1($0) },
                      derivative: { x, y in x > 0 ? 1 : y + alpha })
    }

    /// Scaled ELU with the self-normalizing constants (scale 1.0507…, alpha 1.6733…).
    public func selu() throws -> Tensor {
        let scale: Float = 1.050_700_987_355_480_5, alpha: Float = 1.673_263_242_354_377_3
        return try pointwise("selu", { $0 > 0 ? scale * $0 : scale * alpha * Foundation.expm1($0) },
                             derivative: { x, y in x > 0 ? scale : y + scale * alpha })
    }

    /// Exact GELU: x·Φ(x) = x/2·(1 + erf(x/√2)).
    public func gelu() throws -> Tensor {
        let r: Float = 0.707_106_781_186_547_5, c: Float = 0.398_942_280_401_432_7
        return try pointwise("gelu", { 0.5 * $0 * (1 + Foundation.erf($0 * r)) },
                             derivative: { x, _ in 0.5 * (1 + Foundation.erf(x * r)) + x * c * Foundation.exp(-0.5 * x * x) })
    }

    /// 1 / (1 + e^−x), computed without overflow.
    public func sigmoid() throws -> Tensor {
        try pointwise("sigmoid", sigmoidValue, derivative: { _, y in y * (1 - y) })
    }

    /// Keras 3's hard sigmoid: relu6(x + 3) / 6, i.e. 0 below −3, 1 above 3, linear between.
    public func hardSigmoid() throws -> Tensor {
        try pointwise("hardSigmoid", { Swift.min(Swift.max($0 + 3, 0), 6) / 6 },
                      derivative: { x, _ in x > -3 && x < 3 ? 1 / 6 : 0 })
    }

    /// Hyperbolic tangent.
    public func tanh() throws -> Tensor {
        try pointwise("tanh", { Foundation.tanh($0) }, derivative: { _, y in 1 - y * y })
    }

    /// Swish (SiLU): x·sigmoid(x).
    public func swish() throws -> Tensor {
        try pointwise("swish", { $0 * sigmoidValue($0) }, derivative: { x, _ in
            let s = sigmoidValue(x)
            return s + x * s * (1 - s)
        })
    }

    /// Softplus: log(1 + e^x), computed without overflow.
    public func softplus() throws -> Tensor {
        try pointwise("softplus", { Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) },
                      derivative: { x, _ in sigmoidValue(x) })
    }

    /// The Keras `exponential` activation: e^x.
    public func exponential() throws -> Tensor { try exp() }

    /// Applies an activation by its Keras name: relu tanh sigmoid elu selu hard_sigmoid
    /// exponential linear softmax (over the last dim) log_softmax gelu leaky_relu swish
    /// (or silu) softplus.
    public func activation(_ name: String) throws -> Tensor {
        switch name {
        case "relu": return try relu()
        case "tanh": return try tanh()
        case "sigmoid": return try sigmoid()
        case "elu": return try elu()
        case "selu": return try selu()
        case "hard_sigmoid": return try hardSigmoid()
        case "exponential": return try exponential()
        case "linear": return self
        case "softmax": return try softmax(-1)
        case "log_softmax": return try logSoftmax(-1)
        case "gelu": return try gelu()
        case "leaky_relu": return try leakyRelu()
        case "swish", "silu": return try swish()
        case "softplus": return try softplus()
        default:
            throw TensorError(in: "activation", "unknown activation \"\(name)\" (expected one of \(Tensor.activationNames.joined(separator: ", ")))")
        }
    }

    /// The names `activation(_:)` accepts.
    public static let activationNames = ["relu", "tanh", "sigmoid", "elu", "selu", "hard_sigmoid",
                                         "exponential", "linear", "softmax", "log_softmax", "gelu",
                                         "leaky_relu", "swish", "silu", "softplus"]
}

@inline(__always)
func sigmoidValue(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
    let e = Foundation.exp(x)
    return e / (1 + e)
}

/// `y[i] = x[i] > 0 ? x[i] : 0` (NaN gives 0, as the generic path did), on the cores.
func reluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    Threads.parallelFor(n, minPerThread: parallelGrain) { _, r in
        let xs = x + r.lowerBound, ys = y + r.lowerBound
        for i in 0..<r.count { let v = xs[i]; ys[i] = v > 0 ? v : 0 }
    }
}

/// `dx[i] = g[i] · (y[i] > 0 ? 1 : 0)`, where y = relu(x) (y > 0 exactly where x > 0).
func reluBackward(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
    Threads.parallelFor(n, minPerThread: parallelGrain) { _, r in
        let gs = g + r.lowerBound, ys = y + r.lowerBound, ds = dx + r.lowerBound
        for i in 0..<r.count { ds[i] = gs[i] * (ys[i] > 0 ? 1 : 0) }
    }
}
