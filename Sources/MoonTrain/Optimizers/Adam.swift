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
public final class Adam: Optimizer {
    public let beta1: Float, beta2: Float, eps: Float
    private var stepSize: Float = 0

    public init(params: [Tensor] = [], lr: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999,
                eps: Float = 1e-7, clipnorm: Float? = nil, globalClipnorm: Float? = nil,
                clipvalue: Float? = nil, weightDecay: Float = 0) throws {
        try Optimizer.checkFraction(beta1, "beta1", kind: "Adam")
        try Optimizer.checkFraction(beta2, "beta2", kind: "Adam")
        try Optimizer.checkRate(eps, "eps", kind: "Adam")
        (self.beta1, self.beta2, self.eps) = (beta1, beta2, eps)
        try super.init(params: params, lr: lr, clipnorm: clipnorm, globalClipnorm: globalClipnorm,
                       clipvalue: clipvalue, weightDecay: weightDecay)
    }

    public override var name: String { "Adam" }
    public override var slotNames: [String] { ["m", "v"] }
    public override var hyperparameters: [(String, Double)] {
        [("beta1", Double(beta1)), ("beta2", Double(beta2)), ("eps", Double(eps))]
    }

    public override func beginStep(t: Int) {
        let tt = Double(t)
        stepSize = Float(Double(lr) * (1 - pow(Double(beta2), tt)).squareRoot() / (1 - pow(Double(beta1), tt)))
    }

    public override func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ n: Int,
                                _ s: [UnsafeMutablePointer<Float>], t: Int) {
        let m = s[0], v = s[1], b1 = beta1, b2 = beta2, c1 = 1 - beta1, c2 = 1 - beta2, e = eps, a = stepSize
        // One fused pass, split over the cores for large parameters.
        Threads.parallelFor(n, minPerThread: 1 << 16) { _, r in
            let p = p + r.lowerBound, g = g + r.lowerBound, m = m + r.lowerBound, v = v + r.lowerBound
            for i in 0..<r.count {
                let gi = g[i]
                let mi = b1 * m[i] + c1 * gi, vi = b2 * v[i] + c2 * gi * gi
                m[i] = mi
                v[i] = vi
                p[i] -= a * mi / (vi.squareRoot() + e)
            }
        }
    }
}
