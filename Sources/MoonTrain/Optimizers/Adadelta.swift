import MoonEngine
import MoonKernels

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
        AdadeltaRule(p: p, g: g, eg: s[0], ed: s[1], rho: rho, c: 1 - rho, eps: eps, lr: lr).run(n)
    }
}

/// Adadelta's update of one element (or eight).
struct AdadeltaRule: ElementwiseRule {
    let p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, eg: UnsafeMutablePointer<Float>, ed: UnsafeMutablePointer<Float>
    let rho: Float, c: Float, eps: Float, lr: Float

    @inline(__always)
    func apply<V: FloatLanes>(_ i: Int, _: V.Type) {
        let gi = V.load(g, i), e = V(repeating: eps)
        let egi = V(repeating: rho) * V.load(eg, i) + V(repeating: c) * gi * gi
        egi.store(eg, i)
        let delta = -(V.load(ed, i) + e).squareRoot() / (egi + e).squareRoot() * gi
        (V(repeating: rho) * V.load(ed, i) + V(repeating: c) * delta * delta).store(ed, i)
        (V.load(p, i) + V(repeating: lr) * delta).store(p, i)
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
