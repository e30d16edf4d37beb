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

    /// The product and its gradient are the input and the upstream gradient times the mask the
    /// generator draws, bit for bit, over enough elements to be split across the cores; a
    /// strided input takes the general product and gets the same numbers.
    @Test func productIsTheInputTimesTheGeneratorsMask() throws {
        let n = 3 * 32_768 + 5
        let x = random([n], seed: 3), dy = random([n], seed: 4)
        var mask = [Float](repeating: 0, count: n)
        mask.withUnsafeMutableBufferPointer {
            RandomGenerator(seed: 9).fillBernoulliMask($0.baseAddress!, count: n, dropProbability: 0.3, scale: 1 / 0.7)
        }
        let xs = x.toArray(), dys = dy.toArray()
        let xg = x.requiringGrad()
        let y = try xg.dropout(0.3, training: true, generator: RandomGenerator(seed: 9))
        try y.backward(gradient: dy)
        #expect(y.toArray().map(\.bitPattern) == zip(xs, mask).map { ($0 * $1).bitPattern })
        #expect(xg.grad!.toArray().map(\.bitPattern) == zip(dys, mask).map { ($0 * $1).bitPattern })

        let mt = try random([40, 30], seed: 5).t()
        let strided = try mt.dropout(0.3, training: true, generator: RandomGenerator(seed: 2))
        let plain = try mt.contiguous().dropout(0.3, training: true, generator: RandomGenerator(seed: 2))
        #expect(strided.toArray() == plain.toArray())
    }
}
