import Testing
@testable import MoonEngine

@Suite struct ReductionTests {
    let x = T([[1, 5, 3], [4, 2, 6]])

    @Test func sumsAndMeans() throws {
        #expect(try x.sum().shape == [] && x.sum().item() == 21)
        #expect(try x.sum(dim: 0).toArray() == [5, 7, 9])
        #expect(try x.sum(dim: 1).toArray() == [9, 12])
        #expect(try x.sum(dim: 1, keepdim: true).shape == [2, 1])
        #expect(try x.sum(dim: -1).toArray() == [9, 12])
        #expect(try x.sum(dims: [0, 1]).shape == [])
        #expect(try x.mean().item() == 3.5)
        #expect(try x.mean(dim: 0).toArray() == [2.5, 3.5, 4.5])
        let big = try Tensor.ones([1000, 700])
        #expect(try big.sum().item() == 700_000)
        #expect(try big.sum(dim: 0).toArray() == [Float](repeating: 1000, count: 700))
        #expect(try big.sum(dim: 1).toArray() == [Float](repeating: 700, count: 1000))
        #expect(try random([2, 3, 4]).permute([2, 0, 1]).sum(dim: 1).shape == [4, 3])
    }

    @Test func extremesWithPositions() throws {
        let (v, i) = try x.max(dim: 1)
        #expect(v.toArray() == [5, 6] && i.toArray() == [1, 2])
        let (mv, mi) = try x.min(dim: 0, keepdim: true)
        #expect(mv.toArray() == [1, 2, 3] && mi.toArray() == [0, 1, 0] && mv.shape == [1, 3])
        #expect(try x.argmax(dim: 1).toArray() == [1, 2])
        #expect(try x.argmin(dim: 1).toArray() == [0, 1])
        #expect(try x.argmax().item() == 5)
        #expect(try x.max().item() == 6 && x.min().item() == 1)
        #expect(try T([1, Float.nan, 3]).max().item().isNaN)
        #expect(message { try Tensor.zeros([0]).max() } == "max: cannot reduce an empty tensor of shape {0}")
    }

    @Test func varianceAndStd() throws {
        let v = T([1, 2, 3, 4])
        #expect(try v.variance().item() == 5.0 / 3)
        #expect(try v.variance(unbiased: false).item() == 1.25)
        #expect(try x.variance(dim: 1).toArray() == [4, 4])
        #expect(try v.std(unbiased: false).item() == Float(1.25).squareRoot())
    }

    @Test func gradients() {
        checkGradient([random([3, 4])]) { t in try t[0].sum() }
        checkGradient([random([3, 4])]) { t in try t[0].sum(dim: 0) }
        checkGradient([random([3, 4, 2])]) { t in try t[0].sum(dim: 1, keepdim: true) }
        checkGradient([random([3, 4])]) { t in try t[0].mean() }
        checkGradient([random([3, 4])]) { t in try t[0].mean(dim: 1) }
        checkGradient([random([3, 4])]) { t in try t[0].max() }
        checkGradient([random([3, 4])]) { t in try t[0].max(dim: 1).values }
        checkGradient([random([3, 4, 2])]) { t in try t[0].min(dim: 1, keepdim: true).values }
        checkGradient([random([3, 4])]) { t in try t[0].variance() }
        checkGradient([random([3, 4])]) { t in try t[0].variance(dim: 0, unbiased: false) }
        checkGradient([random([3, 4])]) { t in try t[0].std(dim: 1) }
        checkGradient([random([3, 4])]) { t in try t[0].sum(dims: [0, 1], keepdim: true) }
    }
}
