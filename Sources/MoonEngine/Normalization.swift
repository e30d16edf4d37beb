import Foundation
import MoonKernels

/// Batch normalization over the channel dim (dim 1) of {N,C} or {N,C,H,W} (any {N,C,…}).
extension Tensor {
    /// Per-channel mean and biased variance over every dim but dim 1: over N for {N,C},
    /// over N, H, W for {N,C,H,W}. Both have shape {C}. No gradient.
    public static func batchNormStatistics(_ x: Tensor) throws -> (mean: Tensor, variance: Tensor) {
        let (n, c, s) = try channelLayout(x, op: "batchNormStatistics")
        let xc = try x.contiguousRaw(op: "batchNormStatistics")
        let (mean, variance) = channelMoments(xc.base, n: n, c: c, s: s)
        return (Tensor(mean.map(Float.init)), Tensor(variance.map(Float.init)))
    }

    /// y = gamma · (x − mean) / √(var + eps) + beta per channel (dim 1).
    ///
    /// Training uses the batch's mean and biased variance and updates the running
    /// statistics in place, Keras-style: `running = momentum · running + (1 − momentum) ·
    /// batch` (momentum 0.99 in Keras; the variance kept is the biased batch variance).
    /// Evaluation uses the running statistics. `gamma` and `beta` (shape {C}) are optional
    /// (1 and 0) and receive gradients; the running statistics do not.
    ///
    /// `residual` (the shape of `x`) is added to the result and `relu` clamps it at zero, in
    /// the same pass: relu(bn(x) + residual), as a residual block ends, without the two
    /// intermediate tensors.
    public static func batchNorm(_ x: Tensor, gamma: Tensor?, beta: Tensor?,
                                 runningMean: Tensor, runningVar: Tensor,
                                 momentum: Float, eps: Float, training: Bool,
                                 residual: Tensor? = nil, relu: Bool = false) throws -> Tensor {
        let (n, c, s) = try channelLayout(x, op: "batchNorm")
        if let residual, residual.shape != x.shape {
            throw TensorError(in: "batchNorm", "residual of shape \(shapeText(residual.shape)) does not match input \(shapeText(x.shape))")
        }
        for (name, t) in [("gamma", gamma), ("beta", beta), ("running mean", runningMean), ("running variance", runningVar)] {
            if let t, t.shape != [c] {
                throw TensorError(in: "batchNorm", "\(name) of shape \(shapeText(t.shape)) does not match the \(c) channels of input \(shapeText(x.shape))")
            }
        }
        guard runningMean.isContiguous, runningVar.isContiguous else {
            throw TensorError(in: "batchNorm", "running statistics must be contiguous")
        }
        guard eps >= 0, momentum >= 0, momentum <= 1 else {
            throw TensorError(in: "batchNorm", "needs eps >= 0 and momentum in [0, 1], got eps \(eps), momentum \(momentum)")
        }
        let xc = try x.contiguousRaw(op: "batchNorm")
        var mean = [Float](repeating: 0, count: c), invStd = [Float](repeating: 0, count: c)
        if training {
            let (m, v) = channelMoments(xc.base, n: n, c: c, s: s)
            let rm = runningMean.base, rv = runningVar.base
            for i in 0..<c {
                mean[i] = Float(m[i])
                invStd[i] = Float(1 / (v[i] + Double(eps)).squareRoot())
                rm[i] = momentum * rm[i] + (1 - momentum) * Float(m[i])
                rv[i] = momentum * rv[i] + (1 - momentum) * Float(v[i])
            }
        } else {
            for i in 0..<c {
                mean[i] = runningMean.base[i]
                invStd[i] = 1 / (runningVar.base[i] + eps).squareRoot()
            }
        }
        let g = gamma.map { $0.toArray() } ?? [Float](repeating: 1, count: c)
        let b = beta.map { $0.toArray() } ?? [Float](repeating: 0, count: c)
        let scale = (0..<c).map { g[$0] * invStd[$0] }
        let shift = (0..<c).map { b[$0] - mean[$0] * scale[$0] }
        let out = try Tensor.empty(x.shape, op: "batchNorm")
        let rc = try residual?.contiguousRaw(op: "batchNorm")
        forEachChannel(xc.base, out.base, n: n, c: c, s: s) { ch, src, dst in
            let a = scale[ch], t = shift[ch]
            if let rc {
                let r = rc.base + (dst - out.base)
                if relu { for i in 0..<s { dst[i] = Swift.max(0, src[i] * a + t + r[i]) } }
                else { for i in 0..<s { dst[i] = src[i] * a + t + r[i] } }
            } else if relu {
                for i in 0..<s { dst[i] = Swift.max(0, src[i] * a + t) }
            } else {
                for i in 0..<s { dst[i] = src[i] * a + t }
            }
        }
        let inputs = [x] + [gamma, beta, residual].compactMap { $0 }
        return out.recording("batchNorm", inputs) { [y = relu ? out.detach() : nil, hasResidual = residual != nil] grad in
            // Through the relu first (zero where the output was clamped): the gradient of the
            // sum bn(x) + residual, which is also the residual's.
            let gy = try y.map { try reluGradient(grad, output: $0, op: "batchNorm") } ?? grad.contiguousRaw(op: "batchNorm")
            let (sumG, sumGX) = gradientMoments(gy.base, xc.base, n: n, c: c, s: s, mean: mean, invStd: invStd)
            var dx: Tensor?
            if x.requiresGrad {
                let d = try Tensor.empty(x.shape, op: "batchNorm")
                let count = Float(n * s)
                forEachChannel(gy.base, d.base, n: n, c: c, s: s) { ch, gp, dp in
                    let r = invStd[ch], k = g[ch] * r
                    if training {
                        let m = mean[ch], sg = Float(sumG[ch]) / count, sgx = Float(sumGX[ch]) / count
                        let xp = xc.base + (gp - UnsafePointer(gy.base))
                        for i in 0..<s { dp[i] = k * (gp[i] - sg - (xp[i] - m) * r * sgx) }
                    } else {
                        for i in 0..<s { dp[i] = k * gp[i] }
                    }
                }
                dx = d
            }
            var grads: [Tensor?] = [dx]
            if gamma != nil { grads.append(Tensor(sumGX.map(Float.init))) }
            if beta != nil { grads.append(Tensor(sumG.map(Float.init))) }
            if hasResidual { grads.append(gy) }
            return grads
        }
    }

    /// {N, C, S}: batch, channels, and the product of the remaining dims.
    private static func channelLayout(_ x: Tensor, op: String) throws -> (Int, Int, Int) {
        guard x.rank >= 2 else {
            throw TensorError(in: op, "expects input of shape {N,C} or {N,C,H,W}, got \(shapeText(x.shape))")
        }
        return (x.shape[0], x.shape[1], x.shape[2...].reduce(1, *))
    }

    /// Per-channel mean and biased variance (two passes, in double).
    private static func channelMoments(_ x: UnsafePointer<Float>, n: Int, c: Int, s: Int) -> ([Double], [Double]) {
        var mean = [Double](repeating: 0, count: c), variance = [Double](repeating: 0, count: c)
        let total = Double(n * s)
        mean.withUnsafeMutableBufferPointer { mp in
            variance.withUnsafeMutableBufferPointer { vp in
                Threads.parallelFor(c, minPerThread: Swift.max(1, parallelGrain / Swift.max(n * s, 1))) { _, range in
                    for ch in range {
                        var sum = 0.0
                        for image in 0..<n { sum += sumBlock(x + (image * c + ch) * s, s) }
                        // Deviations from the float nearest the mean; the variance about the
                        // mean itself is that sum less the offset's square.
                        let m = total > 0 ? sum / total : 0, mf = Float(m)
                        var sq = 0.0
                        for image in 0..<n { sq += squaredDeviationBlock(x + (image * c + ch) * s, s, mean: mf) }
                        let offset = m - Double(mf)
                        mp[ch] = m
                        vp[ch] = total > 0 ? Swift.max(0, sq / total - offset * offset) : 0
                    }
                }
            }
        }
        return (mean, variance)
    }

    /// Per channel, Σ dy and Σ dy·x̂ (x̂ = (x − mean)·invStd): the sums behind the gradients of
    /// beta, gamma and the input. Each channel is summed by one worker, image by image.
    private static func gradientMoments(_ gy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, n: Int, c: Int, s: Int,
                                        mean: [Float], invStd: [Float]) -> ([Double], [Double]) {
        var sumG = [Double](repeating: 0, count: c), sumGX = [Double](repeating: 0, count: c)
        sumG.withUnsafeMutableBufferPointer { gp in
            sumGX.withUnsafeMutableBufferPointer { xp in
                Threads.parallelFor(c, minPerThread: Swift.max(1, parallelGrain / Swift.max(n * s, 1))) { _, range in
                    for ch in range {
                        var a = 0.0, b = 0.0
                        for image in 0..<n {
                            let at = (image * c + ch) * s
                            let (sg, sgx) = gradientMomentsBlock(gy + at, x + at, s, mean: mean[ch])
                            a += sg; b += sgx
                        }
                        gp[ch] = a
                        xp[ch] = b * Double(invStd[ch])
                    }
                }
            }
        }
        return (sumG, sumGX)
    }

    /// Calls `body(channel, src, dst)` for each (image, channel) block of `s` elements.
    private static func forEachChannel(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                                       n: Int, c: Int, s: Int,
                                       _ body: (Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        Threads.parallelFor(n * c, minPerThread: Swift.max(1, parallelGrain / Swift.max(s, 1))) { _, range in
            for block in range { body(block % c, src + block * s, dst + block * s) }
        }
    }
}
