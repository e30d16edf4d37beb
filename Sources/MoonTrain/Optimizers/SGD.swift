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
public final class SGD: Optimizer, ConfigurableOptimizer {
    public let options: SGDOptions
    public let momentum: Float
    public let nesterov: Bool

    public init(params: [Tensor] = [], config o: SGDOptions) throws {
        let momentum = Float(o.momentum), nesterov = o.nesterov
        try Optimizer.checkFraction(momentum, "momentum", kind: "SGD", closed: true)  // Keras accepts 1 (studies sweep it)
        if nesterov && momentum == 0 { throw TensorError("SGD: nesterov needs a momentum above 0") }
        self.momentum = momentum
        self.nesterov = nesterov
        self.options = o
        try super.init(params: params, lr: Float(o.lr), settings: o.settings)
    }

    public static var optimizerName: String { "SGD" }

    public override var name: String { Self.optimizerName }
    public override var slotNames: [String] { momentum == 0 ? [] : ["momentum"] }

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

/// `optim.SGD{...}`, with Keras' defaults.
public struct SGDOptions: OptimizerOptions {
    public var lr: Double = 0.01
    public var momentum: Double = 0
    public var nesterov = false
    public var settings = OptimizerSettings()
    public init() {}
    public static var fields: [OptionField<SGDOptions>] {
        [OptionField("lr", \.lr, "the learning rate"),
         OptionField("momentum", \.momentum, "the momentum factor"),
         OptionField("nesterov", \.nesterov, "Nesterov momentum (needs momentum > 0)")]
            + OptimizerSettings.fields(\.settings)
    }
}

extension SGD {
    /// What the rule computes, for help.
    public static let summary = """
        Stochastic gradient descent, PyTorch's formulation: buf = momentum*buf + g; \
        p -= lr*(nesterov and g + momentum*buf or buf). Same path as Keras' SGD for a constant rate.
        """
}
