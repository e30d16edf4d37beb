import Testing
import MoonEngine
@testable import MoonNN

/// Regularizers, dropout, batch norm, a gradient check through a whole model, bad inputs.
@Suite(.serialized) struct LayerTests {
    @Test func l1AndL2PenaltiesAndTheirGradients() throws {
        let d = try Dense(3) { $0.l1 = 0.01; $0.l2 = 0.1 }
        try d.ensureBuilt(inputShape: [2])
        let k = T([1, -2, 3, -4, 5, -6], [2, 3])
        try d.setWeights([k, T([7, 8, 9], [3])])
        let p = try #require(try d.regularizationLoss())
        #expect(Swift.abs(try p.item() - (0.01 * 21 + 0.1 * 91)) < 1e-4)   // bias not penalized
        try p.backward()
        let expected = k.toArray().map { 0.01 * ($0 > 0 ? 1 : -1) + 0.2 * $0 }
        #expect(close(d.kernel!.grad!.toArray(), expected, tol: 1e-5))
        #expect(d.bias!.grad == nil)
        #expect(try Dense(3).regularizationLoss() == nil)
    }

    @Test func maxNormCapsEachUnit() throws {
        let d = try Dense(2) { $0.maxNorm = 2 }
        try d.ensureBuilt(inputShape: [2])
        try d.setWeights([T([3, 0.6, 4, 0.8], [2, 2]), T([0, 0], [2])])   // column norms 5 and 1
        try d.applyConstraints()
        let k = d.kernel!.toArray()
        #expect(close(k, [1.2, 0.6, 1.6, 0.8], tol: 1e-5))
        let c = try Conv2D(2, kernel: Pair(1, 1)) { $0.maxNorm = 1 }
        try c.ensureBuilt(inputShape: [2, 3, 3])
        try c.setWeights([T([3, 4, 0.3, 0.4], [2, 2, 1, 1]), T([0, 0], [2])])   // filter norms 5 and 0.5
        try c.applyConstraints()
        #expect(close(c.kernel!.toArray(), [0.6, 0.8, 0.3, 0.4], tol: 1e-5))
    }

    @Test func dropoutScalesInTrainingAndPassesInEvaluation() throws {
        let d = try Dropout(0.25)
        try d.ensureBuilt(inputShape: [100_000])
        let x = try Tensor.ones([1, 100_000])
        let y = try d.forward(x).toArray()
        let kept = y.filter { $0 != 0 }
        #expect(Swift.abs(Double(kept.count) / 100_000 - 0.75) < 0.01)
        #expect(kept.allSatisfy { Swift.abs($0 - 1 / 0.75) < 1e-6 })
        d.setTraining(false)
        #expect(try d.forward(x).toArray() == x.toArray())
        #expect(message { try Dropout(1) }?.contains("[0, 1)") == true)
    }

    @Test func batchNormTrainingAndEvaluationByHand() throws {
        let bn = try BatchNorm { $0.momentum = 0.9; $0.eps = 1e-3 }
        try bn.ensureBuilt(inputShape: [2])
        let x = T([1, 10, 3, 20, 5, 30, 7, 40], [4, 2])
        let y = try bn.forward(x).toArray()
        // Feature 1: mean 4, biased variance 5; feature 2: mean 25, variance 125.
        let e1 = [1, 3, 5, 7].map { Float((Double($0) - 4) / (5 + 1e-3).squareRoot()) }
        let e2 = [10, 20, 30, 40].map { Float((Double($0) - 25) / (125 + 1e-3).squareRoot()) }
        #expect(close(y, [e1[0], e2[0], e1[1], e2[1], e1[2], e2[2], e1[3], e2[3]], tol: 1e-4))
        #expect(close(bn.movingMean!.toArray(), [0.4, 2.5], tol: 1e-5))
        #expect(close(bn.movingVariance!.toArray(), [0.9 + 0.5, 0.9 + 12.5], tol: 1e-4))
        bn.setTraining(false)
        let z = try bn.forward(T([1, 10], [1, 2])).toArray()
        #expect(close(z, [Float((1 - 0.4) / (1.4 + 1e-3).squareRoot()), Float((10 - 2.5) / (13.4 + 1e-3).squareRoot())], tol: 1e-4))
        #expect(bn.weightNames == ["gamma", "beta", "moving_mean", "moving_variance"])
        #expect(bn.trainableWeights.count == 2 && bn.weights.count == 4)
    }

    @Test func batchNorm2dUsesChannelStatistics() throws {
        let bn = try BatchNorm()   // Keras defaults: momentum 0.99, eps 1e-3
        try bn.ensureBuilt(inputShape: [2, 2, 2])
        // Channel 1 holds 0..7 over two images; channel 2 holds 10s.
        let x = T([0, 1, 2, 3, 10, 10, 10, 10, 4, 5, 6, 7, 10, 10, 10, 10], [2, 2, 2, 2])
        let y = try bn.forward(x).toArray()
        let s = Float(1 / (5.25 + 1e-3).squareRoot())
        #expect(close(Array(y[0..<4]), [-3.5 * s, -2.5 * s, -1.5 * s, -0.5 * s], tol: 1e-4))
        #expect(y[4] == 0)
        #expect(close(bn.movingMean!.toArray(), [0.035, 0.1], tol: 1e-5))
    }

    @Test func gradientThroughAWholeSmallModel() throws {
        moonlabSeed(5)
        let model = try Sequential(input: [2, 6, 6], layers: [
            try Conv2D(3, kernel: Pair(3, 3)) { $0.padding = .same; $0.activation = "tanh" },
            try BatchNorm(),
            AvgPool2DOrMax(),
            Flatten(),
            try Dense(4) { $0.activation = "sigmoid" },
            try Dense(3),
        ])
        let x = random([3, 2, 6, 6], seed: 21)
        checkGradient([x] + model.parameters, h: 5e-3, atol: 5e-3, rtol: 2e-2) { try model(x) }
        // Max pooling after the conv: distinct values, so a small step keeps the winners.
        let m2 = try Sequential(input: [1, 4, 4], layers: [
            try Conv2D(2, kernel: Pair(2, 2)) { $0.padding = .same }, try BatchNorm(), try MaxPool2D(Pair(2, 2)), Flatten(), try Dense(2),
        ])
        let x2 = random([2, 1, 4, 4], seed: 22)
        checkGradient([x2] + m2.parameters, h: 1e-3, atol: 5e-3, rtol: 2e-2) { try m2(x2) }
    }

    @Test func badInputsNameTheCallAndShapes() throws {
        let m = try Sequential(input: [784], layers: [try Dense(64) { $0.activation = "relu" }, try Dense(10)])
        #expect(message { try m(try Tensor.zeros([32, 28, 28])) } == "Dense: expected input with 784 features, got shape {32,28,28}")
        let c = try Sequential(input: [1, 28, 28], layers: [try Conv2D(4, kernel: Pair(3, 3))])
        #expect(message { try c(try Tensor.zeros([32, 784])) } == "Conv2D: expected input of shape {N,1,28,28}, got shape {32,784}")
        #expect(message { try Dense(10) { $0.activation = "relux" } }?.contains("unknown activation \"relux\"") == true)
        #expect(message { try Dense(10) { $0.activation = "relux" } }?.contains("softmax") == true)
        #expect(message { try Sequential(input: [784], layers: [try Conv2D(4, kernel: Pair(3, 3))]) }?.contains("{C,H,W}") == true)
        #expect(message { try Sequential(input: [1, 4, 4], layers: [try Conv2D(4, kernel: Pair(5, 5))]) }?.contains("does not fit") == true)
        let d = m.layers[0]
        let e = message { try d.setWeights([try Tensor.zeros([64, 784]), try Tensor.zeros([64])]) }
        #expect(e == "Dense.set_weights: weight 1 (kernel) has shape {784,64}, got {64,784}")
        #expect(message { try d.setWeights([try Tensor.zeros([784, 64])]) }?.contains("expects 2 weights") == true)
        #expect(message { try Dense(0) }?.contains("positive") == true)
    }
}

/// Average pooling in the gradient-checked model (max pooling is checked separately).
func AvgPool2DOrMax() -> Layer { try! AvgPool2D(Pair(2, 2)) }

/// Seeds the global generator (what `moonlab.seed` does) so a model's initial weights repeat.
func moonlabSeed(_ n: UInt64) { RandomGenerator.global.seed(n) }
