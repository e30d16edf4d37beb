import Testing
@testable import MoonKernels

/// Winograd tiles (WinogradConv.swift): in ConvTests' serialized suite, since these tests turn
/// the process-wide tuning knobs.
extension ConvTests {
    /// Each tile transform computes a 1-D correlation exactly (to float rounding), and its Bᵀ
    /// has small entries, whole or quarters (the scales live in G).
    @Test(arguments: [(2, 3), (4, 3), (2, 5), (4, 5)])
    func tileTransformsCorrelate(sizes: (Int, Int)) {
        let t = WinogradTransform(m: sizes.0, r: sizes.1)
        var rng = TestRandom(seed: 8)
        for _ in 0..<20 {
            let w = rng.floats(t.r), d = rng.floats(t.alpha)
            let gw = (0..<t.alpha).map { j in (0..<t.r).reduce(Float(0)) { $0 + t.g.values[j * t.r + $1] * w[$1] } }
            let bd = (0..<t.alpha).map { j in (0..<t.alpha).reduce(Float(0)) { $0 + t.bt.values[j * t.alpha + $1] * d[$1] } }
            for i in 0..<t.m {
                let fast = (0..<t.alpha).reduce(Float(0)) { $0 + t.at.values[i * t.alpha + $1] * gw[$1] * bd[$1] }
                let direct = (0..<t.r).reduce(0.0) { $0 + Double(w[$1]) * Double(d[i + $1]) }
                #expect(abs(Double(fast) - direct) < 2e-5, "F(\(t.m),\(t.r)) output \(i)")
            }
        }
        #expect(t.bt.values.allSatisfy { 4 * $0 == (4 * $0).rounded() && abs($0) <= 10 })
    }

    /// The written-out 1-D maps of the hot loops are the transform matrices, entry for entry.
    @Test func tileMapsAreTheMatrices() {
        func check<M: TileLine>(_: M.Type, _ matrix: SmallMatrix, _ name: String) {
            #expect(matrix.rows == M.outCount && matrix.cols == M.inCount, "\(name) shape")
            for j in 0..<M.inCount {   // column j of the matrix: the map of the j-th unit vector
                var x = [TileLanes](repeating: .zero, count: M.inCount), y = [TileLanes](repeating: .zero, count: M.outCount)
                x[j] = TileLanes(repeating: 1)
                M.map(x, 1, &y, 1)
                for i in 0..<M.outCount { #expect(y[i] == TileLanes(repeating: matrix.values[i * M.inCount + j]), "\(name)[\(i),\(j)]") }
            }
        }
        let f43 = WinogradTransform.f4x3, f25 = WinogradTransform.f2x5, f23 = WinogradTransform.f2x3
        check(BT6.self, f43.bt, "BT6"); check(B6.self, f43.b, "B6"); check(AT43.self, f43.at, "AT43"); check(A43.self, f43.a, "A43")
        check(BT6.self, f25.bt, "BT6 of F(2,5)"); check(AT25.self, f25.at, "AT25"); check(A25.self, f25.a, "A25")
        check(BT4.self, f23.bt, "BT4"); check(B4.self, f23.b, "B4"); check(AT23.self, f23.at, "AT23"); check(A23.self, f23.a, "A23")
        let f45 = WinogradTransform.f4x5
        check(BT8.self, f45.bt, "BT8"); check(B8.self, f45.b, "B8"); check(AT45.self, f45.at, "AT45"); check(A45.self, f45.a, "A45")
    }

    /// Chunks of a few tiles (several a batch) when `small`, else the default sizes; run whole by
    /// one worker when `pipelined`, else in phases.
    private func useChunks(small: Bool, pipelined: Bool) {
        Conv2DTuning.winogradPipelineBytes = pipelined ? Int.max : 0
        Conv2DTuning.winogradMinTiles = small ? 1 : 128
        Conv2DTuning.winogradPipelineMinTiles = small ? 1 : 64
        Conv2DTuning.winogradChunkBytes = small ? 1 : 8 << 20
        Conv2DTuning.winogradCacheBytes = small ? 1 : 512 << 10
    }

    /// Random stride-1 3x3 and 5x5 convolutions (any padding, maps smaller than a tile, batches
    /// cut into several chunks) through Winograd tiles match the reference in all four results.
    @Test func winogradMatchesReference() throws {
        let saved = (Conv2DTuning.winogradMinChannels, Conv2DTuning.winogradMinTiles, Conv2DTuning.winogradChunkBytes,
                     Conv2DTuning.winogradPipelineBytes, Conv2DTuning.winogradCacheBytes, Conv2DTuning.winogradPipelineMinTiles)
        defer {
            (Conv2DTuning.winogradMinChannels, Conv2DTuning.winogradMinTiles, Conv2DTuning.winogradChunkBytes,
             Conv2DTuning.winogradPipelineBytes, Conv2DTuning.winogradCacheBytes, Conv2DTuning.winogradPipelineMinTiles) = saved
        }
        Conv2DTuning.winogradMinChannels = 1
        var rng = TestRandom(seed: 21)
        var checked = 0, tiles = [Int: Int](), chunked = 0, pipelined = 0
        while checked < 160 {
            let k = [3, 5][rng.int(0...1)]
            let padding: Padding2D
            switch rng.int(0...2) {
            case 0: padding = .valid
            case 1: padding = .same
            default: padding = .explicit(top: rng.int(0...3), bottom: rng.int(0...3), left: rng.int(0...3), right: rng.int(0...3))
            }
            guard let g = try? Conv2DGeometry(batch: rng.int(1...5), inChannels: rng.int(1...6), inHeight: rng.int(1...13),
                                              inWidth: rng.int(1...13), outChannels: rng.int(1...6),
                                              kernelHeight: k, kernelWidth: k, padding: padding) else { continue }
            // Both ways of running chunks, and small chunks in half the draws (several a batch).
            useChunks(small: checked % 2 == 0, pipelined: checked % 4 < 2)
            let t = try #require(g.winograd)
            let plan = WinogradPlan(g, t)
            if plan.chunks.count > 2 { chunked += 1 }
            if plan.pipelined { pipelined += 1 }
            tiles[t.m * 10 + t.r, default: 0] += 1
            checkConv(g, rng: &rng, withBias: checked % 3 != 0)
            checked += 1
        }
        #expect(tiles[43, default: 0] > 10 && tiles[23, default: 0] > 10 && tiles[25, default: 0] > 10 && tiles[45, default: 0] > 10
                && chunked > 40)
        #expect(pipelined > 60 && pipelined < 100)
    }

    /// The AVX2 tile steps of F(4×4, 3×3) (CMoonTiles) give the Swift steps' numbers bit for bit:
    /// output with and without bias and relu, and all three gradients, for maps that divide into
    /// whole tiles and maps that do not, any padding, one chunk or several, either way of
    /// running chunks. On a CPU without AVX2 the C steps never run, and the test reports itself
    /// skipped for that reason (the Swift steps are then what the other tests check).
    @Test(.enabled(if: NativeTiles.supported, "this CPU has no AVX2, so the C tile steps never run"))
    func nativeTilesEqualSwiftTiles() throws {
        let saved = (Conv2DTuning.winogradMinChannels, Conv2DTuning.winogradMinTiles, Conv2DTuning.winogradChunkBytes,
                     Conv2DTuning.winogradPipelineBytes, Conv2DTuning.winogradCacheBytes, Conv2DTuning.winogradPipelineMinTiles,
                     Conv2DTuning.nativeTiles)
        defer {
            (Conv2DTuning.winogradMinChannels, Conv2DTuning.winogradMinTiles, Conv2DTuning.winogradChunkBytes,
             Conv2DTuning.winogradPipelineBytes, Conv2DTuning.winogradCacheBytes, Conv2DTuning.winogradPipelineMinTiles,
             Conv2DTuning.nativeTiles) = saved
        }
        Conv2DTuning.winogradMinChannels = 1
        var rng = TestRandom(seed: 43)
        var checked = 0, wholeTiles = 0, chunked = 0
        while checked < 60 {
            // A third of the maps in whole tiles ("same" on a multiple of 4), the rest any size.
            let whole = checked % 3 == 0
            let padding: Padding2D = whole || rng.int(0...1) == 0 ? .same
                : .explicit(top: rng.int(0...3), bottom: rng.int(0...3), left: rng.int(0...3), right: rng.int(0...3))
            let size = whole ? 4 * rng.int(1...6) : rng.int(3...21)
            guard let g = try? Conv2DGeometry(batch: rng.int(1...6), inChannels: rng.int(1...5), inHeight: size,
                                              inWidth: !whole && checked % 5 == 1 ? rng.int(3...21) : size, outChannels: rng.int(1...5),
                                              kernelHeight: 3, kernelWidth: 3, padding: padding),
                  let t = g.winograd, t.m == 4 else { continue }
            useChunks(small: checked % 2 == 0, pipelined: checked % 4 < 2)
            if WinogradPlan(g, t).chunks.count > 2 { chunked += 1 }
            if g.outHeight % 4 == 0 && g.outWidth % 4 == 0 { wholeTiles += 1 }
            let x = rng.floats(g.batch * g.inputImageSize), w = rng.floats(g.weightSize), b = rng.floats(g.outChannels)
            let dy = rng.floats(g.batch * g.outputImageSize)
            let relu = checked % 3 == 1, withBias = checked % 3 != 0
            func run(native: Bool) -> [Float] {
                Conv2DTuning.nativeTiles = native
                return convResults(g, x: x, w: w, b: withBias ? b : nil, dy: dy, relu: relu)
            }
            let swift = run(native: false), native = run(native: true)
            #expect(native.elementsEqual(swift) { $0.bitPattern == $1.bitPattern }, "\(g)")
            checked += 1
        }
        #expect(wholeTiles >= 20 && wholeTiles < 40 && chunked > 15)
    }

    /// Each gradient asked for alone (a frozen layer's input gradient, the first layer's weight
    /// gradient) is the one computed with all three, in both ways of running chunks.
    @Test(arguments: [false, true])
    func winogradGradientsAskedAlone(pipelined: Bool) throws {
        let saved = Conv2DTuning.winogradPipelineBytes
        defer { Conv2DTuning.winogradPipelineBytes = saved }
        Conv2DTuning.winogradPipelineBytes = pipelined ? Int.max : 0
        let g = try Conv2DGeometry(batch: 5, inChannels: 16, inHeight: 9, inWidth: 9, outChannels: 16,
                                   kernelHeight: 3, kernelWidth: 3, padding: .same)
        #expect(try WinogradPlan(g, #require(g.winograd)).pipelined == pipelined)
        var rng = TestRandom(seed: 31)
        let x = rng.floats(g.batch * g.inputImageSize), w = rng.floats(g.weightSize)
        let dy = rng.floats(g.batch * g.outputImageSize)
        var dx = [Float](repeating: 0, count: x.count), dw = [Float](repeating: 0, count: w.count)
        var db = [Float](repeating: 0, count: 16)
        conv2dBackward(g, input: x, weight: w, gradOutput: dy, gradInput: &dx, gradWeight: &dw, gradBias: &db)
        var dxAlone = [Float](repeating: .nan, count: x.count), dwAlone = [Float](repeating: .nan, count: w.count)
        var dbAlone = [Float](repeating: .nan, count: 16)
        conv2dBackward(g, input: x, weight: w, gradOutput: dy, gradInput: &dxAlone, gradWeight: nil, gradBias: nil)
        conv2dBackward(g, input: x, weight: w, gradOutput: dy, gradInput: nil, gradWeight: &dwAlone, gradBias: nil)
        conv2dBackward(g, input: x, weight: w, gradOutput: dy, gradInput: nil, gradWeight: nil, gradBias: &dbAlone)
        #expect(dxAlone == dx && dwAlone == dw && dbAlone == db)
    }

    /// The transformed weights the forward pass keeps are the ones the backward pass would
    /// compute: the gradients with them are the recomputed ones bit for bit (every tile size, both
    /// ways of running chunks), and the backward pass reads them rather than the weights.
    @Test(arguments: [false, true])
    func keptTransformedWeightsGiveTheSameGradients(pipelined: Bool) throws {
        let saved = Conv2DTuning.winogradPipelineBytes
        defer { Conv2DTuning.winogradPipelineBytes = saved }
        Conv2DTuning.winogradPipelineBytes = pipelined ? Int.max : 0
        var rng = TestRandom(seed: 37)
        for (k, size) in [(3, 9), (3, 5), (5, 11), (5, 5)] {
            let g = try Conv2DGeometry(batch: 3, inChannels: 16, inHeight: size, inWidth: size, outChannels: 17,
                                       kernelHeight: k, kernelWidth: k, padding: .same)
            let count = try #require(g.transformedWeightCount)
            let t = try #require(g.winograd)
            #expect(count == t.alpha * t.alpha * 16 * 17)
            let x = rng.floats(g.batch * g.inputImageSize), w = rng.floats(g.weightSize), b = rng.floats(17)
            let dy = rng.floats(g.batch * g.outputImageSize)
            var y = [Float](repeating: .nan, count: dy.count), yKept = y
            var u = [Float](repeating: .nan, count: count)
            conv2dForward(g, input: x, weight: w, bias: b, output: &y)
            conv2dForward(g, input: x, weight: w, bias: b, output: &yKept, transformedWeights: &u)
            #expect(yKept == y && !u.contains { $0.isNaN })
            var dx = [Float](repeating: .nan, count: x.count), dw = [Float](repeating: .nan, count: w.count)
            var db = [Float](repeating: .nan, count: 17)
            conv2dBackward(g, input: x, weight: w, gradOutput: dy, gradInput: &dx, gradWeight: &dw, gradBias: &db)
            var dxKept = [Float](repeating: .nan, count: x.count), dwKept = dw, dbKept = db
            // Zero weights: with kept transformed weights the input gradient must not read them.
            let zeros = [Float](repeating: 0, count: w.count)
            conv2dBackward(g, input: x, weight: zeros, gradOutput: dy, gradInput: &dxKept, gradWeight: &dwKept,
                           gradBias: &dbKept, transformedWeights: u)
            #expect(dxKept == dx && dwKept == dw && dbKept == db, "\(k)x\(k) on \(size)x\(size)")
            #expect(dx.contains { $0 != 0 })
        }
    }

    /// Only some geometries take Winograd tiles: stride 1, no dilation, 3x3 or 5x5, enough channels.
    @Test func winogradAppliesWhereItPays() throws {
        func conv(_ c: Int, _ f: Int, _ k: Int, stride: Int = 1, dilation: Int = 1, size: Int = 14) throws -> Conv2DGeometry {
            try Conv2DGeometry(batch: 2, inChannels: c, inHeight: size, inWidth: size, outChannels: f, kernelHeight: k,
                               kernelWidth: k, stride: (stride, stride), padding: .same, dilation: (dilation, dilation))
        }
        #expect(try conv(64, 64, 3).winograd?.m == 4)
        #expect(try conv(64, 64, 3, size: 2).winograd?.m == 2)   // a 2x2 map: one 2x2 tile, not a 4x4 one
        #expect(try conv(32, 128, 5).winograd.map { ($0.m, $0.r) } ?? (0, 0) == (4, 5))
        #expect(try conv(32, 128, 5, size: 2).winograd?.m == 2)
        #expect(try conv(1, 64, 3).winograd == nil)                // one input channel
        #expect(try conv(64, 64, 3, stride: 2).winograd == nil)
        #expect(try conv(64, 64, 3, dilation: 2).winograd == nil)
        #expect(try conv(64, 64, 1).winograd == nil)
        #expect(try conv(64, 64, 7).winograd == nil)
    }

    /// Winograd's passes give the same bits for any thread count, with chunks run whole by one
    /// worker or in phases, one chunk or several.
    @Test(arguments: [(8 << 20, false), (1, false), (512 << 10, true), (1, true)])
    func winogradIsBitForBitRepeatable(chunkBytes: Int, pipelined: Bool) throws {
        let saved = (Conv2DTuning.winogradMinTiles, Conv2DTuning.winogradChunkBytes, Conv2DTuning.winogradPipelineBytes,
                     Conv2DTuning.winogradCacheBytes, Conv2DTuning.winogradPipelineMinTiles)
        defer {
            (Conv2DTuning.winogradMinTiles, Conv2DTuning.winogradChunkBytes, Conv2DTuning.winogradPipelineBytes,
             Conv2DTuning.winogradCacheBytes, Conv2DTuning.winogradPipelineMinTiles) = saved
        }
        Conv2DTuning.winogradChunkBytes = chunkBytes
        Conv2DTuning.winogradCacheBytes = chunkBytes
        Conv2DTuning.winogradPipelineBytes = pipelined ? Int.max : 0
        Conv2DTuning.winogradMinTiles = chunkBytes == 1 ? 40 : 128
        Conv2DTuning.winogradPipelineMinTiles = chunkBytes == 1 ? 1 : 64
        let g = try Conv2DGeometry(batch: 23, inChannels: 16, inHeight: 9, inWidth: 9, outChannels: 24,
                                   kernelHeight: 3, kernelWidth: 3, padding: .same)
        let t = try #require(g.winograd)
        let plan = WinogradPlan(g, t)
        #expect(plan.pipelined == pipelined && (plan.chunks.count > 2) == (chunkBytes == 1 || pipelined))
        var rng = TestRandom(seed: 12)
        let x = rng.floats(g.batch * g.inputImageSize), w = rng.floats(g.weightSize), b = rng.floats(24)
        let dy = rng.floats(g.batch * g.outputImageSize)
        expectRepeatable(threads: [2, 3, 4, 2]) { convResults(g, x: x, w: w, b: b, dy: dy) }
    }
}
