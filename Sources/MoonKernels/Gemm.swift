@preconcurrency import CBLAS

/// Row-major single-precision matrix multiply through BLAS:
/// `C[m×n] = alpha · op(A) · op(B) + beta · C`, where `op(X)` is `X` or its transpose.
/// `lda`, `ldb`, `ldc` are the row strides of the stored matrices.
@inlinable
public func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                  alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                  b: UnsafePointer<Float>, ldb: Int,
                  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    cblas_sgemm(CblasRowMajor,
                transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                beta, c, Int32(ldc))
}
