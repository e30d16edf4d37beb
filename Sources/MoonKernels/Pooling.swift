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
