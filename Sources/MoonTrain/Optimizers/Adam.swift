import Foundation
import MoonEngine
import MoonKernels

/// Adam (Kingma & Ba, 2015) as Keras computes it:
///
///     m = β1·m + (1−β1)·g,   v = β2·v + (1−β2)·g²
///     p -= lr · √(1−β2^t)/(1−β1^t) · m / (√v + ε)
///
/// (ε is added to the uncorrected √v, the paper's "efficient" form that Keras uses; PyTorch adds
/// it to the corrected one.) Defaults are Keras': lr 0.001, β1 0.9, β2 0.999, ε 1e-7
/// (PyTorch's ε is 1e-8).
public final class Adam: Optimizer, ConfigurableOptimizer {
    public let options: AdamOptions
    public let beta1: Float, beta2: Float, eps: Float
    private var stepSize: Float = 0

    public init(params: [Tensor] = [], config o: AdamOptions) throws {
        let beta1 = Float(o.beta1), beta2 = Float(o.beta2), eps = Float(o.eps)
        try Optimizer.checkFraction(beta1, "beta1", kind: "Adam")
        try Optimizer.checkFraction(beta2, "beta2", kind: "Adam")
        try Optimizer.checkRate(eps, "eps", kind: "Adam")
        (self.beta1, self.beta2, self.eps) = (beta1, beta2, eps)
        self.options = o
        try super.init(params: params, lr: Float(o.lr), settings: o.settings)
    }

    public static var optimizerName: String { "Adam" }

    public override var name: String { Self.optimizerName }
    public override var slotNames: [String] { ["m", "v"] }

    public override func beginStep(t: Int) {
        let tt = Double(t)
        stepSize = Float(Double(lr) * (1 - pow(Double(beta2), tt)).squareRoot() / (1 - pow(Double(beta1), tt)))
    }

    public override func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int,
                                _ s: [UnsafeMutablePointer<Float>], t: Int) {
        let m = s[0], v = s[1], b1 = beta1, b2 = beta2, c1 = 1 - beta1, c2 = 1 - beta2, e = eps, a = stepSize
        // One fused pass, split over the cores for large parameters, eight lanes at a time (the
        // compiler leaves the scalar loop scalar: it took 7 % of a 784-1024-512-10 step).
        Threads.parallelFor(n, minPerThread: 1 << 16) { _, r in
            let p = p + r.lowerBound, g = g + r.lowerBound, m = m + r.lowerBound, v = v + r.lowerBound
            let count = r.count, whole = count - count % Lanes.scalarCount
            let lb1 = Lanes(repeating: b1), lc1 = Lanes(repeating: c1), lb2 = Lanes(repeating: b2)
            let lc2 = Lanes(repeating: c2), le = Lanes(repeating: e), la = Lanes(repeating: a)
            for i in stride(from: 0, to: whole, by: Lanes.scalarCount) {
                let gi = g.lanes(i)
                let mi = lb1 * m.lanes(i) + lc1 * gi, vi = lb2 * v.lanes(i) + lc2 * gi * gi
                m.setLanes(i, mi)
                v.setLanes(i, vi)
                p.setLanes(i, p.lanes(i) - la * mi / (vi.squareRoot() + le))
            }
            for i in whole..<count {
                let gi = g[i]
                let mi = b1 * m[i] + c1 * gi, vi = b2 * v[i] + c2 * gi * gi
                m[i] = mi
                v[i] = vi
                p[i] -= a * mi / (vi.squareRoot() + e)
            }
        }
    }
}

/// `optim.Adam{...}`, `optim.Nadam{...}` and `optim.Adamax{...}`, with Keras' defaults.
public struct AdamOptions: OptimizerOptions {
    public var lr: Double = 0.001
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    public var eps: Double = 1e-7
    public var settings = OptimizerSettings()
    public init() {}
    public static var fields: [OptionField<AdamOptions>] {
        [OptionField("lr", \.lr, "the learning rate"),
         OptionField("beta1", \.beta1, "decay of the first-moment average"),
         OptionField("beta2", \.beta2, "decay of the second-moment average"),
         OptionField("eps", \.eps, "added for numerical stability")]
            + OptimizerSettings.fields(\.settings)
    }
}

extension Adam {
    /// What the rule computes, for help.
    public static let summary = """
        Adam as Keras computes it: p -= lr*sqrt(1-beta2^t)/(1-beta1^t) * m/(sqrt(v)+eps) \
        (PyTorch's eps is 1e-8).
        """
}
