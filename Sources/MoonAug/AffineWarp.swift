import Foundation
import MoonEngine
import MoonKernels

/// A 2-d affine map from output pixel coordinates to input pixel coordinates:
/// `(x, y) -> (a x + b y + c, d x + e y + f)`, with x the column and y the row, pixel
/// centres at integers (row 0 at the top). Warps sample the input where the map sends each
/// output pixel ("inverse mapping"), so composing "first A, then B" is `A.map * B.map`.
public struct Affine: Equatable, Sendable {
    public var a: Double, b: Double, c: Double
    public var d: Double, e: Double, f: Double

    public init(a: Double, b: Double, c: Double, d: Double, e: Double, f: Double) {
        self.a = a; self.b = b; self.c = c; self.d = d; self.e = e; self.f = f
    }

    public static let identity = Affine(a: 1, b: 0, c: 0, d: 0, e: 1, f: 0)

    public var isIdentity: Bool { self == .identity }

    /// `self` after `other`: `(self * other)(p) = self(other(p))`.
    public static func * (l: Affine, r: Affine) -> Affine {
        Affine(a: l.a * r.a + l.b * r.d, b: l.a * r.b + l.b * r.e, c: l.a * r.c + l.b * r.f + l.c,
               d: l.d * r.a + l.e * r.d, e: l.d * r.b + l.e * r.e, f: l.d * r.c + l.e * r.f + l.f)
    }

    /// A linear map `[[m11, m12], [m21, m22]]` on coordinates relative to the image centre
    /// `((w - 1) / 2, (h - 1) / 2)`, with translation `(tx, ty)` added before it leaves
    /// the centred frame.
    public static func centred(_ m11: Double, _ m12: Double, _ m21: Double, _ m22: Double,
                               tx: Double = 0, ty: Double = 0, height h: Int, width w: Int) -> Affine {
        let cx = Double(w - 1) / 2, cy = Double(h - 1) / 2
        let (a, b, d, e) = (snap(m11), snap(m12), snap(m21), snap(m22))
        return Affine(a: a, b: b, c: snap(cx - a * cx - b * cy + tx),
                      d: d, e: e, f: snap(cy - d * cx - e * cy + ty))
    }

    /// Rounds values within 1e-12 of an integer (cos 90° is 6e-17, not 0), so quarter turns
    /// and flips land exactly on pixels.
    static func snap(_ v: Double) -> Double {
        let r = v.rounded()
        return Swift.abs(v - r) < 1e-12 ? r : v
    }

    /// The map of a counter-clockwise rotation of the content by `degrees` (as seen with row 0
    /// at the top, the convention of keras.layers.RandomRotation and torchvision).
    public static func rotation(degrees: Double, height: Int, width: Int) -> Affine {
        let t = degrees * .pi / 180
        let (s, c) = (Foundation.sin(t), Foundation.cos(t))
        return centred(c, -s, s, c, height: height, width: width)
    }

    /// The map that scales the content by `sx` horizontally and `sy` vertically about the
    /// centre (values above 1 enlarge it).
    public static func scale(_ sx: Double, _ sy: Double, height: Int, width: Int) -> Affine {
        centred(1 / sx, 0, 0, 1 / sy, height: height, width: width)
    }

    /// Keras' shear by `degrees`: input row = row - sin(shear) col, input col = cos(shear) col
    /// (about the centre).
    public static func shear(degrees: Double, height: Int, width: Int) -> Affine {
        let t = degrees * .pi / 180
        return centred(Foundation.cos(t), 0, -Foundation.sin(t), 1, height: height, width: width)
    }

    /// The map that moves the content `dx` pixels right and `dy` pixels down.
    public static func shift(dx: Double, dy: Double) -> Affine {
        Affine(a: 1, b: 0, c: -dx, d: 0, e: 1, f: -dy)
    }

    /// Mirrors left-right (`horizontal`) and/or top-bottom (`vertical`): exact on pixels.
    public static func flip(horizontal: Bool, vertical: Bool, height: Int, width: Int) -> Affine {
        Affine(a: horizontal ? -1 : 1, b: 0, c: horizontal ? Double(width - 1) : 0,
               d: 0, e: vertical ? -1 : 1, f: vertical ? Double(height - 1) : 0)
    }
}

/// What a warp reads outside the input image (Keras' `fill_mode`, for input `abcd`):
/// `constant` `kkkk|abcd|kkkk` (k the value), `nearest` `aaaa|abcd|dddd`,
/// `reflect` `dcba|abcd|dcba`, `wrap` `abcd|abcd|abcd`. Bilinear sampling blends the border
/// pixels with these values.
public enum FillMode: Equatable, Sendable, CustomStringConvertible {
    case constant(Float)
    case nearest
    case reflect
    case wrap

    public static let names = ["constant", "nearest", "reflect", "wrap"]

    /// The mode named `name` (with `value` for constant), or nil for an unknown name.
    public init?(name: String, value: Float = 0) {
        switch name {
        case "constant": self = .constant(value)
        case "nearest": self = .nearest
        case "reflect": self = .reflect
        case "wrap": self = .wrap
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .constant: return "constant"
        case .nearest: return "nearest"
        case .reflect: return "reflect"
        case .wrap: return "wrap"
        }
    }

    /// `fill_mode="reflect"`, or `fill_mode="constant", value=0.5` as users write it.
    public var description: String {
        if case .constant(let v) = self { return "fill_mode=\"constant\", value=\(format(v))" }
        return "fill_mode=\"\(name)\""
    }
}

/// Resamples images through per-image affine maps: one pass over the output pixels,
/// bilinear interpolation, the fill mode outside the input.
public enum AffineWarp {
    /// Warps every image of the contiguous batch `x` `{N, C, H, W}` with `maps[n]` (inverse
    /// maps, see `Affine`); images whose map is the identity are copied exactly. Images are
    /// processed in parallel; the result does not depend on the thread count.
    public static func warp(_ x: Tensor, maps: [Affine], fill: FillMode) throws -> Tensor {
        guard x.rank == 4, x.isContiguous, maps.count == x.shape[0] else {
            throw AugError(in: "warp", "expected a contiguous N x C x H x W batch and N maps, got shape \(shapeText(x.shape)) and \(maps.count) maps")
        }
        let (n, c, h, w) = Images.dims(x)
        let plane = h * w, image = c * plane
        return try Images.map(x, "warp") { src, dst in
            let s = UncheckedPointers(src: src, dst: dst)
            Threads.parallelFor(n, minPerThread: max(1, 8192 / max(plane, 1))) { _, range in
                for i in range {
                    let m = maps[i]
                    if m.isIdentity {
                        (s.dst + i * image).update(from: s.src + i * image, count: image)
                    } else {
                        warpImage(s.src + i * image, s.dst + i * image, channels: c, height: h, width: w,
                                  map: m, fill: fill)
                    }
                }
            }
        }
    }

    /// Warps one `{C, H, W}` image, with the edge rule chosen once per image so the pixel
    /// loop is specialised for it.
    static func warpImage(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                          channels: Int, height h: Int, width w: Int, map m: Affine, fill: FillMode) {
        switch fill {
        case .constant(let v): warpImage(src, dst, channels, h, w, m, ConstantEdge(value: v))
        case .nearest: warpImage(src, dst, channels, h, w, m, NearestEdge())
        case .reflect: warpImage(src, dst, channels, h, w, m, ReflectEdge())
        case .wrap: warpImage(src, dst, channels, h, w, m, WrapEdge())
        }
    }

    /// The pixel loop: a few multiply-adds for the source position, four reads and a blend;
    /// the edge rule is consulted only where the 2 x 2 neighbourhood leaves the image.
    @inline(__always)
    static func warpImage<E: EdgeRule>(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                                       _ channels: Int, _ h: Int, _ w: Int, _ m: Affine, _ edge: E) {
        let plane = h * w
        let a = Float(m.a), d = Float(m.d)
        // Positions far outside the image all read the fill; clamping keeps Int conversion safe.
        let limit = Float(max(h, w) + 4) * 4
        let innerW = UInt(w - 1), innerH = UInt(h - 1)
        // Four pixels at a time where all four 2 x 2 neighbourhoods are inside: coordinates,
        // floors and blends in SIMD lanes (the same arithmetic as one pixel, so the same bits).
        let lanes = SIMD4<Float>(0, 1, 2, 3), one = SIMD4<Float>(repeating: 1)
        let magic = SIMD4<Float>(repeating: 12_582_912)  // 1.5 * 2^23: adding it rounds to an integer
        let lo = SIMD4<Float>(repeating: -limit), hi = SIMD4<Float>(repeating: limit)
        let lastX = SIMD4<Float>(repeating: Float(w - 1)), lastY = SIMD4<Float>(repeating: Float(h - 1))
        let zero = SIMD4<Float>(repeating: 0), rowStride = Float(w)
        for y in 0..<h {
            let rowX = Float(m.b * Double(y) + m.c), rowY = Float(m.e * Double(y) + m.f)
            let out = dst + y * w

            /// One pixel: any position, the edge rule where the neighbourhood leaves the image.
            @inline(__always) func pixel(_ x: Int) {
                let fx = Float(x)
                let sx = Swift.min(Swift.max(a * fx + rowX, -limit), limit)
                let sy = Swift.min(Swift.max(d * fx + rowY, -limit), limit)
                // floor through truncation (no libm call)
                var x0 = Int(sx), y0 = Int(sy)
                if sx < Float(x0) { x0 -= 1 }
                if sy < Float(y0) { y0 -= 1 }
                let tx = sx - Float(x0), ty = sy - Float(y0)
                if UInt(bitPattern: x0) < innerW && UInt(bitPattern: y0) < innerH {
                    var p = src + y0 * w + x0
                    for ch in 0..<channels {
                        out[x + ch * plane] = blend(p[0], p[1], p[w], p[w + 1], tx, ty)
                        p += plane
                    }
                } else if let v = edge.outside(x0, y0, w, h) {
                    for ch in 0..<channels { out[x + ch * plane] = v }
                } else {
                    var p = src
                    for ch in 0..<channels {
                        out[x + ch * plane] = blend(edge.read(p, x0, y0, w, h), edge.read(p, x0 + 1, y0, w, h),
                                                    edge.read(p, x0, y0 + 1, w, h), edge.read(p, x0 + 1, y0 + 1, w, h),
                                                    tx, ty)
                        p += plane
                    }
                }
            }

            var x = 0
            while x + 4 <= w {
                let fx = lanes + Float(x)
                let sx = (fx * a + rowX).clamped(lowerBound: lo, upperBound: hi)
                let sy = (fx * d + rowY).clamped(lowerBound: lo, upperBound: hi)
                var x0 = (sx + magic) - magic, y0 = (sy + magic) - magic
                x0 -= one.replacing(with: zero, where: x0 .<= sx)
                y0 -= one.replacing(with: zero, where: y0 .<= sy)
                if all((x0 .>= zero) .& (x0 .< lastX) .& (y0 .>= zero) .& (y0 .< lastY)) {
                    let tx = sx - x0, ty = sy - y0
                    let offset = y0 * rowStride + x0
                    let o0 = Int(offset[0]), o1 = Int(offset[1]), o2 = Int(offset[2]), o3 = Int(offset[3])
                    var p = src
                    for ch in 0..<channels {
                        let v00 = SIMD4<Float>(p[o0], p[o1], p[o2], p[o3])
                        let v01 = SIMD4<Float>(p[o0 + 1], p[o1 + 1], p[o2 + 1], p[o3 + 1])
                        let v10 = SIMD4<Float>(p[o0 + w], p[o1 + w], p[o2 + w], p[o3 + w])
                        let v11 = SIMD4<Float>(p[o0 + w + 1], p[o1 + w + 1], p[o2 + w + 1], p[o3 + w + 1])
                        let sxw = one - tx, syw = one - ty
                        let r = (v00 * sxw + v01 * tx) * syw + (v10 * sxw + v11 * tx) * ty
                        UnsafeMutableRawPointer(out + x + ch * plane).storeBytes(of: r, as: SIMD4<Float>.self)
                        p += plane
                    }
                } else {
                    for k in x..<(x + 4) { pixel(k) }
                }
                x += 4
            }
            while x < w { pixel(x); x += 1 }
        }
    }

    /// Bilinear interpolation written as weights, so a zero fraction gives the pixel exactly.
    @inline(__always)
    static func blend(_ v00: Float, _ v01: Float, _ v10: Float, _ v11: Float, _ tx: Float, _ ty: Float) -> Float {
        let sx = 1 - tx, sy = 1 - ty
        return (v00 * sx + v01 * tx) * sy + (v10 * sx + v11 * tx) * ty
    }
}

/// How a warp reads outside the image, one type per fill mode (see `FillMode`).
protocol EdgeRule {
    /// The value at integer position (x, y), inside or outside.
    func read(_ p: UnsafePointer<Float>, _ x: Int, _ y: Int, _ w: Int, _ h: Int) -> Float
    /// The value of every pixel whose 2 x 2 neighbourhood at (x0, y0) lies wholly outside,
    /// when the rule makes it one constant; nil otherwise.
    func outside(_ x0: Int, _ y0: Int, _ w: Int, _ h: Int) -> Float?
}

extension EdgeRule {
    @inline(__always) func outside(_ x0: Int, _ y0: Int, _ w: Int, _ h: Int) -> Float? { nil }
}

@inline(__always)
func inside(_ x: Int, _ y: Int, _ w: Int, _ h: Int) -> Bool {
    UInt(bitPattern: x) < UInt(w) && UInt(bitPattern: y) < UInt(h)
}

struct ConstantEdge: EdgeRule {
    let value: Float
    @inline(__always) func read(_ p: UnsafePointer<Float>, _ x: Int, _ y: Int, _ w: Int, _ h: Int) -> Float {
        inside(x, y, w, h) ? p[y * w + x] : value
    }
    @inline(__always) func outside(_ x0: Int, _ y0: Int, _ w: Int, _ h: Int) -> Float? {
        x0 < -1 || y0 < -1 || x0 >= w || y0 >= h ? value : nil
    }
}

struct NearestEdge: EdgeRule {
    @inline(__always) func read(_ p: UnsafePointer<Float>, _ x: Int, _ y: Int, _ w: Int, _ h: Int) -> Float {
        p[Swift.min(Swift.max(y, 0), h - 1) * w + Swift.min(Swift.max(x, 0), w - 1)]
    }
}

/// `dcba|abcd|dcba`: period 2n, the edge pixel repeated.
struct ReflectEdge: EdgeRule {
    @inline(__always) func read(_ p: UnsafePointer<Float>, _ x: Int, _ y: Int, _ w: Int, _ h: Int) -> Float {
        p[ReflectEdge.index(y, h) * w + ReflectEdge.index(x, w)]
    }
    @inline(__always) static func index(_ i: Int, _ n: Int) -> Int {
        let m = WrapEdge.index(i, 2 * n)
        return m < n ? m : 2 * n - 1 - m
    }
}

struct WrapEdge: EdgeRule {
    @inline(__always) func read(_ p: UnsafePointer<Float>, _ x: Int, _ y: Int, _ w: Int, _ h: Int) -> Float {
        p[WrapEdge.index(y, h) * w + WrapEdge.index(x, w)]
    }
    @inline(__always) static func index(_ i: Int, _ n: Int) -> Int {
        let m = i % n
        return m < 0 ? m + n : m
    }
}

/// Input and output buffers shared by the workers of a kernel, which write disjoint images.
struct UncheckedPointers: @unchecked Sendable {
    let src: UnsafePointer<Float>
    let dst: UnsafeMutablePointer<Float>
}
