import Testing
@testable import MoonEngine

/// Reference product in double: a {…, m, k} · b {…, k, n} with equal batch dims.
func naiveMatmul(_ a: Tensor, _ b: Tensor) -> [Float] {
    let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
    let batch = a.count / (m * k)
    let x = a.toArray(), y = b.toArray()
    var out = [Float](repeating: 0, count: batch * m * n)
    for p in 0..<batch {
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for l in 0..<k { s += Double(x[p * m * k + i * k + l]) * Double(y[p * k * n + l * n + j]) }
                out[p * m * n + i * n + j] = Float(s)
            }
        }
    }
    return out
}

@Suite struct MatmulTests {
    @Test func matchesNaiveLoop() throws {
        let a = random([7, 5]), b = random([5, 3], seed: 2)
        #expect(close(try a.matmul(b).toArray(), naiveMatmul(a, b), tol: 1e-5))
        #expect(try T([[1, 2], [3, 4]]).matmul(T([[5, 6], [7, 8]])).toArray() == [19, 22, 43, 50])
    }

    @Test func transposedViewsGoStraightToBLAS() throws {
        let a = random([5, 7]), b = random([3, 5], seed: 2)
        let at = try a.t(), bt = try b.t()
        let expected = naiveMatmul(try at.contiguous(), try bt.contiguous())
        #expect(close(try at.matmul(bt).toArray(), expected))
        #expect(close(try at.matmul(try bt.contiguous()).toArray(), expected))
        #expect(close(try at.contiguous().matmul(bt).toArray(), expected))
        // A view with a row stride larger than its width (a narrowed matrix).
        let wide = random([5, 10], seed: 3)
        let n = try wide.narrow(1, 2, 7)
        #expect(close(try n.matmul(random([7, 2], seed: 4)).toArray(),
                      naiveMatmul(try n.contiguous(), random([7, 2], seed: 4))))
        // Neither row- nor column-major: copied first.
        let odd = try random([3, 8], seed: 5).reshape([3, 4, 2]).select(2, 0)
        #expect(odd.strides == [8, 2])
        #expect(close(try odd.matmul(random([4, 2], seed: 6)).toArray(),
                      naiveMatmul(try odd.contiguous(), random([4, 2], seed: 6))))
    }

    @Test func batchedAndBroadcast() throws {
        let a = random([3, 4, 5]), b = random([3, 5, 2], seed: 2)
        #expect(close(try a.matmul(b).toArray(), naiveMatmul(a, b)))
        let w = random([5, 2], seed: 3)
        let folded = try a.matmul(w)
        #expect(folded.shape == [3, 4, 2])
        #expect(close(folded.toArray(), naiveMatmul(a, try w.unsqueeze(0).expand([3, 5, 2]).contiguous())))
        let left = random([4, 5], seed: 4)
        #expect(close(try left.matmul(b).toArray(), naiveMatmul(try left.expand([3, 4, 5]).contiguous(), b)))
        let c = random([2, 1, 4, 5], seed: 5), d = random([3, 5, 2], seed: 6)
        #expect(try c.matmul(d).shape == [2, 3, 4, 2])
        let bt = try random([3, 2, 5], seed: 7).transpose(1, 2)
        #expect(close(try a.matmul(bt).toArray(), naiveMatmul(a, try bt.contiguous())))
    }

    @Test func vectorsAndErrors() throws {
        #expect(try T([1, 2, 3]).matmul(T([4, 5, 6])).shape == [])
        #expect(try T([1, 2, 3]).matmul(T([4, 5, 6])).item() == 32)
        #expect(try T([[1, 2], [3, 4]]).matmul(T([1, 1])).toArray() == [3, 7])
        #expect(try T([1, 1]).matmul(T([[1, 2], [3, 4]])).toArray() == [4, 6])
        #expect(message { try random([2, 3]).matmul(random([4, 5])) } == "matmul: shapes {2,3} and {4,5} do not fit")
        #expect(message { try random([2, 2, 3]).matmul(random([3, 3, 1])) }
                == "matmul: batch dims of {2,2,3} and {3,3,1} cannot be broadcast together")
        #expect(message { try Tensor(1).matmul(random([2])) } == "matmul: shapes {} and {2} do not fit")
        #expect(try random([2, 0]).matmul(random([0, 3])).toArray() == [0, 0, 0, 0, 0, 0])
    }

    @Test func largeMatchesNaive() throws {
        let a = random([300, 200]), b = random([200, 150], seed: 2)
        #expect(close(try a.matmul(b).toArray(), naiveMatmul(a, b), tol: 1e-4))
    }

    @Test func gradients() {
        checkGradient([random([3, 4]), random([4, 2], seed: 2)]) { t in try t[0].matmul(t[1]) }
        checkGradient([random([2, 3, 4]), random([2, 4, 2], seed: 2)]) { t in try t[0].matmul(t[1]) }
        checkGradient([random([2, 3, 4]), random([4, 2], seed: 2)]) { t in try t[0].matmul(t[1]) }
        checkGradient([random([3, 4]), random([2, 4, 2], seed: 2)]) { t in try t[0].matmul(t[1]) }
        checkGradient([random([4]), random([4], seed: 2)]) { t in try t[0].matmul(t[1]) }
        checkGradient([random([3, 4]), random([4], seed: 2)]) { t in try t[0].matmul(t[1]) }
        checkGradient([random([4]), random([4, 3], seed: 2)]) { t in try t[0].matmul(t[1]) }
        checkGradient([random([4, 3]), random([2, 4], seed: 2)]) { t in try t[0].t().matmul(t[1].t()) }
    }
}
