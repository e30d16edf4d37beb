import Foundation
import Testing
@testable import MoonAug
import MoonEngine

/// A `{N, C, H, W}` tensor whose element at (n, c, y, x) is `f(n, c, y, x)`.
func images(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ f: (Int, Int, Int, Int) -> Float) -> Tensor {
    var v: [Float] = []
    v.reserveCapacity(n * c * h * w)
    for i in 0..<n { for ch in 0..<c { for y in 0..<h { for x in 0..<w { v.append(f(i, ch, y, x)) } } } }
    return try! Tensor(v, shape: [n, c, h, w])
}

/// Uniform random images in [0, 1) from a private generator.
func randomImages(_ shape: [Int], seed: UInt64 = 3) -> Tensor {
    try! Tensor.rand(shape, low: 0, high: 1, generator: RandomGenerator(seed: seed))
}

/// Pixel (y, x) of channel c of image n of a `{N, C, H, W}` array.
func pixel(_ v: [Float], _ shape: [Int], _ n: Int, _ c: Int, _ y: Int, _ x: Int) -> Float {
    v[((n * shape[1] + c) * shape[2] + y) * shape[3] + x]
}

/// The intensity-weighted centroid (x, y) of channel 0 of image n.
func centroid(_ t: Tensor, _ n: Int) -> (x: Double, y: Double, mass: Double) {
    let v = t.toArray(), (h, w) = (t.shape[2], t.shape[3])
    var m = 0.0, sx = 0.0, sy = 0.0
    for y in 0..<h {
        for x in 0..<w {
            let p = Double(pixel(v, t.shape, n, 0, y, x))
            m += p; sx += p * Double(x); sy += p * Double(y)
        }
    }
    return (sx / m, sy / m, m)
}

/// A smooth bump of radius about `r` pixels centred at (cx, cy), zero elsewhere.
func blob(_ h: Int, _ w: Int, cx: Double, cy: Double, r: Double, n: Int = 1) -> Tensor {
    images(n, 1, h, w) { _, _, y, x in
        let d2 = (Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy)
        return Float(max(0, 1 - d2 / (r * r)))
    }
}

/// The message an expression throws, or nil.
func message(_ body: () throws -> Any) -> String? {
    do { _ = try body(); return nil } catch { return "\(error)" }
}

func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    return zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0
}
