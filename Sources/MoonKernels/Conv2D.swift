@preconcurrency import CBLAS

// 2-D convolution, NCHW, through im2col + GEMM. The batch is split over `Threads.count`
// workers, each running single-threaded BLAS on its own reused column buffer: GEMMs of one
// image's size are too small for BLAS's own threads to pay off.

/// How `conv2dBackward` computes the input gradient.
public enum Conv2DInputGradientMethod: Sendable {
    /// Pick the fastest known method for the geometry.
    case automatic
    /// `cols = Wᵀ · dY`, then scatter-add the columns onto the image (col2im). Any geometry.
    case col2im
    /// Stride 1 only: the input gradient is a stride-1 convolution of `dY` with the flipped,
    /// transposed weights (a gather instead of a scatter). Falls back to `col2im` otherwise.
    case transposedConvolution
}

/// Forward 2-D convolution (cross-correlation, as in every deep-learning library):
/// `output[n,f,y,x] = bias[f] + Σ_{c,i,j} weight[f,c,i,j] · input[n,c,y·sh−pt+i·dh, x·sw−pl+j·dw]`.
///
/// - Parameters:
///   - g: validated geometry (`Conv2DGeometry`).
///   - input: `{batch, inChannels, inHeight, inWidth}`, contiguous.
///   - weight: `{outChannels, inChannels, kernelHeight, kernelWidth}`, contiguous.
///   - bias: `{outChannels}`, or nil for none.
///   - output: `{batch, outChannels, outHeight, outWidth}`; overwritten.
public func conv2dForward(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                          bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
    let F = g.outChannels, K = g.patchSize, P = g.outPlane
    let grid = g.patches, pointwise = g.isPointwise
    parallelChunks(g.batch, workers: Threads.count) { _, images in
        Scratch.withBuffer(pointwise ? 0 : K * P) { col in
            for n in images {
                let out = output + n * F * P
                if let bias {
                    for f in 0..<F { (out + f * P).update(repeating: bias[f], count: P) }
                }
                let x = input + n * g.inputImageSize
                if !pointwise { im2col(grid, src: x, col: col, ldcol: P) }
                sgemm(transA: false, transB: false, m: F, n: P, k: K, a: weight, lda: K,
                      b: pointwise ? x : UnsafePointer(col), ldb: P, beta: bias == nil ? 0 : 1, c: out, ldc: P)
            }
        }
    }
}

/// Backward 2-D convolution: from `gradOutput` (`{batch, outChannels, outHeight, outWidth}`)
/// computes whichever of the three gradients are asked for (pass nil to skip one):
/// - `gradInput` `{batch, inChannels, inHeight, inWidth}` = ∂L/∂input,
/// - `gradWeight` `{outChannels, inChannels, kernelHeight, kernelWidth}` = ∂L/∂weight, summed over the batch,
/// - `gradBias` `{outChannels}` = ∂L/∂bias, summed over the batch and positions.
///
/// Every requested output is overwritten (not accumulated into). `input` is read only for
/// `gradWeight` and `weight` only for `gradInput`.
public func conv2dBackward(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           gradOutput: UnsafePointer<Float>,
                           gradInput: UnsafeMutablePointer<Float>?,
                           gradWeight: UnsafeMutablePointer<Float>?,
                           gradBias: UnsafeMutablePointer<Float>?,
                           inputGradientMethod: Conv2DInputGradientMethod = .automatic) {
    let F = g.outChannels, C = g.inChannels, K = g.patchSize, P = g.outPlane
    let kh = g.kernelHeight, kw = g.kernelWidth, kk = kh * kw
    let grid = g.patches, pointwise = g.isPointwise
    if g.batch == 0 {
        gradWeight?.update(repeating: 0, count: g.weightSize)
        gradBias?.update(repeating: 0, count: F)
        return
    }
    let useTransposed: Bool
    switch inputGradientMethod {
    case .col2im: useTransposed = false
    case .automatic: useTransposed = !pointwise && g.strideH == 1 && g.strideW == 1
    case .transposedConvolution: useTransposed = !pointwise && g.strideH == 1 && g.strideW == 1
    }
    // dY seen as the input of a stride-1 convolution whose output is dX.
    let dyGrid = PatchGrid(channels: F, height: g.outHeight, width: g.outWidth,
                           kernelHeight: kh, kernelWidth: kw, strideH: 1, strideW: 1,
                           dilationH: g.dilationH, dilationW: g.dilationW,
                           offsetTop: (kh - 1) * g.dilationH - g.padTop,
                           offsetLeft: (kw - 1) * g.dilationW - g.padLeft,
                           outHeight: g.inHeight, outWidth: g.inWidth)
    let HW = g.inHeight * g.inWidth
    let workers = min(Threads.count, g.batch)
    let partialSize = (gradWeight != nil ? F * K : 0) + (gradBias != nil ? F : 0)
    let needX = gradInput != nil, needW = gradWeight != nil, needB = gradBias != nil
    let colSize = max(needW && !pointwise ? K * P : 0,
                      needX && !pointwise ? (useTransposed ? F * kk * HW : K * P) : 0)
    let flippedSize = useTransposed && needX ? C * F * kk : 0

    Scratch.withBuffer(workers * partialSize + flippedSize + (needB ? P : 0)) { shared in
        let partials = shared
        let flipped = shared + workers * partialSize
        let ones = flipped + flippedSize
        if needB { ones.update(repeating: 1, count: P) }
        if flippedSize > 0 {   // flipped[c, f, i', j'] = weight[f, c, kh-1-i', kw-1-j']
            for f in 0..<F { for c in 0..<C { for i in 0..<kh { for j in 0..<kw {
                flipped[((c * F + f) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)] = weight[((f * C + c) * kh + i) * kw + j]
            } } } }
        }
        let used = parallelChunks(g.batch, workers: workers) { chunk, images in
            let dW = partials + chunk * partialSize
            let dB = dW + (needW ? F * K : 0)
            Scratch.withBuffer(colSize) { col in
                for n in images {
                    let first = n == images.lowerBound
                    let dY = gradOutput + n * F * P
                    let x = input + n * g.inputImageSize
                    if needW {
                        if !pointwise { im2col(grid, src: x, col: col, ldcol: P) }
                        sgemm(transA: false, transB: true, m: F, n: K, k: P, a: dY, lda: P,
                              b: pointwise ? x : UnsafePointer(col), ldb: P, beta: first ? 0 : 1, c: dW, ldc: K)
                    }
                    if needB {
                        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(F), Int32(P), 1, dY, Int32(P),
                                    ones, 1, first ? 0 : 1, dB, 1)
                    }
                    if let gradInput {
                        let dX = gradInput + n * g.inputImageSize
                        if pointwise {
                            sgemm(transA: true, transB: false, m: C, n: P, k: F, a: weight, lda: K,
                                  b: dY, ldb: P, c: dX, ldc: P)
                        } else if useTransposed {
                            im2col(dyGrid, src: dY, col: col, ldcol: HW)
                            sgemm(transA: false, transB: false, m: C, n: HW, k: F * kk, a: flipped, lda: F * kk,
                                  b: col, ldb: HW, c: dX, ldc: HW)
                        } else {
                            sgemm(transA: true, transB: false, m: K, n: P, k: F, a: weight, lda: K,
                                  b: dY, ldb: P, c: col, ldc: P)
                            dX.update(repeating: 0, count: g.inputImageSize)
                            col2im(grid, col: col, ldcol: P, dst: dX)
                        }
                    }
                }
            }
        }
        // Reduce the per-worker partial sums of dW and dB.
        if let gradWeight {
            gradWeight.update(from: partials, count: F * K)
            for c in 1..<max(used, 1) {
                let p = partials + c * partialSize
                for t in 0..<(F * K) { gradWeight[t] += p[t] }
            }
        }
        if let gradBias {
            let off = needW ? F * K : 0
            gradBias.update(from: partials + off, count: F)
            for c in 1..<max(used, 1) {
                let p = partials + c * partialSize + off
                for t in 0..<F { gradBias[t] += p[t] }
            }
        }
    }
}
