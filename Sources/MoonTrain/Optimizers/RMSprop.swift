import MoonEngine
import MoonKernels

/// RMSprop as Keras computes it:
///
///     v = ρ·v + (1−ρ)·g²            (centered: a = ρ·a + (1−ρ)·g, and v − a² below)
///     step = lr · g / √(v + ε)
///     p -= step                      (momentum > 0: buf = momentum·buf + step; p -= buf)
///
/// Defaults are Keras': lr 0.001, ρ 0.9, momentum 0, ε 1e-7, centered false (PyTorch:
/// α = 0.99, ε 1e-8 added outside the root).
public final class RMSprop: Optimizer, ConfigurableOptimizer {
    public let options: RMSpropOptions
    public let rho: Float, momentum: Float, eps: Float, centered: Bool

    public init(params: [Tensor] = [], config o: RMSpropOptions) throws {
        let rho = Float(o.rho), momentum = Float(o.momentum), eps = Float(o.eps), centered = o.centered
        try Optimizer.checkFraction(rho, "rho", kind: "RMSprop")
        try Optimizer.checkFraction(momentum, "momentum", kind: "RMSprop")
        try Optimizer.checkRate(eps, "eps", kind: "RMSprop")
        (self.rho, self.momentum, self.eps, self.centered) = (rho, momentum, eps, centered)
        self.options = o
        try super.init(params: params, lr: Float(o.lr), settings: o.settings)
    }

    public static var optimizerName: String { "RMSprop" }

    public override var name: String { Self.optimizerName }
    public override var slotNames: [String] {
        ["velocity"] + (momentum > 0 ? ["momentum"] : []) + (centered ? ["average_gradient"] : [])
    }

    public override func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int,
                                _ s: [UnsafeMutablePointer<Float>], t: Int) {
        let buf: UnsafeMutablePointer<Float>? = momentum > 0 ? s[1] : nil
        let avg: UnsafeMutablePointer<Float>? = centered ? s[momentum > 0 ? 2 : 1] : nil
        RMSpropRule(p: p, g: g, v: s[0], buf: buf, avg: avg, rho: rho, c: 1 - rho, eps: eps, lr: lr, mu: momentum).run(n)
    }
}

/// RMSprop's update of one element (or eight).
struct RMSpropRule: ElementwiseRule {
    let p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, v: UnsafeMutablePointer<Float>
    let buf: UnsafeMutablePointer<Float>?, avg: UnsafeMutablePointer<Float>?
    let rho: Float, c: Float, eps: Float, lr: Float, mu: Float

    @inline(__always)
    func apply<V: FloatLanes>(_ i: Int, _: V.Type) {
        let gi = V.load(g, i)
        let vi = V(repeating: rho) * V.load(v, i) + V(repeating: c) * gi * gi
        vi.store(v, i)
        var denominator = vi + V(repeating: eps)
        if let avg {
            let ai = V(repeating: rho) * V.load(avg, i) + V(repeating: c) * gi
            ai.store(avg, i)
            denominator = denominator - ai * ai
        }
        let step = V(repeating: lr) * gi / denominator.squareRoot()
        if let buf {
            let bi = V(repeating: mu) * V.load(buf, i) + step
            bi.store(buf, i)
            (V.load(p, i) - bi).store(p, i)
        } else {
            (V.load(p, i) - step).store(p, i)
        }
    }
}

/// `optim.RMSprop{...}`, with Keras' defaults.
public struct RMSpropOptions: OptimizerOptions {
    public var lr: Double = 0.001
    public var rho: Double = 0.9
    public var momentum: Double = 0
    public var eps: Double = 1e-7
    public var centered = false
    public var settings = OptimizerSettings()
    public init() {}
    public static var fields: [OptionField<RMSpropOptions>] {
        [OptionField("lr", \.lr, "the learning rate"),
         OptionField("rho", \.rho, "decay of the squared-gradient average"),
         OptionField("momentum", \.momentum, "the momentum factor"),
         OptionField("eps", \.eps, "added for numerical stability"),
         OptionField("centered", \.centered, "divide by the gradient variance rather than the raw second moment")]
            + OptimizerSettings.fields(\.settings)
    }
}

extension RMSprop {
    /// What the rule computes, for help.
    public static let summary = """
        RMSprop as Keras computes it: v = rho*v + (1-rho)*g^2; p -= lr*g/sqrt(v+eps) (with momentum: \
        through a velocity buffer; centered: v minus the squared mean gradient). PyTorch: alpha 0.99, eps 1e-8.
        """
}
