import Testing
import MoonEngine
import MoonKernels
@testable import MoonNN

/// The tensor-level convolution and pooling ops: values against a direct loop, gradients
/// against finite differences.
@Suite struct ConvolutionOpTests {
    /// out[n,f,y,x] = b[f] + Σ w[f,c,i,j]·in[n,c,y·s−pt+i·d, x·s−pl+j·d], zero outside.
    func naive(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: Int, pad: (Int, Int), dilation: Int, out: (Int, Int)) -> [Float] {
        let xs = x.toArray(), ws = w.toArray(), bs = b?.toArray()
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (f, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        var o: [Float] = []
        for i in 0..<n { for g in 0..<f { for y in 0..<out.0 { for z in 0..<out.1 {
            var s = bs?[g] ?? 0
            for ch in 0..<c { for a in 0..<kh { for bb in 0..<kw {
                let yy = y * stride - pad.0 + a * dilation, zz = z * stride - pad.1 + bb * dilation
                if yy >= 0 && yy < h && zz >= 0 && zz < wd {
                    s += ws[((g * c + ch) * kh + a) * kw + bb] * xs[((i * c + ch) * h + yy) * wd + zz]
                }
            } } }
            o.append(s)
        } } } }
        return o
    }

    /// `relu: true` gives what conv2d then relu give: values, and the gradients of the input,
    /// the weights and the bias (Winograd and im2col shapes).
    @Test func conv2dWithReluMatchesConvThenRelu() throws {
        for (xs, ws, pad) in [([2, 3, 7, 6], [4, 3, 3, 3], ConvPadding.valid), ([2, 16, 6, 6], [16, 16, 3, 3], .symmetric(1))] {
            let x = random(xs, seed: 3), w = random(ws, seed: 4, low: -0.3, high: 0.3), b = random([ws[0]], seed: 5)
            let g = random([xs[0], ws[0], pad == .valid ? xs[2] - 2 : xs[2], pad == .valid ? xs[3] - 2 : xs[3]], seed: 6)
            func run(_ f: () throws -> Tensor) throws -> [[Float]] {
                for t in [x, w, b] { t.requiringGrad(); t.zeroGrad() }
                let y = try f()
                try y.backward(gradient: g)
                return [y.toArray()] + [x, w, b].map { $0.grad!.toArray() }
            }
            let fused = try run { try Tensor.conv2d(x, weight: w, bias: b, padding: pad, relu: true) }
            let apart = try run { try Tensor.conv2d(x, weight: w, bias: b, padding: pad).relu() }
            #expect(fused[0] == apart[0])
            #expect(fused[0].contains(0) && fused[0].contains { $0 > 0 })
            for (a, e) in zip(fused.dropFirst(), apart.dropFirst()) { #expect(a == e) }
        }
    }

    /// A Winograd layer keeps its transformed weights from forward to backward when its input
    /// gradient will be asked for: the output and all three gradients are the ones computed
    /// without keeping them, bit for bit, and so is the output under no_grad.
    @Test func keptTransformedWeightsChangeNoGradient() throws {
        let saved = Conv2DTuning.keepTransformedWeights
        defer { Conv2DTuning.keepTransformedWeights = saved }
        let x = random([3, 16, 9, 9], seed: 11), w = random([24, 16, 3, 3], seed: 12, low: -0.3, high: 0.3)
        let b = random([24], seed: 13), g = random([3, 24, 9, 9], seed: 14)
        func run(keep: Bool) throws -> [[Float]] {
            Conv2DTuning.keepTransformedWeights = keep
            for t in [x, w, b] { t.requiringGrad(); t.zeroGrad() }
            let y = try Tensor.conv2d(x, weight: w, bias: b, padding: .symmetric(1), relu: true)
            try y.backward(gradient: g)
            let inference = try Tensor.noGrad { try Tensor.conv2d(x, weight: w, bias: b, padding: .symmetric(1), relu: true) }
            return [y.toArray(), inference.toArray()] + [x, w, b].map { $0.grad!.toArray() }
        }
        let kept = try run(keep: true), recomputed = try run(keep: false)
        #expect(kept == recomputed)
        #expect(kept[0] == kept[1] && kept[2].contains { $0 != 0 })
    }

    @Test func conv2dMatchesADirectLoop() throws {
        let x = random([2, 3, 7, 6], seed: 3), w = random([4, 3, 3, 3], seed: 4), b = random([4], seed: 5)
        let valid = try Tensor.conv2d(x, weight: w, bias: b)
        #expect(valid.shape == [2, 4, 5, 4])
        #expect(close(valid.toArray(), naive(x, w, b, stride: 1, pad: (0, 0), dilation: 1, out: (5, 4)), tol: 1e-4))
        // Keras 'same' with stride 2 on 7x6: out 4x3; padding total (3*2+3-7)=2 -> 1,1; (2*2+3-6)=1 -> 0,1.
        let same = try Tensor.conv2d(x, weight: w, bias: nil, stride: (2, 2), padding: .same)
        #expect(same.shape == [2, 4, 4, 3])
        #expect(close(same.toArray(), naive(x, w, nil, stride: 2, pad: (1, 0), dilation: 1, out: (4, 3)), tol: 1e-4))
        let dilated = try Tensor.conv2d(x, weight: w, bias: b, padding: .symmetric(1), dilation: (2, 2))
        #expect(dilated.shape == [2, 4, 5, 4])
        #expect(close(dilated.toArray(), naive(x, w, b, stride: 1, pad: (1, 1), dilation: 2, out: (5, 4)), tol: 1e-4))
    }

    @Test func conv2dGradients() {
        let x = random([2, 2, 5, 5], seed: 6), w = random([3, 2, 3, 3], seed: 7), b = random([3], seed: 8)
        checkGradient([x, w, b]) { try Tensor.conv2d(x, weight: w, bias: b, stride: (2, 2), padding: .same) }
        let x2 = random([1, 2, 6, 5], seed: 9), w2 = random([2, 2, 2, 3], seed: 10)
        checkGradient([x2, w2]) { try Tensor.conv2d(x2, weight: w2, bias: nil, padding: .symmetric(1), dilation: (2, 1)) }
    }

    @Test func conv2dRejectsBadShapes() {
        let x = random([1, 2, 5, 5]), w = random([3, 4, 3, 3])
        #expect(message { try Tensor.conv2d(x, weight: w) }?.contains("input channels") == true)
        #expect(message { try Tensor.conv2d(random([2, 5, 5]), weight: w) }?.contains("{N,C,H,W}") == true)
        #expect(message { try Tensor.conv2d(x, weight: random([1, 2, 7, 7])) }?.contains("does not fit") == true)
    }

    @Test func maxPoolValuesAndGradient() throws {
        let x = T([1, 2, 3, 4,
                   8, 7, 6, 5,
                   9, 1, 1, 2,
                   1, 1, 3, 1], [1, 1, 4, 4])
        #expect(try Tensor.maxPool2d(x, kernel: (2, 2)).toArray() == [8, 6, 9, 3])
        // Distinct, well separated values: a ±h move never changes the winner.
        let perm = RandomGenerator(seed: 11).permutation(2 * 3 * 6 * 6)
        let y = try Tensor(perm.map { Float($0) * 0.1 }, shape: [2, 3, 6, 6])
        checkGradient([y], h: 1e-2) { try Tensor.maxPool2d(y, kernel: (3, 3), stride: (2, 2), padding: .same) }
    }

    @Test func avgPoolValuesAndGradient() throws {
        let x = T([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 1, 4, 4])
        #expect(try Tensor.avgPool2d(x, kernel: (2, 2)).toArray() == [3.5, 5.5, 11.5, 13.5])
        // 'same' 3x3 stride 1: corners average 4 values (padding not counted, as Keras).
        let s = try Tensor.avgPool2d(x, kernel: (3, 3), stride: (1, 1), padding: .same)
        #expect(s.toArray()[0] == Float(1 + 2 + 5 + 6) / 4)
        let y = random([2, 2, 5, 5], seed: 12)
        checkGradient([y]) { try Tensor.avgPool2d(y, kernel: (2, 2), stride: (1, 2), padding: .same) }
        checkGradient([y]) { try Tensor.globalAvgPool2d(y) }
        #expect(try Tensor.globalAvgPool2d(x).toArray() == [8.5])
    }

    @Test func linearIsOneGemmWithBias() throws {
        let x = random([5, 4], seed: 13), w = random([4, 3], seed: 14), b = random([3], seed: 15)
        let y = try Tensor.linear(x, weight: w, bias: b)
        #expect(close(y.toArray(), try x.matmul(w).add(b).toArray(), tol: 1e-5))
        checkGradient([x, w, b]) { try Tensor.linear(x, weight: w, bias: b) }
        checkGradient([x, w]) { try Tensor.linear(x, weight: w, bias: nil) }
    }

    /// `linear(relu: true)` applies the relu to each block of the product on the core that made
    /// it: its output and its three gradients must be those of `linear(...).relu()` bit for bit,
    /// for one block, a product split by columns and one split by rows, without a bias, and with
    /// no inputs (k = 0: the relu of the bias).
    @Test func linearReluIsTheReluOfTheLinearMap() throws {
        let saved = Threads.count
        defer { Threads.set(saved) }
        func bits(_ t: Tensor?) -> [UInt32] { t?.toArray().map(\.bitPattern) ?? [] }
        for threads in [1, 2] {
            Threads.set(threads)
            for (m, k, n, withBias) in [(5, 4, 3, true), (96, 120, 160, true), (200, 150, 40, true),
                                        (96, 120, 160, false), (6, 0, 5, true)] {
                let dy = random([m, n], seed: 24)
                var results: [[[UInt32]]] = []
                for fused in [true, false] {
                    let xg = random([m, k], seed: 21).requiringGrad(), wg = random([k, n], seed: 22).requiringGrad()
                    let bg = withBias ? random([n], seed: 25).requiringGrad() : nil
                    let y = fused ? try Tensor.linear(xg, weight: wg, bias: bg, relu: true)
                                  : try Tensor.linear(xg, weight: wg, bias: bg).relu()
                    try y.backward(gradient: dy)
                    results.append([bits(y), bits(xg.grad), bits(wg.grad), bits(bg?.grad)])
                }
                for (part, name) in ["y", "dx", "dw", "db"].enumerated() {
                    #expect(results[0][part] == results[1][part], "\(name): \(threads) threads, \(m)x\(k)x\(n), bias \(withBias)")
                }
                if k == 0 {   // no products: the relu of the bias on every row
                    let b = random([n], seed: 25).toArray().map { Swift.max($0, 0).bitPattern }
                    #expect(b.contains(0) && b.contains { $0 != 0 } && results[0][0] == Array([[UInt32]](repeating: b, count: m).joined()))
                } else {
                    #expect(results[0][0].contains(0) && !results[0][0].allSatisfy { $0 == 0 }, "the relu cuts some and keeps some")
                }
            }
        }
        let x = random([5, 4], seed: 13), w = random([4, 3], seed: 14), b = random([3], seed: 16, low: 0.1, high: 1)
        checkGradient([x, w, b]) { try Tensor.linear(x, weight: w, bias: b, relu: true) }
    }
}
