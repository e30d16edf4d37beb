// Winograd's minimal filtering F(m×m, r×r): an m×m tile of a stride-1 correlation with an r×r
// kernel from an α×α input tile (α = m + r − 1) in α² multiplications instead of m²·r²:
//     Y = Aᵀ [ (G w Gᵀ) ⊙ (Bᵀ d B) ] A.
// The matrices come from Toom-Cook at the points 0, ±1, ±2, ±1/2 and ∞: G and A evaluate the
// kernel and the output polynomial there, and B is the interpolation (the inverse of the
// evaluation matrix), each row scaled so that its smallest entry is ±1, the scale moved into G.
import Foundation

/// A small dense matrix with, for each row, the list of its non-zero entries (the transforms
/// are half zeros and apply entry by entry to whole vectors).
struct SmallMatrix: Sendable {
    let rows: Int, cols: Int
    let values: [Float]
    /// Row i's non-zeros as (column, value).
    let byRow: [[(Int, Float)]]

    init(rows: Int, cols: Int, _ values: [Float]) {
        self.rows = rows; self.cols = cols; self.values = values
        byRow = (0..<rows).map { i in (0..<cols).compactMap { j in values[i * cols + j] == 0 ? nil : (j, values[i * cols + j]) } }
    }

    var transposed: SmallMatrix {
        SmallMatrix(rows: cols, cols: rows, (0..<cols * rows).map { k in values[(k % rows) * cols + k / rows] })
    }
}

/// The three matrices of F(m×m, r×r) and their transposes.
struct WinogradTransform: Sendable {
    let m: Int, r: Int
    var alpha: Int { m + r - 1 }
    /// Aᵀ (m × α), G (α × r), Bᵀ (α × α).
    let at: SmallMatrix, g: SmallMatrix, bt: SmallMatrix
    let a: SmallMatrix, gt: SmallMatrix, b: SmallMatrix

    /// F(2×2, 3×3), F(4×4, 3×3), F(2×2, 5×5) and F(4×4, 5×5): the tile sizes moonlab uses.
    static let f2x3 = WinogradTransform(m: 2, r: 3)
    static let f4x3 = WinogradTransform(m: 4, r: 3)
    static let f2x5 = WinogradTransform(m: 2, r: 5)
    static let f4x5 = WinogradTransform(m: 4, r: 5)

    /// The finite points, in the order they are taken: small magnitudes and their halves keep
    /// the matrices' entries (and float32's rounding error) small up to α = 8.
    static let points: [Double] = [0, 1, -1, 2, -2, 0.5, -0.5]

    init(m: Int, r: Int) {
        self.m = m; self.r = r
        let alpha = m + r - 1
        // The first α − 1 finite points and the point at infinity (the last row).
        let points = Array(Self.points.prefix(alpha - 1))
        func evaluation(_ degree: Int) -> [[Double]] {   // α × degree: powers at the points, then ∞
            points.map { p in (0..<degree).map { pow(p, Double($0)) } } + [(0..<degree).map { $0 == degree - 1 ? 1 : 0 }]
        }
        let aRows = evaluation(m), gRows = evaluation(r)
        let inverse = invert(evaluation(alpha))   // B = V⁻¹; Bᵀ's row j is V⁻¹'s column j
        var btRows = (0..<alpha).map { j in (0..<alpha).map { k in inverse[k][j] } }
        var gScaled = gRows
        for j in 0..<alpha {   // row j of Bᵀ scaled to small entries, the scale into G's row j
            let smallest = btRows[j].map(abs).filter { $0 > 1e-12 }.min() ?? 1
            btRows[j] = btRows[j].map { $0 / smallest }
            gScaled[j] = gScaled[j].map { $0 * smallest }
        }
        at = SmallMatrix(rows: m, cols: alpha, (0..<m * alpha).map { k in Float(aRows[k % alpha][k / alpha]) })
        g = SmallMatrix(rows: alpha, cols: r, gScaled.flatMap { $0.map(Float.init) })
        bt = SmallMatrix(rows: alpha, cols: alpha, btRows.flatMap { $0.map { Float(abs($0) < 1e-12 ? 0 : $0) } })
        a = at.transposed; gt = g.transposed; b = bt.transposed
    }
}

/// Inverse of a small square matrix by Gauss-Jordan elimination with partial pivoting.
private func invert(_ matrix: [[Double]]) -> [[Double]] {
    let n = matrix.count
    var w = matrix.enumerated().map { i, row in row + (0..<n).map { $0 == i ? 1.0 : 0.0 } }
    for col in 0..<n {
        let pivot = (col..<n).max { abs(w[$0][col]) < abs(w[$1][col]) }!
        w.swapAt(col, pivot)
        let p = w[col][col]
        w[col] = w[col].map { $0 / p }
        for row in 0..<n where row != col {
            let f = w[row][col]
            if f != 0 { w[row] = zip(w[row], w[col]).map { $0 - f * $1 } }
        }
    }
    return w.map { Array($0[n...]) }
}

/// `dst = L · X · Lᵀ` for a grid of vectors, `count` floats each: X is n×n (n = L's columns),
/// plane (i, j) of X at `src + (i·n + j)·srcStride`; the result is q×q (q = L's rows), plane
/// (i, j) at `dst + (i·q + j)·dstStride`. `tmp` holds n·q vectors of `count`. Zero entries are
/// skipped, so each non-zero costs one pass over `count` floats.
func transformPlanes(_ l: SmallMatrix, src: UnsafePointer<Float>, srcStride: Int,
                     dst: UnsafeMutablePointer<Float>, dstStride: Int, count: Int, tmp: UnsafeMutablePointer<Float>) {
    let n = l.cols, q = l.rows
    for i in 0..<n {   // tmp[i][j'] = Σ_j X[i][j] · L[j'][j]
        for jq in 0..<q {
            combine(l.byRow[jq], count: count, into: tmp + (i * q + jq) * count) { src + (i * n + $0) * srcStride }
        }
    }
    for ip in 0..<q {   // dst[i'][j'] = Σ_i L[i'][i] · tmp[i][j']
        for jq in 0..<q {
            combine(l.byRow[ip], count: count, into: dst + (ip * q + jq) * dstStride) { UnsafePointer(tmp + ($0 * q + jq) * count) }
        }
    }
}

/// `out = Σ coefficient · vector(index)` over the listed terms (zeros when there are none).
@inline(__always)
private func combine(_ terms: [(Int, Float)], count: Int, into out: UnsafeMutablePointer<Float>,
                     _ vector: (Int) -> UnsafePointer<Float>) {
    guard let (first, c0) = terms.first else { out.update(repeating: 0, count: count); return }
    let s0 = vector(first)
    if c0 == 1 { out.update(from: s0, count: count) } else { for t in 0..<count { out[t] = c0 * s0[t] } }
    for (k, c) in terms.dropFirst() {
        let s = vector(k)
        if c == 1 { for t in 0..<count { out[t] += s[t] } }
        else if c == -1 { for t in 0..<count { out[t] -= s[t] } }
        else { for t in 0..<count { out[t] += c * s[t] } }
    }
}

// The tile transforms of the hot loops, written out term by term for eight tiles at a time (a
// SIMD lane a tile), from the matrices above (a test checks each against them). A 2-D transform
// applies the same 1-D map to the rows and then to the columns: Bᵀ d B, Aᵀ M A, A dY Aᵀ, B dV Bᵀ.

/// Eight tiles' values at one tile position.
typealias TileLanes = SIMD8<Float>

/// A 1-D map of `inCount` values (`xs` apart) to `outCount` values (`ys` apart).
protocol TileLine {
    static var inCount: Int { get }
    static var outCount: Int { get }
    static func map(_ x: UnsafePointer<TileLanes>, _ xs: Int, _ y: UnsafeMutablePointer<TileLanes>, _ ys: Int)
}

extension TileLine {
    /// `dst` (outCount × outCount) = M · `src` (inCount × inCount) · Mᵀ, through `tmp`
    /// (inCount × outCount); all row-major.
    @inline(__always)
    static func apply2D(_ src: UnsafePointer<TileLanes>, _ dst: UnsafeMutablePointer<TileLanes>, _ tmp: UnsafeMutablePointer<TileLanes>) {
        let n = inCount, q = outCount
        for i in 0..<n { map(src + i * n, 1, tmp + i * q, 1) }
        for j in 0..<q { map(tmp + j, q, dst + j, q) }
    }
}

/// Bᵀ for α = 6 (F(4×4, 3×3) and F(2×2, 5×5)).
enum BT6: TileLine {
    static var inCount: Int { 6 }
    static var outCount: Int { 6 }
    @inline(__always)
    static func map(_ x: UnsafePointer<TileLanes>, _ xs: Int, _ y: UnsafeMutablePointer<TileLanes>, _ ys: Int) {
        let x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs], x5 = x[5 * xs]
        y[0] = 4 * x0 - 5 * x2 + x4
        y[ys] = 4 * (x1 + x2) - (x3 + x4)
        y[2 * ys] = 4 * (x2 - x1) + (x3 - x4)
        y[3 * ys] = 2 * (x3 - x1) + (x4 - x2)
        y[4 * ys] = 2 * (x1 - x3) + (x4 - x2)
        y[5 * ys] = 4 * x1 - 5 * x3 + x5
    }
}

/// B for α = 6.
enum B6: TileLine {
    static var inCount: Int { 6 }
    static var outCount: Int { 6 }
    @inline(__always)
    static func map(_ x: UnsafePointer<TileLanes>, _ xs: Int, _ y: UnsafeMutablePointer<TileLanes>, _ ys: Int) {
        let x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs], x5 = x[5 * xs]
        y[0] = 4 * x0
        y[ys] = 4 * (x1 - x2) + 2 * (x4 - x3) + 4 * x5
        y[2 * ys] = 4 * (x1 + x2) - (x3 + x4) - 5 * x0
        y[3 * ys] = (x2 - x1) + 2 * (x3 - x4) - 5 * x5
        y[4 * ys] = x0 - (x1 + x2) + (x3 + x4)
        y[5 * ys] = x5
    }
}

/// Bᵀ for α = 4 (F(2×2, 3×3)).
enum BT4: TileLine {
    static var inCount: Int { 4 }
    static var outCount: Int { 4 }
    @inline(__always)
    static func map(_ x: UnsafePointer<TileLanes>, _ xs: Int, _ y: UnsafeMutablePointer<TileLanes>, _ ys: Int) {
        let x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs]
        y[0] = x0 - x2
        y[ys] = x1 + x2
        y[2 * ys] = x2 - x1
        y[3 * ys] = x3 - x1
    }
}

/// B for α = 4.
enum B4: TileLine {
    static var inCount: Int { 4 }
    static var outCount: Int { 4 }
    @inline(__always)
    static func map(_ x: UnsafePointer<TileLanes>, _ xs: Int, _ y: UnsafeMutablePointer<TileLanes>, _ ys: Int) {
        let x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs]
        y[0] = x0
        y[ys] = x1 - x2 - x3
        y[2 * ys] = x1 + x2 - x0
        y[3 * ys] = x3
    }
}

/// Aᵀ of F(4×4, 3×3).
enum AT43: TileLine {
    static var inCount: Int { 6 }
    static var outCount: Int { 4 }
    @inline(__always)
    static func map(_ x: UnsafePointer<TileLanes>, _ xs: Int, _ y: UnsafeMutablePointer<TileLanes>, _ ys: Int) {
        let x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs]
        let s12 = x1 + x2, d12 = x1 - x2, s34 = x3 + x4, d34 = x3 - x4
        y[0] = x[0] + s12 + s34
        y[ys] = d12 + 2 * d34
        y[2 * ys] = s12 + 4 * s34
        y[3 * ys] = d12 + 8 * d34 + x[5 * xs]
    }
}

/// A of F(4×4, 3×3).
enum A43: TileLine {
    static var inCount: Int { 4 }
    static var outCount: Int { 6 }
    @inline(__always)
    static func map(_ x: UnsafePointer<TileLanes>, _ xs: Int, _ y: UnsafeMutablePointer<TileLanes>, _ ys: Int) {
        let x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs]
        let e = x0 + x2, o = x1 + x3, e4 = x0 + 4 * x2, o8 = 2 * x1 + 8 * x3
        y[0] = x0
        y[ys] = e + o
        y[2 * ys] = e - o
        y[3 * ys] = e4 + o8
        y[4 * ys] = e4 - o8
        y[5 * ys] = x3
    }
}

/// Aᵀ of F(2×2, 5×5).
enum AT25: TileLine {
    static var inCount: Int { 6 }
    static var outCount: Int { 2 }
    @inline(__always)
    static func map(_ x: UnsafePointer<TileLanes>, _ xs: Int, _ y: UnsafeMutablePointer<TileLanes>, _ ys: Int) {
        let x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs]
        y[0] = x[0] + (x1 + x2) + (x3 + x4)
        y[ys] = (x1 - x2) + 2 * (x3 - x4) + x[5 * xs]
    }
}

/// A of F(2×2, 5×5).
enum A25: TileLine {
    static var inCount: Int { 2 }
    static var outCount: Int { 6 }
    @inline(__always)
    static func map(_ x: UnsafePointer<TileLanes>, _ xs: Int, _ y: UnsafeMutablePointer<TileLanes>, _ ys: Int) {
        let x0 = x[0], x1 = x[xs]
        y[0] = x0
        y[ys] = x0 + x1
        y[2 * ys] = x0 - x1
        y[3 * ys] = x0 + 2 * x1
        y[4 * ys] = x0 - 2 * x1
        y[5 * ys] = x1
    }
}

/// Aᵀ of F(2×2, 3×3).
enum AT23: TileLine {
    static var inCount: Int { 4 }
    static var outCount: Int { 2 }
    @inline(__always)
    static func map(_ x: UnsafePointer<TileLanes>, _ xs: Int, _ y: UnsafeMutablePointer<TileLanes>, _ ys: Int) {
        let x1 = x[xs], x2 = x[2 * xs]
        y[0] = x[0] + x1 + x2
        y[ys] = x1 - x2 + x[3 * xs]
    }
}

/// A of F(2×2, 3×3).
enum A23: TileLine {
    static var inCount: Int { 2 }
    static var outCount: Int { 4 }
    @inline(__always)
    static func map(_ x: UnsafePointer<TileLanes>, _ xs: Int, _ y: UnsafeMutablePointer<TileLanes>, _ ys: Int) {
        let x0 = x[0], x1 = x[xs]
        y[0] = x0
        y[ys] = x0 + x1
        y[2 * ys] = x0 - x1
        y[3 * ys] = x1
    }
}

/// Bᵀ for α = 8 (F(4×4, 5×5)).
enum BT8: TileLine {
    static var inCount: Int { 8 }
    static var outCount: Int { 8 }
    @inline(__always)
    static func map(_ x: UnsafePointer<TileLanes>, _ xs: Int, _ y: UnsafeMutablePointer<TileLanes>, _ ys: Int) {
        let x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs], x5 = x[5 * xs], x6 = x[6 * xs], x7 = x[7 * xs]
        let a = x2 + x6 - 4.25 * x4, b = x1 + x5 - 4.25 * x3
        let c = x2 - 5 * x4 + 4 * x6, d = 2 * x1 - 10 * x3 + 8 * x5
        let e = 8 * x2 - 10 * x4 + 2 * x6, f = 4 * x1 - 5 * x3 + x5
        y[0] = (x0 - x6) + 5.25 * (x4 - x2)
        y[ys] = -(a + b)
        y[2 * ys] = b - a
        y[3 * ys] = c + d
        y[4 * ys] = c - d
        y[5 * ys] = e + f
        y[6 * ys] = e - f
        y[7 * ys] = (x7 - x1) + 5.25 * (x3 - x5)
    }
}

/// B for α = 8.
enum B8: TileLine {
    static var inCount: Int { 8 }
    static var outCount: Int { 8 }
    @inline(__always)
    static func map(_ x: UnsafePointer<TileLanes>, _ xs: Int, _ y: UnsafeMutablePointer<TileLanes>, _ ys: Int) {
        let x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs], x5 = x[5 * xs], x6 = x[6 * xs], x7 = x[7 * xs]
        let s12 = x1 + x2, d12 = x2 - x1, s34 = x3 + x4, d34 = x3 - x4, s56 = x5 + x6, d56 = x5 - x6
        y[0] = x0
        y[ys] = d12 + 2 * d34 + 4 * d56 - x7
        y[2 * ys] = s34 - s12 + 8 * s56 - 5.25 * x0
        y[3 * ys] = 5.25 * x7 - 4.25 * d12 - 10 * d34 - 5 * d56
        y[4 * ys] = 5.25 * x0 + 4.25 * s12 - 5 * s34 - 10 * s56
        y[5 * ys] = d12 + 8 * d34 + d56 - 5.25 * x7
        y[6 * ys] = 4 * s34 + 2 * s56 - s12 - x0
        y[7 * ys] = x7
    }
}

/// Aᵀ of F(4×4, 5×5).
enum AT45: TileLine {
    static var inCount: Int { 8 }
    static var outCount: Int { 4 }
    @inline(__always)
    static func map(_ x: UnsafePointer<TileLanes>, _ xs: Int, _ y: UnsafeMutablePointer<TileLanes>, _ ys: Int) {
        let x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs], x4 = x[4 * xs], x5 = x[5 * xs], x6 = x[6 * xs]
        let s12 = x1 + x2, d12 = x1 - x2, s34 = x3 + x4, d34 = x3 - x4, s56 = x5 + x6, d56 = x5 - x6
        y[0] = x[0] + s12 + s34 + s56
        y[ys] = d12 + 2 * d34 + 0.5 * d56
        y[2 * ys] = s12 + 4 * s34 + 0.25 * s56
        y[3 * ys] = d12 + 8 * d34 + 0.125 * d56 + x[7 * xs]
    }
}

/// A of F(4×4, 5×5).
enum A45: TileLine {
    static var inCount: Int { 4 }
    static var outCount: Int { 8 }
    @inline(__always)
    static func map(_ x: UnsafePointer<TileLanes>, _ xs: Int, _ y: UnsafeMutablePointer<TileLanes>, _ ys: Int) {
        let x0 = x[0], x1 = x[xs], x2 = x[2 * xs], x3 = x[3 * xs]
        let e = x0 + x2, o = x1 + x3, e4 = x0 + 4 * x2, o8 = 2 * x1 + 8 * x3
        let eh = x0 + 0.25 * x2, oh = 0.5 * x1 + 0.125 * x3
        y[0] = x0
        y[ys] = e + o
        y[2 * ys] = e - o
        y[3 * ys] = e4 + o8
        y[4 * ys] = e4 - o8
        y[5 * ys] = eh + oh
        y[6 * ys] = eh - oh
        y[7 * ys] = x3
    }
}
