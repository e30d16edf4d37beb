import Testing
import MoonEngine
@testable import MoonNN

/// Initializer statistics on large fans, against Keras' formulas.
@Suite struct InitializerTests {
    let g = RandomGenerator(seed: 42)

    @Test func fansFollowKeras() {
        #expect(Initializer.fans([784, 64]) == (784, 64))
        #expect(Initializer.fans([32, 16, 3, 3]) == (144, 288))   // {F, C, kh, kw}: C·9, F·9
        #expect(Initializer.fans([10]) == (10, 10))
    }

    @Test func glorotUniformLimit() throws {
        let t = try Initializer(named: "glorot_uniform").make([1000, 500], generator: g).toArray()
        let limit = (6.0 / 1500.0).squareRoot()
        #expect(t.allSatisfy { Swift.abs(Double($0)) <= limit })
        #expect(t.max()! > Float(limit * 0.99))
        #expect(Swift.abs(std(t) - limit / 3.0.squareRoot()) < 0.01 * limit)
        #expect(Swift.abs(mean(t)) < 0.01 * limit)
    }

    @Test func heNormalOnAConvKernelIsTruncatedWithKerasStd() throws {
        // fan_in = 32·3·3 = 288; std of the truncated values = sqrt(2/288).
        let t = try Initializer(named: "he_normal").make([128, 32, 3, 3], generator: g).toArray()
        let target = (2.0 / 288.0).squareRoot()
        let bound = 2 * target / 0.879_625_661_034_239_78
        #expect(Swift.abs(std(t) - target) < 0.02 * target)
        #expect(t.allSatisfy { Swift.abs(Double($0)) <= bound + 1e-6 })
        #expect(Swift.abs(mean(t)) < 0.02 * target)
    }

    @Test(arguments: [("fan_in", 288.0), ("fan_out", 1152.0), ("fan_avg", 720.0)])
    func varianceScalingModes(_ mode: String, _ n: Double) throws {
        let shape = [128, 32, 3, 3]   // fan_in 288, fan_out 1152
        for dist in ["uniform", "untruncated_normal", "truncated_normal", "normal"] {
            let i = try Initializer(name: "variance_scaling", options: ["scale": 3.0, "mode": .string(mode), "distribution": .string(dist)])
            let t = try i.make(shape, generator: g).toArray()
            let target = (3.0 / n).squareRoot()
            #expect(Swift.abs(std(t) - target) < 0.02 * target, "\(mode) \(dist): std \(std(t)) vs \(target)")
            if dist == "uniform" { #expect(t.allSatisfy { Swift.abs(Double($0)) <= (9.0 / n).squareRoot() }) }
            if dist == "untruncated_normal" { #expect(t.contains { Swift.abs(Double($0)) > 2.2 * target }) }
            if dist == "truncated_normal" || dist == "normal" {
                #expect(t.allSatisfy { Swift.abs(Double($0)) <= 2 * target / 0.879_625_661_034_239_78 + 1e-6 })
            }
        }
    }

    @Test func lecunAndRandom() throws {
        let lu = try Initializer(named: "lecun_uniform").make([400, 300], generator: g).toArray()
        #expect(lu.allSatisfy { Swift.abs(Double($0)) <= (3.0 / 400).squareRoot() })
        let rn = try Initializer(name: "random_normal", options: ["mean": 1.0, "std": 0.5]).make([200_000], generator: g).toArray()
        #expect(Swift.abs(mean(rn) - 1) < 0.01)
        #expect(Swift.abs(std(rn) - 0.5) < 0.01)
        let ru = try Initializer(name: "random_uniform", options: ["min": 2.0, "max": 3.0]).make([100_000], generator: g).toArray()
        #expect(ru.allSatisfy { $0 >= 2 && $0 < 3 })
        #expect(Swift.abs(mean(ru) - 2.5) < 0.01)
        #expect(try Initializer(named: "ones").make([3]).toArray() == [1, 1, 1])
    }

    @Test func unknownNamesListTheValidOnes() {
        let m = message { try Initializer(named: "glorot") }
        #expect(m?.contains("unknown initializer \"glorot\"") == true)
        #expect(m?.contains("he_normal") == true)
        #expect(message { try Initializer(name: "variance_scaling", options: ["mode": "fan_mid"]) }?.contains("fan_avg") == true)
        #expect(message { try Initializer(name: "variance_scaling", options: ["distribution": "cauchy"]) }?.contains("truncated_normal") == true)
    }

    @Test func configRoundTrip() throws {
        let i = try Initializer(name: "variance_scaling", options: ["scale": 2.0, "mode": "fan_avg", "distribution": "uniform"])
        let back = try #require(try Initializer(option: i.config))
        #expect(back.description == i.description)
        #expect(try Initializer(option: "he_uniform")?.name == "he_uniform")
    }
}
