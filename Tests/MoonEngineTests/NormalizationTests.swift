import Testing
@testable import MoonEngine

@Suite struct NormalizationTests {
    @Test func trainingUsesBatchStatisticsAndUpdatesRunningOnes() throws {
        // Two channels over N=4: channel 0 holds 1,2,3,4; channel 1 holds 10,10,10,10.
        let x = T([[1, 10], [2, 10], [3, 10], [4, 10]])
        let gamma = T([2, 1]), beta = T([0.5, -1])
        let rm = T([0, 0]), rv = T([1, 1])
        _ = try Tensor.batchNorm(x, gamma: gamma, beta: beta, runningMean: rm, runningVar: rv,
                                 momentum: 0.9, eps: 0, training: true)
        let y2 = try Tensor.batchNorm(x, gamma: gamma, beta: beta, runningMean: T([0, 0]), runningVar: T([1, 1]),
                                      momentum: 0.9, eps: 1e-3, training: true)
        let s2 = Float(1.25 + 1e-3).squareRoot()
        let e0 = [1, 2, 3, 4].map { 2 * (Float($0) - 2.5) / s2 + 0.5 }
        #expect(close(y2.toArray(), [e0[0], -1, e0[1], -1, e0[2], -1, e0[3], -1], tol: 1e-5))
        #expect(close(rm.toArray(), [0.25, 1]))
        #expect(close(rv.toArray(), [0.9 + 0.1 * 1.25, 0.9]))
    }

    @Test func evaluationUsesRunningStatistics() throws {
        let x = random([2, 3, 2, 2])
        let rm = T([0.5, -1, 0]), rv = T([4, 1, 0.25])
        let y = try Tensor.batchNorm(x, gamma: nil, beta: T([0, 0, 1]), runningMean: rm, runningVar: rv,
                                     momentum: 0.99, eps: 0, training: false)
        let v = x.toArray()
        let expected = v.indices.map { i -> Float in
            let c = (i / 4) % 3
            return (v[i] - rm.toArray()[c]) / rv.toArray()[c].squareRoot() + (c == 2 ? 1 : 0)
        }
        #expect(close(y.toArray(), expected))
        #expect(rm.toArray() == [0.5, -1, 0] && rv.toArray() == [4, 1, 0.25])
    }

    @Test func statisticsOverBatchAndSpace() throws {
        let x = random([3, 2, 4, 5])
        let (m, v) = try Tensor.batchNormStatistics(x)
        let perChannel = try x.permute([1, 0, 2, 3]).reshape([2, -1])
        #expect(close(m.toArray(), try perChannel.mean(dim: 1).toArray()))
        #expect(close(v.toArray(), try perChannel.variance(dim: 1, unbiased: false).toArray()))
        #expect(message { try Tensor.batchNormStatistics(T([1, 2])) } == "batchNormStatistics: expects input of shape {N,C} or {N,C,H,W}, got {2}")
        #expect(message {
            try Tensor.batchNorm(x, gamma: T([1]), beta: nil, runningMean: T([0, 0]), runningVar: T([1, 1]),
                                 momentum: 0.99, eps: 1e-3, training: true)
        } == "batchNorm: gamma of shape {1} does not match the 2 channels of input {3,2,4,5}")
    }

    @Test func gradients() {
        for training in [true, false] {
            checkGradient([random([4, 3]), random([3], seed: 2), random([3], seed: 3)], atol: 2e-2, rtol: 2e-2) { t in
                try Tensor.batchNorm(t[0], gamma: t[1], beta: t[2], runningMean: Tensor.zeros([3]),
                                     runningVar: Tensor.ones([3]), momentum: 0.9, eps: 1e-3, training: training)
            }
            checkGradient([random([2, 3, 2, 2]), random([3], seed: 2), random([3], seed: 3)], atol: 2e-2, rtol: 2e-2) { t in
                try Tensor.batchNorm(t[0], gamma: t[1], beta: t[2], runningMean: Tensor.zeros([3]),
                                     runningVar: Tensor.ones([3]), momentum: 0.9, eps: 1e-3, training: training)
            }
        }
    }
}
