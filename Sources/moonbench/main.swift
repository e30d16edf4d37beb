// moonbench: timings for scripts/bench. Prints tab-separated lines the script turns into a table:
//   matmul <n> <ours GFLOP/s> <cblas GFLOP/s>
//   conv <name> <forward ms> <backward ms> <total ms> <total GFLOP/s>
// Medians of several repetitions; the peers (ours vs raw cblas) alternate within one run
// because this machine is shared and noisy.
import Foundation
@preconcurrency import CBLAS
import MoonEngine
import MoonKernels

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func randomFloats(_ n: Int, seed: UInt64) -> [Float] {
    var state = seed
    return (0..<n).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 24) - 0.5
    }
}

/// Seconds per call of `body`, repeated until a timing lasts at least `minTime`.
func timePerCall(minTime: Double = 0.02, _ body: () -> Void) -> Double {
    var inner = 1
    while true {
        let t0 = now()
        for _ in 0..<inner { body() }
        let dt = now() - t0
        if dt >= minTime { return dt / Double(inner) }
        inner *= dt < minTime / 8 ? 8 : 2
    }
}

func benchMatmul(sizes: [Int], rounds: Int) {
    for n in sizes {
        let flops = 2 * Double(n) * Double(n) * Double(n)
        let ta: Tensor, tb: Tensor
        do {
            ta = try Tensor.rand([n, n], low: -0.5, high: 0.5)
            tb = try Tensor.rand([n, n], low: -0.5, high: 0.5)
        } catch { fatalError("matmul benchmark: \(error)") }
        let a = ta.toArray(), b = tb.toArray()
        var c = [Float](repeating: 0, count: n * n)
        var ours: [Double] = [], raw: [Double] = []
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
            let a = a.baseAddress!, b = b.baseAddress!, c = c.baseAddress!
            let viaTensor = { _ = try? ta.matmul(tb) }   // allocates its result, as a Lua `x:matmul(y)` does
            let viaCBLAS = {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n),
                            1, a, Int32(n), b, Int32(n), 0, c, Int32(n))
            }
            // The peer is cblas_sgemm with OpenBLAS's own threads (moonlab keeps OpenBLAS on one
            // thread and splits large products itself, see MoonKernels.sgemm).
            func withBLASThreads(_ body: () -> Double) -> Double {
                openblas_set_num_threads(Int32(Threads.count))
                defer { openblas_set_num_threads(1) }
                return body()
            }
            // Each side runs its reps in a block: OpenBLAS's own threads keep spinning for a
            // while after a call and would steal the cores from the next call of ours.
            // Four blocks a side, alternating, so a burst of load from elsewhere hits both sides.
            for _ in 0..<4 {
                viaTensor()
                for _ in 0..<(rounds + 3) / 4 { ours.append(timePerCall(viaTensor)) }
                _ = withBLASThreads {
                    viaCBLAS()
                    for _ in 0..<(rounds + 3) / 4 { raw.append(timePerCall(viaCBLAS)) }
                    return 0
                }
                // OpenBLAS's threads spin (sched_yield) for about 0.1 s after their last call; let
                // them go idle before our block, or they take a core from our workers.
                usleep(300_000)
            }
        } } }
        print("matmul\t\(n)\t\(String(format: "%.1f", flops / median(ours) / 1e9))\t\(String(format: "%.1f", flops / median(raw) / 1e9))")
    }
}

struct ConvCase { let name: String; let geometry: Conv2DGeometry }

/// A way to run a convolution: its label, the input-gradient method, and whether Winograd tiles are on.
typealias ConvMethod = (label: String, method: Conv2DInputGradientMethod, winograd: Bool)

func benchConv(_ cases: [ConvCase], rounds: Int, methods: [ConvMethod]) {
    // `--case=TEXT`: only the shapes whose name contains TEXT (for profiling one layer).
    let only = args.first(where: { $0.hasPrefix("--case=") }).map { String($0.dropFirst(7)) }
    for cc in cases where only.map({ cc.name.contains($0) }) ?? true {
        let g = cc.geometry
        let x = randomFloats(g.batch * g.inputImageSize, seed: 3), w = randomFloats(g.weightSize, seed: 4)
        let bias = randomFloats(g.outChannels, seed: 5), dy = randomFloats(g.batch * g.outputImageSize, seed: 6)
        var y = [Float](repeating: 0, count: dy.count), dx = [Float](repeating: 0, count: x.count)
        var dw = [Float](repeating: 0, count: w.count), db = [Float](repeating: 0, count: g.outChannels)
        for (label, method, winograd) in methods {
            Conv2DTuning.winograd = winograd
            defer { Conv2DTuning.winograd = true }
            // The transformed weights kept from forward to backward, as a training step keeps them.
            let keep = Conv2DTuning.keepTransformedWeights ? g.transformedWeightCount : nil
            var u = [Float](repeating: 0, count: keep ?? 0)
            var fwd: [Double] = [], bwd: [Double] = [], total: [Double] = []
            for r in 0..<(rounds + 2) {
                let t0 = now()
                u.withUnsafeMutableBufferPointer { kept in
                    conv2dForward(g, input: x, weight: w, bias: bias, output: &y,
                                  transformedWeights: keep == nil ? nil : kept.baseAddress)
                }
                let t1 = now()
                u.withUnsafeBufferPointer { kept in
                    conv2dBackward(g, input: x, weight: w, gradOutput: dy, gradInput: &dx, gradWeight: &dw, gradBias: &db,
                                   inputGradientMethod: method, transformedWeights: keep == nil ? nil : kept.baseAddress)
                }
                let t2 = now()
                if r >= 2 { fwd.append(t1 - t0); bwd.append(t2 - t1); total.append(t2 - t0) }   // 2 warm-ups
            }
            let gflops = 3 * g.forwardFlops / median(total) / 1e9
            print("conv\t\(cc.name)\(label)\t\(String(format: "%.2f", median(fwd) * 1e3))\t\(String(format: "%.2f", median(bwd) * 1e3))\t\(String(format: "%.2f", median(total) * 1e3))\t\(String(format: "%.0f", gflops))")
        }
    }
}

func convCases(batch: Int) -> [ConvCase] {
    do {
        return [
            ConvCase(name: "conv 1->32 3x3 same 28x28 b\(batch)",
                     geometry: try Conv2DGeometry(batch: batch, inChannels: 1, inHeight: 28, inWidth: 28, outChannels: 32,
                                                  kernelHeight: 3, kernelWidth: 3, padding: .same)),
            ConvCase(name: "conv 32->64 3x3 same 28x28 b\(batch)",
                     geometry: try Conv2DGeometry(batch: batch, inChannels: 32, inHeight: 28, inWidth: 28, outChannels: 64,
                                                  kernelHeight: 3, kernelWidth: 3, padding: .same)),
        ]
    } catch {
        fatalError("bad benchmark geometry: \(error)")
    }
}

/// The distinct convolutions of `nn.resnet18` on 28x28 inputs (a 3x3 stem without max-pool;
/// stages of 64, 128, 256, 512 channels at 28, 14, 7, 4 pixels; 3x3 convolutions padded by 1,
/// the first of a stage with stride 2, and 1x1 stride-2 shortcuts), without bias as there.
func resnetCases(batch: Int) -> [ConvCase] {
    // (in, out, kernel, stride, input size)
    let shapes: [(Int, Int, Int, Int, Int)] = [
        (1, 64, 3, 1, 28), (64, 64, 3, 1, 28),
        (64, 128, 3, 2, 28), (64, 128, 1, 2, 28), (128, 128, 3, 1, 14),
        (128, 256, 3, 2, 14), (128, 256, 1, 2, 14), (256, 256, 3, 1, 7),
        (256, 512, 3, 2, 7), (256, 512, 1, 2, 7), (512, 512, 3, 1, 4),
    ]
    do {
        return try shapes.map { cin, cout, k, s, size in
            let pad = k / 2
            return ConvCase(name: "resnet \(cin)->\(cout) \(k)x\(k) s\(s) \(size)x\(size) b\(batch)",
                            geometry: try Conv2DGeometry(batch: batch, inChannels: cin, inHeight: size, inWidth: size, outChannels: cout,
                                                         kernelHeight: k, kernelWidth: k, stride: (s, s),
                                                         padding: .explicit(top: pad, bottom: pad, left: pad, right: pad)))
        }
    } catch {
        fatalError("bad benchmark geometry: \(error)")
    }
}

/// ccpdnff's second convolution (32->128 5x5, valid, on 24x24; the (c) model's 3x3 layers are
/// `convCases`).
func studyCases(batch: Int) -> [ConvCase] {
    do {
        return [
            ConvCase(name: "ccpdnff 32->128 5x5 valid 24x24 b\(batch)",
                     geometry: try Conv2DGeometry(batch: batch, inChannels: 32, inHeight: 24, inWidth: 24, outChannels: 128,
                                                  kernelHeight: 5, kernelWidth: 5)),
        ]
    } catch {
        fatalError("bad benchmark geometry: \(error)")
    }
}

let args = Array(CommandLine.arguments.dropFirst())
let what = Set(args.filter { !$0.hasPrefix("-") })
let quick = args.contains("--quick")
let rounds = quick ? 3 : 9
if let t = args.first(where: { $0.hasPrefix("--threads=") }), let n = Int(t.dropFirst(10)) { Threads.set(n) }
// Tuning knobs (Conv2DTuning): im2col's --column-kb= and --gemm-columns=; Winograd's chunks,
// --pipeline-kb=, --cache-kb=, --chunk-kb=, --pipeline-tiles=.
for (flag, set) in [("--column-kb=", { Conv2DTuning.columnBufferBytes = $0 << 10 }),
                    ("--gemm-columns=", { Conv2DTuning.gemmColumns = $0 }),
                    ("--pipeline-kb=", { Conv2DTuning.winogradPipelineBytes = $0 << 10 }),
                    ("--cache-kb=", { Conv2DTuning.winogradCacheBytes = $0 << 10 }),
                    ("--chunk-kb=", { Conv2DTuning.winogradChunkBytes = $0 << 10 }),
                    ("--pipeline-tiles=", { Conv2DTuning.winogradPipelineMinTiles = $0 })] as [(String, (Int) -> Void)] {
    if let t = args.first(where: { $0.hasPrefix(flag) }), let n = Int(t.dropFirst(flag.count)) { set(n) }
}
// `--swift-tiles`: the portable Swift tile steps instead of the AVX2 ones (CMoonTiles).
if args.contains("--swift-tiles") { Conv2DTuning.nativeTiles = false }
// `--recompute-weights`: the backward pass transforms a Winograd layer's weights again instead of
// taking the forward pass's.
if args.contains("--recompute-weights") { Conv2DTuning.keepTransformedWeights = false }
// `--no-tap-classes`: im2col over every tap, padding included (the way tap classes replace).
if args.contains("--no-tap-classes") { Conv2DTuning.tapClasses = false }
_ = Threads.count
openblas_set_num_threads(1)   // as moonlab runs it (MoonKernels.Threads)
if what.isEmpty || what.contains("matmul") { benchMatmul(sizes: [256, 512, 1024, 2048], rounds: rounds) }
// `--im2col`: Winograd tiles off (the method they replace), to time the two in one run.
let winogradMethods: [ConvMethod] = args.contains("--im2col") ? [("", .automatic, true), (" [im2col]", .automatic, false)]
    : [("", .automatic, true)]
if what.isEmpty || what.contains("conv") { benchConv(convCases(batch: 64), rounds: rounds * 2, methods: winogradMethods) }
if what.contains("resnet") { benchConv(resnetCases(batch: 128), rounds: rounds, methods: winogradMethods) }
if what.contains("study") { benchConv(studyCases(batch: 32), rounds: rounds, methods: winogradMethods) }
if what.contains("variants") {
    benchConv(convCases(batch: 64), rounds: rounds * 2,
              methods: [(" [dX col2im]", .col2im, false), (" [dX transposed]", .transposedConvolution, false)])
}

/// One image of the 32->64 layer, single-threaded, step by step (for tuning).
func benchParts() {
    let g = convCases(batch: 1)[1].geometry
    let F = g.outChannels, K = g.patchSize, P = g.outPlane, C = g.inChannels
    let grid = PatchGrid(channels: C, height: 28, width: 28, kernelHeight: 3, kernelWidth: 3, strideH: 1, strideW: 1,
                         dilationH: 1, dilationW: 1, offsetTop: 1, offsetLeft: 1, outHeight: 28, outWidth: 28)
    let x = randomFloats(C * 784, seed: 1), w = randomFloats(F * K, seed: 2), dy = randomFloats(F * P, seed: 3)
    var col = [Float](repeating: 0, count: K * P), y = [Float](repeating: 0, count: F * P)
    var dw = [Float](repeating: 0, count: F * K), dx = [Float](repeating: 0, count: C * 784)
    openblas_set_num_threads(1)
    let flop = 2 * Double(F * K * P)
    func report(_ name: String, _ t: Double, flops: Double = 0) {
        print("part\t\(name)\t\(String(format: "%.1f", t * 1e6)) us" + (flops > 0 ? String(format: "\t%.0f GFLOP/s", flops / t / 1e9) : ""))
    }
    report("im2col", median((0..<7).map { _ in timePerCall { im2col(grid, src: x, col: &col, ldcol: P) } }))
    report("forward gemm", median((0..<7).map { _ in timePerCall {
        sgemm(transA: false, transB: false, m: F, n: P, k: K, a: w, lda: K, b: col, ldb: P, c: &y, ldc: P) } }), flops: flop)
    report("dW gemm", median((0..<7).map { _ in timePerCall {
        sgemm(transA: false, transB: true, m: F, n: K, k: P, a: dy, lda: P, b: col, ldb: P, beta: 1, c: &dw, ldc: K) } }), flops: flop)
    var dwt = [Float](repeating: 0, count: F * K)
    report("dW^T gemm", median((0..<7).map { _ in timePerCall {
        sgemm(transA: false, transB: true, m: K, n: F, k: P, a: col, lda: P, b: dy, ldb: P, beta: 1, c: &dwt, ldc: F) } }), flops: flop)
    report("dX gemm", median((0..<7).map { _ in timePerCall {
        sgemm(transA: true, transB: false, m: K, n: P, k: F, a: w, lda: K, b: dy, ldb: P, c: &col, ldc: P) } }), flops: flop)
    report("col2im", median((0..<7).map { _ in timePerCall { col2im(grid, col: col, ldcol: P, dst: &dx) } }))
}
if what.contains("parts") { benchParts() }

/// Column-buffer size sweep for the 32->64 layer, settings interleaved round by round.
func benchBands(rounds: Int) {
    let g = convCases(batch: 64)[1].geometry
    let x = randomFloats(g.batch * g.inputImageSize, seed: 3), w = randomFloats(g.weightSize, seed: 4)
    let bias = randomFloats(g.outChannels, seed: 5), dy = randomFloats(g.batch * g.outputImageSize, seed: 6)
    var y = [Float](repeating: 0, count: dy.count), dx = [Float](repeating: 0, count: x.count)
    var dw = [Float](repeating: 0, count: w.count), db = [Float](repeating: 0, count: g.outChannels)
    let settings = (ProcessInfo.processInfo.environment["BANDS"] ?? "64,128,256,512,1024,4096").split(separator: ",").map { Int($0)! * 1024 }
    var fwd = [[Double]](repeating: [], count: settings.count), bwd = fwd
    for _ in 0..<rounds {
        for (k, bytes) in settings.enumerated() {
            Conv2DTuning.columnBufferBytes = bytes
            let t0 = now()
            conv2dForward(g, input: x, weight: w, bias: bias, output: &y)
            let t1 = now()
            conv2dBackward(g, input: x, weight: w, gradOutput: dy, gradInput: &dx, gradWeight: &dw, gradBias: &db)
            let t2 = now()
            fwd[k].append(t1 - t0); bwd[k].append(t2 - t1)
        }
    }
    for (k, bytes) in settings.enumerated() {
        print("bands\t\(bytes / 1024) KB\t\(String(format: "%.2f\t%.2f", median(fwd[k]) * 1e3, median(bwd[k]) * 1e3))")
    }
}
if what.contains("bands") { benchBands(rounds: 15) }
