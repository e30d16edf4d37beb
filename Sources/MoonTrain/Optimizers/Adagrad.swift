import MoonEngine

/// Adagrad as Keras computes it:
///
///     acc += g²;   p -= lr · g / √(acc + ε)
///
/// Defaults are Keras': lr 0.001, initial accumulator 0.1, ε 1e-7 (PyTorch: lr 0.01,
/// accumulator 0, ε 1e-10 outside the root).
public final class Adagrad: Optimizer {
    public let initialAccumulator: Float, eps: Float

    public init(params: [Tensor] = [], lr: Float = 0.001, initialAccumulator: Float = 0.1,
                eps: Float = 1e-7, clipnorm: Float? = nil, globalClipnorm: Float? = nil,
                clipvalue: Float? = nil, weightDecay: Float = 0) throws {
        try Optimizer.checkRate(initialAccumulator, "initial_accumulator", kind: "Adagrad")
        try Optimizer.checkRate(eps, "eps", kind: "Adagrad")
        (self.initialAccumulator, self.eps) = (initialAccumulator, eps)
        try super.init(params: params, lr: lr, clipnorm: clipnorm, globalClipnorm: globalClipnorm,
                       clipvalue: clipvalue, weightDecay: weightDecay)
    }

    public override var name: String { "Adagrad" }
    public override var slotNames: [String] { ["accumulator"] }
    public override func initialValue(slot: Int) -> Float { initialAccumulator }
    public override var hyperparameters: [(String, Double)] {
        [("initial_accumulator", Double(initialAccumulator)), ("eps", Double(eps))]
    }

    public override func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int,
                                _ s: [UnsafeMutablePointer<Float>], t: Int) {
        let acc = s[0], e = eps, a = lr
        for i in 0..<n {
            let gi = g[i]
            acc[i] += gi * gi
            p[i] -= a * gi / (acc[i] + e).squareRoot()
        }
    }
}
