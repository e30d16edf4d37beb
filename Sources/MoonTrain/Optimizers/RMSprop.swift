import MoonEngine

/// RMSprop as Keras computes it:
///
///     v = ρ·v + (1−ρ)·g²            (centered: a = ρ·a + (1−ρ)·g, and v − a² below)
///     step = lr · g / √(v + ε)
///     p -= step                      (momentum > 0: buf = momentum·buf + step; p -= buf)
///
/// Defaults are Keras': lr 0.001, ρ 0.9, momentum 0, ε 1e-7, centered false (PyTorch:
/// α = 0.99, ε 1e-8 added outside the root).
public final class RMSprop: Optimizer {
    public let rho: Float, momentum: Float, eps: Float, centered: Bool

    public init(params: [Tensor] = [], lr: Float = 0.001, rho: Float = 0.9, momentum: Float = 0,
                eps: Float = 1e-7, centered: Bool = false, clipnorm: Float? = nil,
                globalClipnorm: Float? = nil, clipvalue: Float? = nil, weightDecay: Float = 0) throws {
        try Optimizer.checkFraction(rho, "rho", kind: "RMSprop")
        try Optimizer.checkFraction(momentum, "momentum", kind: "RMSprop")
        try Optimizer.checkRate(eps, "eps", kind: "RMSprop")
        (self.rho, self.momentum, self.eps, self.centered) = (rho, momentum, eps, centered)
        try super.init(params: params, lr: lr, clipnorm: clipnorm, globalClipnorm: globalClipnorm,
                       clipvalue: clipvalue, weightDecay: weightDecay)
    }

    public override var name: String { "RMSprop" }
    public override var slotNames: [String] {
        ["velocity"] + (momentum > 0 ? ["momentum"] : []) + (centered ? ["average_gradient"] : [])
    }
    public override var hyperparameters: [(String, Double)] {
        [("rho", Double(rho)), ("momentum", Double(momentum)), ("eps", Double(eps)), ("centered", centered ? 1 : 0)]
    }

    public override func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int,
                                _ s: [UnsafeMutablePointer<Float>], t: Int) {
        let v = s[0], r = rho, c = 1 - rho, e = eps, a = lr, mu = momentum
        let buf: UnsafeMutablePointer<Float>? = mu > 0 ? s[1] : nil
        let avg: UnsafeMutablePointer<Float>? = centered ? s[mu > 0 ? 2 : 1] : nil
        for i in 0..<n {
            let gi = g[i]
            v[i] = r * v[i] + c * gi * gi
            var denominator = v[i] + e
            if let avg {
                avg[i] = r * avg[i] + c * gi
                denominator -= avg[i] * avg[i]
            }
            let step = a * gi / denominator.squareRoot()
            if let buf {
                buf[i] = mu * buf[i] + step
                p[i] -= buf[i]
            } else {
                p[i] -= step
            }
        }
    }
}
