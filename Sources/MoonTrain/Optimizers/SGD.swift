import MoonEngine
import MoonKernels

/// Stochastic gradient descent with optional momentum, in PyTorch's formulation:
///
///     buf = momentum · buf + g                 (buf starts at 0, so the first buf is g)
///     p  -= lr · (nesterov ? g + momentum · buf : buf)
///
/// For a constant learning rate this is the same trajectory as Keras' `v = m·v − lr·g; p += v`;
/// when the rate changes, the new rate applies to the whole step (PyTorch's behaviour).
/// Defaults (Keras): lr 0.01, momentum 0, nesterov false.
public final class SGD: Optimizer {
    public let momentum: Float
    public let nesterov: Bool

    public init(params: [Tensor] = [], lr: Float = 0.01, momentum: Float = 0, nesterov: Bool = false,
                clipnorm: Float? = nil, globalClipnorm: Float? = nil, clipvalue: Float? = nil,
                weightDecay: Float = 0) throws {
        try Optimizer.checkFraction(momentum, "momentum", kind: "SGD", closed: true)  // Keras accepts 1 (studies sweep it)
        if nesterov && momentum == 0 { throw TensorError("SGD: nesterov needs a momentum above 0") }
        self.momentum = momentum
        self.nesterov = nesterov
        try super.init(params: params, lr: lr, clipnorm: clipnorm, globalClipnorm: globalClipnorm,
                       clipvalue: clipvalue, weightDecay: weightDecay)
    }

    public override var name: String { "SGD" }
    public override var slotNames: [String] { momentum == 0 ? [] : ["momentum"] }
    public override var hyperparameters: [(String, Double)] {
        [("momentum", Double(momentum)), ("nesterov", nesterov ? 1 : 0)]
    }

    public override func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int,
                                _ s: [UnsafeMutablePointer<Float>], t: Int) {
        let lr = self.lr, mu = momentum, nesterov = self.nesterov
        let buf = mu == 0 ? nil : s[0]
        // One fused pass, split over the cores for large parameters.
        Threads.parallelFor(n, minPerThread: 1 << 16) { _, r in
            let p = p + r.lowerBound, g = g + r.lowerBound
            guard let buf = buf.map({ $0 + r.lowerBound }) else {
                for i in 0..<r.count { p[i] -= lr * g[i] }
                return
            }
            if nesterov {
                for i in 0..<r.count { let b = mu * buf[i] + g[i]; buf[i] = b; p[i] -= lr * (g[i] + mu * b) }
            } else {
                for i in 0..<r.count { let b = mu * buf[i] + g[i]; buf[i] = b; p[i] -= lr * b }
            }
        }
    }
}
