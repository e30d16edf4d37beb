import Testing
import MoonEngine
@testable import MoonAnalysis

/// Pearson correlation of columns i and j, computed the textbook way in double.
func naiveCorrelation(_ x: [Double], rows: Int, cols: Int, _ i: Int, _ j: Int) -> Double {
    let a = (0..<rows).map { x[$0 * cols + i] }, b = (0..<rows).map { x[$0 * cols + j] }
    let ma = a.reduce(0, +) / Double(rows), mb = b.reduce(0, +) / Double(rows)
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for k in 0..<rows { sab += (a[k] - ma) * (b[k] - mb); saa += (a[k] - ma) * (a[k] - ma); sbb += (b[k] - mb) * (b[k] - mb) }
    return sab / (saa * sbb).squareRoot()
}

@Suite struct CorrelationTests {
    @Test func matchesANaiveDoublePrecisionComputation() throws {
        let rows = 300, cols = 12
        var x = gaussian(rows, cols, seed: 3)
        // Make some units correlate: unit 2 follows unit 1, unit 5 opposes unit 4, with offsets.
        for r in 0..<rows {
            x[r * cols + 1] = 0.8 * x[r * cols + 0] + 0.3 * x[r * cols + 1] + 5
            x[r * cols + 4] = -2 * x[r * cols + 3] + 0.1 * x[r * cols + 4] - 3
        }
        let floats = x.map { Double(Float($0)) }   // what the tensor holds
        let c = try Correlation.matrix(tensor(x, rows, cols))
        #expect(c.shape == [cols, cols])
        let v = c.toArray()
        for i in 0..<cols {
            for j in 0..<cols {
                let expected = i == j ? 1 : naiveCorrelation(floats, rows: rows, cols: cols, i, j)
                #expect(Swift.abs(Double(v[i * cols + j]) - expected) < 1e-6, "entry (\(i), \(j))")
            }
        }
        #expect(v[0 * cols + 1] > 0.9 && v[3 * cols + 4] < -0.99)
    }

    @Test func zeroVarianceUnitsGiveZerosAndAOneNeverNaN() throws {
        // Unit 2 is dead (all 0), unit 3 constant 0.1 (not exactly summable in binary).
        let rows = 50
        var values: [Float] = []
        for r in 0..<rows { values += [Float(r), 0, 0.1, Float(r * r % 7)] }
        let c = try Correlation.matrix(T(values, [rows, 4]))
        let v = c.toArray()
        #expect(v.allSatisfy { $0.isFinite })
        for dead in [1, 2] {
            for j in 0..<4 {
                #expect(v[dead * 4 + j] == (j == dead ? 1 : 0))
                #expect(v[j * 4 + dead] == (j == dead ? 1 : 0))
            }
        }
        #expect(v[0] == 1 && v[15] == 1)
    }

    @Test func flattensHigherRanksAndChecksInput() throws {
        let x = T((0..<24).map { Float(($0 * 7) % 5) }, [3, 2, 2, 2])
        #expect(try Correlation.matrix(x).shape == [8, 8])
        #expect(message { try Correlation.matrix(T([1, 2, 3], [1, 3])) }
                == "analysis.correlation: activations need at least 2 samples, got 1 (shape {1,3})")
        #expect(message { try Correlation.matrix(T([1, 2, 3], [3])) }?.contains("must be {N, units}") == true)
        #expect(message { try Correlation.matrix(T([1, .nan, 3, 4], [2, 2])) }
                == "analysis.correlation: activations hold nan in sample 1, unit 2")
    }

    @Test func summaryOfOffDiagonalEntries() throws {
        let c = T([1, 0.5, -0.1,
                   0.5, 1, 0.2,
                   -0.1, 0.2, 1], [3, 3])
        let s = try Correlation.summary(c)
        // Off-diagonal: 0.5, -0.1, 0.5, 0.2, -0.1, 0.2 → mean 0.2, population std sqrt(0.06).
        #expect(s.count == 6)
        #expect(Swift.abs(s.mean - 0.2) < 1e-7)
        #expect(Swift.abs(s.std - 0.06.squareRoot()) < 1e-7)
        #expect(Swift.abs(s.min + 0.1) < 1e-7 && Swift.abs(s.max - 0.5) < 1e-7)
        let a = try Correlation.summary(c, absolute: true)
        #expect(Swift.abs(a.mean - 0.8 / 3) < 1e-7)
        // With the diagonal: nine entries, mean (3 + 1.2) / 9, as np.mean(c) gives.
        let d = try Correlation.summary(c, diagonal: true)
        #expect(d.count == 9 && Swift.abs(d.mean - 4.2 / 9) < 1e-7)
        #expect(message { try Correlation.summary(T([1, 2], [1, 2])) }?.contains("square matrix") == true)
        #expect(message { try Correlation.summary(T([1], [1, 1])) }?.contains("no off-diagonal entries") == true)
    }
}
