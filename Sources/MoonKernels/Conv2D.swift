@preconcurrency import CBLAS

// 2-D convolution, NCHW, through im2col + GEMM. Images are handed one at a time to `Threads.count`
// workers, each running single-threaded BLAS on a reused column buffer: GEMMs of one
// image's size are too small for BLAS's own threads to pay off. Each image is processed in
// bands of output rows so that the column buffer stays in the core's L2 cache.

/// Tuning knobs of the convolution kernels (process-wide; change only between calls).
public enum Conv2DTuning {
    /// Target size in bytes of one worker's column buffer: an image's column matrix is built
    /// in bands of output rows no larger than this (at least one row per band).
    nonisolated(unsafe) public static var columnBufferBytes = 2 * 1024 * 1024
    /// Columns a GEMM should have at least: where one image's output plane is smaller
    /// (ResNet's 7x7 and 4x4 stages), several images' column matrices go side by side into one
    /// GEMM (1 turns this off).
    nonisolated(unsafe) public static var gemmColumns = 256
    /// Whether 3x3 and 5x5 stride-1 convolutions take Winograd tiles (WinogradConv.swift).
    nonisolated(unsafe) public static var winograd = true
    /// Whether F(4×4, 3×3) tiles take the AVX2 tile steps (CMoonTiles) where the CPU has them;
    /// off, the portable Swift steps run (they give the same numbers, bit for bit).
    nonisolated(unsafe) public static var nativeTiles = true
    /// Fewest input and output channels for Winograd: below it the tile transforms cost more
    /// than the products they save.
    nonisolated(unsafe) public static var winogradMinChannels = 16
    /// Largest transformed weights (bytes) for which one worker takes a chunk through all its
    /// steps; above it a chunk's steps are split over all workers (WinogradConv.swift).
    nonisolated(unsafe) public static var winogradPipelineBytes = 4 * 1024 * 1024
    /// Target size in bytes of a one-worker chunk's data: the transformed weights and the chunk's
    /// transformed tiles together. Measured on ResNet-18's 64- and 128-channel layers and the
    /// study CNN's 32->64 layer (moonbench, interleaved rounds): 4 MB gives 3 images a chunk for
    /// the first two and 5 for the third, 5-10 % faster than 512 KB of tiles alone (1 or 4 images).
    nonisolated(unsafe) public static var winogradCacheBytes = 4 * 1024 * 1024
    /// Fewest tiles in a one-worker chunk, whatever the weights leave of winogradCacheBytes.
    nonisolated(unsafe) public static var winogradPipelineMinTiles = 32
    /// Target size in bytes of a shared chunk's transformed tiles (input and output planes):
    /// fewer chunks read the transformed weights fewer times. 32 MB cuts ResNet-18's 256-channel
    /// layer at batch 128 into 2 chunks, faster than 8 MB's 4 in two interleaved rounds
    /// (moonbench --chunk-kb=: 62.0 and 61.5 ms against 82.5 and 64.9).
    nonisolated(unsafe) public static var winogradChunkBytes = 32 * 1024 * 1024
    /// Fewest tiles in a shared chunk (the columns of its GEMMs), whatever the chunk's size.
    nonisolated(unsafe) public static var winogradMinTiles = 128
    /// Whether convolutions whose windows overhang the padding by much run as GEMMs over the taps
    /// inside the image only (TapClasses.swift).
    nonisolated(unsafe) public static var tapClasses = true
    /// Largest share of im2col's products inside the image for which tap classes are taken.
    /// ResNet-18's stride-2 3x3 layer on 7x7 maps (0.69) takes them: forward and backward 13-26 %
    /// faster in three interleaved moonbench rounds. Its 14x14 one (0.91) was no faster (3 %
    /// faster to 13 % slower in six rounds), so it keeps im2col, as does the 28x28 one (0.95).
    nonisolated(unsafe) public static var tapClassesBelow = 0.8
    /// Target size in bytes of a tap-class chunk's largest class (its patches and output).
    nonisolated(unsafe) public static var tapClassChunkBytes = 16 * 1024 * 1024
    /// Whether a training step keeps a Winograd layer's transformed weights from the forward to
    /// the backward pass (one weight transform fewer a step, for their memory until the backward
    /// pass: about 150 MB for ResNet-18).
    nonisolated(unsafe) public static var keepTransformedWeights = true
}

/// Runs of consecutive images the backward pass cuts a batch into (fewer for a smaller
/// batch). Fixed, not the thread count, so weight gradients are summed in the same order
/// however many threads run; more runs than threads lets a core slowed by other work take
/// fewer of them.
let backwardGroups = 8

extension PatchGrid {
    /// The windows of output rows `first ..< first + count` only.
    func band(_ first: Int, _ count: Int) -> PatchGrid {
        var g = self
        g.offsetTop -= first * strideH
        g.outHeight = count
        return g
    }
}

extension Conv2DGeometry {
    /// Output rows per band so that a band's column matrix fits `Conv2DTuning.columnBufferBytes`.
    var bandRows: Int {
        min(outHeight, max(1, Conv2DTuning.columnBufferBytes / (4 * patchSize * outWidth)))
    }

    /// Images whose column matrices share one GEMM (1: an image at a time). Only where an
    /// image's whole column matrix is one band and has fewer than `Conv2DTuning.gemmColumns`
    /// columns; as many images as reach that, within four times the column buffer's size. Depends
    /// on the geometry alone (not the thread count), so results repeat bit for bit.
    var imagesPerGemm: Int {
        guard !isPointwise, bandRows == outHeight, outPlane < Conv2DTuning.gemmColumns else { return 1 }
        let byBuffer = 4 * Conv2DTuning.columnBufferBytes / (4 * patchSize * outPlane)
        return max(1, min(Conv2DTuning.gemmColumns / outPlane, byBuffer, batch))
    }

    /// `count` images cut into runs of at most `imagesPerGemm`, of sizes as equal as may be
    /// (a short last GEMM wastes most of what the grouping gains): the start of each run.
    func gemmRuns(_ first: Int, _ count: Int) -> [Int] {
        let most = imagesPerGemm, runs = (count + most - 1) / most
        return (0..<runs).map { first + $0 * count / runs } + [first + count]
    }
}

/// How `conv2dBackward` computes the input gradient.
public enum Conv2DInputGradientMethod: Sendable {
    /// Pick the fastest known method for the geometry (Winograd tiles where they apply).
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
///   - relu: clamp the output at zero as it is written (a layer's relu, without a pass of its own).
///   - transformedWeights: where a Winograd convolution leaves its transformed weights
///     (`g.transformedWeightCount` floats) for `conv2dBackward`; nil to keep none. Ignored where
///     the convolution takes im2col.
public func conv2dForward(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                          bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, relu: Bool = false,
                          transformedWeights: UnsafeMutablePointer<Float>? = nil) {
    if let t = g.winograd {
        winogradForward(g, t, input: input, weight: weight, bias: bias, output: output, relu: relu, keep: transformedWeights)
        return
    }
    if let tc = g.tapClasses {
        tapClassForward(tc, input: input, weight: weight, bias: bias, output: output, relu: relu)
        return
    }
    let F = g.outChannels, K = g.patchSize, P = g.outPlane, ow = g.outWidth
    let grid = g.patches, pointwise = g.isPointwise, band = g.bandRows
    let G = g.imagesPerGemm
    if G > 1 {
        // Small planes: G images' columns side by side, one GEMM {F, G·P}, then each image's
        // rows copied to its place with the bias added.
        let runs = g.gemmRuns(0, g.batch)
        parallelItems(runs.count - 1, workers: Threads.count) { _, run in
            let n0 = runs[run], count = runs[run + 1] - n0, cols = count * P
            Scratch.withBuffer(K * cols + F * cols) { col in
                let y = col + K * cols
                for i in 0..<count { im2col(grid, src: input + (n0 + i) * g.inputImageSize, col: col + i * P, ldcol: cols) }
                sgemm(transA: false, transB: false, m: F, n: cols, k: K, a: weight, lda: K,
                      b: col, ldb: cols, c: y, ldc: cols)
                for i in 0..<count {
                    let out = output + (n0 + i) * F * P
                    for f in 0..<F {
                        let src = y + f * cols + i * P, dst = out + f * P
                        if bias == nil && !relu { dst.update(from: src, count: P); continue }
                        let b = bias?[f] ?? 0
                        for p in 0..<P { dst[p] = clamped(src[p] + b, relu) }
                    }
                }
            }
        }
        return
    }
    parallelItems(g.batch, workers: Threads.count) { _, n in
        Scratch.withBuffer(pointwise ? 0 : K * band * ow) { col in
            let out = output + n * F * P
            if let bias {
                for f in 0..<F { (out + f * P).update(repeating: bias[f], count: P) }
            }
            let beta: Float = bias == nil ? 0 : 1
            let x = input + n * g.inputImageSize
            if pointwise {
                sgemm(transA: false, transB: false, m: F, n: P, k: K, a: weight, lda: K,
                      b: x, ldb: P, beta: beta, c: out, ldc: P)
                if relu { clampAtZero(out, rows: F, cols: P, ld: P) }
                return
            }
            for y0 in stride(from: 0, to: g.outHeight, by: band) {
                let rows = min(band, g.outHeight - y0), cols = rows * ow
                im2col(grid.band(y0, rows), src: x, col: col, ldcol: cols)
                sgemm(transA: false, transB: false, m: F, n: cols, k: K, a: weight, lda: K,
                      b: col, ldb: cols, beta: beta, c: out + y0 * ow, ldc: P)
                if relu { clampAtZero(out + y0 * ow, rows: F, cols: cols, ld: P) }   // while the band is in cache
            }
        }
    }
}

/// `v`, or relu(v) when `relu` (0 for NaN, as `Tensor.relu`): a convolution's output as written.
@inline(__always) func clamped(_ v: Float, _ relu: Bool) -> Float { relu ? (v > 0 ? v : 0) : v }

/// `sums[f] += Σ_p maps[f·positions + p]` for each of `channels` maps of one image (a bias
/// gradient), as one matrix-vector product with `ones` (`positions` ones).
func addChannelSums(_ maps: UnsafePointer<Float>, channels: Int, positions: Int, ones: UnsafePointer<Float>,
                    into sums: UnsafeMutablePointer<Float>) {
    cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(channels), Int32(positions), 1, maps, Int32(positions), ones, 1, 1, sums, 1)
}

/// The bias gradient, `gradBias[f] = Σ_{n,p} gradOutput[n, f, p]`, summed image by image with
/// `addChannelSums` on the calling thread (one order for any thread count).
func biasGradient(_ g: Conv2DGeometry, gradOutput: UnsafePointer<Float>, into gradBias: UnsafeMutablePointer<Float>) {
    let F = g.outChannels, P = g.outPlane
    Scratch.withBuffer(P) { ones in
        ones.update(repeating: 1, count: P)
        gradBias.update(repeating: 0, count: F)
        for n in 0..<g.batch {
            addChannelSums(gradOutput + n * F * P, channels: F, positions: P, ones: ones, into: gradBias)
        }
    }
}

/// relu over a `rows` × `cols` block of a matrix with leading dimension `ld`.
private func clampAtZero(_ p: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ld: Int) {
    for r in 0..<rows { let row = p + r * ld; for c in 0..<cols { row[c] = clamped(row[c], true) } }
}

/// Backward 2-D convolution: from `gradOutput` (`{batch, outChannels, outHeight, outWidth}`)
/// computes whichever of the three gradients are asked for (pass nil to skip one):
/// - `gradInput` `{batch, inChannels, inHeight, inWidth}` = ∂L/∂input,
/// - `gradWeight` `{outChannels, inChannels, kernelHeight, kernelWidth}` = ∂L/∂weight, summed over the batch,
/// - `gradBias` `{outChannels}` = ∂L/∂bias, summed over the batch and positions.
///
/// Every requested output is overwritten (not accumulated into). `input` is read only for
/// `gradWeight` and `weight` only for `gradInput`. The batch is cut into at most
/// `backwardGroups` fixed runs of consecutive images; workers take runs as they become free,
/// each run accumulates its own partial `gradWeight`/`gradBias` in image order, and the
/// partials are added in run order at the end. So the result is the same bit for bit from
/// run to run and for any thread count (a same-seed training run repeats exactly).
///
/// `transformedWeights`: the transformed weights `conv2dForward` kept for these weights (a
/// Winograd convolution then skips transforming them again); nil to transform them here.
public func conv2dBackward(_ g: Conv2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           gradOutput: UnsafePointer<Float>,
                           gradInput: UnsafeMutablePointer<Float>?,
                           gradWeight: UnsafeMutablePointer<Float>?,
                           gradBias: UnsafeMutablePointer<Float>?,
                           inputGradientMethod: Conv2DInputGradientMethod = .automatic,
                           transformedWeights: UnsafePointer<Float>? = nil) {
    let F = g.outChannels, C = g.inChannels, K = g.patchSize, P = g.outPlane, ow = g.outWidth
    let kh = g.kernelHeight, kw = g.kernelWidth, kk = kh * kw
    let grid = g.patches, pointwise = g.isPointwise, band = g.bandRows
    if g.batch == 0 {
        gradWeight?.update(repeating: 0, count: g.weightSize)
        gradBias?.update(repeating: 0, count: F)
        return
    }
    if inputGradientMethod == .automatic, let t = g.winograd {
        winogradBackward(g, t, input: input, weight: weight, gradOutput: gradOutput, gradInput: gradInput,
                         gradWeight: gradWeight, gradBias: gradBias, kept: transformedWeights)
        return
    }
    if inputGradientMethod == .automatic, let tc = g.tapClasses {
        if let gradBias { biasGradient(g, gradOutput: gradOutput, into: gradBias) }
        tapClassBackward(tc, input: input, weight: weight, gradOutput: gradOutput, gradInput: gradInput, gradWeight: gradWeight)
        return
    }
    let stride1 = g.strideH == 1 && g.strideW == 1
    let useTransposed: Bool
    switch inputGradientMethod {
    case .col2im, .automatic: useTransposed = false   // measured: col2im wins on the study's layers
    case .transposedConvolution: useTransposed = !pointwise && stride1
    }
    // dY seen as the input of a stride-1 convolution whose output is dX.
    let dyGrid = PatchGrid(channels: F, height: g.outHeight, width: g.outWidth,
                           kernelHeight: kh, kernelWidth: kw, strideH: 1, strideW: 1,
                           dilationH: g.dilationH, dilationW: g.dilationW,
                           offsetTop: (kh - 1) * g.dilationH - g.padTop,
                           offsetLeft: (kw - 1) * g.dilationW - g.padLeft,
                           outHeight: g.inHeight, outWidth: g.inWidth)
    let HW = g.inHeight * g.inWidth
    let groups = min(backwardGroups, g.batch)
    let needX = gradInput != nil, needW = gradWeight != nil, needB = gradBias != nil
    let partialSize = (needW ? F * K : 0) + (needB ? F : 0)
    let colSize = pointwise ? 0 : max(needW || needX ? K * band * ow : 0, needX && useTransposed ? F * kk * HW : 0)
    let flippedSize = useTransposed && needX ? C * F * kk : 0

    Scratch.withBuffer(groups * partialSize + flippedSize + (needB ? P : 0)) { shared in
        let partials = shared
        let flipped = shared + groups * partialSize
        let ones = flipped + flippedSize
        if needB { ones.update(repeating: 1, count: P) }
        if flippedSize > 0 {   // flipped[c, f, i', j'] = weight[f, c, kh-1-i', kw-1-j']
            for f in 0..<F { for c in 0..<C { for i in 0..<kh { for j in 0..<kw {
                flipped[((c * F + f) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)] = weight[((f * C + c) * kh + i) * kw + j]
            } } } }
        }
        partials.update(repeating: 0, count: groups * partialSize)
        let G = useTransposed ? 1 : g.imagesPerGemm
        parallelItems(groups, workers: Threads.count) { _, group in
            // dW is accumulated transposed, {K, F}: that GEMM shape runs about 6 % faster.
            let dWt = partials + group * partialSize
            let dB = dWt + (needW ? F * K : 0)
            let first = group * g.batch / groups, end = (group + 1) * g.batch / groups
            if G > 1 {
                // Small planes: G images of the run at a time, their dY rows gathered side by
                // side ({F, G·P}) so each GEMM has G·P columns.
                Scratch.withBuffer(K * G * P + F * G * P) { col in
                    let dYg = col + K * G * P
                    let runs = g.gemmRuns(first, end - first)
                    for r in 0..<(runs.count - 1) {
                        let n0 = runs[r], count = runs[r + 1] - n0, cols = count * P
                        for i in 0..<count {
                            let dY = gradOutput + (n0 + i) * F * P
                            if needB {
                                addChannelSums(dY, channels: F, positions: P, ones: ones, into: dB)
                            }
                            for f in 0..<F { (dYg + f * cols + i * P).update(from: dY + f * P, count: P) }
                        }
                        if needW {
                            for i in 0..<count { im2col(grid, src: input + (n0 + i) * g.inputImageSize, col: col + i * P, ldcol: cols) }
                            sgemm(transA: false, transB: true, m: K, n: F, k: cols, a: col, lda: cols,
                                  b: dYg, ldb: cols, beta: 1, c: dWt, ldc: F)
                        }
                        if let gradInput {
                            sgemm(transA: true, transB: false, m: K, n: cols, k: F, a: weight, lda: K,
                                  b: dYg, ldb: cols, c: col, ldc: cols)
                            for i in 0..<count {
                                let dX = gradInput + (n0 + i) * g.inputImageSize
                                dX.update(repeating: 0, count: g.inputImageSize)
                                col2imClobbering(grid, col: col + i * P, ldcol: cols, dst: dX)
                            }
                        }
                    }
                }
                return
            }
            Scratch.withBuffer(colSize) { col in
                for n in first..<end {
                    let dY = gradOutput + n * F * P
                    let x = input + n * g.inputImageSize
                    let dX = gradInput.map { $0 + n * g.inputImageSize }
                    if needB {
                        addChannelSums(dY, channels: F, positions: P, ones: ones, into: dB)
                    }
                    if pointwise {
                        if needW {
                            sgemm(transA: false, transB: true, m: K, n: F, k: P, a: x, lda: P,
                                  b: dY, ldb: P, beta: 1, c: dWt, ldc: F)
                        }
                        if let dX {
                            sgemm(transA: true, transB: false, m: C, n: P, k: F, a: weight, lda: K,
                                  b: dY, ldb: P, c: dX, ldc: P)
                        }
                        continue
                    }
                    if let dX, useTransposed {
                        im2col(dyGrid, src: dY, col: col, ldcol: HW)
                        sgemm(transA: false, transB: false, m: C, n: HW, k: F * kk, a: flipped, lda: F * kk,
                              b: col, ldb: HW, c: dX, ldc: HW)
                    } else if let dX {
                        dX.update(repeating: 0, count: g.inputImageSize)
                    }
                    for y0 in stride(from: 0, to: g.outHeight, by: band) {
                        let rows = min(band, g.outHeight - y0), cols = rows * ow
                        let sub = grid.band(y0, rows)
                        if needW {
                            im2col(sub, src: x, col: col, ldcol: cols)
                            sgemm(transA: false, transB: true, m: K, n: F, k: cols, a: col, lda: cols,
                                  b: dY + y0 * ow, ldb: P, beta: 1, c: dWt, ldc: F)
                        }
                        if let dX, !useTransposed {
                            sgemm(transA: true, transB: false, m: K, n: cols, k: F, a: weight, lda: K,
                                  b: dY + y0 * ow, ldb: P, c: col, ldc: cols)
                            col2imClobbering(sub, col: col, ldcol: cols, dst: dX)
                        }
                    }
                }
            }
        }
        // Add the runs' partial sums of dW and dB, in run order.
        if let gradWeight {
            for c in 1..<groups { addBlock(partials + c * partialSize, into: partials, count: F * K) }
            for k in 0..<K { for f in 0..<F { gradWeight[f * K + k] = partials[k * F + f] } }
        }
        if let gradBias {
            let off = needW ? F * K : 0
            gradBias.update(from: partials + off, count: F)
            for c in 1..<groups { addBlock(partials + c * partialSize + off, into: gradBias, count: F) }
        }
    }
}
