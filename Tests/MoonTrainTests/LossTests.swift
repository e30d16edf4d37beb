import Foundation
import MoonEngine
import Testing
@testable import MoonTrain

@Suite struct LossTests {
    let logits = try! Tensor([1, 2, 3, 1, 1, 1], shape: [2, 3])
    let labels = Tensor([2, 0])

    @Test func sparseFromLogits() throws {
        // Row 1: log(e¹ + e² + e³) − 3; row 2: log(3e) − 1 = log 3.
        let row1 = log(exp(1.0) + exp(2.0) + exp(3.0)) - 3
        let expected = (row1 + log(3.0)) / 2
        let loss = try Loss(name: "sparse_categorical_crossentropy").compute(logits, labels, outputActivation: nil)
        #expect(close(try loss.item(), expected))
    }

    @Test func sparseFromProbabilitiesIsNeverSquashedTwice() throws {
        let p = try Tensor([0.2, 0.3, 0.5, 0.6, 0.3, 0.1], shape: [2, 3])
        let expected = (-log(0.5) - log(0.6)) / 2
        let auto = try Loss(name: "sparse_categorical_crossentropy").compute(p, labels, outputActivation: "softmax")
        #expect(close(try auto.item(), expected, 1e-5))
        // The same numbers read as logits give another value: the override is honoured.
        let asLogits = try Loss(.sparseCategoricalCrossentropy, fromLogits: true).compute(p, labels, outputActivation: "softmax")
        #expect(!close(try asLogits.item(), expected, 1e-3))
        let forced = try Loss(.sparseCategoricalCrossentropy, fromLogits: false).compute(p, labels, outputActivation: nil)
        #expect(close(try forced.item(), expected, 1e-5))
        // Zero probabilities are clipped to 1e-7, not infinite.
        let zero = try Losses.sparseCategoricalCrossentropy(try Tensor([1, 0], shape: [1, 2]), Tensor([1]), fromLogits: false)
        #expect(close(try zero.item(), -log(1e-7), 1e-4))
    }

    @Test func probabilityLossHasTheRightGradient() throws {
        // d/dp of −log p[label] is −1/p at the label, 0 elsewhere; mean over 1 row.
        let p = try Tensor([0.25, 0.75], shape: [1, 2]).requiringGrad()
        try Losses.sparseCategoricalCrossentropy(p, Tensor([1]), fromLogits: false).backward()
        #expect(close(p.grad!.toArray(), [0, -1 / 0.75], 1e-5))
    }

    @Test func categorical() throws {
        let onehot = try Tensor([0, 0, 1, 1, 0, 0], shape: [2, 3])
        let sparse = try Losses.sparseCategoricalCrossentropy(logits, labels).item()
        let dense = try Loss(name: "categorical_crossentropy").compute(logits, onehot, outputActivation: nil).item()
        #expect(close(dense, Double(sparse), 1e-6))
        let p = try Tensor([0.2, 0.3, 0.5], shape: [1, 3])
        let probs = try Loss(name: "categorical_crossentropy").compute(p, try Tensor([0, 0, 1], shape: [1, 3]), outputActivation: "softmax")
        #expect(close(try probs.item(), -log(0.5), 1e-6))
    }

    @Test func binary() throws {
        // Logits z = [0, 2] with targets [1, 0]: log(1 + e^0) = log 2, and softplus(2) = log(1 + e²).
        let z = try Tensor([0, 2], shape: [2, 1])
        let l = try Loss(name: "binary_crossentropy").compute(z, Tensor([1, 0]), outputActivation: nil)
        #expect(close(try l.item(), (log(2.0) + log(1 + exp(2.0))) / 2, 1e-6))
        // Probabilities after a sigmoid: −log 0.8 and −log(1 − 0.4).
        let p = try Tensor([0.8, 0.4], shape: [2, 1])
        let lp = try Loss(name: "binary_crossentropy").compute(p, Tensor([1, 0]), outputActivation: "sigmoid")
        #expect(close(try lp.item(), (-log(0.8) - log(0.6)) / 2, 1e-6))
        // Large logits stay finite.
        let big = try Losses.binaryCrossentropy(Tensor([1000, -1000]), Tensor([0, 1]))
        #expect(close(try big.item(), 1000, 1e-6))
    }

    @Test func regression() throws {
        let pred = try Tensor([1, 2], shape: [2, 1]), target = Tensor([0, 4])
        #expect(close(try Loss(name: "mse").compute(pred, target, outputActivation: nil).item(), 2.5))
        #expect(close(try Loss(name: "mae").compute(pred, target, outputActivation: nil).item(), 1.5))
        #expect(close(try Loss(name: "mean_squared_error").compute(pred, target, outputActivation: nil).item(), 2.5))
    }

    @Test func errorsNameTheProblem() throws {
        do {
            _ = try Loss(name: "hinge")
            Issue.record("expected an error")
        } catch let e as TrainingError {
            #expect(e.message == "unknown loss 'hinge' (valid: sparse_categorical_crossentropy, categorical_crossentropy, mse, mae, binary_crossentropy)")
        }
        do {
            _ = try Losses.sparseCategoricalCrossentropy(logits, Tensor([2, 3]), fromLogits: false)
            Issue.record("expected an error")
        } catch let e as TrainingError {
            #expect(e.message == "sparse_categorical_crossentropy: label 3 at position 2 is outside 0..2")
        }
        #expect(throws: TrainingError.self) { try Losses.sparseCategoricalCrossentropy(logits, Tensor([1, 0, 1])) }
        #expect(throws: TrainingError.self) { try Losses.categoricalCrossentropy(logits, Tensor([1, 0])) }
    }

    @Test func metrics() throws {
        let (c, n) = try Metric.accuracy.measure(logits, Tensor([2, 1]), loss: Loss(.sparseCategoricalCrossentropy), logits: true)
        // Row 1 argmax 2 (right); row 2 ties → first, 0 (wrong).
        #expect(c == 1 && n == 2)
        let (s, m) = try Metric.mae.measure(try Tensor([1, 2], shape: [2, 1]), Tensor([0, 4]), loss: Loss(.mae), logits: false)
        #expect(s == 3 && m == 2)
        let (b, k) = try Metric.accuracy.measure(try Tensor([0.7, 0.2, 0.6], shape: [3, 1]), Tensor([1, 0, 0]), loss: Loss(.binaryCrossentropy), logits: false)
        #expect(b == 2 && k == 3)
        #expect(throws: TrainingError.self) { try Metric(name: "f1") }
    }
}
