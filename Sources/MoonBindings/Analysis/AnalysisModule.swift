import LuaKit
import MoonAnalysis
import MoonEngine

/// The `analysis` module: correlation matrices of unit activities, their summaries, CKA, RSA.
enum AnalysisModule {
    static func install(_ L: LuaState) {
        L.defineModule("analysis", doc: """
            Representation analysis on activations {N, units} (one row a sample; higher \
            ranks are flattened), such as model:activations(test, "dense_1") returns: \
            correlation matrices of unit activities and their summary, linear CKA and RSA \
            between two representations of the same samples.
            """) { m in
            m.function("correlation", "analysis.correlation(acts) --> tensor {units, units}", """
                The Pearson correlation matrix of the units over the N samples, computed in \
                double precision through BLAS (centre, X^T X / (N-1), scale). A unit with zero \
                variance (constant, e.g. a dead ReLU) has no defined correlation: its row and \
                column are 0 and its diagonal 1, so the matrix never holds NaN.
                """) { L in
                L.push(try Correlation.matrix(try L.tensor(1, "analysis.correlation")))
                return 1
            }
            m.function("summary", "analysis.summary(c[, {absolute=false, diagonal=false}]) --> {mean=, std=, min=, max=, count=}", """
                Mean and standard deviation of a correlation matrix's off-diagonal entries \
                (signed; std divides by the count, as NumPy's std), to compare layers as \
                study 002 compared a small CNN's last layer with ResNet-18's. absolute=true \
                summarises |c| (co-activation strength regardless of sign); diagonal=true \
                includes the diagonal, as np.mean(c) and np.std(c) over the whole matrix do.
                """) { L in
                let fn = "analysis.summary"
                let c = try L.tensor(1, fn)
                try L.checkOptionKeys(2, fn, ["absolute", "diagonal"])
                let s = try Correlation.summary(c, absolute: try L.optionBool(2, "absolute", fn) ?? false,
                                                diagonal: try L.optionBool(2, "diagonal", fn) ?? false)
                L.newTable(fieldCount: 5)
                L.push(s.mean); L.setField(-2, "mean")
                L.push(s.std); L.setField(-2, "std")
                L.push(s.min); L.setField(-2, "min")
                L.push(s.max); L.setField(-2, "max")
                L.push(s.count); L.setField(-2, "count")
                return 1
            }
            m.function("cka", "analysis.cka(acts_a, acts_b) --> number", """
                Linear CKA (Kornblith et al. 2019) between two representations {N, p} and \
                {N, q} of the same N samples: ||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F) with \
                centred columns. 1 for the same representation; invariant to rotations and \
                isotropic scaling; in [0, 1]. Computed in feature space (cheap for N >> units).
                """) { L in
                let fn = "analysis.cka"
                L.push(try CKA.linear(try L.tensor(1, fn), try L.tensor(2, fn)))
                return 1
            }
            m.function("rsa", "analysis.rsa(acts_a, acts_b[, {method=\"spearman\", samples=2000, seed=0}]) --> number", """
                Representational similarity: each representation gives an N x N \
                dissimilarity matrix (1 - Pearson correlation between two samples' \
                activation patterns); the result is the Spearman (or method="pearson") \
                correlation of the two matrices' upper triangles, in [-1, 1]. Above `samples` \
                samples (default 2000, at most 10000) a random subset, the same for both, is \
                used, drawn from its own generator seeded by `seed`.
                """) { L in
                let fn = "analysis.rsa"
                let a = try L.tensor(1, fn), b = try L.tensor(2, fn)
                if !L.isNoneOrNil(3) { try L.checkTable(3, fn, "an option table {method=, samples=, seed=}") }
                try L.checkOptionKeys(3, fn, ["method", "samples", "seed"])
                let methodName = try L.optionString(3, "method", fn) ?? "spearman"
                guard let method = RSA.Method(rawValue: methodName) else {
                    throw LuaError("\(fn): method must be \"spearman\" or \"pearson\", got \"\(methodName)\"")
                }
                let samples = try L.optionInteger(3, "samples", fn) ?? RSA.defaultSamples
                let seed = try L.optionInteger(3, "seed", fn) ?? 0
                L.push(try RSA.similarity(a, b, method: method, samples: samples, seed: UInt64(bitPattern: Int64(seed))))
                return 1
            }
        }
    }
}
