import MoonEngine

/// Correlation matrices of unit activities and their summaries.
public enum Correlation {
    /// The `units x units` Pearson correlation matrix of activations `{N, units}` (higher
    /// ranks are flattened after the first dim): entry (i, j) correlates unit i with unit j
    /// over the N samples.
    ///
    /// Computed in double precision through BLAS: each column is centred, `C = XᵀX / (N-1)`
    /// (a symmetric rank-k update), then `C[i][j] / sqrt(C[i][i] C[j][j])`, clamped to
    /// [-1, 1]. A unit with zero variance (constant over the samples, such as a dead ReLU)
    /// has no defined correlation: its row and column are 0 and its diagonal entry 1, so the
    /// matrix never holds NaN. The result is a float32 tensor.
    public static func matrix(_ activations: Tensor) throws -> Tensor {
        let fn = "analysis.correlation"
        var x = try Representation(activations, fn)
        let constant = x.constantColumns()
        x.centerColumns()
        let d = x.units
        let c = try DoubleBLAS.gramOfColumns(x.values, rows: x.samples, cols: d)
        var scale = [Double](repeating: 0, count: d)
        for j in 0..<d where !constant[j] && c[j * d + j] > 0 { scale[j] = 1 / c[j * d + j].squareRoot() }
        var out = [Float](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in 0..<d where scale[i] != 0 && scale[j] != 0 {
                out[i * d + j] = Float(Swift.min(1, Swift.max(-1, c[i * d + j] * scale[i] * scale[j])))
            }
            out[i * d + i] = 1
        }
        return try Tensor(out, shape: [d, d])
    }

    /// Mean and standard deviation of a square matrix's entries, as used to compare the
    /// correlation matrices of two layers (study 002 compared a small CNN's last layer with
    /// ResNet-18's this way).
    public struct Summary: Sendable, Equatable {
        public let mean: Double
        /// Population standard deviation (divides by the count, as NumPy's `std`).
        public let std: Double
        public let min: Double
        public let max: Double
        /// How many entries were summarised.
        public let count: Int
    }

    /// Summarises the entries of the square matrix `c`: by default the off-diagonal entries
    /// (each pair counted twice, as the matrix holds it), signed. `absolute` takes |c|
    /// first (the strength of co-activation regardless of sign); `diagonal` includes the
    /// diagonal too, as `np.mean(c), np.std(c)` over the whole matrix do — the convention
    /// a NumPy notebook follows, and most likely study 002's.
    public static func summary(_ c: Tensor, absolute: Bool = false, diagonal: Bool = false) throws -> Summary {
        let fn = "analysis.summary"
        guard c.rank == 2, c.shape[0] == c.shape[1] else {
            throw AnalysisError("\(fn): expected a square matrix {units, units}, got shape \(shapeText(c.shape))")
        }
        let n = c.shape[0]
        let v = c.toArray()
        var entries: [Double] = []
        entries.reserveCapacity(n * n)
        for i in 0..<n {
            for j in 0..<n where diagonal || i != j {
                let e = Double(v[i * n + j])
                guard e.isFinite else { throw AnalysisError("\(fn): the matrix holds \(e) at (\(i + 1), \(j + 1))") }
                entries.append(absolute ? Swift.abs(e) : e)
            }
        }
        guard !entries.isEmpty else {
            throw AnalysisError("\(fn): a \(n) x \(n) matrix has no off-diagonal entries (pass {diagonal=true} to include the diagonal)")
        }
        let mean = entries.reduce(0, +) / Double(entries.count)
        let variance = entries.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(entries.count)
        return Summary(mean: mean, std: variance.squareRoot(), min: entries.min()!, max: entries.max()!, count: entries.count)
    }
}
