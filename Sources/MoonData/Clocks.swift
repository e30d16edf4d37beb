import Foundation
import MoonEngine

/// Generated analog clock faces, for tell-the-time networks.
///
/// Each image is `size x size`, one channel, light ink (up to 1) on a dark background (0),
/// drawn with anti-aliasing: the dial circle, 12 ticks (longer and thicker at 12, 3, 6 and
/// 9; the 12 is doubled so a rotated face still shows its top), a short thick hour hand and
/// a long thin minute hand from the centre, and a hub. As on a real clock the hour hand
/// moves on with the minutes: at 3:30 it points half way from 3 to 4. Lengths and widths
/// are fractions of the size, so any size looks the same.
///
/// Targets (named, for graph models' named outputs): `hour` 0..11, `minute` 0..59 and
/// `time` = hour + minute / 60 (fractional hours, for regression). Times are uniform over
/// the 720 minutes of the dial. Each image draws its time, rotation, thickness and noise
/// from its own generator, seeded from the run's generator in image order, so the images
/// depend only on the seed (never on the thread count) and are drawn on every core.
public enum Clocks {
    public struct Options: Sendable {
        /// Number of images.
        public var count = 10000
        /// Side of the square images, in pixels (at least 16).
        public var size = 150
        /// The seed; nil: drawn from `RandomGenerator.global` (which `moonlab.seed` sets).
        public var seed: UInt64? = nil
        /// Largest rotation of the whole face, in degrees either way (0: upright; 180: any).
        public var rotate: Double = 0
        /// Standard deviation of Gaussian noise added to every pixel (then clamped to [0, 1]).
        public var noise: Double = 0
        /// Range of a per-image factor on every line width (1: the standard widths).
        public var thickness: (low: Double, high: Double) = (1, 1)
        /// Dark ink on a light background instead.
        public var invert = false
        public init() {}
    }

    /// One clock face's parameters.
    public struct Face: Sendable, Equatable {
        public var hour: Int
        public var minute: Int
        /// Clockwise rotation of the whole face, degrees.
        public var rotation: Double = 0
        public var thickness: Double = 1
        public init(hour: Int, minute: Int, rotation: Double = 0, thickness: Double = 1) {
            self.hour = hour; self.minute = minute; self.rotation = rotation; self.thickness = thickness
        }

        /// Clockwise angles from 12 o'clock, in degrees, of the hour and minute hands.
        public var handAngles: (hour: Double, minute: Double) {
            (Double(hour % 12) * 30 + Double(minute) * 0.5 + rotation, Double(minute) * 6 + rotation)
        }
    }

    /// Sizes as fractions of the image side.
    enum Geometry {
        static let radius = 0.45
        static let dialWidth = 0.016
        static let majorTick = (inner: 0.76, outer: 0.95, width: 0.024)   // fractions of the radius; width of the side
        static let minorTick = (inner: 0.86, outer: 0.95, width: 0.013)
        static let twelveGap = 0.022
        static let hourHand = (length: 0.50, width: 0.055)
        static let minuteHand = (length: 0.86, width: 0.022)
        static let hub = 0.03
    }

    /// The dataset of `options.count` clock faces: x `{N, 1, size, size}`, targets hour,
    /// minute and time.
    public static func generate(_ options: Options) throws -> Dataset {
        let n = options.count, s = options.size
        guard n >= 1 else { throw DataError(in: "clocks", "n must be at least 1, got \(n)") }
        guard s >= 16 && s <= 4096 else { throw DataError(in: "clocks", "size must lie in 16...4096, got \(s)") }
        guard options.rotate.isFinite, options.rotate >= 0, options.rotate <= 180 else {
            throw DataError(in: "clocks", "rotate must be a number of degrees in 0...180 (or true for any angle), got \(options.rotate)")
        }
        guard options.noise.isFinite, options.noise >= 0 else {
            throw DataError(in: "clocks", "noise must be a standard deviation >= 0, got \(options.noise)")
        }
        let (lo, hi) = options.thickness
        guard lo.isFinite, hi.isFinite, lo > 0, hi >= lo, hi <= 10 else {
            throw DataError(in: "clocks", "thickness must be {low, high} with 0 < low <= high <= 10, got {\(lo), \(hi)}")
        }
        _ = try Allocation.count([n, s, s], bytesEach: MemoryLayout<Float>.stride, op: "clocks",
                                 what: "\(n) clock faces of \(s)x\(s)")
        let source = options.seed.map { RandomGenerator(seed: $0) } ?? .global
        let seeds = (0..<n).map { _ in source.nextUInt64() }
        var faces = [Face](repeating: Face(hour: 0, minute: 0), count: n)
        let plane = s * s
        let x = try Tensor.make([n, 1, s, s], op: "clocks") { out in
            faces.withUnsafeMutableBufferPointer { faceBuffer in
                let box = UncheckedSendable((out.baseAddress!, faceBuffer.baseAddress!))
                let chunks = min(n, max(1, ProcessInfo.processInfo.activeProcessorCount) * 4)
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    let (pixels, faceOut) = box.value
                    for i in (n * c / chunks)..<(n * (c + 1) / chunks) {
                        var rng = FastRandom(seed: seeds[i])
                        let time = rng.below(720)
                        let face = Face(hour: time / 60, minute: time % 60,
                                        rotation: options.rotate > 0 ? (rng.unit() * 2 - 1) * options.rotate : 0,
                                        thickness: lo + (hi - lo) * rng.unit())
                        faceOut[i] = face
                        let dst = pixels + i * plane
                        draw(face, size: s, into: dst)
                        if options.noise > 0 { addNoise(dst, plane, std: Float(options.noise), &rng) }
                        if options.invert { for p in 0..<plane { dst[p] = 1 - dst[p] } }
                    }
                }
            }
        }
        let hours = faces.map { Float($0.hour) }, minutes = faces.map { Float($0.minute) }
        let times = faces.map { Float(Double($0.hour) + Double($0.minute) / 60) }
        return try Dataset(name: "clocks", x: x, targets: .named([
            ("hour", try Tensor(hours, shape: [n])),
            ("minute", try Tensor(minutes, shape: [n])),
            ("time", try Tensor(times, shape: [n])),
        ]))
    }

    /// One face as `size * size` floats (row-major), ink 1 on 0.
    public static func render(_ face: Face, size: Int) -> [Float] {
        var out = [Float](repeating: 0, count: size * size)
        out.withUnsafeMutableBufferPointer { draw(face, size: size, into: $0.baseAddress!) }
        return out
    }

    /// Draws a face into `size * size` floats, which it clears first.
    static func draw(_ face: Face, size: Int, into dst: UnsafeMutablePointer<Float>) {
        let canvas = Canvas(pixels: dst, size: size)
        dst.update(repeating: 0, count: size * size)
        let s = Double(size), c = s / 2, r = Geometry.radius * s, th = face.thickness
        // Unit direction of a clockwise angle from 12 (image y grows downwards).
        func direction(_ degrees: Double) -> (Double, Double) {
            let a = degrees * .pi / 180
            return (sin(a), -cos(a))
        }
        canvas.ring(cx: c, cy: c, radius: r, halfWidth: Geometry.dialWidth * s * th / 2)
        for k in 0..<12 {
            let (dx, dy) = direction(Double(k) * 30 + face.rotation)
            let major = k % 3 == 0
            let t = major ? Geometry.majorTick : Geometry.minorTick
            let hw = t.width * s * th / 2
            if k == 0 {
                // Two parallel ticks mark the 12.
                let g = Geometry.twelveGap * s
                for side in [-1.0, 1.0] {
                    let ox = -dy * g * side, oy = dx * g * side
                    canvas.segment(c + dx * r * t.inner + ox, c + dy * r * t.inner + oy,
                                   c + dx * r * t.outer + ox, c + dy * r * t.outer + oy, halfWidth: hw)
                }
            } else {
                canvas.segment(c + dx * r * t.inner, c + dy * r * t.inner,
                               c + dx * r * t.outer, c + dy * r * t.outer, halfWidth: hw)
            }
        }
        let angles = face.handAngles
        let (hx, hy) = direction(angles.hour)
        canvas.segment(c, c, c + hx * r * Geometry.hourHand.length, c + hy * r * Geometry.hourHand.length,
                       halfWidth: Geometry.hourHand.width * s * th / 2)
        let (mx, my) = direction(angles.minute)
        canvas.segment(c, c, c + mx * r * Geometry.minuteHand.length, c + my * r * Geometry.minuteHand.length,
                       halfWidth: Geometry.minuteHand.width * s * th / 2)
        canvas.disc(cx: c, cy: c, radius: Geometry.hub * s * max(th, 1))
    }

    static func addNoise(_ p: UnsafeMutablePointer<Float>, _ count: Int, std: Float, _ rng: inout FastRandom) {
        var i = 0
        while i < count {
            let (a, b) = rng.normalPair()
            p[i] = min(1, max(0, p[i] + std * a))
            if i + 1 < count { p[i + 1] = min(1, max(0, p[i + 1] + std * b)) }
            i += 2
        }
    }

    /// Anti-aliased drawing: each shape's coverage of a pixel is 1 inside, 0 beyond half a
    /// pixel outside, linear between (by the distance of the pixel centre to the edge);
    /// overlapping shapes keep the larger coverage.
    struct Canvas {
        let pixels: UnsafeMutablePointer<Float>
        let size: Int

        @inline(__always)
        func plot(_ x: Int, _ y: Int, _ coverage: Double) {
            guard coverage > 0 else { return }
            let p = pixels + y * size + x
            let v = Float(min(coverage, 1))
            if v > p.pointee { p.pointee = v }
        }

        func clampRange(_ lo: Double, _ hi: Double) -> ClosedRange<Int>? {
            let a = max(0, Int((lo).rounded(.down))), b = min(size - 1, Int((hi).rounded(.up)))
            return a <= b ? a...b : nil
        }

        /// A line of half-width `hw` between two points, with round ends.
        func segment(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, halfWidth hw: Double) {
            let pad = hw + 1
            guard let ys = clampRange(min(y0, y1) - pad, max(y0, y1) + pad),
                  let xs = clampRange(min(x0, x1) - pad, max(x0, x1) + pad) else { return }
            let dx = x1 - x0, dy = y1 - y0
            let len2 = max(dx * dx + dy * dy, 1e-12)
            for y in ys {
                let py = Double(y) + 0.5 - y0
                for x in xs {
                    let px = Double(x) + 0.5 - x0
                    let t = min(1, max(0, (px * dx + py * dy) / len2))
                    let ex = px - t * dx, ey = py - t * dy
                    plot(x, y, hw + 0.5 - (ex * ex + ey * ey).squareRoot())
                }
            }
        }

        /// A circle line of half-width `hw`, visiting only the rows' spans near it.
        func ring(cx: Double, cy: Double, radius: Double, halfWidth hw: Double) {
            let outer = radius + hw + 1, inner = max(0, radius - hw - 1)
            guard let ys = clampRange(cy - outer, cy + outer) else { return }
            for y in ys {
                let dy = Double(y) + 0.5 - cy
                let o2 = outer * outer - dy * dy
                if o2 < 0 { continue }
                let ox = o2.squareRoot()
                let i2 = inner * inner - dy * dy
                let ix = i2 > 0 ? i2.squareRoot() : 0
                for (lo, hi) in [(cx - ox, cx - ix), (cx + ix, cx + ox)] {
                    guard let xs = clampRange(lo - 1, hi + 1) else { continue }
                    for x in xs {
                        let dx = Double(x) + 0.5 - cx
                        plot(x, y, hw + 0.5 - abs((dx * dx + dy * dy).squareRoot() - radius))
                    }
                }
            }
        }

        /// A filled disc.
        func disc(cx: Double, cy: Double, radius: Double) {
            guard let ys = clampRange(cy - radius - 1, cy + radius + 1),
                  let xs = clampRange(cx - radius - 1, cx + radius + 1) else { return }
            for y in ys {
                let dy = Double(y) + 0.5 - cy
                for x in xs {
                    let dx = Double(x) + 0.5 - cx
                    plot(x, y, radius + 0.5 - (dx * dx + dy * dy).squareRoot())
                }
            }
        }
    }
}

/// Per-image randomness: the engine's lock-free xoshiro256** core with the draws clocks need.
struct FastRandom {
    private var core: Xoshiro256

    init(seed: UInt64) { core = Xoshiro256(seed: seed) }

    @inline(__always) mutating func next() -> UInt64 { core.next() }

    /// Uniform in [0, 1).
    @inline(__always) mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in 0..<n (n small: the bias is below 2^-50).
    @inline(__always) mutating func below(_ n: Int) -> Int { Int(next().multipliedFullWidth(by: UInt64(n)).high) }

    /// Two independent standard normal values (Box-Muller).
    @inline(__always) mutating func normalPair() -> (Float, Float) {
        let u1 = 1 - unit(), u2 = unit()
        let r = (-2 * log(u1)).squareRoot(), a = 2 * Double.pi * u2
        return (Float(r * cos(a)), Float(r * sin(a)))
    }
}
