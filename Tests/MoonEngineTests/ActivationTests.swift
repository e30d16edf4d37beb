import Foundation
import Testing
@testable import MoonEngine

@Suite struct ActivationTests {
    let x = T([-2, -0.5, 0.5, 3])

    @Test func handComputedValues() throws {
        #expect(try x.relu().toArray() == [0, 0, 0.5, 3])
        #expect(close(try x.leakyRelu().toArray(), [-0.02, -0.005, 0.5, 3]))
        #expect(close(try x.leakyRelu(0.2).toArray(), [-0.4, -0.1, 0.5, 3]))
        #expect(close(try x.elu().toArray(), [Float(Foundation.exp(-2.0) - 1), Float(Foundation.exp(-0.5) - 1), 0.5, 3]))
        let s = 1.0507009873554805, al = 1.6732632423543772
        #expect(close(try x.selu().toArray(), [Float(s * al * (Foundation.exp(-2.0) - 1)), Float(s * al * (Foundation.exp(-0.5) - 1)), Float(s * 0.5), Float(s * 3)]))
        #expect(close(try x.sigmoid().toArray(), [-2, -0.5, 0.5, 3].map { Float(1 / (1 + Foundation.exp(-$0))) }))
        #expect(close(try x.hardSigmoid().toArray(), [1 / 6, 2.5 / 6, 3.5 / 6, 1]))
        #expect(close(try x.tanh().toArray(), [-2, -0.5, 0.5, 3].map { Float(Foundation.tanh($0)) }))
        #expect(close(try x.swish().toArray(), [-2, -0.5, 0.5, 3].map { Float($0 / (1 + Foundation.exp(-$0))) }))
        #expect(close(try x.gelu().toArray(), [-2, -0.5, 0.5, 3].map { Float(0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot()))) }))
        #expect(close(try x.exponential().toArray(), [-2, -0.5, 0.5, 3].map { Float(Foundation.exp($0)) }))
        #expect(close(try x.softplus().toArray(), [-2, -0.5, 0.5, 3].map { Float(Foundation.log(1 + Foundation.exp($0))) }))
        #expect(try T([-1000, 1000]).sigmoid().toArray() == [0, 1])
        #expect(try x.activation("linear") === x)
        #expect(message { try x.activation("relu6") }?.hasPrefix("activation: unknown activation \"relu6\"") == true)
    }

    @Test func unaryMath() throws {
        #expect(close(try T([0, 1]).exp().toArray(), [1, Float(M_E)]))
        #expect(close(try T([1, Float(M_E)]).log().toArray(), [0, 1]))
        #expect(try T([4, 9]).sqrt().toArray() == [2, 3])
        #expect(try T([-1, 2]).abs().toArray() == [1, 2])
        #expect(try x.clamp(min: -1, max: 1).toArray() == [-1, -0.5, 0.5, 1])
        #expect(try x.clamp(min: 0).toArray() == [0, 0, 0.5, 3])
        #expect(message { try x.clamp(min: 2, max: 1) } == "clamp: min 2.0 is greater than max 1.0")
    }

    @Test func gradients() {
        let kinked = awayFromZero([2, 5])
        checkGradient([kinked]) { t in try t[0].relu() }
        checkGradient([kinked]) { t in try t[0].leakyRelu(0.1) }
        checkGradient([kinked]) { t in try t[0].elu() }
        checkGradient([kinked]) { t in try t[0].selu() }
        checkGradient([kinked]) { t in try t[0].abs() }
        checkGradient([random([2, 5], low: -3, high: 3)]) { t in try t[0].gelu() }
        checkGradient([random([2, 5], low: -3, high: 3)]) { t in try t[0].sigmoid() }
        checkGradient([random([2, 5], low: -2.5, high: 2.5)]) { t in try t[0].hardSigmoid() }
        checkGradient([random([2, 5], low: -2, high: 2)]) { t in try t[0].tanh() }
        checkGradient([random([2, 5], low: -3, high: 3)]) { t in try t[0].swish() }
        checkGradient([random([2, 5], low: -3, high: 3)]) { t in try t[0].softplus() }
        checkGradient([random([2, 5])]) { t in try t[0].exp() }
        checkGradient([random([2, 5], low: 0.5, high: 2)]) { t in try t[0].log() }
        checkGradient([random([2, 5], low: 0.5, high: 2)]) { t in try t[0].sqrt() }
        checkGradient([T([-2, -0.5, 0.3, 0.7, 3])]) { t in try t[0].clamp(min: -1, max: 1) }
    }
}

@Suite struct SoftmaxTests {
    @Test func valuesAndStability() throws {
        let x = T([[1, 2, 3], [1000, 1000, 1000]])
        let e = [1, 2, 3].map { Foundation.exp(Double($0)) }, z = e.reduce(0, +)
        let s = try x.softmax(1).toArray()
        let third: [Float] = [1 / 3, 1 / 3, 1 / 3]
        let expected: [Float] = e.map { Float($0 / z) } + third
        #expect(close(s, expected))
        let big = try T([[1000, 0], [-1000, 0]]).logSoftmax(1).toArray()
        #expect(close(big, [0, -1000, -1000, 0]))
        #expect(try T([[1000, 0], [-1000, 0]]).softmax(1).toArray() == [1, 0, 0, 1])
        let cols = try x.softmax(0)
        #expect(close(try cols.sum(dim: 0).toArray(), [1, 1, 1]))
        #expect(close(try x.logSoftmax(-1).exp().toArray(), s))
        #expect(message { try x.softmax(2) } == "softmax: dim 3 out of range for a 2-d tensor")
    }

    @Test func gradients() {
        checkGradient([random([3, 4], low: -3, high: 3)]) { t in try t[0].softmax(1) }
        checkGradient([random([3, 4, 2], low: -3, high: 3)]) { t in try t[0].softmax(1) }
        checkGradient([random([3, 4], low: -3, high: 3)]) { t in try t[0].logSoftmax(1) }
        checkGradient([random([3, 4, 2], low: -3, high: 3)]) { t in try t[0].logSoftmax(0) }
    }
}
