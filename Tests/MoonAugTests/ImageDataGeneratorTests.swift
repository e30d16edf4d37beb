import Foundation
import Testing
@testable import MoonAug
import MoonEngine

@Suite struct ImageDataGeneratorTests {
    func options(_ set: (inout ImageDataGenerator.Options) -> Void) -> ImageDataGenerator.Options {
        var o = ImageDataGenerator.Options()
        set(&o)
        return o
    }

    @Test func featurewiseStatisticsNeedFitAndStandardize() throws {
        let x = images(50, 2, 3, 3) { n, c, y, x in Float(c * 3) + Float((n * 7 + y * 3 + x) % 11) / 5 }
        let g = try ImageDataGenerator(options { $0.featurewiseCenter = true; $0.featurewiseStdNormalization = true })
        #expect(message { try g.apply(x, generator: .global) }?.contains("call fit(train) first") == true)
        try g.fit(x)
        let y = try g.apply(x, generator: .global)
        for c in 0..<2 {
            let ch = try y.narrow(1, c, 1)
            #expect(Swift.abs(try ch.mean().item()) < 1e-4)
            #expect(Swift.abs(try ch.std(unbiased: false).item() - 1) < 1e-3)
        }
    }

    @Test func samplewiseAndRescale() throws {
        let x = randomImages([4, 1, 5, 5])
        let g = try ImageDataGenerator(options { $0.rescale = 255; $0.samplewiseStdNormalization = true })
        #expect(g.options.samplewiseCenter)  // std normalization implies centring
        let y = try g.apply(x, generator: .global)
        for i in 0..<4 {
            let img = try y.select(0, i)
            #expect(Swift.abs(try img.mean().item()) < 1e-4)
            #expect(Swift.abs(try img.std(unbiased: false).item() - 1) < 1e-3)
        }
        let r = try ImageDataGenerator(options { $0.rescale = 0.5 }).apply(x, generator: .global)
        #expect(r.toArray() == x.toArray().map { $0 * 0.5 })
    }

    @Test func zcaWhiteningFollowsKeras() throws {
        let g = try ImageDataGenerator(options { $0.zcaWhitening = true; $0.featurewiseStdNormalization = true })
        #expect(g.options.featurewiseCenter && !g.options.featurewiseStdNormalization)
        let x = images(400, 1, 2, 2) { n, _, y, x in
            let a = Float((n * 37) % 17) / 17, b = Float((n * 11) % 13) / 13
            return [a, a + b, b, a - b][y * 2 + x]
        }
        try g.fit(x)
        let y = try g.apply(x, generator: .global)
        #expect(y.shape == x.shape)
        #expect(g.description == "aug.ImageDataGenerator{zca_whitening=true}")
    }

    @Test func shiftsInPixelsAndFractions() throws {
        // width_shift_range 3 (>= 1): pixels; 0.1: a tenth of the width.
        let x = blob(30, 30, cx: 14.5, cy: 14.5, r: 4, n: 64)
        for (range, limit) in [(3.0, 3.0), (0.1, 3.0)] {
            let g = try ImageDataGenerator(options { $0.widthShiftRange = range; $0.fillMode = .constant(0) })
            let y = try g.apply(x, generator: RandomGenerator(seed: 8))
            var biggest = 0.0
            for i in 0..<64 {
                let (a, b) = (centroid(x, i), centroid(y, i))
                #expect(Swift.abs(b.y - a.y) < 1e-3)
                #expect(Swift.abs(b.x - a.x) <= limit + 1e-3)
                biggest = max(biggest, Swift.abs(b.x - a.x))
            }
            #expect(biggest > limit * 0.8)
        }
    }

    @Test func rejectsBadOptions() throws {
        #expect(message { try ImageDataGenerator(options { $0.rotationRange = -1 }) } ==
            "ImageDataGenerator: rotation_range must be a number >= 0, got -1")
        #expect(message { try ImageDataGenerator(options { $0.zoomRange = 0...1 }) }?.contains("zoom_range") == true)
        #expect(message { try ImageDataGenerator(options { $0.featurewiseCenter = true }).fit(randomImages([1, 1, 2, 2])) }?
            .contains("N >= 2") == true)
    }

    @Test func describesItselfWithKerasNames() throws {
        let g = try ImageDataGenerator(options {
            $0.rotationRange = 10; $0.widthShiftRange = 0.1; $0.heightShiftRange = 0.1; $0.zoomRange = 0.9...1.1
            $0.horizontalFlip = true
        })
        #expect(g.description == "aug.ImageDataGenerator{rotation_range=10, width_shift_range=0.1, height_shift_range=0.1, zoom_range=0.1, horizontal_flip=true}")
    }
}

@Suite struct ArgumentCheckTests {
    @Test func constructorsRejectBadValuesNamingThem() throws {
        #expect(message { try RandomRotation(degrees: -5) } == "RandomRotation: degrees must be a number >= 0, got -5")
        #expect(message { try RandomRotation(degrees: 10, -10) } == "RandomRotation: degrees {lo, hi} needs finite lo <= hi, got {10, -10}")
        #expect(message { try RandomZoom(factor: 1.5) } == "RandomZoom: factor must be below 1, got 1.5")
        #expect(message { try RandomZoom(scale: 0, 2) }?.contains("lo > 0") == true)
        #expect(message { try RandomShear(degrees: 95) } == "RandomShear: degrees must be below 90, got 95")
        #expect(message { try RandomShift(width: 1.5) } == "RandomShift: width must be a fraction in [0, 1], got 1.5")
        #expect(message { try RandomHorizontalFlip(p: 1.2) } == "RandomHorizontalFlip: probability p must lie in [0, 1], got 1.2")
        #expect(message { try RandomVerticalFlip(p: -0.1) } == "RandomVerticalFlip: probability p must lie in [0, 1], got -0.1")
        #expect(message { try ColorJitter(brightness: -1) } == "ColorJitter: brightness must be a number >= 0, got -1")
        #expect(message { try RandomRotation(degrees: .nan) } != nil)
    }

    @Test func wrongRanksAreErrors() throws {
        let t = try RandomRotation(degrees: 10)
        #expect(message { try t.apply(try Tensor.zeros([28, 28]), generator: .global) } ==
            "RandomRotation: expected a C x H x W image or an N x C x H x W batch, got shape {28,28}")
        #expect(message { try Compose([t]).apply(try Tensor.zeros([1, 1, 1, 2, 2]), generator: .global) }?
            .hasPrefix("Compose: expected") == true)
    }

    @Test func descriptionsReadLikeLua() throws {
        #expect(try RandomRotation(degrees: 10).description == "aug.RandomRotation(10)")
        #expect(try RandomRotation(degrees: 10, fill: .reflect).description == "aug.RandomRotation(10, {fill_mode=\"reflect\"})")
        #expect(try RandomZoom(factor: 0.1).description == "aug.RandomZoom(0.1)")
        #expect(try RandomShift(width: 0.1, height: 0.2).description == "aug.RandomShift{width=0.1, height=0.2}")
        #expect(try ColorJitter(brightness: 0.2, contrast: 0.3).description == "aug.ColorJitter{brightness=0.2, contrast=0.3}")
        #expect(try Normalize(mean: [0.5], std: [0.25]).description == "aug.Normalize{mean=0.5, std=0.25}")
    }
}
