import MoonEngine

/// Linear centred kernel alignment (Kornblith et al., 2019, "Similarity of Neural Network
/// Representations Revisited").
public enum CKA {
    /// Linear CKA between activations `a` `{N, p}` and `b` `{N, q}` of the same N samples
    /// (higher ranks flattened after the first dim):
    ///
    ///     CKA = ||Yᵀ X||²_F / (||Xᵀ X||_F · ||Yᵀ Y||_F)
    ///
    /// with X and Y column-centred. 1 for identical representations, invariant to orthogonal
    /// transforms and isotropic scaling of either, in [0, 1]. Computed in double precision
    /// through BLAS in feature space (p x p, q x q, q x p products: cheap when N >> units),
    /// or in sample space (N x N Gram matrices, `<XXᵀ, YYᵀ>`) when that costs less. A
    /// representation with no variance at all makes CKA undefined: an error.
    public static func linear(_ a: Tensor, _ b: Tensor) throws -> Double {
        let fn = "analysis.cka"
        var x = try Representation(a, fn, "a")
        var y = try Representation(b, fn, "b")
        guard x.samples == y.samples else {
            throw AnalysisError("\(fn): a has \(x.samples) samples but b has \(y.samples); both must be activations of the same inputs")
        }
        x.centerColumns(); y.centerColumns()
        let n = x.samples, p = x.units, q = y.units
        let featureCost = Double(n) * Double(p * q + p * p + q * q)
        let sampleCost = Double(n) * Double(n) * Double(p + q) + Double(n * n)
        let cross: Double, normX: Double, normY: Double
        if featureCost <= sampleCost {
            cross = try DoubleBLAS.squaredNorm(DoubleBLAS.crossProduct(x.values, y.values, rows: n, p: p, q: q))
            normX = try DoubleBLAS.squaredNorm(DoubleBLAS.gramOfColumns(x.values, rows: n, cols: p)).squareRoot()
            normY = try DoubleBLAS.squaredNorm(DoubleBLAS.gramOfColumns(y.values, rows: n, cols: q)).squareRoot()
        } else {
            let k = try DoubleBLAS.gramOfRows(x.values, rows: n, cols: p)
            let l = try DoubleBLAS.gramOfRows(y.values, rows: n, cols: q)
            cross = zip(k, l).reduce(0) { $0 + $1.0 * $1.1 }
            normX = DoubleBLAS.squaredNorm(k).squareRoot()
            normY = DoubleBLAS.squaredNorm(l).squareRoot()
        }
        for (norm, name) in [(normX, "a"), (normY, "b")] where !(norm > 0) || !norm.isFinite {
            throw AnalysisError("\(fn): \(name) has no variance (every unit is constant over the \(n) samples); CKA is undefined")
        }
        return Swift.min(1, Swift.max(0, cross / (normX * normY)))
    }

    /// Which form `linear` uses, for tests: true when the feature-space form is cheaper.
    static func prefersFeatureSpace(samples n: Int, p: Int, q: Int) -> Bool {
        Double(n) * Double(p * q + p * p + q * q) <= Double(n) * Double(n) * Double(p + q) + Double(n * n)
    }
}
