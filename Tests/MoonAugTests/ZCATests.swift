import Foundation
import Testing
@testable import MoonAug
import MoonEngine

@Suite struct ZCATests {
    /// A random symmetric matrix.
    func symmetric(_ n: Int, seed: UInt64) -> [Double] {
        let g = RandomGenerator(seed: seed)
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0...i { let v = g.nextNormal(); a[i * n + j] = v; a[j * n + i] = v } }
        return a
    }

    @Test(arguments: [1, 2, 7, 60]) func eigenDecompositionReconstructs(_ n: Int) throws {
        let a = symmetric(n, seed: UInt64(n))
        let e = try SymmetricEigen(a, n: n)
        var worst = 0.0, orth = 0.0
        for j in 0..<n {
            // A v_j = λ_j v_j
            for r in 0..<n {
                var s = 0.0
                for k in 0..<n { s += a[r * n + k] * e.vectors[j * n + k] }
                worst = max(worst, Swift.abs(s - e.values[j] * e.vectors[j * n + r]))
            }
            for k in 0..<n {
                var dot = 0.0
                for r in 0..<n { dot += e.vectors[j * n + r] * e.vectors[k * n + r] }
                orth = max(orth, Swift.abs(dot - (j == k ? 1 : 0)))
            }
        }
        #expect(worst < 1e-9)
        #expect(orth < 1e-9)
        // The trace is the sum of the eigenvalues.
        let trace = (0..<n).map { a[$0 * n + $0] }.reduce(0, +)
        #expect(Swift.abs(trace - e.values.reduce(0, +)) < 1e-9)
    }

    @Test func eigenOfADiagonalAndASingularMatrix() throws {
        let d = try SymmetricEigen([3, 0, 0, 0, 1, 0, 0, 0, 2], n: 3)
        #expect(d.values.sorted() == [1, 2, 3])
        let s = try SymmetricEigen([1, 1, 1, 1], n: 2)  // eigenvalues 0 and 2
        #expect(s.values.sorted().enumerated().allSatisfy { Swift.abs($0.element - [0, 2][$0.offset]) < 1e-12 })
        #expect(message { try SymmetricEigen([1, .nan, .nan, 1], n: 2) }?.contains("NaN") == true)
    }

    /// Correlated data: z A + offset with z standard normal, A a random mixing matrix.
    func correlated(n: Int, d: Int, seed: UInt64) throws -> Tensor {
        let g = RandomGenerator(seed: seed)
        let mixing = (0..<(d * d)).map { _ in Float(g.nextNormal()) }
        let z = try Tensor.randn([n, d], generator: g)
        let a = try Tensor(mixing, shape: [d, d])
        return try z.matmul(a).add(0.3).reshape([n, 1, 4, d / 4])
    }

    /// The covariance of the rows of `x` `{N, D}`, in double.
    func covariance(_ x: Tensor) -> [[Double]] {
        let n = x.shape[0], d = x.count / n
        let v = x.toArray().map(Double.init)
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for k in 0..<d { mean[k] += v[i * d + k] / Double(n) } }
        var c = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
        for i in 0..<n { for a in 0..<d { for b in 0..<d {
            c[a][b] += (v[i * d + a] - mean[a]) * (v[i * d + b] - mean[b]) / Double(n)
        } } }
        return c
    }

    @Test func whitenedTrainingDataHasIdentityCovariance() throws {
        let x = try correlated(n: 3000, d: 16, seed: 1)
        let before = covariance(x)
        #expect(Swift.abs(before[0][1]) > 0.2 || Swift.abs(before[2][3]) > 0.2)  // really correlated
        let zca = try ZCA(epsilon: 1e-6).fit(x)
        let white = try zca.apply(x, generator: .global)
        #expect(white.shape == x.shape)
        let c = covariance(white)
        var worst = 0.0
        for a in 0..<16 { for b in 0..<16 { worst = max(worst, Swift.abs(c[a][b] - (a == b ? 1 : 0))) } }
        #expect(worst < 1e-2, "largest deviation from the identity: \(worst)")
        // The whitening matrix is symmetric (ZCA, not PCA whitening).
        let w = zca.matrix!.toArray()
        for a in 0..<16 { for b in 0..<16 { #expect(Swift.abs(w[a * 16 + b] - w[b * 16 + a]) < 1e-4) } }
        // A single image is whitened the same way as inside a batch.
        let one = try zca.apply(try x.select(0, 0), generator: .global).toArray()
        #expect(maxDifference(one, Array(white.toArray()[0..<16])) < 1e-4)
    }

    @Test func zcaNeedsFitAndMatchingShapes() throws {
        let zca = try ZCA()
        #expect(message { try zca.apply(randomImages([2, 1, 4, 4]), generator: .global) } == "ZCA: not fitted; call fit(train) first")
        try zca.fit(try correlated(n: 100, d: 16, seed: 2))
        #expect(message { try zca.apply(randomImages([2, 1, 5, 5]), generator: .global) }?.contains("fitted on samples of shape {1,4,4}") == true)
        #expect(message { try ZCA(epsilon: 0) } == "ZCA: epsilon must be > 0, got 0")
    }
}
