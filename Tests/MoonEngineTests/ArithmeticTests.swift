import Testing
@testable import MoonEngine

@Suite struct ArithmeticTests {
    let a = T([[1, 2, 3], [4, 5, 6]])
    let row = T([10, 20, 30])
    let column = T([[100], [200]])

    @Test func broadcastingForward() throws {
        #expect(try (a + row).toArray() == [11, 22, 33, 14, 25, 36])
        #expect(try (a + column).toArray() == [101, 102, 103, 204, 205, 206])
        #expect(try (row + column).shape == [2, 3])
        #expect(try (a - row).toArray() == [-9, -18, -27, -6, -15, -24])
        #expect(try (a * column).toArray() == [100, 200, 300, 800, 1000, 1200])
        #expect(try (row / a).toArray() == [10, 10, 10, 2.5, 4, 5])
        #expect(try (a + Tensor(1)).toArray() == [2, 3, 4, 5, 6, 7])
        #expect(message { try a + T([1, 2]) } == "add: shapes {2,3} and {2} cannot be broadcast together")
        #expect(message { try a * T([[1, 2], [3, 4]]) } == "mul: shapes {2,3} and {2,2} cannot be broadcast together")
    }

    /// An operand repeated along the leading dims (a bias) takes a row-by-row path: the same
    /// values as element-by-element broadcasting, on either side and for trailing blocks.
    @Test func trailingBroadcastsMatchElementwise() throws {
        let x = try Tensor((0..<24).map { Float($0) }, shape: [2, 3, 4])
        let block = try Tensor((1...12).map { Float($0) }, shape: [3, 4])
        let bias = try Tensor([1, 2, 3, 4], shape: [1, 4])
        func expected(_ f: (Float, Float) -> Float, _ b: Tensor, swapped: Bool = false) -> [Float] {
            let xs = x.toArray(), bs = b.toArray()
            return xs.indices.map { i in swapped ? f(bs[i % bs.count], xs[i]) : f(xs[i], bs[i % bs.count]) }
        }
        #expect(try (x + block).toArray() == expected(+, block))
        #expect(try (x - bias).toArray() == expected(-, bias))
        #expect(try (bias / (x + 1)).toArray() == expected({ $0 / ($1 + 1) }, bias, swapped: true))
        #expect(try (block * x).toArray() == expected(*, block, swapped: true))
        #expect(try (x + bias).shape == [2, 3, 4])
    }

    @Test func scalarOperandsBothOrders() throws {
        #expect(try (a + 1).toArray() == [2, 3, 4, 5, 6, 7])
        #expect(try (2 * a).toArray() == [2, 4, 6, 8, 10, 12])
        #expect(try (a - 1).toArray() == [0, 1, 2, 3, 4, 5])
        #expect(try (1 - a).toArray() == [0, -1, -2, -3, -4, -5])
        #expect(try (a / 2).toArray() == [0.5, 1, 1.5, 2, 2.5, 3])
        #expect(try (6 / a).toArray() == [6, 3, 2, 1.5, 1.2, 1])
        #expect(try (-a).toArray() == [-1, -2, -3, -4, -5, -6])
        #expect(try a.pow(2).toArray() == [1, 4, 9, 16, 25, 36])
        #expect(try T([4, 9]).pow(0.5).toArray() == [2, 3])
        #expect(try T([2, 3]).pow(T([3, 2])).toArray() == [8, 9])
    }

    @Test func stridedOperandsMatchContiguous() throws {
        let x = random([4, 5, 6]), y = random([6, 5, 4], seed: 3)
        let yt = try y.permute([2, 1, 0])
        let expected = try x.add(try yt.contiguous()).toArray()
        #expect(try x.add(yt).toArray() == expected)
        #expect(try yt.add(x).toArray() == expected)
        let n = try x.narrow(2, 1, 3)
        #expect(try n.exp().toArray() == n.contiguous().exp().toArray())
    }

    @Test func largeTensorsUseTheParallelPathsCorrectly() throws {
        let x = random([300, 500]), y = random([500], seed: 9)
        let sum = try x.add(y), flat = x.toArray(), bias = y.toArray()
        #expect(sum.toArray() == (0..<150_000).map { flat[$0] + bias[$0 % 500] })
        #expect(try x.mul(2).toArray() == flat.map { $0 * 2 })
    }

    @Test func comparisonsAndWhere() throws {
        let x = T([1, 2, 3])
        #expect(try x.gt(2).toArray() == [0, 0, 1])
        #expect(try x.le(T([3, 2, 1])).toArray() == [1, 1, 0])
        #expect(try x.eq(2).toArray() == [0, 1, 0])
        #expect(try x.ne(T([1, 0, 3])).toArray() == [0, 1, 0])
        #expect(try x.lt(T([[2], [4]])).shape == [2, 3])
        #expect(try x.ge(2).toArray() == [0, 1, 1])
        let w = try Tensor.where(x.gt(1), x, T([[10], [20]]))
        #expect(w.toArray() == [10, 2, 3, 20, 2, 3])
        #expect(try !x.requiringGrad().gt(1).requiresGrad)
    }

    @Test func gradients() {
        checkGradient([random([2, 3]), random([3], seed: 3)]) { t in try t[0] + t[1] }
        checkGradient([random([2, 3]), random([2, 1], seed: 3)]) { t in try t[0] - t[1] }
        checkGradient([random([3, 1]), random([1, 4], seed: 3)]) { t in try t[0] * t[1] }
        checkGradient([random([2, 3]), random([3], seed: 3, low: 1, high: 2)]) { t in try t[0] / t[1] }
        checkGradient([random([2, 3], low: 0.5, high: 2), random([2, 3], seed: 3)]) { t in try t[0].pow(t[1]) }
        checkGradient([random([4], low: 0.5, high: 2)]) { t in try t[0].pow(1.7) }
        checkGradient([random([4])]) { t in try t[0].pow(2) }
        checkGradient([random([4])]) { t in try 3 - t[0] * 2 + 1 }
        checkGradient([random([4], low: 1, high: 2)]) { t in try (2 / t[0]) / 4 }
        checkGradient([random([4])]) { t in try -t[0] }
        checkGradient([awayFromZero([2, 3]), random([3], seed: 7)]) { t in try t[0].maximum(t[1]) }
        checkGradient([awayFromZero([2, 3]), random([3], seed: 7)]) { t in try t[0].minimum(t[1]) }
        let mask = T([[1, 0, 1], [0, 0, 1]])
        checkGradient([random([2, 3]), random([3], seed: 3)]) { t in try Tensor.where(mask, t[0], t[1]) }
        checkGradient([random([3])]) { t in try t[0] * t[0] }
    }
}
