// Convolutions whose windows overhang the padding by much (ResNet's stride-2 3x3 layers: on a 7x7
// map to 4x4, 31 % of im2col's products multiply padding; on 14x14 to 7x7, 9 %) run as GEMMs
// over the taps that fall inside the image only.
//
// Output rows that see the same kernel rows inside the image form a row span, output columns
// likewise a column span; a row span and a column span make a class (ResNet's 4x4 output: the
// interior, four edges and four corners). Each class is one gather of patches and one GEMM over
// the whole chunk of images, its patches holding only its own taps. The weights are reordered {F, kh, kw, C}, so the taps
// of one kernel row (a range of columns) are one block of each filter's row, and a class
// multiplies one block per kernel row, or one for all its rows where it keeps every column:
//     forward   Y[class] = Σ_i W'[:, i, cols, :] · X[class, i]
//     backward  dW'[:, i, cols, :] += dY[class] · X[class, i]ᵀ;  dX[class, i] = W'[:, i, cols, :]ᵀ · dY[class]
// Every number is computed by the same GEMMs in the same order for any thread count (each GEMM
// may be split over workers by rows or columns, never along its sums), so results repeat bit for
// bit.

/// Output positions along one axis that see the same kernel taps inside the image.
struct TapSpan: Equatable {
    /// The kernel taps (rows or columns) that fall inside the image (empty: all in the padding).
    let taps: Range<Int>
    /// The output rows or columns that see exactly those taps.
    let positions: [Int]

    /// The spans of one axis: output `o` reads input `o·stride − pad + k·dilation` for tap `k`.
    static func spans(outputs: Int, kernel: Int, stride: Int, pad: Int, dilation: Int, size: Int) -> [TapSpan] {
        var spans: [(taps: Range<Int>, positions: [Int])] = []
        for o in 0..<outputs {
            let inside = (0..<kernel).filter { k in (0..<size).contains(o * stride - pad + k * dilation) }
            let taps = inside.isEmpty ? 0..<0 : inside.first!..<(inside.last! + 1)
            if let s = spans.firstIndex(where: { $0.taps == taps }) { spans[s].positions.append(o) }
            else { spans.append((taps, [o])) }
        }
        return spans.map { TapSpan(taps: $0.taps, positions: $0.positions) }
    }
}

/// A convolution's output positions grouped by the taps they see inside the image.
struct TapClasses {
    let g: Conv2DGeometry
    let rows: [TapSpan], cols: [TapSpan]
    /// The share of im2col's products that multiply image pixels, not padding.
    let insideFraction: Double
    /// Floats of one image's largest class: its patches and its output (the buffers a chunk
    /// needs per image).
    let perImage: Int

    /// The classes of `g`, or nil where at least `inside` of im2col's products fall inside the
    /// image or one image's largest class (its patches and output) outgrows `chunkBytes` (a map
    /// far larger than any the split pays on). Decided from the spans before any class is built.
    init?(_ g: Conv2DGeometry, insideBelow inside: Double, chunkBytes: Int) {
        self.g = g
        let rows = TapSpan.spans(outputs: g.outHeight, kernel: g.kernelHeight, stride: g.strideH, pad: g.padTop,
                                 dilation: g.dilationH, size: g.inHeight)
        let cols = TapSpan.spans(outputs: g.outWidth, kernel: g.kernelWidth, stride: g.strideW, pad: g.padLeft,
                                 dilation: g.dilationW, size: g.inWidth)
        let pairs = rows.flatMap { r in cols.map { (r, $0) } }
        let products = pairs.reduce(0) { $0 + $1.0.positions.count * $1.1.positions.count * $1.0.taps.count * $1.1.taps.count }
        perImage = pairs.map { r, c in
            r.positions.count * c.positions.count * (r.taps.count * c.taps.count * g.inChannels + g.outChannels)
        }.max() ?? 0
        insideFraction = Double(products) / Double(g.outPlane * g.kernelHeight * g.kernelWidth)
        guard insideFraction <= inside, 4 * perImage <= chunkBytes else { return nil }
        self.rows = rows; self.cols = cols
        classes = pairs.map { Class(g, rows: $0, cols: $1) }
    }

    /// One class: a row span and a column span.
    struct Class {
        let rows: TapSpan, cols: TapSpan
        /// Where each of the class's positions lies in an output plane, rows then columns.
        let outputOffsets: [Int]
        /// For each tap (kernel row, then column, `taps` of them): where each position reads in
        /// an input plane.
        let inputOffsets: [[Int]]
        var positions: Int { outputOffsets.count }
        var taps: Int { inputOffsets.count }

        init(_ g: Conv2DGeometry, rows: TapSpan, cols: TapSpan) {
            self.rows = rows; self.cols = cols
            outputOffsets = rows.positions.flatMap { y in cols.positions.map { y * g.outWidth + $0 } }
            inputOffsets = rows.taps.flatMap { i in cols.taps.map { j in
                rows.positions.flatMap { y in cols.positions.map { x in
                    (y * g.strideH - g.padTop + i * g.dilationH) * g.inWidth + x * g.strideW - g.padLeft + j * g.dilationW
                } }
            } }
        }
    }

    let classes: [Class]

    /// Images in the largest chunk: its largest class (patches and output) within
    /// `Conv2DTuning.tapClassChunkBytes`.
    var chunkImages: Int { max(1, min(g.batch, Conv2DTuning.tapClassChunkBytes / (4 * max(perImage, 1)))) }

    /// First image of each chunk, then the batch: chunks of at most `chunkImages` images.
    var chunks: [Int] {
        let count = (g.batch + chunkImages - 1) / chunkImages
        return (0...count).map { $0 * g.batch / count }
    }

    /// The GEMM blocks of a class: each a block of the reordered weights' rows (its first column
    /// `weight`, `k` wide) and the matching columns of the class's patches (from `patch`).
    func blocks(_ c: Class) -> [(weight: Int, patch: Int, k: Int)] {
        let C = g.inChannels, kw = g.kernelWidth, nj = c.cols.taps.count
        if nj == kw { return [(c.rows.taps.lowerBound * kw * C, 0, c.rows.taps.count * kw * C)] }
        return c.rows.taps.enumerated().map { r, i in ((i * kw + c.cols.taps.lowerBound) * C, r * nj * C, nj * C) }
    }

    /// Calls `body(patch, pixel)` for each tap of each position of a class in images
    /// `n0 ..< n0 + count`, image by image on the workers: `patch`, where the tap's run of
    /// `inChannels` values starts in the class's patches, and `pixel`, where the tap reads channel 0
    /// in the {N, C, H, W} input (channel `c` `c·H·W` further).
    ///
    /// The patches have a row of `taps·C` a position (image by image, `Class.outputOffsets`'
    /// order within an image), tap `t` of channel `c` at `t·C + c`. Image by image, so each
    /// image's maps are read while in cache and each row is written whole.
    @inline(__always)
    private func forEachTap(_ c: Class, n0: Int, count: Int, _ body: (_ patch: Int, _ pixel: Int) -> Void) {
        let C = g.inChannels, plane = g.inHeight * g.inWidth, width = c.taps * C
        parallelItems(count, workers: Threads.count) { _, n in
            let image = (n0 + n) * C * plane
            for p in 0..<c.positions {
                var patch = (n * c.positions + p) * width
                for offsets in c.inputOffsets { body(patch, image + offsets[p]); patch += C }
            }
        }
    }

    /// The class's patches (`forEachTap`'s layout) for images `n0 ..< n0 + count`; every tap
    /// lies inside the image.
    func gatherPatches(_ c: Class, input: UnsafePointer<Float>, n0: Int, count: Int, into col: UnsafeMutablePointer<Float>) {
        let C = g.inChannels, plane = g.inHeight * g.inWidth
        forEachTap(c, n0: n0, count: count) { patch, pixel in
            for ch in 0..<C { col[patch + ch] = input[pixel + ch * plane] }
        }
    }

    /// Adds a class's patch gradients (`forEachTap`'s layout) onto the input gradient.
    func scatterPatches(_ c: Class, _ col: UnsafePointer<Float>, n0: Int, count: Int, into dx: UnsafeMutablePointer<Float>) {
        let C = g.inChannels, plane = g.inHeight * g.inWidth
        forEachTap(c, n0: n0, count: count) { patch, pixel in
            for ch in 0..<C { dx[pixel + ch * plane] += col[patch + ch] }
        }
    }

    /// Calls `body(f, offsets)` for each output channel `f`, on the workers, with the class's
    /// positions in an output plane (`Class.outputOffsets`).
    func forEachFilter(_ c: Class, _ body: (_ f: Int, _ offsets: UnsafeBufferPointer<Int>) -> Void) {
        c.outputOffsets.withUnsafeBufferPointer { offsets in
            _ = parallelItems(g.outChannels, workers: Threads.count) { _, f in body(f, offsets) }
        }
    }

    /// `w'[f, i, j, c] = w[f, c, i, j]`, or back when `back`.
    func reorderWeights(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, back: Bool = false) {
        let C = g.inChannels, kk = g.kernelHeight * g.kernelWidth, K = g.patchSize
        parallelItems(g.outChannels, workers: Threads.count) { _, f in
            for c in 0..<C {
                for t in 0..<kk {
                    if back { dst[f * K + c * kk + t] = src[f * K + t * C + c] }
                    else { dst[f * K + t * C + c] = src[f * K + c * kk + t] }
                }
            }
        }
    }
}

extension Conv2DGeometry {
    /// The tap classes this convolution takes (nil where it takes im2col whole): not Winograd, at
    /// least `Conv2DTuning.winogradMinChannels` input channels (fewer make GEMMs too thin to pay
    /// for the split), and at most `Conv2DTuning.tapClassesBelow` of im2col's products inside
    /// the image (and not on maps so large that one image's largest class outgrows
    /// `Conv2DTuning.tapClassChunkBytes`).
    var tapClasses: TapClasses? {
        guard Conv2DTuning.tapClasses, batch > 0, !isPointwise, winograd == nil,
              inChannels >= Conv2DTuning.winogradMinChannels else { return nil }
        return TapClasses(self, insideBelow: Conv2DTuning.tapClassesBelow, chunkBytes: Conv2DTuning.tapClassChunkBytes)
    }
}

/// Forward convolution through tap classes (see `conv2dForward`).
func tapClassForward(_ tc: TapClasses, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                     bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, relu: Bool) {
    let g = tc.g, F = g.outChannels, K = g.patchSize, P = g.outPlane, chunks = tc.chunks
    Scratch.withBuffer(F * K + tc.chunkImages * tc.perImage) { wt in
        let col = wt + F * K
        tc.reorderWeights(weight, wt)
        for k in 0..<(chunks.count - 1) {
            let n0 = chunks[k], count = chunks[k + 1] - n0
            for c in tc.classes {
                let columns = count * c.positions, y = col + c.taps * g.inChannels * columns
                if c.taps > 0 {
                    tc.gatherPatches(c, input: input, n0: n0, count: count, into: col)
                    for (b, block) in tc.blocks(c).enumerated() {
                        sgemm(transA: false, transB: true, m: F, n: columns, k: block.k, a: wt + block.weight, lda: K,
                              b: col + block.patch, ldb: c.taps * g.inChannels, beta: b == 0 ? 0 : 1, c: y, ldc: columns)
                    }
                }
                tc.forEachFilter(c) { f, offsets in
                    let b = bias?[f] ?? 0
                    var src = UnsafePointer(y + f * columns)
                    for n in n0..<(n0 + count) {
                        let maps = output + (n * F + f) * P
                        for at in offsets { maps[at] = clamped((c.taps > 0 ? src.pointee : 0) + b, relu); src += 1 }
                    }
                }
            }
        }
    }
}

/// Backward convolution through tap classes (see `conv2dBackward`; same contract). The bias
/// gradient is summed by the caller.
func tapClassBackward(_ tc: TapClasses, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                      gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                      gradWeight: UnsafeMutablePointer<Float>?) {
    let g = tc.g, F = g.outChannels, K = g.patchSize, P = g.outPlane, chunks = tc.chunks
    guard gradInput != nil || gradWeight != nil else { return }
    // Reordered weights (for dX) and reordered weight gradient (dW), then the class buffers.
    let wtSize = gradInput != nil ? F * K : 0, dwtSize = gradWeight != nil ? F * K : 0
    Scratch.withBuffer(wtSize + dwtSize + tc.chunkImages * tc.perImage) { wt in
        let dwt = wt + wtSize, col = dwt + dwtSize
        if gradInput != nil { tc.reorderWeights(weight, wt) }
        if gradWeight != nil { dwt.update(repeating: 0, count: F * K) }
        gradInput?.update(repeating: 0, count: g.batch * g.inputImageSize)
        for k in 0..<(chunks.count - 1) {
            let n0 = chunks[k], count = chunks[k + 1] - n0
            for c in tc.classes where c.taps > 0 {
                let columns = count * c.positions, dy = col + c.taps * g.inChannels * columns
                tc.forEachFilter(c) { f, offsets in
                    var dst = dy + f * columns
                    for n in n0..<(n0 + count) {
                        let maps = gradOutput + (n * F + f) * P
                        for at in offsets { dst.pointee = maps[at]; dst += 1 }
                    }
                }
                if dwtSize > 0 {
                    tc.gatherPatches(c, input: input, n0: n0, count: count, into: col)
                    for block in tc.blocks(c) {
                        sgemm(transA: false, transB: false, m: F, n: block.k, k: columns, a: dy, lda: columns,
                              b: col + block.patch, ldb: c.taps * g.inChannels, beta: 1, c: dwt + block.weight, ldc: K)
                    }
                }
                if let gradInput {
                    for block in tc.blocks(c) {
                        sgemm(transA: true, transB: false, m: columns, n: block.k, k: F, a: dy, lda: columns,
                              b: wt + block.weight, ldb: K, c: col + block.patch, ldc: c.taps * g.inChannels)
                    }
                    tc.scatterPatches(c, col, n0: n0, count: count, into: gradInput)
                }
            }
        }
        if let gradWeight { tc.reorderWeights(dwt, gradWeight, back: true) }
    }
}
