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
        // One fused pass, eight lanes at a time, split over the cores for large parameters (the
        // compiler leaves the plain loop scalar: it took 7 % of a 784-1024-512-10 step).
        AdamRule(p: p, g: g, moments: Moments(m: s[0], v: s[1], beta1: beta1, beta2: beta2),
                 eps: eps, step: stepSize).run(n)
    }
}

/// Adam's update of one element (or eight).
struct AdamRule: ElementwiseRule {
    let p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, moments: Moments
    let eps: Float, step: Float

    @inline(__always)
    func apply<V: FloatLanes>(_ i: Int, _: V.Type) {
        let (m, v) = moments.update(i, V.load(g, i))
        (V.load(p, i) - V(repeating: step) * m / (v.squareRoot() + V(repeating: eps))).store(p, i)
    }
}

/// The two moving averages of Adam and Nadam: m = β1·m + (1−β1)·g and v = β2·v + (1−β2)·g².
struct Moments {
    let m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>
    let b1: Float, c1: Float, b2: Float, c2: Float

    init(m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, beta1: Float, beta2: Float) {
        (self.m, self.v, b1, c1, b2, c2) = (m, v, beta1, 1 - beta1, beta2, 1 - beta2)
    }

    /// Updates element `i` (or the eight from `i`) with gradient `g`; returns the new m and v.
    @inline(__always)
    func update<V: FloatLanes>(_ i: Int, _ g: V) -> (m: V, v: V) {
        let mi = V(repeating: b1) * V.load(m, i) + V(repeating: c1) * g
        let vi = V(repeating: b2) * V.load(v, i) + V(repeating: c2) * g * g
        mi.store(m, i)
        vi.store(v, i)
        return (mi, vi)
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
