/// The dense layer's forward pass, `out[m×n] = act(x[m×k] · w[k×n] + bias)`, with act the
/// identity or relu: each block of the split product (`forEachGemmBlock`) is filled with the
/// bias, multiplied onto it (beta = 1) and passed through the relu on the core that computed it,
/// while it is in cache. The bias fill was a serial pass before the product and the relu a
/// parallel pass after it. The bits are those of that three-pass form: the same blocks, the
/// products added onto the bias, `v > 0 ? v : 0` after.
public func denseForward(x: UnsafePointer<Float>, weight w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                         relu: Bool, out: UnsafeMutablePointer<Float>, m: Int, k: Int, n: Int) {
    forEachGemmBlock(m: m, n: n, k: k) { rows, cols in
        let c = out + rows.lowerBound * n + cols.lowerBound, width = cols.count
        for r in 0..<rows.count {
            if let bias { (c + r * n).update(from: bias + cols.lowerBound, count: width) }
            else if k == 0 { (c + r * n).update(repeating: 0, count: width) }
        }
        if k > 0 {
            sgemmSingle(transA: false, transB: false, m: rows.count, n: width, k: k, alpha: 1,
                        a: x + rows.lowerBound * k, lda: k, b: w + cols.lowerBound, ldb: n,
                        beta: bias == nil ? 0 : 1, c: c, ldc: n)
        }
        if relu {
            for r in 0..<rows.count {
                let row = c + r * n
                for j in 0..<width { let v = row[j]; row[j] = v > 0 ? v : 0 }
            }
        }
    }
}
