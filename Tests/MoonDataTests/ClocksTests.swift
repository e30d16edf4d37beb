import Foundation
import Testing
@testable import MoonData
import MoonEngine

/// Clock faces: the hands lie where the time says (measured from the drawn pixels), the
/// labels agree with the pictures, and the same seed gives the same images.
@Suite struct ClocksTests {
    static let size = 150

    /// Mean ink along a ray from the centre at a clockwise angle from 12, between two
    /// fractions of the dial radius.
    static func ink(_ pixels: [Float], size: Int, degrees: Double, from a: Double, to b: Double) -> Float {
        let c = Double(size) / 2, r = Clocks.Geometry.radius * Double(size)
        var sum: Float = 0
        let steps = 40
        for k in 0...steps {
            let rr = r * (a + (b - a) * Double(k) / Double(steps))
            let x = Int(c + rr * sin(degrees * .pi / 180)), y = Int(c - rr * cos(degrees * .pi / 180))
            sum += pixels[y * size + x]
        }
        return sum / Float(steps + 1)
    }

    /// The direction of the line with the most ink between two radii, skipping 20 degrees
    /// either side of `exclude`: the ink-weighted mean angle over the run of angles around
    /// the brightest one holding at least half its ink (a thick hand saturates several).
    static func brightestAngle(_ pixels: [Float], size: Int, from a: Double, to b: Double,
                               excluding exclude: Double? = nil) -> Double {
        var best = 0, bestInk: Float = -1
        var inks = [Float](repeating: 0, count: 360)
        for d in 0..<360 {
            if let e = exclude, angleDistance(Double(d), e) < 20 { continue }
            inks[d] = ink(pixels, size: size, degrees: Double(d) + 0.5, from: a, to: b)
            if inks[d] > bestInk { bestInk = inks[d]; best = d }
        }
        // The run of angles around the brightest one with at least half its ink, centred.
        var lo = 0, hi = 0
        while lo > -60, inks[(best + lo - 1 + 360) % 360] >= bestInk / 2 { lo -= 1 }
        while hi < 60, inks[(best + hi + 1) % 360] >= bestInk / 2 { hi += 1 }
        var sum = 0.0, weight = 0.0
        for k in lo...hi {
            let w = Double(inks[(best + k + 360) % 360])
            sum += w * Double(k); weight += w
        }
        return (Double(best) + 0.5 + sum / max(weight, 1e-9) + 360).truncatingRemainder(dividingBy: 360)
    }

    static func angleDistance(_ a: Double, _ b: Double) -> Double {
        let d = abs((a - b).truncatingRemainder(dividingBy: 360))
        return min(d, 360 - d)
    }

    @Test func quarterPastThreePointsRight() {
        let px = Clocks.render(Clocks.Face(hour: 3, minute: 15), size: Self.size)
        let c = Self.size / 2, r = Int(Clocks.Geometry.radius * Double(Self.size))
        // The minute hand's far end lies right of the centre, not left, above or below.
        let tip = Int(0.7 * Double(r))   // beyond the hour hand, inside the ticks
        #expect(px[c * Self.size + c + tip] > 0.9)
        #expect(px[c * Self.size + c - tip] == 0)
        #expect(px[(c - tip) * Self.size + c] == 0)
        #expect(px[(c + tip) * Self.size + c] == 0)
        // The hour hand points just past 3 (97.5 degrees), so it too lies to the right.
        #expect(Self.ink(px, size: Self.size, degrees: 97.5, from: 0.2, to: 0.45) > 0.9)
    }

    @Test func handAnglesMatchTheTime() {
        var rng = RandomGenerator(seed: 3)
        for _ in 0..<24 {
            let face = Clocks.Face(hour: rng.nextInt(below: 12), minute: rng.nextInt(below: 60))
            let (hourAngle, minuteAngle) = face.handAngles
            guard Self.angleDistance(hourAngle, minuteAngle) > 25 else { continue }
            let px = Clocks.render(face, size: Self.size)
            // Beyond the hour hand's length only the minute hand has ink (ticks start at 0.76).
            let m = Self.brightestAngle(px, size: Self.size, from: 0.56, to: 0.72)
            #expect(Self.angleDistance(m, minuteAngle) <= 2, "\(face.hour):\(face.minute) minute hand at \(m), expected \(minuteAngle)")
            let h = Self.brightestAngle(px, size: Self.size, from: 0.15, to: 0.45, excluding: minuteAngle)
            #expect(Self.angleDistance(h, hourAngle) <= 2, "\(face.hour):\(face.minute) hour hand at \(h), expected \(hourAngle)")
            // The hour hand is thicker: more ink across its width than the minute hand's.
            let across = { (a: Double) in (-6...6).reduce(Float(0)) { $0 + Self.ink(px, size: Self.size, degrees: a + Double($1), from: 0.3, to: 0.4) } }
            #expect(across(hourAngle) > 1.5 * across(minuteAngle))
        }
    }

    @Test func rotationTurnsTheWholeFace() {
        let face = Clocks.Face(hour: 0, minute: 0, rotation: 90)
        let px = Clocks.render(face, size: Self.size)
        #expect(Self.angleDistance(Self.brightestAngle(px, size: Self.size, from: 0.56, to: 0.72), 90) <= 2)
        // The doubled 12 tick moved to the right (ink either side of 90 degrees, a gap on
        // it); the single 9 tick moved to the top.
        let band = { (a: Double) in Self.ink(px, size: Self.size, degrees: a, from: 0.88, to: 0.93) }
        #expect(band(93) > 0.5 && band(87) > 0.5 && band(90) < 0.2)
        #expect(band(0) > 0.5 && band(3) < 0.2 && band(357) < 0.2)
    }

    @Test func labelsRangesAndDeterminism() throws {
        var o = Clocks.Options()
        o.count = 300
        o.size = 48
        o.seed = 11
        let a = try Clocks.generate(o)
        #expect(a.x.shape == [300, 1, 48, 48])
        #expect(a.targets.names == ["hour", "minute", "time"])
        let h = a.targets["hour"]!.toArray(), m = a.targets["minute"]!.toArray(), t = a.targets["time"]!.toArray()
        #expect(h.allSatisfy { $0 >= 0 && $0 <= 11 && $0 == $0.rounded() })
        #expect(m.allSatisfy { $0 >= 0 && $0 <= 59 && $0 == $0.rounded() })
        #expect(Set(h).count == 12)
        for i in 0..<300 { #expect(abs(t[i] - (h[i] + m[i] / 60)) < 1e-5) }
        // Each image is the face of its labels.
        for i in [0, 17, 299] {
            let img = try a.item(i).x.toArray()
            #expect(img == Clocks.render(Clocks.Face(hour: Int(h[i]), minute: Int(m[i])), size: 48))
        }
        let b = try Clocks.generate(o)
        #expect(a.x.toArray() == b.x.toArray() && h == b.targets["hour"]!.toArray())
        o.seed = 12
        #expect(try Clocks.generate(o).targets["minute"]!.toArray() != m)
        // Difficulty options stay in [0, 1] and are reproducible too.
        o.rotate = 180; o.noise = 0.2; o.thickness = (0.5, 2)
        let c = try Clocks.generate(o), d = try Clocks.generate(o)
        let v = c.x.toArray()
        #expect(v == d.x.toArray())
        #expect(v.min()! >= 0 && v.max()! <= 1)
    }

    @Test func badOptionsAreErrors() {
        var o = Clocks.Options()
        o.count = 0
        #expect(message { try Clocks.generate(o) }?.contains("n must be at least 1") == true)
        o = Clocks.Options(); o.size = 8
        #expect(message { try Clocks.generate(o) }?.contains("size must lie in 16...4096") == true)
        o = Clocks.Options(); o.thickness = (2, 1)
        #expect(message { try Clocks.generate(o) }?.contains("thickness") == true)
        o = Clocks.Options(); o.rotate = 400
        #expect(message { try Clocks.generate(o) }?.contains("rotate") == true)
    }

    @Test func previewWritesAPNGGrid() throws {
        var o = Clocks.Options()
        o.count = 10; o.size = 64; o.seed = 1
        let tmp = TempFolder()
        let path = tmp.path("clocks.png")
        try ClockPreview.write(try Clocks.generate(o), to: path, count: 32, columns: 4)
        let img = try PNGReader.read(path)
        #expect(img.width == 4 * (64 + 4) + 4 && img.channels == 1)
    }
}
