import Foundation
import Testing
@testable import MoonEngine

@Suite struct LossTests {
    @Test func crossEntropyMatchesManualComputation() throws {
        let logits = T([[1, 2, 3], [1, 0, -1]]), labels = T([2, 1])
        func row(_ z: [Double], _ y: Int) -> Double { Foundation.log(z.map { Foundation.exp($0) }.reduce(0, +)) - z[y] }
        let expected = (row([1, 2, 3], 2) + row([1, 0, -1], 1)) / 2
        let loss = try Tensor.crossEntropy(logits, labels)
        #expect(loss.shape == [])
        #expect(Swift.abs(Double(try loss.item()) - expected) < 1e-6)
        let composed = try logits.logSoftmax(1).gather(1, labels.reshape([2, 1])).mean().neg()
        #expect(Swift.abs(try composed.item() - loss.item()) < 1e-6)
        let huge = try Tensor.crossEntropy(T([[1000, 0], [0, 1000]]), T([0, 0]))
        #expect(Swift.abs(try huge.item() - 500) < 1e-3)
    }

    @Test func crossEntropyRejectsBadLabels() {
        let logits = random([3, 4])
        #expect(message { try Tensor.crossEntropy(logits, T([0, 4, 1])) } == "crossEntropy: label 4.0 at position 2 is outside 0..3")
        #expect(message { try Tensor.crossEntropy(logits, T([0, 1.5, 1])) } == "crossEntropy: label 1.5 at position 2 is not a class id (0..3)")
        #expect(message { try Tensor.crossEntropy(logits, T([-1, 0, 1])) } == "crossEntropy: label -1.0 at position 1 is outside 0..3")
        #expect(message { try Tensor.crossEntropy(logits, T([0, 1])) } == "crossEntropy: labels of shape {2} do not match logits of shape {3,4} (expected {3})")
        #expect(message { try Tensor.crossEntropy(random([3]), T([0])) } == "crossEntropy: expects logits of shape {N,K}, got {3}")
    }

    @Test func gradients() {
        checkGradient([random([4, 5], low: -3, high: 3)]) { t in try Tensor.crossEntropy(t[0], T([0, 4, 2, 2])) }
        checkGradient([random([4, 1]), random([4], seed: 3)]) { t in try Tensor.mse(t[0], t[1]) }
        checkGradient([awayFromZero([4])]) { t in try Tensor.mae(t[0], Tensor.zeros([4])) }
    }

    @Test func regressionLossesNeverBroadcastSilently() throws {
        #expect(try Tensor.mse(T([[1], [2]]), T([1, 4])).item() == 2)
        #expect(message { try Tensor.mse(T([1, 2]), T([1, 2, 3])) } == "mse: prediction of shape {2} and target of shape {3} differ")
    }
}
