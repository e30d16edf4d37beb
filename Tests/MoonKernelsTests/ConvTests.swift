import Testing
@testable import MoonKernels

/// Naive convolution written straight from the definition, in double precision.
struct ReferenceConv {
    let g: Conv2DGeometry

    /// Input position read by output (y, x) through kernel tap (i, j), or nil in the padding.
    func source(_ y: Int, _ x: Int, _ i: Int, _ j: Int) -> (Int, Int)? {
        let iy = y * g.strideH - g.padTop + i * g.dilationH
        let ix = x * g.strideW - g.padLeft + j * g.dilationW
        return (0..<g.inHeight).contains(iy) && (0..<g.inWidth).contains(ix) ? (iy, ix) : nil
    }
    func inIndex(_ n: Int, _ c: Int, _ y: Int, _ x: Int) -> Int { ((n * g.inChannels + c) * g.inHeight + y) * g.inWidth + x }
    func outIndex(_ n: Int, _ f: Int, _ y: Int, _ x: Int) -> Int { ((n * g.outChannels + f) * g.outHeight + y) * g.outWidth + x }
    func wIndex(_ f: Int, _ c: Int, _ i: Int, _ j: Int) -> Int { ((f * g.inChannels + c) * g.kernelHeight + i) * g.kernelWidth + j }

    /// Every product term of the forward sum: output index, weight index, input index.
    func terms() -> [(out: Int, w: Int, x: Int)] {
        var all: [(out: Int, w: Int, x: Int)] = []
        for n in 0..<g.batch { for f in 0..<g.outChannels { for y in 0..<g.outHeight { for x in 0..<g.outWidth {
            for c in 0..<g.inChannels { for i in 0..<g.kernelHeight { for j in 0..<g.kernelWidth {
                if let (iy, ix) = source(y, x, i, j) {
                    all.append((outIndex(n, f, y, x), wIndex(f, c, i, j), inIndex(n, c, iy, ix)))
                }
            } } }
        } } } }
        return all
    }

    func forward(_ input: [Float], _ w: [Float], _ b: [Float]?) -> [Double] {
        var out = [Double](repeating: 0, count: g.batch * g.outputImageSize)
        for n in 0..<g.batch { for f in 0..<g.outChannels { for y in 0..<g.outHeight { for x in 0..<g.outWidth {
            out[outIndex(n, f, y, x)] = Double(b?[f] ?? 0)
        } } } }
        for t in terms() { out[t.out] += Double(w[t.w]) * Double(input[t.x]) }
        return out
    }

    func backward(_ input: [Float], _ w: [Float], _ dy: [Float]) -> (dx: [Double], dw: [Double], db: [Double]) {
        var dx = [Double](repeating: 0, count: input.count)
        var dw = [Double](repeating: 0, count: w.count)
        var db = [Double](repeating: 0, count: g.outChannels)
        for n in 0..<g.batch { for f in 0..<g.outChannels { for y in 0..<g.outHeight { for x in 0..<g.outWidth {
            db[f] += Double(dy[outIndex(n, f, y, x)])
        } } } }
        for t in terms() {
            dx[t.x] += Double(w[t.w]) * Double(dy[t.out])
            dw[t.w] += Double(input[t.x]) * Double(dy[t.out])
        }
        return (dx, dw, db)
    }
}

/// Runs our kernels on `g` with random data and compares all four results with the reference.
func checkConv(_ g: Conv2DGeometry, rng: inout TestRandom, withBias: Bool = true,
               method: Conv2DInputGradientMethod = .automatic, sourceLocation: SourceLocation = #_sourceLocation) {
    let x = rng.floats(g.batch * g.inputImageSize), w = rng.floats(g.weightSize)
    let b = withBias ? rng.floats(g.outChannels) : nil
    let dy = rng.floats(g.batch * g.outputImageSize)
    var y = [Float](repeating: .nan, count: dy.count)
    var dx = [Float](repeating: .nan, count: x.count), dw = [Float](repeating: .nan, count: w.count)
    var db = [Float](repeating: .nan, count: g.outChannels)
    if let b {
        conv2dForward(g, input: x, weight: w, bias: b, output: &y)
    } else {
        conv2dForward(g, input: x, weight: w, bias: nil, output: &y)
    }
    conv2dBackward(g, input: x, weight: w, gradOutput: dy, gradInput: &dx, gradWeight: &dw, gradBias: &db,
                   inputGradientMethod: method)
    let ref = ReferenceConv(g)
    let want = ref.backward(x, w, dy)
    let context = "\(g) method \(method)"
    #expect(relativeError(y, ref.forward(x, w, b)) < 1e-5, "forward \(context)", sourceLocation: sourceLocation)
    #expect(relativeError(dx, want.dx) < 1e-5, "dX \(context)", sourceLocation: sourceLocation)
    #expect(relativeError(dw, want.dw) < 1e-5, "dW \(context)", sourceLocation: sourceLocation)
    #expect(relativeError(db, want.db) < 1e-5, "dB \(context)", sourceLocation: sourceLocation)
}

extension ReferenceConv { init(_ g: Conv2DGeometry) { self.g = g } }

/// One convolution end to end: its output, then the input, weight and bias gradients, one after
/// another (`b` nil: no bias).
func convResults(_ g: Conv2DGeometry, x: [Float], w: [Float], b: [Float]?, dy: [Float], relu: Bool = false) -> [Float] {
    var y = [Float](repeating: .nan, count: dy.count)
    var dx = [Float](repeating: .nan, count: x.count), dw = [Float](repeating: .nan, count: w.count)
    var db = [Float](repeating: .nan, count: g.outChannels)
    if let b { conv2dForward(g, input: x, weight: w, bias: b, output: &y, relu: relu) }
    else { conv2dForward(g, input: x, weight: w, bias: nil, output: &y, relu: relu) }
    conv2dBackward(g, input: x, weight: w, gradOutput: dy, gradInput: &dx, gradWeight: &dw, gradBias: &db)
    return y + dx + dw + db
}

/// `run()`'s numbers are the same bit for bit at one thread and at each of `threads`.
func expectRepeatable(threads: [Int], sourceLocation: SourceLocation = #_sourceLocation, _ run: () -> [Float]) {
    let saved = Threads.count
    defer { Threads.set(saved) }
    Threads.set(1)
    let first = run()
    for n in threads {
        Threads.set(n)
        #expect(run().elementsEqual(first) { $0.bitPattern == $1.bitPattern }, "\(n) threads", sourceLocation: sourceLocation)
    }
}

/// Serialized: some tests turn the process-wide tuning knobs, and others check which path a
/// geometry takes.
@Suite(.serialized) struct ConvTests {
    /// A random valid convolution geometry (nil when the draw does not make one).
    static func randomGeometry(_ rng: inout TestRandom) -> Conv2DGeometry? {
        let kh = rng.int(1...5), kw = rng.int(1...5)
        let padding: Padding2D
        switch rng.int(0...2) {
        case 0: padding = .valid
        case 1: padding = .same
        default: padding = .explicit(top: rng.int(0...3), bottom: rng.int(0...3), left: rng.int(0...3), right: rng.int(0...3))
        }
        return try? Conv2DGeometry(
            batch: rng.int(0...5), inChannels: rng.int(1...4), inHeight: rng.int(1...11), inWidth: rng.int(1...11),
            outChannels: rng.int(1...5), kernelHeight: kh, kernelWidth: kw,
            stride: (rng.int(1...3), rng.int(1...3)), padding: padding,
            dilation: rng.int(0...3) == 0 ? (rng.int(1...3), rng.int(1...3)) : (1, 1))
    }

    @Test func randomGeometriesMatchReference() throws {
        var rng = TestRandom(seed: 42)
        var checked = 0, strided = 0, dilated = 0, pointwise = 0, asymmetric = 0
        while checked < 300 {
            guard let g = Self.randomGeometry(&rng) else { continue }
            let method: Conv2DInputGradientMethod = [.automatic, .col2im, .transposedConvolution][checked % 3]
            checkConv(g, rng: &rng, withBias: checked % 4 != 0, method: method)
            checked += 1
            if g.strideH > 1 || g.strideW > 1 { strided += 1 }
            if g.dilationH > 1 || g.dilationW > 1 { dilated += 1 }
            if g.kernelHeight == 1 && g.kernelWidth == 1 { pointwise += 1 }
            if g.padTop != g.padBottom || g.padLeft != g.padRight { asymmetric += 1 }
        }
        // The random mix must actually cover the interesting cases.
        #expect(strided > 50 && dilated > 30 && pointwise > 5 && asymmetric > 30)
    }

    /// Images processed in bands of output rows (a small column buffer) give the same results.
    /// The knob only changes blocking, so other tests running meanwhile stay correct.
    @Test func rowBandsMatchReference() throws {
        let saved = Conv2DTuning.columnBufferBytes
        defer { Conv2DTuning.columnBufferBytes = saved }
        var rng = TestRandom(seed: 99)
        var checked = 0
        while checked < 100 {
            guard let g = Self.randomGeometry(&rng), g.outHeight > 1 else { continue }
            Conv2DTuning.columnBufferBytes = checked % 2 == 0 || g.outHeight <= 2 ? 1 : 4 * g.patchSize * g.outWidth * 2
            #expect(g.bandRows < g.outHeight)
            checkConv(g, rng: &rng, method: checked % 3 == 0 ? .transposedConvolution : .col2im)
            checked += 1
        }
    }

    @Test(arguments: [Conv2DInputGradientMethod.col2im, .transposedConvolution])
    func pointwiseAndStudyShapes(method: Conv2DInputGradientMethod) throws {
        var rng = TestRandom(seed: 7)
        // 1x1 (the input itself is the column matrix), 1x1 strided, 1x1 padded.
        checkConv(try Conv2DGeometry(batch: 3, inChannels: 5, inHeight: 6, inWidth: 7, outChannels: 4,
                                     kernelHeight: 1, kernelWidth: 1), rng: &rng, method: method)
        checkConv(try Conv2DGeometry(batch: 2, inChannels: 3, inHeight: 7, inWidth: 5, outChannels: 2,
                                     kernelHeight: 1, kernelWidth: 1, stride: (2, 2)), rng: &rng, method: method)
        checkConv(try Conv2DGeometry(batch: 2, inChannels: 3, inHeight: 4, inWidth: 4, outChannels: 2,
                                     kernelHeight: 1, kernelWidth: 1, padding: .symmetric(1)), rng: &rng, method: method)
        // The study network's layers at a small batch, and a large kernel with small stride.
        checkConv(try Conv2DGeometry(batch: 3, inChannels: 1, inHeight: 28, inWidth: 28, outChannels: 8,
                                     kernelHeight: 3, kernelWidth: 3, padding: .same), rng: &rng, method: method)
        checkConv(try Conv2DGeometry(batch: 2, inChannels: 6, inHeight: 14, inWidth: 14, outChannels: 7,
                                     kernelHeight: 3, kernelWidth: 3, padding: .same), rng: &rng, method: method)
        checkConv(try Conv2DGeometry(batch: 2, inChannels: 2, inHeight: 13, inWidth: 12, outChannels: 3,
                                     kernelHeight: 7, kernelWidth: 5, stride: (2, 3), padding: .same), rng: &rng, method: method)
        checkConv(try Conv2DGeometry(batch: 5, inChannels: 2, inHeight: 9, inWidth: 9, outChannels: 3,
                                     kernelHeight: 3, kernelWidth: 3, padding: .same, dilation: (2, 2)), rng: &rng, method: method)
        // Padding larger than the kernel: some outputs see only zeros.
        checkConv(try Conv2DGeometry(batch: 2, inChannels: 2, inHeight: 4, inWidth: 5, outChannels: 2,
                                     kernelHeight: 2, kernelWidth: 2, padding: .explicit(top: 3, bottom: 0, left: 0, right: 4)),
                  rng: &rng, method: method)
    }

    @Test func samePaddingFollowsTensorFlow() throws {
        // 28 with k=3, s=2: out 14, total padding 1, all of it at the bottom/right.
        let g = try Conv2DGeometry(batch: 1, inChannels: 1, inHeight: 28, inWidth: 27, outChannels: 1,
                                   kernelHeight: 3, kernelWidth: 4, stride: (2, 2), padding: .same)
        #expect(g.outHeight == 14 && g.outWidth == 14)
        #expect(g.padTop == 0 && g.padBottom == 1)
        #expect(g.padLeft == 1 && g.padRight == 2)   // (13·2 + 4 − 27) = 3 → 1 left, 2 right
        let s1 = try Conv2DGeometry(batch: 1, inChannels: 1, inHeight: 10, inWidth: 10, outChannels: 1,
                                    kernelHeight: 4, kernelWidth: 5, padding: .same)
        #expect(s1.outHeight == 10 && s1.outWidth == 10)
        #expect(s1.padTop == 1 && s1.padBottom == 2 && s1.padLeft == 2 && s1.padRight == 2)
        let dil = try Conv2DGeometry(batch: 1, inChannels: 1, inHeight: 10, inWidth: 10, outChannels: 1,
                                     kernelHeight: 3, kernelWidth: 3, padding: .same, dilation: (2, 3))
        #expect(dil.outHeight == 10 && dil.padTop == 2 && dil.padBottom == 2 && dil.padLeft == 3 && dil.padRight == 3)
        let valid = try Conv2DGeometry(batch: 1, inChannels: 1, inHeight: 28, inWidth: 28, outChannels: 1,
                                       kernelHeight: 5, kernelWidth: 5, stride: (3, 3))
        #expect(valid.outHeight == 8 && valid.outWidth == 8)
    }

    @Test func badArgumentsAreErrorsNotTraps() {
        func message(_ make: () throws(KernelArgumentError) -> Conv2DGeometry) -> String? {
            do { _ = try make(); return nil } catch { return error.message }
        }
        let tooBig = message { () throws(KernelArgumentError) in
            try Conv2DGeometry(batch: 1, inChannels: 1, inHeight: 3, inWidth: 3, outChannels: 1, kernelHeight: 5, kernelWidth: 5)
        }
        #expect(tooBig?.contains("does not fit input 3x3") == true)
        #expect(message { () throws(KernelArgumentError) in
            try Conv2DGeometry(batch: 1, inChannels: 1, inHeight: 3, inWidth: 3, outChannels: 1, kernelHeight: 1, kernelWidth: 1, stride: (0, 1))
        }?.contains("stride") == true)
        #expect(message { () throws(KernelArgumentError) in
            try Conv2DGeometry(batch: 1, inChannels: 1, inHeight: 3, inWidth: 3, outChannels: 1, kernelHeight: 1, kernelWidth: 1,
                               padding: .explicit(top: -1, bottom: 0, left: 0, right: 0))
        }?.contains("non-negative") == true)
        #expect(message { () throws(KernelArgumentError) in
            try Conv2DGeometry(batch: 1, inChannels: 0, inHeight: 3, inWidth: 3, outChannels: 1, kernelHeight: 1, kernelWidth: 1)
        }?.contains("positive") == true)
        #expect(message { () throws(KernelArgumentError) in
            try Conv2DGeometry(batch: 1, inChannels: 1, inHeight: 3, inWidth: 3, outChannels: 0, kernelHeight: 1, kernelWidth: 1)
        }?.contains("filters") == true)
        #expect(message { () throws(KernelArgumentError) in
            try Conv2DGeometry(batch: 1, inChannels: 1, inHeight: 3, inWidth: 3, outChannels: 1, kernelHeight: 2, kernelWidth: 2, dilation: (3, 1))
        }?.contains("dilated 4x2") == true)
    }

    @Test func emptyBatchZeroesParameterGradients() throws {
        let g = try Conv2DGeometry(batch: 0, inChannels: 2, inHeight: 4, inWidth: 4, outChannels: 3, kernelHeight: 3, kernelWidth: 3)
        var dw = [Float](repeating: .nan, count: g.weightSize), db = [Float](repeating: .nan, count: 3)
        let w = [Float](repeating: 1, count: g.weightSize)
        conv2dBackward(g, input: [], weight: w, gradOutput: [], gradInput: nil, gradWeight: &dw, gradBias: &db)
        #expect(dw.allSatisfy { $0 == 0 } && db.allSatisfy { $0 == 0 })
    }

    /// The weight and bias gradients sum the batch in a fixed order: the same bits on every
    /// call and for any thread count (a same-seed training run repeats exactly). With the
    /// images handed to whichever worker is free, the sum's order followed the timing.
    @Test(arguments: [12, 4])
    func backwardIsBitForBitRepeatable(size: Int) throws {
        // 12x12: an image a GEMM; 4x4: several images' columns in one GEMM.
        let g = try Conv2DGeometry(batch: 37, inChannels: 8, inHeight: size, inWidth: size, outChannels: 16,
                                   kernelHeight: 3, kernelWidth: 3, padding: .same)
        #expect(size == 4 ? g.imagesPerGemm > 1 : g.imagesPerGemm == 1)
        var rng = TestRandom(seed: 11)
        let x = rng.floats(g.batch * g.inputImageSize), w = rng.floats(g.weightSize)
        let dy = rng.floats(g.batch * g.outputImageSize)
        let saved = Threads.count
        defer { Threads.set(saved) }
        func run(_ threads: Int) -> [Float] {
            Threads.set(threads)
            var dx = [Float](repeating: 0, count: x.count), dw = [Float](repeating: 0, count: w.count)
            var db = [Float](repeating: 0, count: 16)
            conv2dBackward(g, input: x, weight: w, gradOutput: dy, gradInput: &dx, gradWeight: &dw, gradBias: &db)
            return dx + dw + db
        }
        let first = run(1)
        for threads in [2, 3, 2, 4, 2, 2] {
            let again = run(threads)
            #expect(again.elementsEqual(first) { $0.bitPattern == $1.bitPattern }, "\(threads) threads")
        }
    }

    /// Where an image's output plane is small (ResNet's 7x7 and 4x4 stages), several images'
    /// columns share one GEMM; that and one image at a time both give the reference's results,
    /// for batches that leave a remainder and for strided and 1x1 convolutions.
    @Test func imagesGroupedPerGemmMatchReference() throws {
        let saved = Conv2DTuning.gemmColumns
        defer { Conv2DTuning.gemmColumns = saved }
        var rng = TestRandom(seed: 5)
        let shapes = [
            try Conv2DGeometry(batch: 37, inChannels: 6, inHeight: 7, inWidth: 7, outChannels: 5,
                               kernelHeight: 3, kernelWidth: 3, padding: .explicit(top: 1, bottom: 1, left: 1, right: 1)),
            try Conv2DGeometry(batch: 21, inChannels: 4, inHeight: 7, inWidth: 7, outChannels: 6,
                               kernelHeight: 3, kernelWidth: 3, stride: (2, 2), padding: .explicit(top: 1, bottom: 1, left: 1, right: 1)),
            try Conv2DGeometry(batch: 19, inChannels: 5, inHeight: 7, inWidth: 7, outChannels: 3,
                               kernelHeight: 1, kernelWidth: 1, stride: (2, 2)),
        ]
        for columns in [256, 1] {
            Conv2DTuning.gemmColumns = columns
            for (k, g) in shapes.enumerated() {
                #expect(columns == 1 ? g.imagesPerGemm == 1 : g.imagesPerGemm > 1 && g.imagesPerGemm < g.batch)
                checkConv(g, rng: &rng, withBias: k != 1, method: .col2im)
            }
        }
    }

    /// Gradients against central finite differences of `L = Σ out · R` (float32, so loose tolerances).
    @Test(arguments: [Conv2DInputGradientMethod.col2im, .transposedConvolution])
    func finiteDifferences(method: Conv2DInputGradientMethod) throws {
        let g = try Conv2DGeometry(batch: 2, inChannels: 2, inHeight: 5, inWidth: 6, outChannels: 3,
                                   kernelHeight: 3, kernelWidth: 2, padding: .same)
        var rng = TestRandom(seed: 3)
        let x = rng.floats(g.batch * g.inputImageSize), w = rng.floats(g.weightSize), b = rng.floats(3)
        let r = rng.floats(g.batch * g.outputImageSize)
        var params = [x, w, b]   // perturbed one element at a time
        func loss() -> Double {
            var y = [Float](repeating: 0, count: r.count)
            conv2dForward(g, input: params[0], weight: params[1], bias: params[2], output: &y)
            return zip(y, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        var dx = [Float](repeating: 0, count: x.count), dw = [Float](repeating: 0, count: w.count)
        var db = [Float](repeating: 0, count: 3)
        conv2dBackward(g, input: x, weight: w, gradOutput: r, gradInput: &dx, gradWeight: &dw, gradBias: &db,
                       inputGradientMethod: method)
        let h: Float = 1e-2
        for (p, (name, analytic)) in [("dX", dx), ("dW", dw), ("dB", db)].enumerated() {
            for k in 0..<analytic.count {
                let keep = params[p][k]
                params[p][k] = keep + h; let up = loss()
                params[p][k] = keep - h; let down = loss()
                params[p][k] = keep
                #expect(abs((up - down) / Double(2 * h) - Double(analytic[k])) < 2e-3, "\(name)[\(k)]")
            }
        }
    }

    @Test func im2colThenCol2imCountsWindowCoverage() {
        // col2im(im2col(ones)) gives each pixel the number of windows that read it.
        let grid = PatchGrid(channels: 1, height: 4, width: 5, kernelHeight: 3, kernelWidth: 3, strideH: 2, strideW: 2,
                             dilationH: 1, dilationW: 1, offsetTop: 1, offsetLeft: 1, outHeight: 2, outWidth: 3)
        let ones = [Float](repeating: 1, count: 20)
        var col = [Float](repeating: .nan, count: grid.rows * grid.columns)
        im2col(grid, src: ones, col: &col, ldcol: grid.columns)
        var back = [Float](repeating: 0, count: 20)
        col2im(grid, col: col, ldcol: grid.columns, dst: &back)
        // Rows read by windows at y = -1..1 and 1..3; columns by -1..1, 1..3, 3..5.
        let rows: [Float] = [1, 2, 1, 1], cols: [Float] = [1, 2, 1, 2, 1]
        #expect(back == (0..<20).map { rows[$0 / 5] * cols[$0 % 5] })
    }
}

extension ConvTests {
    /// relu applied as the kernels write the output equals relu applied after, bit for bit, on
    /// every forward path: Winograd tiles (3x3 and 5x5), images grouped per GEMM, row bands and
    /// 1x1, with and without a bias.
    @Test func reluAsWrittenEqualsReluAfter() throws {
        var rng = TestRandom(seed: 31)
        let pad1 = Padding2D.explicit(top: 1, bottom: 1, left: 1, right: 1)
        let shapes: [(Conv2DGeometry, winograd: Bool, bands: Bool)] = [
            (try Conv2DGeometry(batch: 3, inChannels: 16, inHeight: 9, inWidth: 9, outChannels: 16,
                                kernelHeight: 3, kernelWidth: 3, padding: pad1), true, false),
            (try Conv2DGeometry(batch: 2, inChannels: 16, inHeight: 10, inWidth: 10, outChannels: 20,
                                kernelHeight: 5, kernelWidth: 5), true, false),
            (try Conv2DGeometry(batch: 37, inChannels: 6, inHeight: 7, inWidth: 7, outChannels: 5,
                                kernelHeight: 3, kernelWidth: 3, padding: pad1), false, false),
            (try Conv2DGeometry(batch: 2, inChannels: 3, inHeight: 12, inWidth: 11, outChannels: 4,
                                kernelHeight: 3, kernelWidth: 2), false, true),
            (try Conv2DGeometry(batch: 4, inChannels: 5, inHeight: 6, inWidth: 6, outChannels: 3,
                                kernelHeight: 1, kernelWidth: 1), false, false),
        ]
        let saved = Conv2DTuning.columnBufferBytes
        defer { Conv2DTuning.columnBufferBytes = saved }
        for (g, winograd, bands) in shapes {
            Conv2DTuning.columnBufferBytes = bands ? 1 : saved
            #expect((g.winograd != nil) == winograd)
            #expect(bands ? g.bandRows < g.outHeight : g.bandRows == g.outHeight)
            for withBias in [true, false] {
                let x = rng.floats(g.batch * g.inputImageSize), w = rng.floats(g.weightSize), b = rng.floats(g.outChannels)
                var plain = [Float](repeating: .nan, count: g.batch * g.outputImageSize), fused = plain
                if withBias {
                    conv2dForward(g, input: x, weight: w, bias: b, output: &plain)
                    conv2dForward(g, input: x, weight: w, bias: b, output: &fused, relu: true)
                } else {
                    conv2dForward(g, input: x, weight: w, bias: nil, output: &plain)
                    conv2dForward(g, input: x, weight: w, bias: nil, output: &fused, relu: true)
                }
                #expect(fused == plain.map { $0 > 0 ? $0 : 0 }, "\(g) bias \(withBias)")
                #expect(fused.contains(0) && fused.contains { $0 > 0 })
            }
        }
    }
}
