import CMoonTiles

// The tile steps of Winograd convolution (WinogradConv.swift), one input channel or one filter
// over a chunk's tiles, eight tiles at a time: gathering tiles out of the images, transforming
// them, and putting the results back. The transformed planes of a chunk of `tp` tiles (`tiles`
// rounded up to a block of eight) are laid out position by position: plane ξ of channel c at
// `v + (ξ·C + c)·tp`, of filter f at `m + (ξ·F + f)·tp`.

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
enum Tiles45: TileMaps { typealias BT = BT8; typealias B = B8; typealias AT = AT45; typealias A = A45 }

@inline(__always) func loadLanes(_ p: UnsafePointer<Float>) -> TileLanes { UnsafeRawPointer(p).loadUnaligned(as: TileLanes.self) }
@inline(__always) func storeLanes(_ v: TileLanes, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: TileLanes.self) }

/// U[ξ][f·C + c] = (G w[f,c] Gᵀ)[ξ], or the reverse (dW = Gᵀ dU G) when `backward`.
func transformWeights(_ p: WinogradPlan, weights: UnsafeMutablePointer<Float>, planes: UnsafeMutablePointer<Float>,
                      backward: Bool) {
    let r2 = p.t.r * p.t.r, a2 = p.alpha2, FC = p.g.outChannels * p.g.inChannels
    let blocks = (FC + 255) / 256
    parallelItems(blocks, workers: Threads.count) { _, block in
        let first = block * 256, count = min(256, FC - first)
        Scratch.withBuffer(2 * a2 * count) { buf in
            let grid = buf, tmp = buf + a2 * count
            if !backward {
                for k in 0..<count { for e in 0..<r2 { grid[e * count + k] = weights[(first + k) * r2 + e] } }
                transformPlanes(p.t.g, src: grid, srcStride: count, dst: planes + first, dstStride: FC, count: count, tmp: tmp)
            } else {
                transformPlanes(p.t.gt, src: planes + first, srcStride: FC, dst: grid, dstStride: count, count: count, tmp: tmp)
                for k in 0..<count { for e in 0..<r2 { weights[(first + k) * r2 + e] = grid[e * count + k] } }
            }
        }
    }
}

/// Walks a chunk's tiles in order (image, tile row, tile column): the image and top-left output
/// position of the current tile, without a division per tile.
struct TileCursor {
    private(set) var n: Int, y = 0, x = 0
    private let m: Int, wide: Int, high: Int

    init(_ p: WinogradPlan, n0: Int) {
        n = n0; m = p.t.m; wide = p.tilesWide * p.t.m; high = p.tilesHigh * p.t.m
    }

    @inline(__always) mutating func advance() {
        x += m
        if x == wide { x = 0; y += m; if y == high { y = 0; n += 1 } }
    }
}

/// V = Bᵀ d B of input channel `c` for the `tiles` tiles of a chunk (plane ξ at `v + (ξ·C + c)·tp`).
@inline(__always)
func inputTiles<Maps: TileMaps>(_: Maps.Type, _ p: WinogradPlan, input: UnsafePointer<Float>, channel c: Int,
                                n0: Int, tiles: Int, tp: Int, v: UnsafeMutablePointer<Float>) {
    let g = p.g, alpha = Maps.BT.inCount, a2 = alpha * alpha, H = g.inHeight, W = g.inWidth, C = g.inChannels
    if NativeTiles.active(Maps.self) {
        p.withNative(tiles: tiles) { geometry, images, staging in
            moon_tiles43_input(geometry, input + (n0 * C + c) * H * W, C * H * W, images, tp, v + c * tp, C * tp, staging)
        }
        return
    }
    var at = TileCursor(p, n0: n0)
    withUnsafeTemporaryAllocation(of: TileLanes.self, capacity: 3 * a2) { buf in
        let d = buf.baseAddress!, out = d + a2, tmp = out + a2
        for k0 in stride(from: 0, to: tp, by: 8) {
            for lane in 0..<8 {
                guard k0 + lane < tiles else { for e in 0..<a2 { d[e][lane] = 0 }; continue }
                let plane = input + (at.n * C + c) * H * W
                let y0 = at.y - g.padTop, x0 = at.x - g.padLeft
                at.advance()
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
            for e in 0..<a2 { storeLanes(out[e], v + (e * C + c) * tp + k0) }
        }
    }
}

/// For each block of eight tiles: the planes of row `row` of `rows` (plane ξ at
/// `src + (ξ·rows + row)·tp`) through `M.apply2D`, then `body(out, lane, n, y0, x0)` for each
/// real tile of the block (its lane, image and top-left output position).
@inline(__always)
private func forTransformedTiles<M: TileLine>(_: M.Type, _ p: WinogradPlan, _ src: UnsafePointer<Float>, row: Int, rows: Int,
                                              n0: Int, tiles: Int, tp: Int,
                                              _ body: (UnsafePointer<TileLanes>, Int, Int, Int, Int) -> Void) {
    let a2 = M.inCount * M.inCount, q2 = M.outCount * M.outCount
    var at = TileCursor(p, n0: n0)
    withUnsafeTemporaryAllocation(of: TileLanes.self, capacity: a2 + q2 + M.inCount * M.outCount) { buf in
        let planes = buf.baseAddress!, out = planes + a2, tmp = out + q2
        for k0 in stride(from: 0, to: tp, by: 8) {
            for e in 0..<a2 { planes[e] = loadLanes(src + (e * rows + row) * tp + k0) }
            M.apply2D(planes, out, tmp)
            for lane in 0..<min(8, tiles - k0) {
                body(out, lane, at.n, at.y, at.x)
                at.advance()
            }
        }
    }
}

/// Y = Aᵀ M A of filter `f`, clipped to the map, plus the bias (clamped at zero when `relu`).
@inline(__always)
func outputTiles<Maps: TileMaps>(_: Maps.Type, _ p: WinogradPlan, _ mm: UnsafePointer<Float>, filter f: Int, n0: Int,
                                 tiles: Int, tp: Int, bias: UnsafePointer<Float>?, relu: Bool,
                                 output: UnsafeMutablePointer<Float>) {
    let g = p.g, F = g.outChannels, m = Maps.AT.outCount, oh = g.outHeight, ow = g.outWidth
    let b = bias?[f] ?? 0
    if NativeTiles.active(Maps.self) {
        p.withNative(tiles: tiles) { geometry, images, staging in
            moon_tiles43_output(geometry, mm + f * tp, F * tp, images, tp, b, relu ? 1 : 0,
                                output + (n0 * F + f) * oh * ow, F * oh * ow, staging)
        }
        return
    }
    forTransformedTiles(Maps.AT.self, p, mm, row: f, rows: F, n0: n0, tiles: tiles, tp: tp) { out, lane, n, y0, x0 in
        let plane = output + (n * F + f) * oh * ow + y0 * ow + x0
        if y0 + m <= oh && x0 + m <= ow {
            for i in 0..<m { for j in 0..<m { plane[i * ow + j] = clamped(out[i * m + j][lane] + b, relu) } }
        } else {
            for i in 0..<min(m, oh - y0) { for j in 0..<min(m, ow - x0) { plane[i * ow + j] = clamped(out[i * m + j][lane] + b, relu) } }
        }
    }
}

/// Ŷ = A dY Aᵀ of filter `f`'s gradient (zeros where a tile overhangs the map).
@inline(__always)
func gradientTiles<Maps: TileMaps>(_: Maps.Type, _ p: WinogradPlan, _ gradOutput: UnsafePointer<Float>, filter f: Int,
                                   n0: Int, tiles: Int, tp: Int, yh: UnsafeMutablePointer<Float>) {
    let g = p.g, F = g.outChannels, m = Maps.A.inCount, a2 = p.alpha2, oh = g.outHeight, ow = g.outWidth
    if NativeTiles.active(Maps.self) {
        p.withNative(tiles: tiles) { geometry, images, staging in
            moon_tiles43_gradient(geometry, gradOutput + (n0 * F + f) * oh * ow, F * oh * ow, images, tp, yh + f * tp, F * tp, staging)
        }
        return
    }
    var at = TileCursor(p, n0: n0)
    withUnsafeTemporaryAllocation(of: TileLanes.self, capacity: 3 * a2) { buf in
        let d = buf.baseAddress!, out = d + a2, tmp = out + a2
        for k0 in stride(from: 0, to: tp, by: 8) {
            for lane in 0..<8 {
                guard k0 + lane < tiles else { for e in 0..<(m * m) { d[e][lane] = 0 }; continue }
                let y0 = at.y, x0 = at.x
                let plane = gradOutput + (at.n * F + f) * oh * ow + y0 * ow + x0
                at.advance()
                if y0 + m <= oh && x0 + m <= ow {
                    for i in 0..<m { for j in 0..<m { d[i * m + j][lane] = plane[i * ow + j] } }
                } else {
                    for i in 0..<m {
                        for j in 0..<m { d[i * m + j][lane] = y0 + i < oh && x0 + j < ow ? plane[i * ow + j] : 0 }
                    }
                }
            }
            Maps.A.apply2D(d, out, tmp)
            for e in 0..<a2 { storeLanes(out[e], yh + (e * F + f) * tp + k0) }
        }
    }
}

/// dX = Σ B dV Bᵀ of channel `c` over the chunk's tiles, in tile order (tiles overlap by r − 1);
/// the chunk's planes of channel `c` are zeroed first.
@inline(__always)
func inputGradientTiles<Maps: TileMaps>(_: Maps.Type, _ p: WinogradPlan, _ v: UnsafePointer<Float>, channel c: Int,
                                        n0: Int, tiles: Int, tp: Int, gradInput: UnsafeMutablePointer<Float>) {
    let g = p.g, C = g.inChannels, alpha = Maps.B.outCount, H = g.inHeight, W = g.inWidth
    if NativeTiles.active(Maps.self) {
        p.withNative(tiles: tiles) { geometry, images, staging in
            moon_tiles43_input_gradient(geometry, v + c * tp, C * tp, images, tp, gradInput + (n0 * C + c) * H * W, C * H * W, staging)
        }
        return
    }
    for n in n0..<(n0 + tiles / p.tilesPerImage) { (gradInput + (n * C + c) * H * W).update(repeating: 0, count: H * W) }
    forTransformedTiles(Maps.B.self, p, v, row: c, rows: C, n0: n0, tiles: tiles, tp: tp) { out, lane, n, oy, ox in
        let plane = gradInput + (n * C + c) * H * W
        let y0 = oy - g.padTop, x0 = ox - g.padLeft
        if y0 >= 0 && x0 >= 0 && y0 + alpha <= H && x0 + alpha <= W {
            for i in 0..<alpha {
                let row = plane + (y0 + i) * W + x0
                for j in 0..<alpha { row[j] += out[i * alpha + j][lane] }
            }
            return
        }
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
