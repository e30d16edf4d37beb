import Testing
@testable import MoonEngine

@Suite(.serialized) struct RandomTests {
    @Test func seedReproducesEveryNumber() throws {
        let g = RandomGenerator(seed: 42)
        let a = try Tensor.randn([1001], generator: g).toArray() + Tensor.rand([7], generator: g).toArray()
        g.seed(42)
        let b = try Tensor.randn([1001], generator: g).toArray() + Tensor.rand([7], generator: g).toArray()
        #expect(a == b)
        g.seed(43)
        #expect(try Tensor.randn([1001], generator: g).toArray() != Array(a.prefix(1001)))
    }

    @Test func globalSeedReproducesDropoutAndRand() throws {
        RandomGenerator.global.seed(7)
        let a = try Tensor.rand([100]).toArray(), m1 = try Tensor.ones([100]).dropout(0.5, training: true).toArray()
        RandomGenerator.global.seed(7)
        #expect(try Tensor.rand([100]).toArray() == a)
        #expect(try Tensor.ones([100]).dropout(0.5, training: true).toArray() == m1)
    }

    @Test func stateSavesAndRestores() throws {
        let g = RandomGenerator(seed: 3)
        _ = g.nextUInt64()
        let saved = g.state
        let a = try Tensor.rand([5], generator: g).toArray()
        try g.setState(saved)
        #expect(try Tensor.rand([5], generator: g).toArray() == a)
        #expect(message { try g.setState([1, 2]) }?.hasPrefix("setState:") == true)
    }

    @Test func distributionsLookRight() throws {
        let g = RandomGenerator(seed: 11)
        let u = try Tensor.rand([100_000], low: 2, high: 4, generator: g)
        #expect(Swift.abs(try u.mean().item() - 3) < 0.02)
        #expect(try u.min().item() >= 2 && u.max().item() < 4)
        let n = try Tensor.randn([100_000], mean: 1, std: 2, generator: g)
        #expect(Swift.abs(try n.mean().item() - 1) < 0.05)
        #expect(Swift.abs(try n.std().item() - 2) < 0.05)
        let p = g.permutation(10)
        #expect(p.sorted() == Array(0..<10))
        #expect((0..<1000).allSatisfy { _ in (0..<3).contains(g.nextInt(below: 3)) })
    }
}
