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

    /// relu(bn(x) + residual) in one pass gives the values and gradients of the three ops one
    /// after another, for maps shorter than a SIMD block and longer than a summing block.
    @Test func residualAndReluMatchTheOpsInTurn() throws {
        for shape in [[3, 4, 5, 5], [2, 3, 33, 37]] {
            for (training, relu, withResidual) in [(true, true, true), (true, true, false), (true, false, true), (false, true, true)] {
                let c = shape[1]
                let x = random(shape, seed: 5), r = random(shape, seed: 6)
                let gamma = random([c], seed: 7, low: 0.5, high: 2), beta = random([c], seed: 8)
                let w = random(shape, seed: 9)
                func grads(_ f: () throws -> Tensor) throws -> ([Float], [[Float]]) {
                    for t in [x, r, gamma, beta] { t.requiringGrad(); t.zeroGrad() }
                    let y = try f()
                    try y.backward(gradient: w)
                    return (y.toArray(), [x, r, gamma, beta].map { $0.grad?.toArray() ?? [] })
                }
                let stats = { (try! Tensor.zeros([c]), try! Tensor.ones([c])) }
                let (m1, v1) = stats(), (m2, v2) = stats()
                let fused = try grads {
                    try Tensor.batchNorm(x, gamma: gamma, beta: beta, runningMean: m1, runningVar: v1, momentum: 0.9,
                                         eps: 1e-3, training: training, residual: withResidual ? r : nil, relu: relu)
                }
                let inTurn = try grads {
                    var y = try Tensor.batchNorm(x, gamma: gamma, beta: beta, runningMean: m2, runningVar: v2,
                                                 momentum: 0.9, eps: 1e-3, training: training)
                    if withResidual { y = try y.add(r) }
                    return relu ? try y.relu() : y
                }
                #expect(close(fused.0, inTurn.0, tol: 1e-5), "\(shape) training \(training) relu \(relu)")
                for (a, b) in zip(fused.1, inTurn.1) { #expect(close(a, b, tol: 1e-4), "\(shape) training \(training) relu \(relu)") }
                #expect(fused.1[1].isEmpty == !withResidual)
                #expect(m1.toArray() == m2.toArray() && v1.toArray() == v2.toArray())
            }
        }
        #expect(message {
            try Tensor.batchNorm(random([2, 3, 4, 4]), gamma: nil, beta: nil, runningMean: Tensor.zeros([3]), runningVar: Tensor.ones([3]),
                                 momentum: 0.9, eps: 1e-3, training: true, residual: random([2, 3, 4, 5]), relu: true)
        } == "batchNorm: residual of shape {2,3,4,5} does not match input {2,3,4,4}")
    }

    @Test func residualGradients() {
        checkGradient([random([2, 3, 3, 3]), random([3], seed: 2), random([3], seed: 3), random([2, 3, 3, 3], seed: 4)],
                      atol: 2e-2, rtol: 2e-2) { t in
            try Tensor.batchNorm(t[0], gamma: t[1], beta: t[2], runningMean: Tensor.zeros([3]), runningVar: Tensor.ones([3]),
                                 momentum: 0.9, eps: 1e-3, training: true, residual: t[3])
        }
    }

    /// The moments of channels away from zero (pixel values 100-101) and longer than a summing
    /// block agree with a double-precision two-pass sum of the same floats.
    @Test func statisticsOfOffsetChannelsMatchDoublePrecision() throws {
        let shape = [3, 2, 50, 41]
        let x = random(shape, seed: 11, low: 0, high: 1)
        x.apply { $0 + 100 }
        let (m, v) = try Tensor.batchNormStatistics(x)
        let values = x.toArray(), s = 50 * 41
        for ch in 0..<2 {
            var items: [Double] = []
            for n in 0..<3 { items += values[((n * 2 + ch) * s)..<((n * 2 + ch + 1) * s)].map(Double.init) }
            let mean = items.reduce(0, +) / Double(items.count)
            let variance = items.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(items.count)
            #expect(Swift.abs(Double(m.toArray()[ch]) - mean) <= 1e-5 * mean)
            #expect(Swift.abs(Double(v.toArray()[ch]) - variance) <= 1e-5 * variance, "\(v.toArray()[ch]) vs \(variance)")
        }
    }
}
