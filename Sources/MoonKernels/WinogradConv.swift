// 3x3 and 5x5 stride-1 convolutions through Winograd's minimal filtering (WinogradTransform):
// the output is cut into m×m tiles, and each tile costs α² products per (filter, channel)
// instead of m²·r² (F(4×4, 3×3): 36 instead of 144; F(4×4, 5×5): 64 instead of 400). For tile position ξ of the α² the
// sum over channels is one GEMM over all tiles of a chunk of images:
//     forward   M[ξ] (F×T) = U[ξ] (F×C) · V[ξ] (C×T)      U = G w Gᵀ, V = Bᵀ d B, Y = Aᵀ M A
//     backward  Ŷ = A dY Aᵀ;  dV[ξ] = U[ξ]ᵀ · Ŷ[ξ], dX += B dV Bᵀ;  dU[ξ] += Ŷ[ξ] · V[ξ]ᵀ, dW = Gᵀ dU G
// Padding needs no work: tiles read zeros outside the image. The batch is cut into chunks of
// whole images, run one of two ways (WinogradPlan.pipelined):
// - small weights: a chunk is a few hundred KB of transformed tiles, and one worker takes it
//   through all its steps while the data stays in its core's cache; the weight gradient is
//   summed per fixed group of chunks, and the groups' sums are added in order;
// - large weights (ResNet's late stages): U alone outgrows the cache, so each chunk runs in
//   three phases (transform in, GEMMs, transform out) split over channels, tile positions and
//   filters, and every worker shares the chunk's data.
// Either way every number is computed by one worker in an order the geometry fixes, so results
// repeat bit for bit at any thread count.

extension Conv2DGeometry {
    /// The Winograd tiles this convolution takes, or nil where it takes im2col: stride and
    /// dilation 1, a square 3x3 or 5x5 kernel, and enough channels on both sides for the
    /// transforms to cost less than the products they save.
    var winograd: WinogradTransform? {
        guard Conv2DTuning.winograd, batch > 0, strideH == 1, strideW == 1, dilationH == 1, dilationW == 1,
              kernelHeight == kernelWidth,
              min(inChannels, outChannels) >= Conv2DTuning.winogradMinChannels else { return nil }
        // The tile with fewer products in all: 4×4 tiles unless the map is so small that their
        // overhang costs more.
        func cost(_ m: Int) -> Int {
            ((outHeight + m - 1) / m) * ((outWidth + m - 1) / m) * (m + kernelHeight - 1) * (m + kernelHeight - 1)
        }
        switch kernelHeight {
        case 3: return cost(4) <= cost(2) ? .f4x3 : .f2x3
        case 5: return cost(4) <= cost(2) ? .f4x5 : .f2x5
        default: return nil
        }
    }

    /// Floats of the transformed weights U a Winograd convolution computes (nil where it takes
    /// im2col): a caller that keeps them from `conv2dForward` for `conv2dBackward` saves the
    /// backward pass one weight transform.
    public var transformedWeightCount: Int? {
        winograd.map { $0.alpha * $0.alpha * outChannels * inChannels }
    }
}

/// How one convolution is tiled: tiles per image, the chunks of images, and how chunks run.
struct WinogradPlan {
    let g: Conv2DGeometry, t: WinogradTransform
    let tilesHigh: Int, tilesWide: Int
    /// Whether a chunk runs whole on one worker (small weights) or in phases over all workers.
    let pipelined: Bool
    /// First image of each chunk, then the batch size.
    let chunks: [Int]
    var tilesPerImage: Int { tilesHigh * tilesWide }
    var alpha2: Int { t.alpha * t.alpha }
    var chunkCount: Int { chunks.count - 1 }
    /// Most tiles in one chunk, rounded up to whole blocks of eight (the transforms' SIMD lanes).
    var maxTiles: Int { Self.padded((0..<chunkCount).map { chunks[$0 + 1] - chunks[$0] }.max()! * tilesPerImage) }
    static func padded(_ tiles: Int) -> Int { (tiles + 7) & ~7 }

    init(_ g: Conv2DGeometry, _ t: WinogradTransform) {
        self.g = g; self.t = t
        tilesHigh = (g.outHeight + t.m - 1) / t.m
        tilesWide = (g.outWidth + t.m - 1) / t.m
        let tpi = tilesHigh * tilesWide
        let perTile = t.alpha * t.alpha * (g.inChannels + g.outChannels) * 4
        let weightBytes = t.alpha * t.alpha * g.outChannels * g.inChannels * 4
        pipelined = weightBytes <= Conv2DTuning.winogradPipelineBytes
        // Tiles per chunk: a pipelined chunk's transformed tiles and weights within
        // winogradCacheBytes, a phased chunk's tiles within winogradChunkBytes; at least
        // winogradPipelineMinTiles or winogradMinTiles (the GEMMs' column count).
        let tiles = pipelined ? max(Conv2DTuning.winogradPipelineMinTiles, (Conv2DTuning.winogradCacheBytes - weightBytes) / perTile)
            : max(Conv2DTuning.winogradMinTiles, Conv2DTuning.winogradChunkBytes / perTile)
        let most = max(1, min(g.batch, tiles / tpi))
        let count = (g.batch + most - 1) / most
        chunks = (0...count).map { $0 * g.batch / count }
    }

    /// Chunk `k`: its first image, its tiles and their count rounded up to a SIMD block.
    func chunk(_ k: Int) -> (n0: Int, tiles: Int, tp: Int) {
        let tiles = (chunks[k + 1] - chunks[k]) * tilesPerImage
        return (chunks[k], tiles, Self.padded(tiles))
    }

    /// The fixed groups of chunks whose weight-gradient sums are kept apart and added in group
    /// order (pipelined backward): the first chunk of each, then the chunk count.
    var groups: [Int] {
        let count = min(backwardGroups, chunkCount)
        return (0...count).map { $0 * chunkCount / count }
    }
}

/// Forward convolution through Winograd tiles (see `conv2dForward`).
func winogradForward(_ g: Conv2DGeometry, _ t: WinogradTransform, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                     bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, relu: Bool,
                     keep: UnsafeMutablePointer<Float>?) {
    switch (t.m, t.r) {
    case (4, 3): winogradForward(Tiles43.self, g, t, input: input, weight: weight, bias: bias, output: output, relu: relu, keep: keep)
    case (2, 5): winogradForward(Tiles25.self, g, t, input: input, weight: weight, bias: bias, output: output, relu: relu, keep: keep)
    case (4, 5): winogradForward(Tiles45.self, g, t, input: input, weight: weight, bias: bias, output: output, relu: relu, keep: keep)
    default: winogradForward(Tiles23.self, g, t, input: input, weight: weight, bias: bias, output: output, relu: relu, keep: keep)
    }
}

private func winogradForward<Maps: TileMaps>(_ maps: Maps.Type, _ g: Conv2DGeometry, _ t: WinogradTransform,
                                             input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                             bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, relu: Bool,
                                             keep: UnsafeMutablePointer<Float>?) {
    let p = WinogradPlan(g, t)
    let F = g.outChannels, C = g.inChannels, a2 = p.alpha2
    Scratch.withBuffer(keep == nil ? a2 * F * C : 0) { scratch in
        let u = keep ?? scratch
        transformWeights(p, weights: UnsafeMutablePointer(mutating: weight), planes: u, backward: false)
        func products(_ xi: Int, _ v: UnsafeMutablePointer<Float>, _ mm: UnsafeMutablePointer<Float>, _ tp: Int) {
            sgemm(transA: false, transB: false, m: F, n: tp, k: C, a: u + xi * F * C, lda: C,
                  b: v + xi * C * tp, ldb: tp, c: mm + xi * F * tp, ldc: tp)
        }
        if p.pipelined {
            parallelItems(p.chunkCount, workers: Threads.count) { _, k in
                let (n0, tiles, tp) = p.chunk(k)
                Scratch.withBuffer(a2 * (C + F) * tp) { v in
                    let mm = v + a2 * C * tp
                    for c in 0..<C { inputTiles(maps, p, input: input, channel: c, n0: n0, tiles: tiles, tp: tp, v: v) }
                    for xi in 0..<a2 { products(xi, v, mm, tp) }
                    for f in 0..<F { outputTiles(maps, p, mm, filter: f, n0: n0, tiles: tiles, tp: tp, bias: bias, relu: relu, output: output) }
                }
            }
            return
        }
        Scratch.withBuffer(a2 * (C + F) * p.maxTiles) { v in
            let mm = v + a2 * C * p.maxTiles
            for k in 0..<p.chunkCount {
                let (n0, tiles, tp) = p.chunk(k)
                parallelItems(C, workers: Threads.count) { _, c in
                    inputTiles(maps, p, input: input, channel: c, n0: n0, tiles: tiles, tp: tp, v: v)
                }
                parallelItems(a2, workers: Threads.count) { _, xi in products(xi, v, mm, tp) }
                parallelItems(F, workers: Threads.count) { _, f in
                    outputTiles(maps, p, mm, filter: f, n0: n0, tiles: tiles, tp: tp, bias: bias, relu: relu, output: output)
                }
            }
        }
    }
}

/// Backward convolution through Winograd tiles (see `conv2dBackward`; same contract).
func winogradBackward(_ g: Conv2DGeometry, _ t: WinogradTransform, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                      gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                      gradWeight: UnsafeMutablePointer<Float>?, gradBias: UnsafeMutablePointer<Float>?,
                      kept: UnsafePointer<Float>?) {
    switch (t.m, t.r) {
    case (4, 3): winogradBackward(Tiles43.self, g, t, input: input, weight: weight, gradOutput: gradOutput,
                                  gradInput: gradInput, gradWeight: gradWeight, gradBias: gradBias, kept: kept)
    case (2, 5): winogradBackward(Tiles25.self, g, t, input: input, weight: weight, gradOutput: gradOutput,
                                  gradInput: gradInput, gradWeight: gradWeight, gradBias: gradBias, kept: kept)
    case (4, 5): winogradBackward(Tiles45.self, g, t, input: input, weight: weight, gradOutput: gradOutput,
                                  gradInput: gradInput, gradWeight: gradWeight, gradBias: gradBias, kept: kept)
    default: winogradBackward(Tiles23.self, g, t, input: input, weight: weight, gradOutput: gradOutput,
                              gradInput: gradInput, gradWeight: gradWeight, gradBias: gradBias, kept: kept)
    }
}

private func winogradBackward<Maps: TileMaps>(_ maps: Maps.Type, _ g: Conv2DGeometry, _ t: WinogradTransform,
                                              input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                              gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                                              gradWeight: UnsafeMutablePointer<Float>?, gradBias: UnsafeMutablePointer<Float>?,
                                              kept: UnsafePointer<Float>?) {
    let p = WinogradPlan(g, t)
    let F = g.outChannels, C = g.inChannels, a2 = p.alpha2
    let needX = gradInput != nil, needW = gradWeight != nil
    if let gradBias { biasGradient(g, gradOutput: gradOutput, into: gradBias) }
    if !needX && !needW { return }
    // Pipelined: a dU partial sum for each group of chunks; phased: one dU.
    let groups = needW && p.pipelined ? p.groups : Array(0...p.chunkCount)
    let partials = needW ? (p.pipelined ? groups.count - 1 : 1) : 0
    // U: the forward pass's when the caller kept it, else transformed again here.
    let transform = needX && kept == nil
    Scratch.withBuffer((transform ? a2 * F * C : 0) + partials * a2 * F * C) { scratch in
        let du = scratch + (transform ? a2 * F * C : 0)
        if transform { transformWeights(p, weights: UnsafeMutablePointer(mutating: weight), planes: scratch, backward: false) }
        let u = kept ?? UnsafePointer(scratch)
        // Per tile position: dU = Ŷ·Vᵀ for the first chunk of a sum, dU += Ŷ·Vᵀ after (so dU
        // needs no zeroing), then dV = Uᵀ·Ŷ over V's planes.
        func products(_ xi: Int, _ v: UnsafeMutablePointer<Float>, _ yh: UnsafeMutablePointer<Float>, _ tp: Int,
                      _ dU: UnsafeMutablePointer<Float>, first: Bool) {
            let yx = yh + xi * F * tp, vx = v + xi * C * tp
            if needW {
                sgemm(transA: false, transB: true, m: F, n: C, k: tp, a: yx, lda: tp, b: vx, ldb: tp,
                      beta: first ? 0 : 1, c: dU + xi * F * C, ldc: C)
            }
            if needX {
                sgemm(transA: true, transB: false, m: C, n: tp, k: F, a: u + xi * F * C, lda: C, b: yx, ldb: tp,
                      c: vx, ldc: tp)
            }
        }
        if p.pipelined {
            parallelItems(groups.count - 1, workers: Threads.count) { _, group in
                let dU = du + (needW ? group * a2 * F * C : 0)
                for k in groups[group]..<groups[group + 1] {
                    let (n0, tiles, tp) = p.chunk(k)
                    Scratch.withBuffer(a2 * (C + F) * tp) { v in
                        let yh = v + a2 * C * tp
                        if needW { for c in 0..<C { inputTiles(maps, p, input: input, channel: c, n0: n0, tiles: tiles, tp: tp, v: v) } }
                        for f in 0..<F { gradientTiles(maps, p, gradOutput, filter: f, n0: n0, tiles: tiles, tp: tp, yh: yh) }
                        for xi in 0..<a2 { products(xi, v, yh, tp, dU, first: k == groups[group]) }
                        if let gradInput {
                            for c in 0..<C { inputGradientTiles(maps, p, v, channel: c, n0: n0, tiles: tiles, tp: tp, gradInput: gradInput) }
                        }
                    }
                }
            }
            for group in stride(from: 1, to: partials, by: 1) { addBlock(du + group * a2 * F * C, into: du, count: a2 * F * C) }
        } else {
            Scratch.withBuffer(a2 * (C + F) * p.maxTiles) { v in
                let yh = v + a2 * C * p.maxTiles
                for k in 0..<p.chunkCount {
                    let (n0, tiles, tp) = p.chunk(k)
                    parallelItems((needW ? C : 0) + F, workers: Threads.count) { _, item in
                        if needW && item < C {
                            inputTiles(maps, p, input: input, channel: item, n0: n0, tiles: tiles, tp: tp, v: v)
                        } else {
                            gradientTiles(maps, p, gradOutput, filter: item - (needW ? C : 0), n0: n0, tiles: tiles, tp: tp, yh: yh)
                        }
                    }
                    parallelItems(a2, workers: Threads.count) { _, xi in products(xi, v, yh, tp, du, first: k == 0) }
                    guard let gradInput else { continue }
                    parallelItems(C, workers: Threads.count) { _, c in
                        inputGradientTiles(maps, p, v, channel: c, n0: n0, tiles: tiles, tp: tp, gradInput: gradInput)
                    }
                }
            }
        }
        if let gradWeight { transformWeights(p, weights: gradWeight, planes: du, backward: true) }
    }
}
