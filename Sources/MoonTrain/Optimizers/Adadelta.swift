import MoonEngine

/// Adadelta (Zeiler, 2012) as Keras computes it:
///
///     E[g²] = ρ·E[g²] + (1−ρ)·g²
///     Δ = −√(E[Δ²] + ε) / √(E[g²] + ε) · g
///     E[Δ²] = ρ·E[Δ²] + (1−ρ)·Δ²
///     p += lr · Δ
///
/// Defaults are Keras': lr 0.001, ρ 0.95, ε 1e-7 (PyTorch: lr 1, ρ 0.9, ε 1e-6).
public final class Adadelta: Optimizer, ConfigurableOptimizer {
    public let options: AdadeltaOptions
    public let rho: Float, eps: Float

    public init(params: [Tensor] = [], config o: AdadeltaOptions) throws {
        let rho = Float(o.rho), eps = Float(o.eps)
        try Optimizer.checkFraction(rho, "rho", kind: "Adadelta")
        try Optimizer.checkRate(eps, "eps", kind: "Adadelta")
        (self.rho, self.eps) = (rho, eps)
        self.options = o
        try super.init(params: params, lr: Float(o.lr), settings: o.settings)
    }

    public static var optimizerName: String { "Adadelta" }

    public override var name: String { Self.optimizerName }
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

/// `optim.Adadelta{...}`, with Keras' defaults.
public struct AdadeltaOptions: OptimizerOptions {
    public var lr: Double = 0.001
    public var rho: Double = 0.95
    public var eps: Double = 1e-7
    public var settings = OptimizerSettings()
    public init() {}
    public static var fields: [OptionField<AdadeltaOptions>] {
        [OptionField("lr", \.lr, "the learning rate"),
         OptionField("rho", \.rho, "decay of the squared-gradient average"),
         OptionField("eps", \.eps, "added for numerical stability")]
            + OptimizerSettings.fields(\.settings)
    }
}

extension Adadelta {
    /// What the rule computes, for help.
    public static let summary = "Adadelta as Keras computes it (the update scaled by lr; PyTorch: lr 1, rho 0.9, eps 1e-6)."
}
