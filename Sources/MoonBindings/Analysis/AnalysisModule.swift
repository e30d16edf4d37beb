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
                L.push(try Correlation.matrix(try L.tensor(1)))
                return 1
            }
            m.function("summary", options: Correlation.SummaryOptions.self, doc: """
                Mean and standard deviation of a correlation matrix's off-diagonal entries \
                (signed; std divides by the count, as NumPy's std), to compare layers as \
                study 002 compared a small CNN's last layer with ResNet-18's. absolute=true \
                summarises |c| (co-activation strength regardless of sign); diagonal=true \
                includes the diagonal, as np.mean(c) and np.std(c) over the whole matrix do.
                """, leading: ["c"], returns: "{mean=, std=, min=, max=, count=}") { L, o, _ in
                L.push(json: try Correlation.summary(try L.tensor(1), absolute: o.absolute, diagonal: o.diagonal).json)
                return 1
            }
            m.function("cka", "analysis.cka(acts_a, acts_b) --> number", """
                Linear CKA (Kornblith et al. 2019) between two representations {N, p} and \
                {N, q} of the same N samples: ||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F) with \
                centred columns. 1 for the same representation; invariant to rotations and \
                isotropic scaling; in [0, 1]. Computed in feature space (cheap for N >> units).
                """) { L in
                L.push(try CKA.linear(try L.tensor(1), try L.tensor(2)))
                return 1
            }
            m.function("rsa", options: RSA.Options.self, doc: """
                Representational similarity: each representation gives an N x N \
                dissimilarity matrix (1 - Pearson correlation between two samples' \
                activation patterns); the result is the Spearman (or method="pearson") \
                correlation of the two matrices' upper triangles, in [-1, 1]. Above `samples` \
                samples (default 2000, at most 10000) a random subset, the same for both, is \
                used, drawn from its own generator seeded by `seed`.
                """, leading: ["acts_a", "acts_b"], returns: "number") { L, o, _ in
                let a = try L.tensor(1), b = try L.tensor(2)
                L.push(try RSA.similarity(a, b, method: o.method, samples: o.samples, seed: UInt64(bitPattern: Int64(o.seed))))
                return 1
            }
        }
    }
}
