import Foundation
import Testing
@testable import MoonAug
import MoonEngine

@Suite struct ColorTests {
    @Test func brightnessAndContrastMath() throws {
        let x = images(1, 1, 2, 2) { _, _, y, x in [0.1, 0.2, 0.4, 0.9][y * 2 + x] }
        // Fixed factors through the kernel: brightness 1.5 then contrast 0.5 about the mean.
        let y = try ColorJitter.adjust(x, factors: [(1.5, 0.5)]).toArray()
        let bright: [Float] = [0.15, 0.3, 0.6, 1.0]  // 0.9 * 1.5 clamps to 1
        let mean = bright.reduce(0, +) / 4
        let expected = bright.map { min(max($0 * 0.5 + mean * 0.5, 0), 1) }
        #expect(maxDifference(y, expected) < 1e-6)
        // The grey level of RGB images weights the channels 0.299, 0.587, 0.114.
        let rgb = images(1, 3, 1, 1) { _, c, _, _ in [1, 0, 0][c] }
        let r = try ColorJitter.adjust(rgb, factors: [(1, 0)]).toArray()
        #expect(maxDifference(r, [0.299, 0.299, 0.299]) < 1e-6)
    }

    @Test func jitterDrawsFactorsInRange() throws {
        let x = images(200, 1, 1, 2) { _, _, _, x in [0.2, 0.4][x] }
        let y = try ColorJitter(brightness: 0.5).apply(x, generator: RandomGenerator(seed: 9)).toArray()
        var factors: [Float] = []
        for i in 0..<200 {
            let f = y[2 * i] / 0.2
            #expect(Swift.abs(y[2 * i + 1] / 0.4 - f) < 1e-4)  // one factor per image
            factors.append(f)
        }
        #expect(factors.min()! >= 0.5 - 1e-4 && factors.max()! <= 1.5 + 1e-4)
        #expect(factors.min()! < 0.6 && factors.max()! > 1.4)
    }

    @Test func normalizePerChannel() throws {
        let x = randomImages([2, 3, 4, 4])
        let y = try Normalize(mean: [0.5, 0.25, 0], std: [0.5, 2, 1]).apply(x, generator: .global).toArray()
        let v = x.toArray()
        let mean: [Float] = [0.5, 0.25, 0], std: [Float] = [0.5, 2, 1]
        for n in 0..<2 { for c in 0..<3 { for yy in 0..<4 { for xx in 0..<4 {
            let e = (pixel(v, x.shape, n, c, yy, xx) - mean[c]) / std[c]
            #expect(pixel(y, x.shape, n, c, yy, xx) == e)
        } } } }
        let scalar = try Normalize(mean: [0.5], std: [0.5]).apply(x, generator: .global).toArray()
        #expect(maxDifference(scalar, v.map { ($0 - 0.5) / 0.5 }) == 0)
        #expect(message { try Normalize(mean: [0, 0], std: [1]).apply(x, generator: .global) }?
            .contains("mean has 2 values but the images have 3 channels") == true)
        #expect(message { try Normalize(mean: [0], std: [0]) } == "Normalize: std must be > 0, got 0")
    }
}
