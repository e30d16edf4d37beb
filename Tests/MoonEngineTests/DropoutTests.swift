import Testing
@testable import MoonEngine

@Suite struct DropoutTests {
    @Test func scalesKeptElementsAndIsIdentityInEvaluation() throws {
        let x = try Tensor.ones([10_000])
        let y = try x.dropout(0.25, training: true, generator: RandomGenerator(seed: 5)).toArray()
        #expect(y.allSatisfy { $0 == 0 || Swift.abs($0 - 1 / 0.75) < 1e-6 })
        let dropped = Float(y.filter { $0 == 0 }.count) / 10_000
        #expect(Swift.abs(dropped - 0.25) < 0.02)
        #expect(try x.dropout(0.25, training: false) === x)
        #expect(try x.dropout(1, training: true, generator: RandomGenerator(seed: 1)).toArray().allSatisfy { $0 == 0 })
        #expect(message { try x.dropout(1.5, training: true) } == "dropout: rate 1.5 must be in [0, 1]")
    }

    @Test func gradientUsesTheSameMask() throws {
        let x = random([50]).requiringGrad()
        let y = try x.dropout(0.5, training: true, generator: RandomGenerator(seed: 8))
        try y.sum().backward()
        let kept = y.toArray().map { $0 != 0 }
        #expect(x.grad!.toArray() == kept.map { $0 ? 2 : 0 })
    }
}
