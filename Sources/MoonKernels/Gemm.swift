@preconcurrency import CBLAS

/// Row-major single-precision matrix multiply through BLAS:
/// `C[m×n] = alpha · op(A) · op(B) + beta · C`, where `op(X)` is `X` or its transpose.
/// `lda`, `ldb`, `ldc` are the row strides of the stored matrices.
///
/// OpenBLAS runs single-threaded (see `Threads`); a product large enough to pay for it is
/// split here into blocks of rows of `op(A)` or columns of `op(B)` (whichever dim is larger),
/// each a single-threaded `cblas_sgemm` on one of `Threads.count` workers. Inside a worker
/// of another parallel kernel the product stays on the calling thread.
@inlinable
public func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                  alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                  b: UnsafePointer<Float>, ldb: Int,
                  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    forEachGemmBlock(m: m, n: n, k: k) { rows, cols in
        sgemmSingle(transA: transA, transB: transB, m: rows.count, n: cols.count, k: k, alpha: alpha,
                    a: a + rows.lowerBound * (transA ? 1 : lda), lda: lda,
                    b: b + cols.lowerBound * (transB ? ldb : 1), ldb: ldb, beta: beta,
                    c: c + rows.lowerBound * ldc + cols.lowerBound, ldc: ldc)
    }
}

/// When `sgemm` splits a product across threads.
public enum GemmTuning {
    /// Multiply-adds (m·n·k) from which a product is split (about 2 MFLOP: below it the
    /// dispatch costs more than the second core gains).
    nonisolated(unsafe) public static var splitMinimum = 1 << 20
    /// Blocks are multiples of this many rows or columns (a register tile).
    public static let blockAlignment = 16
}

/// One single-threaded `cblas_sgemm`.
@inlinable
func sgemmSingle(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                 alpha: Float, a: UnsafePointer<Float>, lda: Int,
                 b: UnsafePointer<Float>, ldb: Int,
                 beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    cblas_sgemm(CblasRowMajor,
                transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                beta, c, Int32(ldc))
}

/// Runs `block(rows, cols)` over the blocks of an m×n product as `sgemm` splits it: blocks of
/// rows of `op(A)` or columns of `op(B)` (whichever dim is larger) handed to the workers as they
/// become free; twice as many blocks as workers when the split dim is long enough, so a core
/// slowed by other load just takes fewer. A product too small to pay for the dispatch (or one
/// inside a worker) is one block on the calling thread. A block that does more than its product
/// (a bias before it, an activation after: `denseForward`) does it while the block is in cache,
/// on the core that made it.
@inlinable
public func forEachGemmBlock(m: Int, n: Int, k: Int,
                             _ block: (_ rows: Range<Int>, _ cols: Range<Int>) -> Void) {
    if m == 0 || n == 0 { return }
    _ = Threads.blasConfigured
    guard Threads.count > 1 && m * n * k >= GemmTuning.splitMinimum
            && max(m, n) >= 2 * GemmTuning.blockAlignment && !Threads.isWorker else { block(0..<m, 0..<n); return }
    let workers = Threads.count, align = GemmTuning.blockAlignment
    let byColumns = n >= m
    let length = byColumns ? n : m
    // One block a worker for products up to a few hundred rows (each block repacks the shared
    // operand, so more blocks cost more than they balance); twice as many for long ones.
    let pieces = length >= 4 * workers * 32 * align ? 2 * workers : workers
    let per = ((length + pieces - 1) / pieces + align - 1) / align * align
    let blocks = (length + per - 1) / per
    parallelItems(blocks, workers: workers) { _, blk in
        let part = blk * per..<min(length, blk * per + per)
        if byColumns { block(0..<m, part) } else { block(part, 0..<n) }
    }
}
