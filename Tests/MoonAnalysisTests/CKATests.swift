import Testing
import MoonEngine
@testable import MoonAnalysis

@Suite struct CKATests {
    let n = 400, p = 10
    let x = gaussian(400, 10, seed: 11)

    @Test func ofARepresentationWithItselfIsOne() throws {
        let a = tensor(x, n, p)
        #expect(Swift.abs(try CKA.linear(a, a) - 1) < 1e-9)
    }

    @Test func invariantToOrthogonalTransformsAndIsotropicScaling() throws {
        let a = tensor(x, n, p)
        let q = orthogonal(p, seed: 5)
        let rotated = tensor(multiply(x, q, rows: n, k: p, cols: p), n, p)
        let scaled = tensor(x.map { $0 * 7.5 }, n, p)
        #expect(Swift.abs(try CKA.linear(a, rotated) - 1) < 1e-5)
        #expect(Swift.abs(try CKA.linear(a, scaled) - 1) < 1e-6)
        // Against a third representation, rotating or scaling one side changes nothing.
        let other = tensor(gaussian(n, 6, seed: 12).enumerated().map { i, v in v + x[(i / 6) * p] }, n, 6)
        let base = try CKA.linear(a, other)
        #expect(Swift.abs(try CKA.linear(rotated, other) - base) < 1e-5)
        #expect(Swift.abs(try CKA.linear(scaled, other) - base) < 1e-6)
        #expect(base > 0 && base < 1)
    }

    @Test func notInvariantToAnArbitraryInvertibleMap() throws {
        // Stretch one axis 20-fold: invertible, but not a similarity.
        var stretched = x
        for r in 0..<n { stretched[r * p] *= 20 }
        let cka = try CKA.linear(tensor(x, n, p), tensor(stretched, n, p))
        #expect(cka < 0.9)
    }

    @Test func independentRepresentationsScoreLow() throws {
        let a = tensor(gaussian(2000, 5, seed: 1), 2000, 5), b = tensor(gaussian(2000, 5, seed: 2), 2000, 5)
        #expect(try CKA.linear(a, b) < 0.05)
    }

    @Test func featureAndSampleSpaceFormsAgree() throws {
        // 30 samples of 80 and 50 units: the Gram (sample-space) form is chosen.
        #expect(!CKA.prefersFeatureSpace(samples: 30, p: 80, q: 50))
        #expect(CKA.prefersFeatureSpace(samples: 400, p: 10, q: 10))
        let wide = gaussian(30, 80, seed: 7)
        var related = gaussian(30, 50, seed: 8)
        for r in 0..<30 { for j in 0..<50 { related[r * 50 + j] += wide[r * 80 + j] } }
        let sample = try CKA.linear(tensor(wide, 30, 80), tensor(related, 30, 50))
        // Feature-space value, computed directly.
        var xc = Representation(samples: 30, units: 80, values: wide), yc = Representation(samples: 30, units: 50, values: related)
        xc.centerColumns(); yc.centerColumns()
        let cross = try DoubleBLAS.squaredNorm(DoubleBLAS.crossProduct(xc.values, yc.values, rows: 30, p: 80, q: 50))
        let nx = try DoubleBLAS.squaredNorm(DoubleBLAS.gramOfColumns(xc.values, rows: 30, cols: 80)).squareRoot()
        let ny = try DoubleBLAS.squaredNorm(DoubleBLAS.gramOfColumns(yc.values, rows: 30, cols: 50)).squareRoot()
        #expect(Swift.abs(sample - cross / (nx * ny)) < 1e-6)
    }

    @Test func rejectsMismatchedAndConstantRepresentations() {
        #expect(message { try CKA.linear(T([1, 2, 3, 4], [2, 2]), T([1, 2, 3], [3, 1])) }
                == "analysis.cka: a has 2 samples but b has 3; both must be activations of the same inputs")
        #expect(message { try CKA.linear(T([1, 1, 1, 1], [2, 2]), T([1, 2], [2, 1])) }?.contains("a has no variance") == true)
    }
}

@Suite struct RSATests {
    @Test func identicalAndRescaledRepresentationsGiveOne() throws {
        let x = gaussian(60, 8, seed: 21)
        let a = tensor(x, 60, 8)
        #expect(Swift.abs(try RSA.similarity(a, a) - 1) < 1e-9)
        // Each sample's pattern scaled and shifted: correlations between samples unchanged.
        let b = tensor(x.enumerated().map { i, v in v * Double(1 + i / 8 % 3) + 4 }, 60, 8)
        #expect(Swift.abs(try RSA.similarity(a, b, method: .pearson) - 1) < 1e-5)
    }

    @Test func unrelatedRepresentationsScoreNearZero() throws {
        let a = tensor(gaussian(80, 10, seed: 1), 80, 10), b = tensor(gaussian(80, 10, seed: 2), 80, 10)
        #expect(Swift.abs(try RSA.similarity(a, b)) < 0.15)
    }

    @Test func dissimilaritiesAreOneMinusCorrelationBetweenSamples() throws {
        // Samples: (1,2,3), (3,2,1), (2,4,6): r12 = -1, r13 = 1, r23 = -1.
        let r = Representation(samples: 3, units: 3, values: [1, 2, 3, 3, 2, 1, 2, 4, 6])
        let d = try RSA.dissimilarities(r)
        #expect(d.count == 3)
        #expect(zip(d, [2.0, 0.0, 2.0]).allSatisfy { Swift.abs($0 - $1) < 1e-12 })
    }

    @Test func ranksAverageTies() {
        #expect(RSA.ranks([10, 30, 20, 30]) == [1, 3.5, 2, 3.5])
        #expect(RSA.pearson([1, 2, 3], [2, 4, 7])! > 0.98)
        #expect(RSA.pearson([1, 1, 1], [1, 2, 3]) == nil)
    }

    @Test func subsamplesReproducibly() throws {
        let s1 = RSA.subset(of: 100, count: 10, seed: 3), s2 = RSA.subset(of: 100, count: 10, seed: 3)
        #expect(s1 == s2 && Set(s1).count == 10 && s1 == s1.sorted() && s1.allSatisfy { $0 < 100 })
        #expect(RSA.subset(of: 100, count: 10, seed: 4) != s1)
        let a = tensor(gaussian(300, 6, seed: 5), 300, 6)
        let noise = gaussian(300, 6, seed: 6)
        let bv = gaussian(300, 6, seed: 5).enumerated().map { $1 + 0.5 * noise[$0] }
        let b = tensor(bv, 300, 6)
        let r1 = try RSA.similarity(a, b, samples: 100, seed: 1), r2 = try RSA.similarity(a, b, samples: 100, seed: 1)
        #expect(r1 == r2)
        #expect(Swift.abs(r1 - (try RSA.similarity(a, b, samples: 300))) < 0.1)
    }

    @Test func rejectsBadInput() {
        #expect(message { try RSA.similarity(T([1, 2, 3, 4, 5, 6], [3, 2]), T([1, 2, 3, 4], [2, 2])) }?.contains("at least 3 samples") == true)
        #expect(message { try RSA.similarity(T([1, 2, 3, 4, 5, 6], [3, 2]), T([1, 2, 3, 4, 5, 6], [3, 2]), samples: 2) }
                == "analysis.rsa: samples must be 3..10000, got 2")
    }
}
