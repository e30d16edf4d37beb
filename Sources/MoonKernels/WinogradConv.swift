// 3x3 and 5x5 stride-1 convolutions through Winograd's minimal filtering (WinogradTransform):
// the output is cut into m×m tiles, and each tile costs α² products per (filter, channel)
// instead of m²·r² (F(4×4, 3×3): 36 instead of 144). For tile position ξ of the α² the
// sum over channels is one GEMM over all tiles of a chunk of images:
//     forward   M[ξ] (F×T) = U[ξ] (F×C) · V[ξ] (C×T)      U = G w Gᵀ, V = Bᵀ d B, Y = Aᵀ M A
//     backward  Ŷ = A dY Aᵀ;  dV[ξ] = U[ξ]ᵀ · Ŷ[ξ], dX += B dV Bᵀ;  dU[ξ] += Ŷ[ξ] · V[ξ]ᵀ, dW = Gᵀ dU G
// Padding needs no work: tiles read zeros outside the image. Each chunk runs in three
// phases (transform in, GEMMs, transform out), each split over channels, tile positions or
// filters; every number is computed by one worker in a fixed order and the chunks depend on
// the geometry alone, so results repeat bit for bit at any thread count.

extension Conv2DGeometry {
    /// The Winograd tiles this convolution takes, or nil where it takes im2col: stride and
    /// dilation 1, a square 3x3 or 5x5 kernel, and enough channels on both sides for the
    /// transforms to cost less than the products they save.
    var winograd: WinogradTransform? {
        guard Conv2DTuning.winograd, batch > 0, strideH == 1, strideW == 1, dilationH == 1, dilationW == 1,
              kernelHeight == kernelWidth,
              min(inChannels, outChannels) >= Conv2DTuning.winogradMinChannels else { return nil }
        switch kernelHeight {
        case 3:
            // The tile with fewer products in all: 4×4 tiles unless the map is so small that
            // their overhang costs more.
            func cost(_ m: Int) -> Int { ((outHeight + m - 1) / m) * ((outWidth + m - 1) / m) * (m + 2) * (m + 2) }
            return cost(4) <= cost(2) ? .f4x3 : .f2x3
        case 5: return .f2x5
        default: return nil
        }
    }
}

/// How one convolution is tiled: tiles per image and the runs of images each chunk holds.
struct WinogradPlan {
    let g: Conv2DGeometry, t: WinogradTransform
    let tilesHigh: Int, tilesWide: Int
    /// First image of each chunk, then the batch size.
    let chunks: [Int]
    var tilesPerImage: Int { tilesHigh * tilesWide }
    var alpha2: Int { t.alpha * t.alpha }
    /// Most tiles in one chunk, rounded up to whole blocks of eight (the transforms' SIMD lanes).
    var maxTiles: Int { Self.padded(zip(chunks.dropFirst(), chunks).map { $0 - $1 }.max()! * tilesPerImage) }
    static func padded(_ tiles: Int) -> Int { (tiles + 7) & ~7 }

    init(_ g: Conv2DGeometry, _ t: WinogradTransform) {
        self.g = g; self.t = t
        tilesHigh = (g.outHeight + t.m - 1) / t.m
        tilesWide = (g.outWidth + t.m - 1) / t.m
        let tpi = tilesHigh * tilesWide
        // Tiles per chunk: the transformed chunk within Conv2DTuning.winogradChunkBytes, but
        // never fewer than winogradMinTiles (the GEMMs' column count).
        let perTile = t.alpha * t.alpha * (g.inChannels + g.outChannels) * 4
        let tiles = max(Conv2DTuning.winogradMinTiles, Conv2DTuning.winogradChunkBytes / perTile)
        let most = max(1, min(g.batch, tiles / tpi))
        let count = (g.batch + most - 1) / most
        chunks = (0...count).map { $0 * g.batch / count }
    }

    /// The image and top-left output position of tile `tile` of the chunk starting at image `n0`.
    @inline(__always)
    func tile(_ tile: Int, n0: Int) -> (n: Int, y: Int, x: Int) {
        let tpi = tilesPerImage, inImage = tile % tpi
        return (n0 + tile / tpi, (inImage / tilesWide) * t.m, (inImage % tilesWide) * t.m)
    }
}

/// The 1-D maps of one tile size (WinogradTransform.swift).
protocol TileMaps {
    associatedtype BT: TileLine
    associatedtype B: TileLine
    associatedtype AT: TileLine
    associatedtype A: TileLine
}
enum Tiles43: TileMaps { typealias BT = BT6; typealias B = B6; typealias AT = AT43; typealias A = A43 }
enum Tiles25: TileMaps { typealias BT = BT6; typealias B = B6; typealias AT = AT25; typealias A = A25 }
enum Tiles23: TileMaps { typealias BT = BT4; typealias B = B4; typealias AT = AT23; typealias A = A23 }

@inline(__always) private func load(_ p: UnsafePointer<Float>) -> TileLanes { UnsafeRawPointer(p).loadUnaligned(as: TileLanes.self) }
@inline(__always) private func store(_ v: TileLanes, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: TileLanes.self) }

/// U[ξ][f·C + c] = (G w[f,c] Gᵀ)[ξ], or the reverse (dW = Gᵀ dU G) when `backward`.
private func transformWeights(_ p: WinogradPlan, weights: UnsafeMutablePointer<Float>, planes: UnsafeMutablePointer<Float>,
                              backward: Bool) {
    let r2 = p.t.r * p.t.r, a2 = p.alpha2, FC = p.g.outChannels * p.g.inChannels
    let blocks = (FC + 255) / 256
    parallelItems(blocks, workers: Threads.count) { _, block in
        let first = block * 256, count = min(256, FC - first)
        Scratch.withBuffer(2 * a2 * count) { buf in
            let grid = buf, tmp = buf + a2 * count
            if !backward {
                for k in 0..<count { for e in 0..<r2 { grid[e * count + k] = weights[(first + k) * r2 + e] } }
                transformPlanes(p.t.g, p.t.gt, src: grid, srcStride: count, dst: planes + first, dstStride: FC, count: count, tmp: tmp)
            } else {
                transformPlanes(p.t.gt, p.t.g, src: planes + first, srcStride: FC, dst: grid, dstStride: count, count: count, tmp: tmp)
                for k in 0..<count { for e in 0..<r2 { weights[(first + k) * r2 + e] = grid[e * count + k] } }
            }
        }
    }
}

/// V = Bᵀ d B of input channel `c` for the `tiles` tiles of a chunk (plane ξ at `v + (ξ·C + c)·tp`).
@inline(__always)
private func inputTiles<Maps: TileMaps>(_: Maps.Type, _ p: WinogradPlan, input: UnsafePointer<Float>, channel c: Int,
                                        n0: Int, tiles: Int, tp: Int, v: UnsafeMutablePointer<Float>) {
    let g = p.g, alpha = Maps.BT.inCount, a2 = alpha * alpha, H = g.inHeight, W = g.inWidth, C = g.inChannels
    withUnsafeTemporaryAllocation(of: TileLanes.self, capacity: 3 * a2) { buf in
        let d = buf.baseAddress!, out = d + a2, tmp = out + a2
        for k0 in stride(from: 0, to: tp, by: 8) {
            for lane in 0..<8 {
                let k = k0 + lane
                guard k < tiles else { for e in 0..<a2 { d[e][lane] = 0 }; continue }
                let (n, oy, ox) = p.tile(k, n0: n0)
                let plane = input + (n * C + c) * H * W
                let y0 = oy - g.padTop, x0 = ox - g.padLeft
                if y0 >= 0 && x0 >= 0 && y0 + alpha <= H && x0 + alpha <= W {
                    for i in 0..<alpha {
                        let row = plane + (y0 + i) * W + x0
                        for j in 0..<alpha { d[i * alpha + j][lane] = row[j] }
                    }
                } else {
                    for i in 0..<alpha {
                        let y = y0 + i, inside = y >= 0 && y < H
                        for j in 0..<alpha {
                            let x = x0 + j
                            d[i * alpha + j][lane] = inside && x >= 0 && x < W ? plane[y * W + x] : 0
                        }
                    }
                }
            }
            Maps.BT.apply2D(d, out, tmp)
            for e in 0..<a2 { store(out[e], v + (e * C + c) * tp + k0) }
        }
    }
}

/// Forward convolution through Winograd tiles (see `conv2dForward`).
func winogradForward(_ g: Conv2DGeometry, _ t: WinogradTransform, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                     bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
    switch (t.m, t.r) {
    case (4, 3): winogradForward(Tiles43.self, g, t, input: input, weight: weight, bias: bias, output: output)
    case (2, 5): winogradForward(Tiles25.self, g, t, input: input, weight: weight, bias: bias, output: output)
    default: winogradForward(Tiles23.self, g, t, input: input, weight: weight, bias: bias, output: output)
    }
}

private func winogradForward<Maps: TileMaps>(_ maps: Maps.Type, _ g: Conv2DGeometry, _ t: WinogradTransform,
                                             input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                             bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
    let p = WinogradPlan(g, t)
    let F = g.outChannels, C = g.inChannels, a2 = p.alpha2, m = t.m, oh = g.outHeight, ow = g.outWidth
    let most = p.maxTiles, uSize = WinogradPlan.padded(a2 * F * C)
    Scratch.withBuffer(uSize + a2 * (C + F) * most) { buf in
        let u = buf, v = u + uSize, mm = v + a2 * C * most
        transformWeights(p, weights: UnsafeMutablePointer(mutating: weight), planes: u, backward: false)
        for chunk in 0..<(p.chunks.count - 1) {
            let n0 = p.chunks[chunk], tiles = (p.chunks[chunk + 1] - n0) * p.tilesPerImage, tp = WinogradPlan.padded(tiles)
            parallelItems(C, workers: Threads.count) { _, c in
                inputTiles(maps, p, input: input, channel: c, n0: n0, tiles: tiles, tp: tp, v: v)
            }
            parallelItems(a2, workers: Threads.count) { _, xi in
                sgemm(transA: false, transB: false, m: F, n: tp, k: C, a: u + xi * F * C, lda: C,
                      b: v + xi * C * tp, ldb: tp, c: mm + xi * F * tp, ldc: tp)
            }
            parallelItems(F, workers: Threads.count) { _, f in   // Y = Aᵀ M A, clipped to the map, plus the bias
                let b = bias?[f] ?? 0
                withUnsafeTemporaryAllocation(of: TileLanes.self, capacity: 3 * a2) { buf in
                    let src = buf.baseAddress!, out = src + a2, tmp = out + a2
                    for k0 in stride(from: 0, to: tp, by: 8) {
                        for e in 0..<a2 { src[e] = load(mm + (e * F + f) * tp + k0) }
                        Maps.AT.apply2D(src, out, tmp)
                        for lane in 0..<min(8, tiles - k0) {
                            let (n, y0, x0) = p.tile(k0 + lane, n0: n0)
                            let plane = output + (n * F + f) * oh * ow
                            for i in 0..<min(m, oh - y0) {
                                let row = plane + (y0 + i) * ow + x0
                                for j in 0..<min(m, ow - x0) { row[j] = out[i * m + j][lane] + b }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Backward convolution through Winograd tiles (see `conv2dBackward`; same contract).
func winogradBackward(_ g: Conv2DGeometry, _ t: WinogradTransform, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                      gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                      gradWeight: UnsafeMutablePointer<Float>?, gradBias: UnsafeMutablePointer<Float>?) {
    switch (t.m, t.r) {
    case (4, 3): winogradBackward(Tiles43.self, g, t, input: input, weight: weight, gradOutput: gradOutput,
                                  gradInput: gradInput, gradWeight: gradWeight, gradBias: gradBias)
    case (2, 5): winogradBackward(Tiles25.self, g, t, input: input, weight: weight, gradOutput: gradOutput,
                                  gradInput: gradInput, gradWeight: gradWeight, gradBias: gradBias)
    default: winogradBackward(Tiles23.self, g, t, input: input, weight: weight, gradOutput: gradOutput,
                              gradInput: gradInput, gradWeight: gradWeight, gradBias: gradBias)
    }
}

private func winogradBackward<Maps: TileMaps>(_ maps: Maps.Type, _ g: Conv2DGeometry, _ t: WinogradTransform,
                                              input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                              gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>?,
                                              gradWeight: UnsafeMutablePointer<Float>?, gradBias: UnsafeMutablePointer<Float>?) {
    let p = WinogradPlan(g, t)
    let F = g.outChannels, C = g.inChannels, a2 = p.alpha2, m = t.m, alpha = t.alpha
    let oh = g.outHeight, ow = g.outWidth, P = g.outPlane, H = g.inHeight, W = g.inWidth
    let needX = gradInput != nil, needW = gradWeight != nil
    if let gradBias {   // summed image by image, position by position: one order for any thread count
        parallelItems(F, workers: Threads.count) { _, f in
            var s: Float = 0
            for n in 0..<g.batch { let dy = gradOutput + (n * F + f) * P; for k in 0..<P { s += dy[k] } }
            gradBias[f] = s
        }
    }
    if !needX && !needW { return }
    let most = p.maxTiles, uSize = WinogradPlan.padded(a2 * F * C)
    Scratch.withBuffer(uSize + a2 * (C + F) * most) { buf in
        let u = buf, v = u + uSize, yh = v + a2 * C * most
        if needX {
            transformWeights(p, weights: UnsafeMutablePointer(mutating: weight), planes: u, backward: false)
            gradInput!.update(repeating: 0, count: g.batch * g.inputImageSize)
        }
        Scratch.withBuffer(needW ? a2 * F * C : 0) { du in
            if needW { du.update(repeating: 0, count: a2 * F * C) }
            for chunk in 0..<(p.chunks.count - 1) {
                let n0 = p.chunks[chunk], tiles = (p.chunks[chunk + 1] - n0) * p.tilesPerImage, tp = WinogradPlan.padded(tiles)
                // Phase 1: V of the input (for dW), Ŷ = A dY Aᵀ of every filter's gradient.
                parallelItems((needW ? C : 0) + F, workers: Threads.count) { _, item in
                    if needW && item < C {
                        inputTiles(maps, p, input: input, channel: item, n0: n0, tiles: tiles, tp: tp, v: v)
                        return
                    }
                    let f = item - (needW ? C : 0)
                    withUnsafeTemporaryAllocation(of: TileLanes.self, capacity: 3 * a2) { buf in
                        let d = buf.baseAddress!, out = d + a2, tmp = out + a2
                        for k0 in stride(from: 0, to: tp, by: 8) {
                            for lane in 0..<8 {
                                let k = k0 + lane
                                guard k < tiles else { for e in 0..<(m * m) { d[e][lane] = 0 }; continue }
                                let (n, y0, x0) = p.tile(k, n0: n0)
                                let plane = gradOutput + (n * F + f) * P
                                for i in 0..<m {
                                    let y = y0 + i
                                    for j in 0..<m {
                                        let x = x0 + j
                                        d[i * m + j][lane] = y < oh && x < ow ? plane[y * ow + x] : 0
                                    }
                                }
                            }
                            Maps.A.apply2D(d, out, tmp)
                            for e in 0..<a2 { store(out[e], yh + (e * F + f) * tp + k0) }
                        }
                    }
                }
                // Phase 2: per tile position, dU += Ŷ·Vᵀ, then dV = Uᵀ·Ŷ over V's planes.
                parallelItems(a2, workers: Threads.count) { _, xi in
                    let yx = yh + xi * F * tp, vx = v + xi * C * tp
                    if needW {
                        sgemm(transA: false, transB: true, m: F, n: C, k: tp, a: yx, lda: tp, b: vx, ldb: tp,
                              beta: 1, c: du + xi * F * C, ldc: C)
                    }
                    if needX {
                        sgemm(transA: true, transB: false, m: C, n: tp, k: F, a: u + xi * F * C, lda: C, b: yx, ldb: tp,
                              c: vx, ldc: tp)
                    }
                }
                // Phase 3: dX += B dV Bᵀ, tile by tile in order (tiles overlap by r − 1).
                guard let gradInput else { continue }
                parallelItems(C, workers: Threads.count) { _, c in
                    withUnsafeTemporaryAllocation(of: TileLanes.self, capacity: 3 * a2) { buf in
                        let src = buf.baseAddress!, out = src + a2, tmp = out + a2
                        for k0 in stride(from: 0, to: tp, by: 8) {
                            for e in 0..<a2 { src[e] = load(v + (e * C + c) * tp + k0) }
                            Maps.B.apply2D(src, out, tmp)
                            for lane in 0..<min(8, tiles - k0) {
                                let (n, oy, ox) = p.tile(k0 + lane, n0: n0)
                                let plane = gradInput + (n * C + c) * H * W
                                let y0 = oy - g.padTop, x0 = ox - g.padLeft
                                for i in 0..<alpha {
                                    let y = y0 + i
                                    if y < 0 || y >= H { continue }
                                    for j in 0..<alpha {
                                        let x = x0 + j
                                        if x >= 0 && x < W { plane[y * W + x] += out[i * alpha + j][lane] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if let gradWeight { transformWeights(p, weights: gradWeight, planes: du, backward: true) }
        }
    }
}
