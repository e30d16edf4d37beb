import Foundation
import MoonEngine
import MoonKernels

/// Nadam: Adam with Nesterov momentum (Dozat, 2016), as Keras and PyTorch compute it, with
/// the momentum schedule μ_t = β1·(1 − 0.5·0.96^(0.004·t)):
///
///     m = β1·m + (1−β1)·g,   v = β2·v + (1−β2)·g²,   Π_t = μ_1···μ_t
///     m̂ = μ_{t+1}·m / (1 − Π_t·μ_{t+1}) + (1−μ_t)·g / (1 − Π_t),   v̂ = v / (1 − β2^t)
///     p -= lr · m̂ / (√v̂ + ε)
///
/// Defaults are Keras': lr 0.001, β1 0.9, β2 0.999, ε 1e-7. The product Π is optimizer state
/// (saved in checkpoints).
public final class Nadam: Optimizer, ConfigurableOptimizer {
    public let options: AdamOptions
    public let beta1: Float, beta2: Float, eps: Float
    /// Π_t, the product of the momentum schedule so far.
    private var muProduct = 1.0
    private var coefficients: (m: Float, g: Float, v: Float) = (0, 0, 0)

    public init(params: [Tensor] = [], config o: AdamOptions) throws {
        let beta1 = Float(o.beta1), beta2 = Float(o.beta2), eps = Float(o.eps)
        try Optimizer.checkFraction(beta1, "beta1", kind: "Nadam")
        try Optimizer.checkFraction(beta2, "beta2", kind: "Nadam")
        try Optimizer.checkRate(eps, "eps", kind: "Nadam")
        (self.beta1, self.beta2, self.eps) = (beta1, beta2, eps)
        self.options = o
        try super.init(params: params, lr: Float(o.lr), settings: o.settings)
    }

    public static var optimizerName: String { "Nadam" }

    public override var name: String { Self.optimizerName }
    public override var slotNames: [String] { ["m", "v"] }
    public override var extraState: [String: Double] {
        get { ["mu_product": muProduct] }
        set { muProduct = newValue["mu_product"] ?? 1 }
    }

    /// μ_t of the momentum schedule.
    func mu(_ t: Int) -> Double { Double(beta1) * (1 - 0.5 * pow(0.96, 0.004 * Double(t))) }

    public override func beginStep(t: Int) {
        let mu = self.mu(t), muNext = self.mu(t + 1)
        muProduct *= mu
        coefficients = (Float(muNext / (1 - muProduct * muNext)),
                        Float((1 - mu) / (1 - muProduct)),
                        Float(1 / (1 - pow(Double(beta2), Double(t)))))
    }

    public override func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int,
                                _ s: [UnsafeMutablePointer<Float>], t: Int) {
        NadamRule(p: p, g: g, moments: Moments(m: s[0], v: s[1], beta1: beta1, beta2: beta2),
                  cm: coefficients.m, cg: coefficients.g, cv: coefficients.v, eps: eps, lr: lr).run(n)
    }
}

/// Nadam's update of one element (or eight).
struct NadamRule: ElementwiseRule {
    let p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, moments: Moments
    let cm: Float, cg: Float, cv: Float, eps: Float, lr: Float

    @inline(__always)
    func apply<V: FloatLanes>(_ i: Int, _: V.Type) {
        let gi = V.load(g, i)
        let (m, v) = moments.update(i, gi)
        let mHat = V(repeating: cm) * m + V(repeating: cg) * gi
        (V.load(p, i) - V(repeating: lr) * mHat / ((v * V(repeating: cv)).squareRoot() + V(repeating: eps))).store(p, i)
    }
}

extension Nadam {
    /// What the rule computes, for help.
    public static let summary = "Adam with Nesterov momentum and Keras' momentum schedule (mu_t = beta1*(1-0.5*0.96^(0.004t)))."
}
