import Testing
@testable import MoonKernels

/// Naive pooling straight from the definition; returns outputs, argmax positions and the
/// input gradient for the upstream gradient `dy`.
func referencePool(_ g: Pool2DGeometry, _ x: [Float], _ dy: [Float], max isMax: Bool, includePad: Bool)
    -> (y: [Double], argmax: [Int32], dx: [Double]) {
    var y = [Double](), arg = [Int32](), dx = [Double](repeating: 0, count: x.count)
    for p in 0..<g.planes {
        for oy in 0..<g.outHeight { for ox in 0..<g.outWidth {
            var cells: [Int] = []
            for i in 0..<g.kernelHeight { for j in 0..<g.kernelWidth {
                let iy = oy * g.strideH - g.padTop + i, ix = ox * g.strideW - g.padLeft + j
                if iy >= 0 && iy < g.inHeight && ix >= 0 && ix < g.inWidth { cells.append(iy * g.inWidth + ix) }
            } }
            let d = Double(dy[y.count])
            if isMax {
                var best = cells[0]
                for c in cells where x[p * g.inPlane + c] > x[p * g.inPlane + best] { best = c }
                y.append(Double(x[p * g.inPlane + best])); arg.append(Int32(best))
                dx[p * g.inPlane + best] += d
            } else {
                let n = Double(includePad ? g.kernelHeight * g.kernelWidth : cells.count)
                y.append(cells.reduce(0.0) { $0 + Double(x[p * g.inPlane + $1]) } / n)
                for c in cells { dx[p * g.inPlane + c] += d / n }
            }
        } }
    }
    return (y, arg, dx)
}

@Suite struct PoolingTests {
    @Test func randomGeometriesMatchReference() {
        var rng = TestRandom(seed: 11)
        var checked = 0, overlapping = 0, padded = 0
        while checked < 300 {
            let kh = rng.int(1...4), kw = rng.int(1...4)
            let padding: Padding2D
            switch rng.int(0...2) {
            case 0: padding = .valid
            case 1: padding = .same
            default: padding = .explicit(top: rng.int(0...kh - 1), bottom: rng.int(0...kh - 1),
                                         left: rng.int(0...kw - 1), right: rng.int(0...kw - 1))
            }
            let stride: (Int, Int)? = rng.int(0...2) == 0 ? nil : (rng.int(1...3), rng.int(1...3))
            guard let g = try? Pool2DGeometry(batch: rng.int(0...3), channels: rng.int(1...4),
                                              inHeight: rng.int(1...10), inWidth: rng.int(1...10),
                                              kernelHeight: kh, kernelWidth: kw, stride: stride, padding: padding)
            else { continue }
            checked += 1
            if g.strideH < g.kernelHeight || g.strideW < g.kernelWidth { overlapping += 1 }
            if g.padTop + g.padBottom + g.padLeft + g.padRight > 0 { padded += 1 }
            let x = rng.floats(g.planes * g.inPlane), dy = rng.floats(g.planes * g.outPlane)
            var y = [Float](repeating: .nan, count: dy.count), idx = [Int32](repeating: -1, count: dy.count)
            var dx = [Float](repeating: .nan, count: x.count)
            maxPool2dForward(g, input: x, output: &y, indices: &idx)
            maxPool2dBackward(g, gradOutput: dy, indices: idx, gradInput: &dx)
            let m = referencePool(g, x, dy, max: true, includePad: false)
            #expect(relativeError(y, m.y) == 0, "max forward \(g)")
            #expect(idx == m.argmax, "max indices \(g)")
            #expect(relativeError(dx, m.dx) < 1e-6, "max backward \(g)")
            for includePad in [false, true] {
                avgPool2dForward(g, input: x, output: &y, countIncludePad: includePad)
                avgPool2dBackward(g, gradOutput: dy, gradInput: &dx, countIncludePad: includePad)
                let a = referencePool(g, x, dy, max: false, includePad: includePad)
                #expect(relativeError(y, a.y) < 1e-6, "avg forward \(g) includePad \(includePad)")
                #expect(relativeError(dx, a.dx) < 1e-6, "avg backward \(g) includePad \(includePad)")
            }
        }
        #expect(overlapping > 50 && padded > 50)
    }

    @Test func maxPoolWithoutIndicesAndNaN() throws {
        let g = try Pool2DGeometry(batch: 1, channels: 1, inHeight: 2, inWidth: 4, kernelHeight: 2, kernelWidth: 2)
        var y = [Float](repeating: 0, count: 2)
        maxPool2dForward(g, input: [1, .nan, 5, 6, 3, 4, -1, 2], output: &y, indices: nil)
        #expect(y[0].isNaN && y[1] == 6)
    }

    @Test func geometryDefaultsAndErrors() throws {
        let g = try Pool2DGeometry(batch: 2, channels: 3, inHeight: 28, inWidth: 27, kernelHeight: 2, kernelWidth: 2)
        #expect(g.outHeight == 14 && g.outWidth == 13 && g.strideH == 2)
        let same = try Pool2DGeometry(batch: 1, channels: 1, inHeight: 7, inWidth: 7, kernelHeight: 2, kernelWidth: 2, padding: .same)
        #expect(same.outHeight == 4 && same.padTop == 0 && same.padBottom == 1)
        #expect(throws: KernelArgumentError.self) {
            try Pool2DGeometry(batch: 1, channels: 1, inHeight: 4, inWidth: 4, kernelHeight: 2, kernelWidth: 2,
                               padding: .symmetric(2))
        }
        #expect(throws: KernelArgumentError.self) {
            try Pool2DGeometry(batch: 1, channels: 1, inHeight: 1, inWidth: 4, kernelHeight: 2, kernelWidth: 2)
        }
        #expect(throws: KernelArgumentError.self) {
            try Pool2DGeometry(batch: 1, channels: 1, inHeight: 4, inWidth: 4, kernelHeight: 2, kernelWidth: 2, stride: (1, 0))
        }
    }

    /// Average pooling (linear) and max pooling (piecewise linear, no ties) against central differences.
    @Test func finiteDifferences() throws {
        let g = try Pool2DGeometry(batch: 2, channels: 2, inHeight: 5, inWidth: 6, kernelHeight: 3, kernelWidth: 2,
                                   stride: (2, 1), padding: .same)
        var rng = TestRandom(seed: 5)
        var x = rng.floats(g.planes * g.inPlane)
        let r = rng.floats(g.planes * g.outPlane)
        for isMax in [true, false] {
            func loss() -> Double {
                var y = [Float](repeating: 0, count: r.count)
                if isMax { maxPool2dForward(g, input: x, output: &y, indices: nil) }
                else { avgPool2dForward(g, input: x, output: &y) }
                return zip(y, r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
            }
            var dx = [Float](repeating: 0, count: x.count)
            if isMax {
                var y = [Float](repeating: 0, count: r.count), idx = [Int32](repeating: 0, count: r.count)
                maxPool2dForward(g, input: x, output: &y, indices: &idx)
                maxPool2dBackward(g, gradOutput: r, indices: idx, gradInput: &dx)
            } else {
                avgPool2dBackward(g, gradOutput: r, gradInput: &dx)
            }
            let h: Float = 1e-3
            for k in 0..<x.count {
                let keep = x[k]
                x[k] = keep + h; let up = loss()
                x[k] = keep - h; let down = loss()
                x[k] = keep
                #expect(abs((up - down) / Double(2 * h) - Double(dx[k])) < 2e-3, "\(isMax ? "max" : "avg") dX[\(k)]")
            }
        }
    }
}
