import Foundation
import Testing
@testable import MoonAug
import MoonEngine

@Suite struct AffineWarpTests {
    /// A 5 x 5 image with all values distinct (no symmetry to hide a wrong sign or axis).
    let square = images(1, 1, 5, 5) { _, _, y, x in Float(y * 5 + x + 1) }

    @Test func rotationBy90IsCounterClockwiseAndExact() throws {
        let v = square.toArray()
        let ccw = try RandomRotation(degrees: 90, 90).apply(square, generator: RandomGenerator(seed: 1)).toArray()
        let cw = try RandomRotation(degrees: -90, -90).apply(square, generator: RandomGenerator(seed: 1)).toArray()
        for y in 0..<5 {
            for x in 0..<5 {
                // Counter-clockwise (numpy's rot90): the top-right corner goes to the top-left.
                #expect(ccw[y * 5 + x] == v[x * 5 + (4 - y)], "ccw at (\(y), \(x))")
                #expect(cw[y * 5 + x] == v[(4 - x) * 5 + y], "cw at (\(y), \(x))")
            }
        }
        #expect(ccw[0] == 5)  // the top-right pixel (value 5) is now top-left
    }

    @Test func rotationBy180And45() throws {
        let v = square.toArray()
        let r180 = try RandomRotation(degrees: 180, 180).apply(square, generator: .global).toArray()
        for k in 0..<25 { #expect(Swift.abs(r180[k] - v[24 - k]) < 1e-5) }
        // 45 degrees: the centre stays, mass flows outward only with the fill.
        let r45 = try RandomRotation(degrees: 45, 45).apply(square, generator: .global).toArray()
        #expect(Swift.abs(r45[12] - v[12]) < 1e-4)
    }

    @Test func zeroStrengthTransformsAreBitExactIdentities() throws {
        let x = randomImages([7, 3, 9, 11])
        let g = RandomGenerator(seed: 5)
        let transforms: [any Transform] = [
            try RandomRotation(degrees: 0), try RandomZoom(factor: 0), try RandomShear(degrees: 0),
            try RandomShift(width: 0, height: 0), try RandomHorizontalFlip(p: 0), try RandomVerticalFlip(p: 0),
            try ColorJitter(brightness: 0, contrast: 0), try Normalize(mean: [0], std: [1]),
            Compose([]), Compose([try RandomRotation(degrees: 0), try RandomShift(width: 0, height: 0)]),
            try ImageDataGenerator(.init()),
        ]
        for t in transforms {
            let y = try t.apply(x, generator: g)
            #expect(y.shape == x.shape, "\(t)")
            #expect(y.toArray() == x.toArray(), "\(t) is not the identity")
            #expect(y.storage !== x.storage, "\(t) must return a new tensor")
        }
    }

    @Test func identityMapThroughTheWarpKernelIsExact() throws {
        // A map that is the identity but not recognised as such: the kernel itself must be exact.
        let x = randomImages([2, 1, 6, 6])
        var m = Affine.identity
        m.c = 1e-30
        for fill in [FillMode.constant(0.5), .nearest, .reflect, .wrap] {
            let y = try AffineWarp.warp(x, maps: [m, m], fill: fill)
            #expect(y.toArray() == x.toArray(), "\(fill)")
        }
    }

    @Test func flipsAreExact() throws {
        let x = images(2, 2, 4, 5) { n, c, y, x in Float(n * 1000 + c * 100 + y * 10 + x) }
        let v = x.toArray()
        let h = try RandomHorizontalFlip(p: 1).apply(x, generator: .global).toArray()
        let vf = try RandomVerticalFlip(p: 1).apply(x, generator: .global).toArray()
        for n in 0..<2 { for c in 0..<2 { for y in 0..<4 { for xx in 0..<5 {
            #expect(pixel(h, x.shape, n, c, y, xx) == pixel(v, x.shape, n, c, y, 4 - xx))
            #expect(pixel(vf, x.shape, n, c, y, xx) == pixel(v, x.shape, n, c, 3 - y, xx))
        } } } }
    }

    @Test func randomFlipsFlipAboutHalfTheImages() throws {
        let x = images(400, 1, 2, 3) { n, _, y, x in Float(y * 3 + x) }
        let out = try RandomHorizontalFlip(p: 0.5).apply(x, generator: RandomGenerator(seed: 11)).toArray()
        var flipped = 0
        for n in 0..<400 {
            let first = out[n * 6]
            #expect(first == 0 || first == 2)
            if first == 2 { flipped += 1 }
        }
        #expect(flipped > 150 && flipped < 250)
    }

    @Test func shiftMovesTheCentroidByTheShift() throws {
        let x = blob(28, 28, cx: 13.5, cy: 13.5, r: 5)
        let before = centroid(x, 0)
        let y = try AffineWarp.warp(x, maps: [.shift(dx: 2.5, dy: -1.25)], fill: .constant(0))
        let after = centroid(y, 0)
        #expect(Swift.abs(after.x - before.x - 2.5) < 1e-4)
        #expect(Swift.abs(after.y - before.y + 1.25) < 1e-4)
        #expect(Swift.abs(after.mass - before.mass) < 1e-3)
    }

    @Test func randomShiftMovesEachImageByItsDrawnFraction() throws {
        let n = 32
        let x = blob(28, 28, cx: 13.5, cy: 13.5, r: 4, n: n)
        let t = try RandomShift(width: 0.2, height: 0.1)
        let y = try t.apply(x, generator: RandomGenerator(seed: 21))
        // The same draws, replayed: dx then dy per image, uniform in [-f, f] times the size.
        let g = RandomGenerator(seed: 21)
        var signs = Set<Bool>()
        for i in 0..<n {
            let dx = (-0.2 + 0.4 * g.nextDouble()) * 28, dy = (-0.1 + 0.2 * g.nextDouble()) * 28
            let a = centroid(x, i), b = centroid(y, i)
            #expect(Swift.abs((b.x - a.x) - dx) < 1e-3, "image \(i)")
            #expect(Swift.abs((b.y - a.y) - dy) < 1e-3, "image \(i)")
            #expect(Swift.abs(dx) <= 0.2 * 28 && Swift.abs(dy) <= 0.1 * 28)
            signs.insert(dx > 0)
        }
        #expect(signs.count == 2)
    }

    @Test func zoomScalesTheSpreadAboutTheCentre() throws {
        let x = blob(29, 29, cx: 14, cy: 14, r: 6)
        func spread(_ t: Tensor) -> Double {
            let v = t.toArray()
            var m = 0.0, s = 0.0
            for y in 0..<29 { for xx in 0..<29 {
                let p = Double(v[y * 29 + xx]); m += p; s += p * Double((xx - 14) * (xx - 14))
            } }
            return (s / m).squareRoot()
        }
        let big = try RandomZoom(scale: 1.5, 1.5).apply(x, generator: .global)
        let small = try RandomZoom(scale: 0.5, 0.5).apply(x, generator: .global)
        #expect(Swift.abs(spread(big) / spread(x) - 1.5) < 0.05)
        #expect(Swift.abs(spread(small) / spread(x) - 0.5) < 0.05)
        // Keras' zoom_range is the inverse ratio: zoom_range {2, 2} shrinks like scale 0.5.
        var o = ImageDataGenerator.Options()
        o.zoomRange = 2...2
        o.fillMode = .constant(0)
        let keras = try ImageDataGenerator(o).apply(x, generator: .global)
        #expect(keras.toArray() == small.toArray())
    }

    @Test func shearFollowsKeras() throws {
        // Keras: input row = row - sin(a) col, input col = cos(a) col (about the centre).
        let m = Affine.shear(degrees: 30, height: 5, width: 7)
        let cx = 3.0, cy = 2.0
        let (u, v) = (2.0, 1.0)  // output pixel (x, y) = (cx + u, cy + v)
        let sx = m.a * (cx + u) + m.b * (cy + v) + m.c, sy = m.d * (cx + u) + m.e * (cy + v) + m.f
        #expect(Swift.abs(sx - (cx + cos(Double.pi / 6) * u)) < 1e-12)
        #expect(Swift.abs(sy - (cy + v - sin(Double.pi / 6) * u)) < 1e-12)
    }

    @Test func fillModesReadKerasPatterns() throws {
        // A 1 x 4 row "abcd" shifted 2 pixels right: the first two output pixels read outside.
        let x = images(1, 1, 1, 4) { _, _, _, x in Float(x + 1) }  // 1 2 3 4
        func shifted(_ fill: FillMode) throws -> [Float] {
            try AffineWarp.warp(x, maps: [.shift(dx: 2, dy: 0)], fill: fill).toArray()
        }
        #expect(try shifted(.constant(9)) == [9, 9, 1, 2])
        #expect(try shifted(.nearest) == [1, 1, 1, 2])
        #expect(try shifted(.reflect) == [2, 1, 1, 2])   // ba|abcd
        #expect(try shifted(.wrap) == [3, 4, 1, 2])      // cd|abcd
    }

    @Test func composeFusesGeometryIntoOneWarp() throws {
        // Two 90-degree rotations fused = one 180-degree rotation, exactly.
        let r90 = try RandomRotation(degrees: 90, 90)
        let fused = try Compose([r90, r90]).apply(square, generator: .global).toArray()
        let once = try RandomRotation(degrees: 180, 180).apply(square, generator: .global).toArray()
        #expect(maxDifference(fused, once) < 1e-5)
        // Flip then shift (integer): the same as doing them one after the other.
        let flip = try RandomHorizontalFlip(p: 1)
        let a = try Compose([flip, try RandomRotation(degrees: 90, 90)]).apply(square, generator: .global).toArray()
        let b = try r90.apply(try flip.apply(square, generator: .global), generator: .global).toArray()
        #expect(a == b)
        #expect(Compose([flip, r90]).description == "aug.Compose{aug.RandomHorizontalFlip(1), aug.RandomRotation({90, 90})}")
    }

    /// The warp written plainly, one pixel at a time, with the same arithmetic.
    func referenceWarp(_ x: Tensor, _ m: Affine, _ fill: FillMode) -> [Float] {
        let (c, h, w) = (x.shape[1], x.shape[2], x.shape[3])
        let v = x.toArray()
        func read(_ ch: Int, _ xx: Int, _ yy: Int) -> Float {
            func index(_ i: Int, _ n: Int) -> Int? {
                if i >= 0 && i < n { return i }
                switch fill {
                case .constant: return nil
                case .nearest: return min(max(i, 0), n - 1)
                case .reflect: let k = ((i % (2 * n)) + 2 * n) % (2 * n); return k < n ? k : 2 * n - 1 - k
                case .wrap: return ((i % n) + n) % n
                }
            }
            guard let xi = index(xx, w), let yi = index(yy, h) else {
                if case .constant(let k) = fill { return k }
                return 0
            }
            return v[(ch * h + yi) * w + xi]
        }
        var out = [Float](repeating: 0, count: c * h * w)
        for ch in 0..<c { for y in 0..<h { for xx in 0..<w {
            let sx = Float(m.a) * Float(xx) + Float(m.b * Double(y) + m.c)
            let sy = Float(m.d) * Float(xx) + Float(m.e * Double(y) + m.f)
            let x0 = sx.rounded(.down), y0 = sy.rounded(.down)
            let (tx, ty) = (sx - x0, sy - y0)
            let (i, j) = (Int(x0), Int(y0))
            let r = AffineWarp.blend(read(ch, i, j), read(ch, i + 1, j), read(ch, i, j + 1), read(ch, i + 1, j + 1), tx, ty)
            out[(ch * h + y) * w + xx] = r
        } } }
        return out
    }

    @Test(arguments: [FillMode.constant(0.25), .nearest, .reflect, .wrap])
    func warpMatchesAPlainReference(_ fill: FillMode) throws {
        let g = RandomGenerator(seed: 31)
        let x = randomImages([1, 2, 13, 17], seed: 12)
        for _ in 0..<20 {
            let m = Affine.rotation(degrees: 360 * g.nextDouble(), height: 13, width: 17)
                * .scale(0.5 + g.nextDouble(), 0.5 + g.nextDouble(), height: 13, width: 17)
                * .shift(dx: 8 * g.nextDouble() - 4, dy: 8 * g.nextDouble() - 4)
            let fast = try AffineWarp.warp(x, maps: [m], fill: fill).toArray()
            #expect(fast == referenceWarp(x, m, fill), "\(m)")
        }
    }

    @Test func singleImagesAndBatchesAgree() throws {
        // Geometric transforms draw image by image: image 1 of a batch gets a lone image's draws.
        let x = randomImages([3, 1, 8, 8])
        let t = Compose([try RandomRotation(degrees: 20), try RandomZoom(factor: 0.2), try RandomHorizontalFlip()])
        let batch = try t.apply(x, generator: RandomGenerator(seed: 4))
        let one = try t.apply(try x.select(0, 0), generator: RandomGenerator(seed: 4))
        #expect(one.shape == [1, 8, 8])
        #expect(one.toArray() == Array(batch.toArray()[0..<64]))
    }
}
