import MoonEngine

/// Representational similarity analysis (Kriegeskorte et al., 2008).
public enum RSA {
    public enum Method: String, Sendable, CaseIterable {
        /// Spearman rank correlation (ties get their average rank): only the order of the
        /// dissimilarities matters, the usual choice.
        case spearman
        /// Pearson correlation of the dissimilarities themselves.
        case pearson
    }

    /// How many samples `similarity` uses at most unless told otherwise.
    public static let defaultSamples = 2000
    /// The most samples `similarity` accepts (the dissimilarity matrices grow as N²).
    public static let maxSamples = 10000

    /// RSA between activations `a` `{N, p}` and `b` `{N, q}` of the same N samples.
    ///
    /// Each representation gives an N x N representational dissimilarity matrix (RDM):
    /// `1 - Pearson correlation` between the activation patterns of two samples (a sample
    /// whose units are all equal correlates 0 with every other). The result is the
    /// correlation (Spearman by default, or Pearson) between the two RDMs' upper triangles
    /// (the N(N-1)/2 pairs i < j), in [-1, 1].
    ///
    /// When N exceeds `samples` (default 2000), a random subset of `samples` positions,
    /// the same for a and b, is drawn with its own generator seeded by `seed` (default 0):
    /// the result is reproducible and leaves the global random stream alone.
    public static func similarity(_ a: Tensor, _ b: Tensor, method: Method = .spearman,
                                  samples: Int = defaultSamples, seed: UInt64 = 0) throws -> Double {
        let fn = "analysis.rsa"
        guard samples >= 3 && samples <= maxSamples else {
            throw AnalysisError("\(fn): samples must be 3..\(maxSamples), got \(samples)")
        }
        var x = try Representation(a, fn, "a", minSamples: 3)
        var y = try Representation(b, fn, "b", minSamples: 3)
        guard x.samples == y.samples else {
            throw AnalysisError("\(fn): a has \(x.samples) samples but b has \(y.samples); both must be activations of the same inputs")
        }
        if x.samples > samples {
            let chosen = subset(of: x.samples, count: samples, seed: seed)
            x = x.rows(chosen); y = y.rows(chosen)
        }
        var u = try dissimilarities(x), v = try dissimilarities(y)
        if method == .spearman { u = ranks(u); v = ranks(v) }
        guard let r = pearson(u, v) else {
            throw AnalysisError("\(fn): the dissimilarities of \(variance(u) > 0 ? "b" : "a") are all equal (every sample has the same pattern); RSA is undefined")
        }
        return r
    }

    /// The upper triangle (i < j, row by row) of the RDM `1 - corr(sample i, sample j)`.
    static func dissimilarities(_ r: Representation) throws -> [Double] {
        let m = r.samples, d = r.units
        var z = r.values
        for i in 0..<m {
            var mean = 0.0
            for j in 0..<d { mean += z[i * d + j] }
            mean /= Double(d)
            var norm = 0.0
            for j in 0..<d { z[i * d + j] -= mean; norm += z[i * d + j] * z[i * d + j] }
            let s = norm > 0 ? 1 / norm.squareRoot() : 0
            for j in 0..<d { z[i * d + j] *= s }
        }
        let g = try DoubleBLAS.gramOfRows(z, rows: m, cols: d)
        var out = [Double](); out.reserveCapacity(m * (m - 1) / 2)
        for i in 0..<m { for j in (i + 1)..<Swift.max(m, i + 1) { out.append(1 - Swift.min(1, Swift.max(-1, g[i * m + j]))) } }
        return out
    }

    /// Ranks 1...n, ties given the mean of the ranks they span.
    static func ranks(_ v: [Double]) -> [Double] {
        let order = v.indices.sorted { v[$0] < v[$1] }
        var out = [Double](repeating: 0, count: v.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && v[order[j + 1]] == v[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { out[order[k]] = rank }
            i = j + 1
        }
        return out
    }

    /// Pearson correlation, or nil when either side is constant.
    static func pearson(_ u: [Double], _ v: [Double]) -> Double? {
        let n = Double(u.count)
        let mu = u.reduce(0, +) / n, mv = v.reduce(0, +) / n
        var suv = 0.0, suu = 0.0, svv = 0.0
        for i in 0..<u.count {
            let a = u[i] - mu, b = v[i] - mv
            suv += a * b; suu += a * a; svv += b * b
        }
        guard suu > 0 && svv > 0 else { return nil }
        return Swift.min(1, Swift.max(-1, suv / (suu * svv).squareRoot()))
    }

    static func variance(_ u: [Double]) -> Double {
        let m = u.reduce(0, +) / Double(u.count)
        return u.reduce(0) { $0 + ($1 - m) * ($1 - m) }
    }

    /// `count` distinct positions of `0..<n`, ascending, drawn by a partial Fisher-Yates
    /// shuffle driven by SplitMix64 seeded with `seed`.
    static func subset(of n: Int, count: Int, seed: UInt64) -> [Int] {
        var g = SplitMix64(seed: seed)
        var positions = Array(0..<n)
        for i in 0..<count {
            let j = i + g.below(n - i)
            positions.swapAt(i, j)
        }
        return positions[0..<count].sorted()
    }
}
