import Foundation

/// Eigenvalues and eigenvectors of a real symmetric matrix, in double precision:
/// Householder reduction to tridiagonal form, then the implicit QL algorithm (EISPACK's
/// tred2 and tql2, as in JAMA). About 10 n³ flops: a 784 x 784 covariance takes a second or
/// two. Written on the transposed eigenvector matrix so every inner loop runs over
/// contiguous memory.
public struct SymmetricEigen {
    /// The eigenvalues, in no particular order.
    public let values: [Double]
    /// Row-major `n x n`: row j is the unit eigenvector of `values[j]`.
    public let vectors: [Double]
    public let n: Int

    /// Decomposes the symmetric row-major `n x n` matrix `a` (only symmetry is assumed; the
    /// matrix is read whole). Throws when QL does not converge (NaN or infinite entries).
    public init(_ a: [Double], n: Int) throws {
        guard a.count == n * n else { throw AugError(in: "eigen", "\(a.count) values do not make a \(n) x \(n) matrix") }
        guard a.allSatisfy(\.isFinite) else { throw AugError(in: "eigen", "the matrix holds NaN or infinite values") }
        self.n = n
        var w = a  // W = Vᵀ; V starts as a (symmetric), so W does too.
        var d = [Double](repeating: 0, count: n), e = [Double](repeating: 0, count: n)
        if n > 0 {
            try w.withUnsafeMutableBufferPointer { wp in
                try d.withUnsafeMutableBufferPointer { dp in
                    try e.withUnsafeMutableBufferPointer { ep in
                        let W = wp.baseAddress!, D = dp.baseAddress!, E = ep.baseAddress!
                        SymmetricEigen.tridiagonalize(W, D, E, n)
                        try SymmetricEigen.diagonalize(W, D, E, n)
                    }
                }
            }
        }
        values = d
        vectors = w
    }

    /// tred2 on W = Vᵀ: V[r][c] is W[c * n + r]. Leaves the diagonal in d, the subdiagonal in
    /// e[1...], and the accumulated orthogonal transformation in W.
    static func tridiagonalize(_ W: UnsafeMutablePointer<Double>, _ d: UnsafeMutablePointer<Double>,
                               _ e: UnsafeMutablePointer<Double>, _ n: Int) {
        @inline(__always) func row(_ c: Int) -> UnsafeMutablePointer<Double> { W + c * n }  // column c of V
        for j in 0..<n { d[j] = row(j)[n - 1] }
        var i = n - 1
        while i > 0 {
            var scale = 0.0, h = 0.0
            for k in 0..<i { scale += abs(d[k]) }
            if scale == 0 {
                e[i] = d[i - 1]
                for j in 0..<i {
                    d[j] = row(j)[i - 1]
                    row(j)[i] = 0
                    row(i)[j] = 0
                }
            } else {
                for k in 0..<i {
                    d[k] /= scale
                    h += d[k] * d[k]
                }
                var f = d[i - 1]
                var g = h.squareRoot()
                if f > 0 { g = -g }
                e[i] = scale * g
                h -= f * g
                d[i - 1] = f - g
                for j in 0..<i { e[j] = 0 }
                for j in 0..<i {
                    f = d[j]
                    row(i)[j] = f            // V[j][i]
                    let vj = row(j)          // V[k][j] = vj[k]
                    g = e[j] + vj[j] * f
                    var k = j + 1
                    while k < i {
                        g += vj[k] * d[k]
                        e[k] += vj[k] * f
                        k += 1
                    }
                    e[j] = g
                }
                f = 0
                for j in 0..<i {
                    e[j] /= h
                    f += e[j] * d[j]
                }
                let hh = f / (h + h)
                for j in 0..<i { e[j] -= hh * d[j] }
                for j in 0..<i {
                    f = d[j]
                    g = e[j]
                    let vj = row(j)
                    for k in j..<i { vj[k] -= f * e[k] + g * d[k] }
                    d[j] = vj[i - 1]
                    vj[i] = 0
                }
            }
            d[i] = h
            i -= 1
        }
        // Accumulate the transformations.
        for i in 0..<(n - 1) {
            row(i)[n - 1] = row(i)[i]
            row(i)[i] = 1
            let h = d[i + 1]
            let next = row(i + 1)
            if h != 0 {
                for k in 0...i { d[k] = next[k] / h }
                for j in 0...i {
                    let vj = row(j)
                    var g = 0.0
                    for k in 0...i { g += next[k] * vj[k] }
                    for k in 0...i { vj[k] -= g * d[k] }
                }
            }
            for k in 0...i { next[k] = 0 }
        }
        for j in 0..<n {
            d[j] = row(j)[n - 1]
            row(j)[n - 1] = 0
        }
        row(n - 1)[n - 1] = 1
        e[0] = 0
    }

    /// tql2 on W = Vᵀ: the implicit QL iteration on the tridiagonal (d, e), rotating pairs of
    /// eigenvector rows of W.
    static func diagonalize(_ W: UnsafeMutablePointer<Double>, _ d: UnsafeMutablePointer<Double>,
                            _ e: UnsafeMutablePointer<Double>, _ n: Int) throws {
        for i in stride(from: 1, to: n, by: 1) { e[i - 1] = e[i] }
        e[n - 1] = 0
        var f = 0.0, tst1 = 0.0
        let eps = 0x1p-52
        for l in 0..<n {
            tst1 = max(tst1, abs(d[l]) + abs(e[l]))
            var m = l
            while m < n {
                if abs(e[m]) <= eps * tst1 { break }
                m += 1
            }
            if m > l {
                var iterations = 0
                repeat {
                    iterations += 1
                    if iterations > 200 {
                        throw AugError(in: "eigen", "the QL iteration did not converge for eigenvalue \(l + 1) of \(n)")
                    }
                    var g = d[l]
                    var p = (d[l + 1] - g) / (2 * e[l])
                    var r = hypot(p, 1)
                    if p < 0 { r = -r }
                    d[l] = e[l] / (p + r)
                    d[l + 1] = e[l] * (p + r)
                    let dl1 = d[l + 1]
                    var h = g - d[l]
                    var k = l + 2
                    while k < n { d[k] -= h; k += 1 }
                    f += h
                    p = d[m]
                    var c = 1.0, c2 = 1.0, c3 = 1.0
                    let el1 = e[l + 1]
                    var s = 0.0, s2 = 0.0
                    var i = m - 1
                    while i >= l {
                        c3 = c2
                        c2 = c
                        s2 = s
                        g = c * e[i]
                        h = c * p
                        r = hypot(p, e[i])
                        e[i + 1] = s * r
                        s = e[i] / r
                        c = p / r
                        p = c * d[i] - s * g
                        d[i + 1] = h + s * (c * g + s * d[i])
                        let vi = W + i * n, vi1 = W + (i + 1) * n
                        for k in 0..<n {
                            let t = vi1[k]
                            vi1[k] = s * vi[k] + c * t
                            vi[k] = c * vi[k] - s * t
                        }
                        i -= 1
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1
                    e[l] = s * p
                    d[l] = c * p
                } while abs(e[l]) > eps * tst1
            }
            d[l] += f
            e[l] = 0
        }
    }
}
