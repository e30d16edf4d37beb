import MoonEngine

/// Adadelta (Zeiler, 2012) as Keras computes it:
///
///     E[g²] = ρ·E[g²] + (1−ρ)·g²
///     Δ = −√(E[Δ²] + ε) / √(E[g²] + ε) · g
///     E[Δ²] = ρ·E[Δ²] + (1−ρ)·Δ²
///     p += lr · Δ
///
/// Defaults are Keras': lr 0.001, ρ 0.95, ε 1e-7 (PyTorch: lr 1, ρ 0.9, ε 1e-6).
public final class Adadelta: Optimizer {
    public let rho: Float, eps: Float

    public init(params: [Tensor] = [], lr: Float = 0.001, rho: Float = 0.95, eps: Float = 1e-7,
                clipnorm: Float? = nil, globalClipnorm: Float? = nil, clipvalue: Float? = nil,
                weightDecay: Float = 0) throws {
        try Optimizer.checkFraction(rho, "rho", kind: "Adadelta")
        try Optimizer.checkRate(eps, "eps", kind: "Adadelta")
        (self.rho, self.eps) = (rho, eps)
        try super.init(params: params, lr: lr, clipnorm: clipnorm, globalClipnorm: globalClipnorm,
                       clipvalue: clipvalue, weightDecay: weightDecay)
    }

    public override var name: String { "Adadelta" }
    public override var slotNames: [String] { ["accumulated_grad", "accumulated_delta"] }
    public override var hyperparameters: [(String, Double)] { [("rho", Double(rho)), ("eps", Double(eps))] }

    public override func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int,
                                _ s: [UnsafeMutablePointer<Float>], t: Int) {
        let eg = s[0], ed = s[1], r = rho, c = 1 - rho, e = eps, a = lr
        for i in 0..<n {
            let gi = g[i]
            eg[i] = r * eg[i] + c * gi * gi
            let delta = -(ed[i] + e).squareRoot() / (eg[i] + e).squareRoot() * gi
            ed[i] = r * ed[i] + c * delta * delta
            p[i] += a * delta
        }
    }
}
