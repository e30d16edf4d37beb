import MoonKernels

extension Tensor {
    /// Inverted dropout: in training, zeroes each element with probability `p` and scales
    /// the rest by 1/(1−p), so evaluation (`training: false`) is the identity. The mask
    /// comes from `generator`, serially, so a seed reproduces it. `p` must lie in [0, 1].
    public func dropout(_ p: Float, training: Bool, generator: RandomGenerator = .global) throws -> Tensor {
        guard p >= 0 && p <= 1 else { throw TensorError(in: "dropout", "rate \(p) must be in [0, 1]") }
        if !training || p == 0 { return self }
        let mask = try Tensor.empty(shape, op: "dropout")
        generator.fillBernoulliMask(mask.base, count: mask.count, dropProbability: p, scale: p < 1 ? 1 / (1 - p) : 0)
        guard isContiguous else { return try mul(mask) }
        // The product and its gradient as plain loops: through `mul` each element was a closure
        // call, 6 % of a 784-1024-512-10 step with two dropouts.
        let y = try Tensor.empty(shape, op: "dropout")
        multiplyElements(base, mask.base, y.base, count)
        return y.recording("dropout", [self]) { g in
            guard g.isContiguous, g.shape == mask.shape else { return [try g.mul(mask)] }
            let dx = try Tensor.empty(g.shape, op: "dropout")
            multiplyElements(g.base, mask.base, dx.base, dx.count)
            return [dx]
        }
    }
}

/// `out[i] = a[i] · b[i]`, on the cores.
private func multiplyElements(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    Threads.parallelFor(n, minPerThread: parallelGrain) { _, r in
        let a = a + r.lowerBound, b = b + r.lowerBound, out = out + r.lowerBound
        for i in 0..<r.count { out[i] = a[i] * b[i] }
    }
}
