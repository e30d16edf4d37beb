import Testing
@testable import MoonKernels

/// Convolutions through tap classes (GEMMs over the taps inside the image only).
extension ConvTests {
    /// The knobs the tap-class tests turn, to put back after each.
    private func savedTapClassKnobs() -> (Double, Int, Int) {
        (Conv2DTuning.tapClassesBelow, Conv2DTuning.tapClassChunkBytes, Conv2DTuning.winogradMinChannels)
    }
    private func restore(_ s: (Double, Int, Int)) {
        (Conv2DTuning.tapClassesBelow, Conv2DTuning.tapClassChunkBytes, Conv2DTuning.winogradMinChannels) = s
    }

    /// Random geometries (any stride, dilation and padding, asymmetric included, and paddings so
    /// wide that some outputs see no pixel at all), all taken through tap classes, give the
    /// reference's output and gradients; chunks of one image in half the draws.
    @Test func tapClassesMatchReference() throws {
        let saved = savedTapClassKnobs()
        defer { restore(saved) }
        Conv2DTuning.tapClassesBelow = 1
        Conv2DTuning.winogradMinChannels = 1
        var rng = TestRandom(seed: 57)
        var checked = 0, classed = 0, blind = 0, chunked = 0, strided = 0
        while checked < 200 {
            let wide = checked % 10 == 0   // padding wider than the kernel's reach
            let padding: Padding2D = wide ? .explicit(top: 4, bottom: 5, left: 6, right: 4)
                : [.same, .valid, .explicit(top: rng.int(0...3), bottom: rng.int(0...3), left: rng.int(0...3), right: rng.int(0...3))][rng.int(0...2)]
            guard let g = try? Conv2DGeometry(
                batch: rng.int(1...5), inChannels: rng.int(1...4), inHeight: rng.int(1...11), inWidth: rng.int(1...11),
                outChannels: rng.int(1...5), kernelHeight: rng.int(1...5), kernelWidth: rng.int(1...5),
                stride: (rng.int(1...3), rng.int(1...3)), padding: padding,
                dilation: rng.int(0...3) == 0 ? (rng.int(1...3), rng.int(1...3)) : (1, 1)),
                  let tc = g.tapClasses else { continue }
            // Chunks of one image in half the draws (the largest class of one image at most).
            Conv2DTuning.tapClassChunkBytes = checked % 2 == 0 ? 4 * tc.perImage : 16 << 20
            if tc.chunks.count > 2 { chunked += 1 }
            if tc.classes.count > 1 { classed += 1 }
            if tc.classes.contains(where: { $0.taps == 0 }) { blind += 1 }
            if g.strideH > 1 || g.strideW > 1 { strided += 1 }
            checkConv(g, rng: &rng, withBias: checked % 3 != 0)
            checked += 1
        }
        #expect(classed > 100 && blind > 10 && chunked > 60 && strided > 80)
        // A map whose one image outgrows the chunk keeps im2col.
        let big = try Conv2DGeometry(batch: 2, inChannels: 16, inHeight: 64, inWidth: 64, outChannels: 16,
                                     kernelHeight: 3, kernelWidth: 3, stride: (2, 2), padding: .symmetric(1))
        let takenWhole = big.tapClasses != nil
        Conv2DTuning.tapClassChunkBytes = 64 << 10   // one image's largest class is 615 KB
        let takenCut = big.tapClasses != nil
        #expect(takenWhole && !takenCut)
    }

    /// The tap-class path repeats bit for bit at any thread count.
    @Test func tapClassesAreBitForBitRepeatable() throws {
        let g = try Conv2DGeometry(batch: 9, inChannels: 16, inHeight: 7, inWidth: 7, outChannels: 24,
                                   kernelHeight: 3, kernelWidth: 3, stride: (2, 2), padding: .symmetric(1))
        #expect(g.tapClasses != nil)
        var rng = TestRandom(seed: 58)
        let x = rng.floats(g.batch * g.inputImageSize), w = rng.floats(g.weightSize), b = rng.floats(24)
        let dy = rng.floats(g.batch * g.outputImageSize)
        expectRepeatable(threads: [2, 3, 4]) { convResults(g, x: x, w: w, b: b, dy: dy, relu: true) }
    }

    /// Which layers take tap classes, and their classes: ResNet-18's stride-2 3x3 layer on 7x7 maps
    /// (a 4x4 output: interior, edges, corners), not its 14x14 one nor a stride-1 layer.
    @Test func tapClassesApplyWhereThePaddingCosts() throws {
        func resnet(_ c: Int, _ size: Int, stride: Int = 2) throws -> Conv2DGeometry {
            try Conv2DGeometry(batch: 4, inChannels: c, inHeight: size, inWidth: size, outChannels: 2 * c,
                               kernelHeight: 3, kernelWidth: 3, stride: (stride, stride), padding: .symmetric(1))
        }
        let tc = try #require(try resnet(256, 7).tapClasses)
        #expect(abs(tc.insideFraction - 100.0 / 144) < 1e-12)
        #expect(tc.rows == [TapSpan(taps: 1..<3, positions: [0]), TapSpan(taps: 0..<3, positions: [1, 2]),
                            TapSpan(taps: 0..<2, positions: [3])])
        #expect(tc.cols == tc.rows && tc.classes.count == 9)
        #expect(tc.classes.map(\.taps).reduce(0, +) == 49 && tc.classes.map(\.positions).reduce(0, +) == 16)
        // An edge that keeps every kernel column is one GEMM; one that loses a column, one a kernel row.
        #expect(tc.blocks(tc.classes[1]).count == 1 && tc.blocks(tc.classes[3]).count == 3)
        #expect(try resnet(128, 14).tapClasses == nil && resnet(64, 28).tapClasses == nil)
        #expect(try resnet(256, 7, stride: 1).tapClasses == nil)   // Winograd
        let saved = Conv2DTuning.tapClasses
        defer { Conv2DTuning.tapClasses = saved }
        Conv2DTuning.tapClasses = false
        #expect(try resnet(256, 7).tapClasses == nil)
    }
}
