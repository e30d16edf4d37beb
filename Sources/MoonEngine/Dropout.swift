extension Tensor {
    /// Inverted dropout: in training, zeroes each element with probability `p` and scales
    /// the rest by 1/(1−p), so evaluation (`training: false`) is the identity. The mask
    /// comes from `generator`, serially, so a seed reproduces it. `p` must lie in [0, 1].
    public func dropout(_ p: Float, training: Bool, generator: RandomGenerator = .global) throws -> Tensor {
        guard p >= 0 && p <= 1 else { throw TensorError(in: "dropout", "rate \(p) must be in [0, 1]") }
        if !training || p == 0 { return self }
        let mask = try Tensor.empty(shape, op: "dropout")
        generator.fillBernoulliMask(mask.base, count: mask.count, dropProbability: p, scale: p < 1 ? 1 / (1 - p) : 0)
        return try mul(mask)
    }
}
