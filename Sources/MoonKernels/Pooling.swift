// 2-D max and average pooling, NCHW, parallel over the batch·channels planes (each plane is
// independent, so the backward scatters never collide).

/// Max pooling forward: `output[p,y,x] = max` of the window at `(y·sh − pt, x·sw − pl)` over
/// the input positions it covers (padding never wins). NaN propagates.
///
/// - Parameters:
///   - input: `{batch, channels, inHeight, inWidth}`; `output`: `{batch, channels, outHeight, outWidth}`.
///   - indices: if not nil, receives for each output element the position `y·inWidth + x`
///     of the chosen element inside its input plane (the first one on ties), for `maxPool2dBackward`.
public func maxPool2dForward(_ g: Pool2DGeometry, input: UnsafePointer<Float>,
                             output: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>?) {
    let inPlane = g.inPlane, outPlane = g.outPlane
    if g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideH == 2 && g.strideW == 2 && g.padTop == 0 && g.padLeft == 0
        && 2 * g.outHeight <= g.inHeight && 2 * g.outWidth <= g.inWidth {
        return maxPool2x2Forward(g, input: input, output: output, indices: indices)
    }
    Threads.parallelFor(g.planes, minPerThread: max(1, 16384 / max(1, inPlane))) { _, planes in
        for p in planes {
            let src = input + p * inPlane, dst = output + p * outPlane
            let idx = indices.map { $0 + p * outPlane }
            for oy in 0..<g.outHeight {
                let y0 = oy * g.strideH - g.padTop
                let ys = max(0, y0)..<min(g.inHeight, y0 + g.kernelHeight)
                for ox in 0..<g.outWidth {
                    let x0 = ox * g.strideW - g.padLeft
                    let xs = max(0, x0)..<min(g.inWidth, x0 + g.kernelWidth)
                    var best = -Float.infinity, at = ys.lowerBound * g.inWidth + xs.lowerBound
                    for y in ys {
                        let row = y * g.inWidth
                        for x in xs {
                            let v = src[row + x]
                            if !(v <= best) { best = v; at = row + x; if v.isNaN { break } }
                        }
                        if best.isNaN { break }
                    }
                    dst[oy * g.outWidth + ox] = best
                    idx?[oy * g.outWidth + ox] = Int32(at)
                }
            }
        }
    }
}

/// `maxPool2dForward` for the common 2x2 window, stride 2, no padding (every window inside the
/// input): straight-line compares, the same winner (first on ties, NaN wins) as the general loop.
func maxPool2x2Forward(_ g: Pool2DGeometry, input: UnsafePointer<Float>,
                       output: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>?) {
    let inPlane = g.inPlane, outPlane = g.outPlane, w = g.inWidth, oh = g.outHeight, ow = g.outWidth
    Threads.parallelFor(g.planes, minPerThread: max(1, 16384 / max(1, inPlane))) { _, planes in
        for p in planes {
            let src = input + p * inPlane, dst = output + p * outPlane
            for oy in 0..<oh {
                let r0 = src + 2 * oy * w, r1 = r0 + w, d = dst + oy * ow
                if let indices {
                    let idx = indices + p * outPlane + oy * ow
                    let i0 = Int32(2 * oy * w), i1 = i0 + Int32(w)
                    for ox in 0..<ow {
                        // Selects, not branches (the winner is data-dependent): later elements
                        // win only when strictly larger, or NaN, and nothing beats a NaN.
                        let x = 2 * ox, xi = Int32(x)
                        var best = r0[x], at = i0 + xi
                        var v = r0[x + 1], take = !(v <= best) && best == best
                        best = take ? v : best; at = take ? i0 + xi + 1 : at
                        v = r1[x]; take = !(v <= best) && best == best
                        best = take ? v : best; at = take ? i1 + xi : at
                        v = r1[x + 1]; take = !(v <= best) && best == best
                        best = take ? v : best; at = take ? i1 + xi + 1 : at
                        d[ox] = best
                        idx[ox] = at
                    }
                } else {
                    for ox in 0..<ow {
                        let x = 2 * ox
                        var best = r0[x]
                        var v = r0[x + 1]; best = !(v <= best) && best == best ? v : best
                        v = r1[x]; best = !(v <= best) && best == best ? v : best
                        v = r1[x + 1]; best = !(v <= best) && best == best ? v : best
                        d[ox] = best
                    }
                }
            }
        }
    }
}

/// Max pooling backward: `gradInput` (`{batch, channels, inHeight, inWidth}`, overwritten)
/// receives each `gradOutput` element at the position `indices` recorded in the forward pass;
/// overlapping windows add up.
public func maxPool2dBackward(_ g: Pool2DGeometry, gradOutput: UnsafePointer<Float>,
                              indices: UnsafePointer<Int32>, gradInput: UnsafeMutablePointer<Float>) {
    let inPlane = g.inPlane, outPlane = g.outPlane
    Threads.parallelFor(g.planes, minPerThread: max(1, 16384 / max(1, inPlane))) { _, planes in
        for p in planes {
            let dst = gradInput + p * inPlane, src = gradOutput + p * outPlane, idx = indices + p * outPlane
            dst.update(repeating: 0, count: inPlane)
            for t in 0..<outPlane { dst[Int(idx[t])] += src[t] }
        }
    }
}

/// Average pooling forward: each output is the mean of its window. With
/// `countIncludePad == false` (Keras/TensorFlow) the divisor is the number of input elements
/// the window covers; with `true` (PyTorch's default) it is the full window size.
public func avgPool2dForward(_ g: Pool2DGeometry, input: UnsafePointer<Float>,
                             output: UnsafeMutablePointer<Float>, countIncludePad: Bool = false) {
    let inPlane = g.inPlane, outPlane = g.outPlane
    Threads.parallelFor(g.planes, minPerThread: max(1, 16384 / max(1, inPlane))) { _, planes in
        for p in planes {
            let src = input + p * inPlane, dst = output + p * outPlane
            for oy in 0..<g.outHeight {
                let y0 = oy * g.strideH - g.padTop
                let ys = max(0, y0)..<min(g.inHeight, y0 + g.kernelHeight)
                for ox in 0..<g.outWidth {
                    let x0 = ox * g.strideW - g.padLeft
                    let xs = max(0, x0)..<min(g.inWidth, x0 + g.kernelWidth)
                    var sum: Float = 0
                    for y in ys { for x in xs { sum += src[y * g.inWidth + x] } }
                    let count = countIncludePad ? g.kernelHeight * g.kernelWidth : ys.count * xs.count
                    dst[oy * g.outWidth + ox] = sum / Float(count)
                }
            }
        }
    }
}

/// Average pooling backward: spreads each `gradOutput` element evenly (by the same divisor
/// as the forward pass) over the input elements of its window; `gradInput` is overwritten.
public func avgPool2dBackward(_ g: Pool2DGeometry, gradOutput: UnsafePointer<Float>,
                              gradInput: UnsafeMutablePointer<Float>, countIncludePad: Bool = false) {
    let inPlane = g.inPlane, outPlane = g.outPlane
    Threads.parallelFor(g.planes, minPerThread: max(1, 16384 / max(1, inPlane))) { _, planes in
        for p in planes {
            let src = gradOutput + p * outPlane, dst = gradInput + p * inPlane
            dst.update(repeating: 0, count: inPlane)
            for oy in 0..<g.outHeight {
                let y0 = oy * g.strideH - g.padTop
                let ys = max(0, y0)..<min(g.inHeight, y0 + g.kernelHeight)
                for ox in 0..<g.outWidth {
                    let x0 = ox * g.strideW - g.padLeft
                    let xs = max(0, x0)..<min(g.inWidth, x0 + g.kernelWidth)
                    let count = countIncludePad ? g.kernelHeight * g.kernelWidth : ys.count * xs.count
                    let share = src[oy * g.outWidth + ox] / Float(count)
                    for y in ys { for x in xs { dst[y * g.inWidth + x] += share } }
                }
            }
        }
    }
}
