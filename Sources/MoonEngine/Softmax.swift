import Foundation
import MoonKernels

/// Softmax and log-softmax over one dim, stable for large inputs (the maximum is
/// subtracted before exponentiating).
extension Tensor {
    /// e^x / Σ e^x over `dim`.
    public func softmax(_ dim: Int) throws -> Tensor {
        let d = try Shape.normalize(dim: dim, rank: rank, op: "softmax")
        let y = try softmaxKernel(d, log: false, op: "softmax")
        return y.recording("softmax", [self]) { [y = y.detach()] g in
            let gy = try g.mul(y)
            return [try gy.sub(try gy.sum(dim: d, keepdim: true).mul(y))]
        }
    }

    /// x − log Σ e^x over `dim`.
    public func logSoftmax(_ dim: Int) throws -> Tensor {
        let d = try Shape.normalize(dim: dim, rank: rank, op: "logSoftmax")
        let y = try softmaxKernel(d, log: true, op: "logSoftmax")
        return y.recording("logSoftmax", [self]) { [y = y.detach()] g in
            [try g.sub(try y.exp().mul(try g.sum(dim: d, keepdim: true)))]
        }
    }

    private func softmaxKernel(_ d: Int, log: Bool, op: String) throws -> Tensor {
        let x = try contiguousRaw(op: op)
        let out = try Tensor.empty(shape, op: op)
        let (outer, n, inner) = split(around: d)
        if out.count == 0 { return out }
        let src = x.base, dst = out.base
        Threads.parallelFor(outer * inner, minPerThread: Swift.max(1, parallelGrain / Swift.max(n, 1))) { _, range in
            for u in range {
                let o = u / inner, i = u % inner
                let s = src + o * n * inner + i, t = dst + o * n * inner + i
                var m = -Float.infinity
                for j in 0..<n { m = Swift.max(m, s[j * inner]) }
                if m == -.infinity { m = 0 }
                var total: Float = 0
                if log {
                    for j in 0..<n { total += Foundation.exp(s[j * inner] - m) }
                    let lse = m + Foundation.log(total)
                    for j in 0..<n { t[j * inner] = s[j * inner] - lse }
                } else {
                    for j in 0..<n {
                        let e = Foundation.exp(s[j * inner] - m)
                        t[j * inner] = e
                        total += e
                    }
                    let r = 1 / total
                    for j in 0..<n { t[j * inner] *= r }
                }
            }
        }
        return out
    }
}
