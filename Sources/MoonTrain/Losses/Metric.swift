import Foundation
import MoonEngine

/// A metric reported during training and evaluation, averaged over samples.
///
/// `accuracy` compares classes: the argmax of {N, K} predictions against class ids (or against
/// the argmax of one-hot targets); for a single-unit binary output, prediction above 0.5
/// (above 0 for logits) against targets rounded to 0/1. `mae` and `mse` average over elements.
public enum Metric: String, CaseIterable, Sendable {
    case accuracy, mae, mse

    static let aliases: [String: Metric] = [
        "acc": .accuracy, "sparse_categorical_accuracy": .accuracy, "categorical_accuracy": .accuracy,
        "binary_accuracy": .accuracy, "mean_absolute_error": .mae, "mean_squared_error": .mse,
    ]

    /// The metric named `name`; an unknown name throws, listing the valid ones.
    public init(name: String) throws {
        guard let m = Metric(rawValue: name.lowercased()) ?? Metric.aliases[name.lowercased()] else {
            throw TrainingError("unknown metric '\(name)' (valid: \(Metric.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self = m
    }

    /// Keras' reading of `metrics={"accuracy", "mae"}` given as one list for a model with
    /// several outputs: each output gets the metrics that suit its loss (accuracy for a
    /// classification loss, the others for a regression loss); with one output, or one loss,
    /// every metric goes to it. Outputs without a loss get none.
    public static func assign(_ list: [Metric], outputs: [String], losses: [String: Loss]) -> [String: [Metric]] {
        var out: [String: [Metric]] = [:]
        for name in outputs {
            guard let loss = losses[name] else { continue }
            var chosen = list.filter { ($0 == .accuracy) == loss.isClassification }
            if outputs.count == 1 || losses.count == 1 { chosen = list }
            if !chosen.isEmpty { out[name] = chosen }
        }
        return out
    }

    /// The sum of the metric over the batch and how many items it averages over.
    public func measure(_ prediction: Tensor, _ target: Tensor, loss: Loss, logits: Bool) throws -> (sum: Double, count: Double) {
        let p = prediction.toArray(), t = target.toArray()
        switch self {
        case .mae, .mse:
            guard p.count == t.count else {
                throw TrainingError("\(rawValue): targets of shape \(shapeText(target.shape)) do not match predictions of shape \(shapeText(prediction.shape))")
            }
            var s = 0.0
            for i in 0..<p.count {
                let d = Double(p[i]) - Double(t[i])
                s += self == .mae ? Swift.abs(d) : d * d
            }
            return (s, Double(p.count))
        case .accuracy:
            let n = prediction.shape.first ?? 1
            let k = n > 0 ? p.count / n : 0
            var correct = 0.0
            if k > 1 {
                let oneHot = t.count == p.count
                guard oneHot || t.count == n else {
                    throw TrainingError("accuracy: targets of shape \(shapeText(target.shape)) do not match predictions of shape \(shapeText(prediction.shape))")
                }
                for r in 0..<n {
                    let predicted = Metric.argmax(p, r * k, k)
                    let truth = oneHot ? Metric.argmax(t, r * k, k) : Int(t[r])
                    if predicted == truth { correct += 1 }
                }
                return (correct, Double(n))
            }
            guard t.count == p.count else {
                throw TrainingError("accuracy: targets of shape \(shapeText(target.shape)) do not match predictions of shape \(shapeText(prediction.shape))")
            }
            let threshold: Float = logits ? 0 : 0.5
            for i in 0..<p.count where (p[i] > threshold) == (t[i] > 0.5) { correct += 1 }
            return (correct, Double(p.count))
        }
    }

    static func argmax(_ a: [Float], _ start: Int, _ k: Int) -> Int {
        var best = 0
        for j in 1..<k where a[start + j] > a[start + best] { best = j }
        return best
    }
}
