import Testing
@testable import MoonEngine

@Suite struct ViewTests {
    let x = T([[1, 2, 3], [4, 5, 6]])

    @Test func reshapeAndViewShareStorage() throws {
        let v = try x.view([3, 2])
        #expect(v.storage === x.storage && v.toArray() == x.toArray())
        #expect(try x.reshape([-1]).shape == [6])
        #expect(try x.view([3, -1]).shape == [3, 2])
        #expect(message { try x.reshape([4, 2]) } == "reshape: cannot view {2,3} as {4,2}")
        #expect(message { try x.view([-1, -1]) } == "view: cannot view {2,3} as {-1,-1}")
        let t = try x.t()
        #expect(!t.isContiguous)
        #expect(message { try t.view([6]) }?.hasPrefix("view: cannot view the non-contiguous {3,2}") == true)
        let r = try t.reshape([6])
        #expect(r.storage !== x.storage && r.toArray() == [1, 4, 2, 5, 3, 6])
        #expect(try x.flatten().shape == [6])
        #expect(try random([2, 3, 4]).flatten(from: 1).shape == [2, 12])
    }

    @Test func permuteTransposeNarrowSelect() throws {
        let t = try x.t()
        #expect(t.shape == [3, 2] && t.toArray() == [1, 4, 2, 5, 3, 6] && t.storage === x.storage)
        let p = try random([2, 3, 4]).permute([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        #expect(message { try x.permute([0, 0]) } == "permute: {1,1} is not a permutation of the 2 dims of {2,3}")
        #expect(try x.narrow(1, 1, 2).toArray() == [2, 3, 5, 6])
        #expect(message { try x.narrow(1, 2, 2) } == "narrow: start 3 and length 2 do not fit dim 2 of size 3")
        #expect(try x.select(0, 1).toArray() == [4, 5, 6])
        #expect(try x.select(1, -1).toArray() == [3, 6])
        #expect(message { try x.select(0, 2) } == "select: index 3 out of range for dim 1 of size 2")
        #expect(message { try x.sum(dim: 2) } == "sum: dim 3 out of range for a 2-d tensor")
        #expect(message { try x.transpose(0, -3) } == "transpose: dim -3 out of range for a 2-d tensor")
        #expect(message { try random([2, 2, 2]).t() }?.hasPrefix("t: expects a tensor with at most 2 dims") == true)
    }

    @Test func expandSqueezeUnsqueeze() throws {
        let c = T([[1], [2]])
        let e = try c.expand([3, 2, 4])
        #expect(e.shape == [3, 2, 4] && e.strides == [0, 1, 0])
        #expect(try e.contiguous().toArray() == [[Float]](repeating: [1, 1, 1, 1, 2, 2, 2, 2], count: 3).flatMap { $0 })
        #expect(try c.expand([-1, 3]).toArray() == [1, 1, 1, 2, 2, 2])
        #expect(message { try x.expand([2, 4]) } == "expand: cannot expand {2,3} to {2,4}")
        #expect(try c.squeeze().shape == [2])
        #expect(try c.squeeze(0).shape == [2, 1])
        #expect(try x.unsqueeze(1).shape == [2, 1, 3])
        #expect(try x.unsqueeze(-1).shape == [2, 3, 1])
        #expect(message { try x.unsqueeze(4) } == "unsqueeze: dim 5 out of range for a 3-d tensor")
    }

    @Test func contiguousCopiesOnlyWhenNeeded() throws {
        #expect(try x.contiguous() === x)
        let c = try x.t().contiguous()
        #expect(c.isContiguous && c.toArray() == [1, 4, 2, 5, 3, 6])
        let cl = try x.clone()
        #expect(cl.storage !== x.storage && cl.toArray() == x.toArray())
    }

    @Test func gradientsFlowThroughViews() {
        checkGradient([random([2, 3, 4])]) { t in try t[0].reshape([4, 6]).mul(t[0].reshape([4, 6])) }
        checkGradient([random([2, 3, 4])]) { t in try t[0].permute([2, 0, 1]).exp() }
        checkGradient([random([3, 4])]) { t in try t[0].t().matmul(t[0]) }
        checkGradient([random([3, 5])]) { t in try t[0].narrow(1, 1, 3).square() }
        checkGradient([random([3, 5])]) { t in try t[0].select(0, 2).square() }
        checkGradient([random([3, 1])]) { t in try t[0].expand([2, 3, 4]).mul(random([2, 3, 4], seed: 4)) }
        checkGradient([random([3, 1, 2])]) { t in try t[0].squeeze().unsqueeze(0).square() }
        checkGradient([random([3, 4])]) { t in try t[0].t().contiguous().view([12]).square() }
        checkGradient([random([3, 4])]) { t in try t[0].transpose(0, 1).flatten().clone().square() }
    }
}
