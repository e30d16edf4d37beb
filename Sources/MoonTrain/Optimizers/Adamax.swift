import Foundation
import MoonEngine

/// Adamax, Adam's infinity-norm variant, as Keras computes it:
///
///     m = β1·m + (1−β1)·g,   u = max(β2·u, |g|)
///     p -= lr · m / ((1 − β1^t) · (u + ε))
///
/// Defaults are Keras': lr 0.001, β1 0.9, β2 0.999, ε 1e-7 (PyTorch: lr 0.002, ε 1e-8).
public final class Adamax: Optimizer, ConfigurableOptimizer {
    public let options: AdamOptions
    public let beta1: Float, beta2: Float, eps: Float
    private var stepSize: Float = 0

    public init(params: [Tensor] = [], config o: AdamOptions) throws {
        let beta1 = Float(o.beta1), beta2 = Float(o.beta2), eps = Float(o.eps)
        try Optimizer.checkFraction(beta1, "beta1", kind: "Adamax")
        try Optimizer.checkFraction(beta2, "beta2", kind: "Adamax")
        try Optimizer.checkRate(eps, "eps", kind: "Adamax")
        (self.beta1, self.beta2, self.eps) = (beta1, beta2, eps)
        self.options = o
        try super.init(params: params, lr: Float(o.lr), settings: o.settings)
    }

    public static var optimizerName: String { "Adamax" }

    public override var name: String { Self.optimizerName }
    public override var slotNames: [String] { ["m", "u"] }

    public override func beginStep(t: Int) {
        stepSize = Float(Double(lr) / (1 - pow(Double(beta1), Double(t))))
    }

    public override func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int,
                                _ s: [UnsafeMutablePointer<Float>], t: Int) {
        let m = s[0], u = s[1], b1 = beta1, b2 = beta2, c1 = 1 - beta1, e = eps, a = stepSize
        for i in 0..<n {
            let gi = g[i]
            m[i] = b1 * m[i] + c1 * gi
            u[i] = Swift.max(b2 * u[i], Swift.abs(gi))
            p[i] -= a * m[i] / (u[i] + e)
        }
    }
}

extension Adamax {
    /// What the rule computes, for help.
    public static let summary = "Adamax (Adam with the infinity norm) as Keras computes it."
}
