import MoonEngine
import MoonKernels

/// Adagrad as Keras computes it:
///
///     acc += g²;   p -= lr · g / √(acc + ε)
///
/// Defaults are Keras': lr 0.001, initial accumulator 0.1, ε 1e-7 (PyTorch: lr 0.01,
/// accumulator 0, ε 1e-10 outside the root).
public final class Adagrad: Optimizer, ConfigurableOptimizer {
    public let options: AdagradOptions
    public let initialAccumulator: Float, eps: Float

    public init(params: [Tensor] = [], config o: AdagradOptions) throws {
        let initialAccumulator = Float(o.initialAccumulator), eps = Float(o.eps)
        try Optimizer.checkRate(initialAccumulator, "initial_accumulator", kind: "Adagrad")
        try Optimizer.checkRate(eps, "eps", kind: "Adagrad")
        (self.initialAccumulator, self.eps) = (initialAccumulator, eps)
        self.options = o
        try super.init(params: params, lr: Float(o.lr), settings: o.settings)
    }

    public static var optimizerName: String { "Adagrad" }

    public override var name: String { Self.optimizerName }
    public override var slotNames: [String] { ["accumulator"] }
    public override func initialValue(slot: Int) -> Float { initialAccumulator }

    public override func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int,
                                _ s: [UnsafeMutablePointer<Float>], t: Int) {
        AdagradRule(p: p, g: g, acc: s[0], eps: eps, lr: lr).run(n)
    }
}

/// Adagrad's update of one element (or eight).
struct AdagradRule: ElementwiseRule {
    let p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, acc: UnsafeMutablePointer<Float>
    let eps: Float, lr: Float

    @inline(__always)
    func apply<V: FloatLanes>(_ i: Int, _: V.Type) {
        let gi = V.load(g, i)
        let ai = V.load(acc, i) + gi * gi
        ai.store(acc, i)
        (V.load(p, i) - V(repeating: lr) * gi / (ai + V(repeating: eps)).squareRoot()).store(p, i)
    }
}

/// `optim.Adagrad{...}`, with Keras' defaults.
public struct AdagradOptions: OptimizerOptions {
    public var lr: Double = 0.001
    public var initialAccumulator: Double = 0.1
    public var eps: Double = 1e-7
    public var settings = OptimizerSettings()
    public init() {}
    public static var fields: [OptionField<AdagradOptions>] {
        [OptionField("lr", \.lr, "the learning rate"),
         OptionField("initial_accumulator", \.initialAccumulator, "the accumulators' starting value"),
         OptionField("eps", \.eps, "added for numerical stability")]
            + OptimizerSettings.fields(\.settings)
    }
}

extension Adagrad {
    /// What the rule computes, for help.
    public static let summary = "Adagrad as Keras computes it: acc += g^2; p -= lr*g/sqrt(acc+eps) (PyTorch: lr 0.01, accumulator 0)."
}
