import Foundation
import MoonKernels

/// Loss functions in fused, numerically stable form.
extension Tensor {
    /// Mean cross-entropy of `logits` {N,K} (unnormalized scores) against `labels` {N}
    /// (class ids 0..K−1 stored as floats): mean over rows of log Σ e^z − z[label].
    /// Log-softmax is fused in; the gradient is (softmax − onehot) / N.
    public static func crossEntropy(_ logits: Tensor, _ labels: Tensor) throws -> Tensor {
        guard logits.rank == 2 else {
            throw TensorError(in: "crossEntropy", "expects logits of shape {N,K}, got \(shapeText(logits.shape))")
        }
        let (n, k) = (logits.shape[0], logits.shape[1])
        guard labels.shape == [n] || labels.shape == [n, 1] else {
            throw TensorError(in: "crossEntropy", "labels of shape \(shapeText(labels.shape)) do not match logits of shape \(shapeText(logits.shape)) (expected {\(n)})")
        }
        guard n > 0, k > 0 else {
            throw TensorError(in: "crossEntropy", "logits of shape \(shapeText(logits.shape)) are empty")
        }
        var classes: [Int] = []
        classes.reserveCapacity(n)
        for (i, v) in labels.toArray().enumerated() {
            guard v == v.rounded(), v >= 0, v < Float(k) else {
                let why = v == v.rounded() ? "is outside 0..\(k - 1)" : "is not a class id (0..\(k - 1))"
                throw TensorError(in: "crossEntropy", "label \(v) at position \(i + 1) \(why)")
            }
            classes.append(Int(v))
        }
        let z = try logits.contiguousRaw(op: "crossEntropy")
        let probabilities = try Tensor.empty([n, k], op: "crossEntropy")
        var rowLoss = [Double](repeating: 0, count: n)
        let zp = z.base, pp = probabilities.base
        classes.withUnsafeBufferPointer { c in
            rowLoss.withUnsafeMutableBufferPointer { loss in
                Threads.parallelFor(n, minPerThread: Swift.max(1, parallelGrain / k)) { _, range in
                    for r in range {
                        let row = zp + r * k, p = pp + r * k
                        var m = -Float.infinity
                        for j in 0..<k { m = Swift.max(m, row[j]) }
                        var total: Float = 0
                        for j in 0..<k {
                            let e = Foundation.exp(row[j] - m)
                            p[j] = e
                            total += e
                        }
                        let r1 = 1 / total
                        for j in 0..<k { p[j] *= r1 }
                        loss[r] = Double(m) + Foundation.log(Double(total)) - Double(row[c[r]])
                    }
                }
            }
        }
        let out = Tensor(Float(rowLoss.reduce(0, +) / Double(n)))
        return out.recording("crossEntropy", [logits]) { g in
            let scale = g.base[0] / Float(n)
            let grad = try Tensor.empty([n, k], op: "crossEntropy")
            let gp = grad.base, pp = probabilities.base
            for r in 0..<n {
                for j in 0..<k { gp[r * k + j] = pp[r * k + j] * scale }
                gp[r * k + classes[r]] -= scale
            }
            return [grad]
        }
    }

    /// Mean squared error. The tensors must have the same number of elements (a target
    /// {N} against a prediction {N,1} is read in the prediction's shape, never broadcast).
    public static func mse(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
        try prediction.sub(try aligned(target, to: prediction, op: "mse")).square().mean()
    }

    /// Mean absolute error, with the shape rule of `mse`.
    public static func mae(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
        try prediction.sub(try aligned(target, to: prediction, op: "mae")).abs().mean()
    }

    private static func aligned(_ target: Tensor, to prediction: Tensor, op: String) throws -> Tensor {
        if target.shape == prediction.shape { return target }
        guard target.count == prediction.count else {
            throw TensorError(in: op, "prediction of shape \(shapeText(prediction.shape)) and target of shape \(shapeText(target.shape)) differ")
        }
        return try target.reshape(prediction.shape)
    }
}
