import Testing
@testable import MoonEngine

@Suite struct IndexingTests {
    let x = T([[1, 2, 3], [4, 5, 6]])

    @Test func catAndStack() throws {
        #expect(try Tensor.cat([x, T([[7, 8, 9]])], dim: 0).toArray() == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(try Tensor.cat([x, T([[0], [0]])], dim: 1).toArray() == [1, 2, 3, 0, 4, 5, 6, 0])
        #expect(message { try Tensor.cat([x, T([[1, 2]])], dim: 0) }
                == "cat: tensor 2 has shape {1,2}, expected {2,3} except in dim 1")
        #expect(message { try Tensor.cat([], dim: 0) } == "cat: needs at least one tensor")
        let s = try Tensor.stack([T([1, 2]), T([3, 4])], dim: 1)
        #expect(s.shape == [2, 2] && s.toArray() == [1, 3, 2, 4])
        #expect(try Tensor.stack([x, x], dim: 0).shape == [2, 2, 3])
        #expect(message { try Tensor.stack([T([1, 2]), T([1])]) } == "stack: tensor 2 has shape {1}, expected {2}")
    }

    @Test func indexSelectAndGather() throws {
        #expect(try x.indexSelect(0, [1, 0, 1]).toArray() == [4, 5, 6, 1, 2, 3, 4, 5, 6])
        #expect(try x.indexSelect(1, T([2, 0])).toArray() == [3, 1, 6, 4])
        #expect(message { try x.indexSelect(0, [0, 2]) } == "indexSelect: index 3 at position 2 out of range for dim 1 of size 2")
        #expect(message { try x.indexSelect(0, T([0.5])) } == "indexSelect: index 0.5 at position 1 is outside 0..1")
        #expect(try x.gather(1, T([[2], [0]])).toArray() == [3, 4])
        #expect(try x.gather(0, T([[1, 0, 1]])).toArray() == [4, 2, 6])
        #expect(try x.t().gather(0, T([[1, 0]])).toArray() == [2, 4])
        #expect(message { try x.gather(1, T([[3], [0]])) } == "gather: index 3.0 at position 1 is outside 0..2")
        #expect(message { try x.gather(1, T([1, 0])) }?.hasPrefix("gather: index of shape {2} does not fit") == true)
        #expect(try T([0, 2]).oneHot(3).toArray() == [1, 0, 0, 0, 0, 1])
    }

    @Test func gradients() {
        checkGradient([random([2, 3]), random([1, 3], seed: 4)]) { t in try Tensor.cat([t[0], t[1]], dim: 0) }
        checkGradient([random([2, 3]), random([2, 2], seed: 4)]) { t in try Tensor.cat([t[0], t[1]], dim: -1) }
        checkGradient([random([2, 3]), random([2, 3], seed: 4)]) { t in try Tensor.stack([t[0], t[1]], dim: 1) }
        checkGradient([random([4, 3])]) { t in try t[0].indexSelect(0, [3, 0, 3]) }
        checkGradient([random([2, 4, 3])]) { t in try t[0].indexSelect(1, [1, 1, 2]) }
        checkGradient([random([3, 4])]) { t in try t[0].gather(1, T([[0, 3], [2, 2], [1, 0]])) }
        checkGradient([random([3, 4])]) { t in try t[0].gather(0, T([[0, 1, 2, 2]])) }
    }
}
