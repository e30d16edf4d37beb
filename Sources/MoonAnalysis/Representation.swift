@preconcurrency import CBLAS
import MoonEngine

/// Activations `{N, units}` (higher ranks flattened after the first dim) as a row-major
/// double-precision matrix: one row a sample, one column a unit.
struct Representation {
    let samples: Int
    let units: Int
    var values: [Double]

    /// Reads `t`, rejecting anything but a finite tensor of at least `minSamples` rows.
    init(_ t: Tensor, _ fn: String, _ what: String = "activations", minSamples: Int = 2) throws {
        guard t.rank >= 2 else {
            throw AnalysisError("\(fn): \(what) must be {N, units} (one row a sample), got shape \(shapeText(t.shape))")
        }
        samples = t.shape[0]
        units = t.count / Swift.max(samples, 1)
        guard samples >= minSamples else {
            throw AnalysisError("\(fn): \(what) need at least \(minSamples) samples, got \(samples) (shape \(shapeText(t.shape)))")
        }
        guard units >= 1 else { throw AnalysisError("\(fn): \(what) have no units (shape \(shapeText(t.shape)))") }
        let floats = t.toArray()
        if let bad = floats.firstIndex(where: { !$0.isFinite }) {
            throw AnalysisError("\(fn): \(what) hold \(floats[bad]) in sample \(bad / units + 1), unit \(bad % units + 1)")
        }
        values = floats.map(Double.init)
    }

    init(samples: Int, units: Int, values: [Double]) {
        self.samples = samples; self.units = units; self.values = values
    }

    /// Subtracts each column's mean (over samples).
    mutating func centerColumns() {
        var mean = [Double](repeating: 0, count: units)
        for i in 0..<samples { for j in 0..<units { mean[j] += values[i * units + j] } }
        for j in 0..<units { mean[j] /= Double(samples) }
        for i in 0..<samples { for j in 0..<units { values[i * units + j] -= mean[j] } }
    }

    /// Columns whose values are all equal (including all-zero units, as dead ReLUs give).
    func constantColumns() -> [Bool] {
        var lo = Array(values[0..<units]), hi = lo
        for i in 1..<Swift.max(samples, 1) {
            for j in 0..<units {
                let v = values[i * units + j]
                if v < lo[j] { lo[j] = v }
                if v > hi[j] { hi[j] = v }
            }
        }
        return zip(lo, hi).map { $0 == $1 }
    }

    /// The rows at `positions`, in that order.
    func rows(_ positions: [Int]) -> Representation {
        var out = [Double](); out.reserveCapacity(positions.count * units)
        for p in positions { out += values[(p * units)..<((p + 1) * units)] }
        return Representation(samples: positions.count, units: units, values: out)
    }
}

/// BLAS products on row-major double matrices.
enum DoubleBLAS {
    /// `Aᵀ A` for `A` of `rows x cols`: the full symmetric `cols x cols` matrix.
    static func gramOfColumns(_ a: [Double], rows: Int, cols: Int) throws -> [Double] {
        _ = try Allocation.count([cols, cols], bytesEach: 8, op: "analysis", what: "a \(cols)x\(cols) matrix of unit products")
        var c = [Double](repeating: 0, count: cols * cols)
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(cols), Int32(rows), 1, a, Int32(cols), 0, &c, Int32(cols))
        mirrorUpper(&c, cols)
        return c
    }

    /// `A Aᵀ` for `A` of `rows x cols`: the full symmetric `rows x rows` matrix.
    static func gramOfRows(_ a: [Double], rows: Int, cols: Int) throws -> [Double] {
        _ = try Allocation.count([rows, rows], bytesEach: 8, op: "analysis", what: "a \(rows)x\(rows) matrix of sample products")
        var c = [Double](repeating: 0, count: rows * rows)
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(rows), Int32(cols), 1, a, Int32(cols), 0, &c, Int32(rows))
        mirrorUpper(&c, rows)
        return c
    }

    /// `Bᵀ A` for `A` of `rows x p` and `B` of `rows x q`: a `q x p` matrix.
    static func crossProduct(_ a: [Double], _ b: [Double], rows: Int, p: Int, q: Int) throws -> [Double] {
        _ = try Allocation.count([p, q], bytesEach: 8, op: "analysis", what: "a \(q)x\(p) cross-product matrix")
        var c = [Double](repeating: 0, count: p * q)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(q), Int32(p), Int32(rows), 1,
                    b, Int32(q), a, Int32(p), 0, &c, Int32(p))
        return c
    }

    static func mirrorUpper(_ c: inout [Double], _ n: Int) {
        for i in 0..<n { for j in 0..<i { c[i * n + j] = c[j * n + i] } }
    }

    /// Sum of squares of the entries.
    static func squaredNorm(_ a: [Double]) -> Double { a.reduce(0) { $0 + $1 * $1 } }
}
