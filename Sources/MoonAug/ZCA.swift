import Foundation
import MoonData
import MoonEngine

/// ZCA whitening fitted on a data set: with the mean μ and covariance Σ = U S Uᵀ of the
/// flattened training images, each image x becomes W (x - μ), W = U (S + ε)^(-1/2) Uᵀ, so the
/// whitened training data has (nearly) identity covariance while staying as close as
/// possible to the original pixels. `fit` must come before use. Not random.
///
/// The covariance is accumulated with BLAS (the engine's matmul) over chunks of centred
/// rows; the eigen-decomposition runs in double precision (`SymmetricEigen`).
public final class ZCA: BatchTransform {
    public let epsilon: Double
    /// What the mean is taken over: each feature (pixel and channel), or each channel (Keras).
    public enum Centering: Sendable { case perFeature, perChannel }
    public let centering: Centering
    /// After `fit`: the feature count C·H·W, the mean (one per feature) and the whitening
    /// matrix `{D, D}` (symmetric).
    public private(set) var mean: Tensor?
    public private(set) var matrix: Tensor?
    public private(set) var sampleShape: [Int]?
    let name = "ZCA"

    /// `epsilon` > 0 regularises the smallest eigenvalues (Keras' zca_epsilon: 1e-6).
    public init(epsilon: Double = 1e-6, centering: Centering = .perFeature) throws {
        guard epsilon.isFinite, epsilon > 0 else { throw AugError(in: "ZCA", "epsilon must be > 0, got \(format(epsilon))") }
        self.epsilon = epsilon
        self.centering = centering
    }

    /// Fits the mean and whitening matrix on `x` `{N, C, H, W}` (or `{N, D}`).
    @discardableResult
    public func fit(_ x: Tensor) throws -> ZCA {
        let (mu, w) = try ZCA.whitening(x, epsilon: epsilon, centering: centering, op: "ZCA:fit")
        mean = mu
        matrix = w
        sampleShape = Array(x.shape.dropFirst())
        return self
    }

    /// Fits on a dataset's inputs.
    @discardableResult
    public func fit(_ ds: Dataset) throws -> ZCA { try fit(try ds.singleInput("ZCA:fit")) }

    public func apply(_ images: Tensor, generator: RandomGenerator) throws -> Tensor {
        guard let mean, let matrix, let sampleShape else {
            throw AugError(in: "ZCA", "not fitted; call fit(train) first")
        }
        let single = images.shape == sampleShape
        guard single || Array(images.shape.dropFirst()) == sampleShape else {
            throw AugError(in: "ZCA", "fitted on samples of shape \(shapeText(sampleShape)), got \(shapeText(images.shape))")
        }
        let d = mean.count
        let flat = try images.reshape([single ? 1 : images.shape[0], d])
        let white = try flat.sub(mean).matmul(matrix)
        return try white.reshape(images.shape)
    }

    func transformBatch(_ batch: Tensor, generator: RandomGenerator) throws -> Tensor {
        try apply(batch, generator: generator)
    }

    /// The mean `{D}` and whitening matrix `{D, D}` of the rows of `x` (flattened after dim 0).
    static func whitening(_ x: Tensor, epsilon: Double, centering: Centering, op: String) throws -> (Tensor, Tensor) {
        guard x.rank >= 2, x.shape[0] >= 2 else {
            throw AugError(in: op, "expected at least 2 samples {N, ...}, got shape \(shapeText(x.shape))")
        }
        let n = x.shape[0], d = x.count / n
        guard d <= 4096 else {
            throw AugError(in: op, "\(d) features per sample make a \(d) x \(d) covariance; ZCA here handles up to 4096")
        }
        let rows = try (x.isContiguous ? x : try x.contiguous()).reshape([n, d])
        let mean = try featureMean(rows, centering: centering, shape: x.shape)
        let cov = try covariance(rows, mean: mean)
        let eigen = try SymmetricEigen(cov, n: d)
        // W = Σ_j u_j u_jᵀ / sqrt(s_j + ε) = Bᵀ B with row j of B = u_j / (s_j + ε)^(1/4).
        let b = try Tensor.make([d, d], op: op) { p in
            for j in 0..<d {
                let s = 1 / Foundation.pow(max(eigen.values[j], 0) + epsilon, 0.25)
                for k in 0..<d { p[j * d + k] = Float(eigen.vectors[j * d + k] * s) }
            }
        }
        return (mean, try b.t().matmul(b))
    }

    /// The mean of each feature, or of each channel repeated over its pixels (`shape` {N, C, ...}).
    static func featureMean(_ rows: Tensor, centering: Centering, shape: [Int]) throws -> Tensor {
        let (n, d) = (rows.shape[0], rows.shape[1])
        var sums = [Double](repeating: 0, count: d)
        try rows.withUnsafeMutableBufferPointer { p in
            for i in 0..<n {
                let r = p.baseAddress! + i * d
                for k in 0..<d { sums[k] += Double(r[k]) }
            }
        }
        var mean = sums.map { $0 / Double(n) }
        if centering == .perChannel, shape.count >= 3 {
            let c = shape[1], plane = d / c
            for ch in 0..<c {
                let m = mean[ch * plane..<(ch + 1) * plane].reduce(0, +) / Double(plane)
                for k in ch * plane..<(ch + 1) * plane { mean[k] = m }
            }
        }
        return Tensor(mean.map(Float.init))
    }

    /// Σ = (X - μ)ᵀ (X - μ) / N, accumulated in double over chunks of rows (sgemm per chunk).
    static func covariance(_ rows: Tensor, mean: Tensor) throws -> [Double] {
        let (n, d) = (rows.shape[0], rows.shape[1])
        var cov = [Double](repeating: 0, count: d * d)
        let chunk = 4096
        var start = 0
        while start < n {
            let m = min(chunk, n - start)
            let centred = try rows.narrow(0, start, m).sub(mean)
            let part = try centred.t().matmul(centred)
            try part.withUnsafeMutableBufferPointer { p in
                for k in 0..<(d * d) { cov[k] += Double(p[k]) }
            }
            start += m
        }
        let scale = 1 / Double(n)
        for k in 0..<(d * d) { cov[k] *= scale }
        return cov
    }

    public var description: String {
        "aug.ZCA{epsilon=\(epsilon)}" + (matrix == nil ? " (not fitted)" : " (fitted on \(shapeText(sampleShape ?? [])) samples)")
    }
}

extension ZCA {
    /// What `aug.ZCA` does, for help.
    public static let summary = """
        ZCA whitening: t:fit(train) computes the mean and covariance of the flattened \
        training images and W = U (S + epsilon)^(-1/2) U^T from the covariance's \
        eigen-decomposition U S U^T; t(x) returns (x - mean) W, whose covariance over the \
        training set is close to the identity. Up to 4096 features (784 takes a few seconds).
        """
}
