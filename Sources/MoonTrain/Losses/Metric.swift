import Foundation
import MoonEngine

/// A metric reported during training and evaluation, averaged over samples.
///
/// `accuracy` compares classes: the argmax of {N, K} predictions against class ids (or against
/// the argmax of one-hot targets); for a single-unit binary output, prediction above 0.5
/// (above 0 for logits) against targets rounded to 0/1. `mae` and `mse` average over elements.
/// A custom metric (a function written in Lua) gives a number per batch, averaged over
/// batches weighted by their sizes, as Keras' `MeanMetricWrapper` does.
public struct Metric: Equatable, Sendable {
    public enum Kind: String, CaseIterable, Sendable { case accuracy, mae, mse }

    /// A built-in metric's kind; nil for a custom one.
    public let kind: Kind?
    public let custom: CustomMetric?

    public static let accuracy = Metric(kind: .accuracy, custom: nil)
    public static let mae = Metric(kind: .mae, custom: nil)
    public static let mse = Metric(kind: .mse, custom: nil)

    static let aliases: [String: Kind] = [
        "acc": .accuracy, "sparse_categorical_accuracy": .accuracy, "categorical_accuracy": .accuracy,
        "binary_accuracy": .accuracy, "mean_absolute_error": .mae, "mean_squared_error": .mse,
    ]

    /// The built-in metric named `name`; an unknown name throws, listing the valid ones.
    public init(name: String) throws {
        guard let k = Kind(rawValue: name.lowercased()) ?? Metric.aliases[name.lowercased()] else {
            throw TrainingError("unknown metric '\(name)' (valid: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")), or a function(prediction, target) returning a number)")
        }
        self.init(kind: k, custom: nil)
    }

    /// A metric computed by `custom`.
    public init(_ custom: CustomMetric) { self.init(kind: nil, custom: custom) }

    private init(kind: Kind?, custom: CustomMetric?) { (self.kind, self.custom) = (kind, custom) }

    /// The key in logs and histories (`accuracy`, or the custom metric's name).
    public var name: String { custom?.name ?? kind!.rawValue }

    public static func == (a: Metric, b: Metric) -> Bool { a.name == b.name }

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
        if let custom {
            let n = Double(prediction.shape.first ?? 1)
            let v = try custom.measure(prediction, target)
            guard !v.isNaN || n == 0 else { throw TrainingError("metric \(custom.name) returned nan") }
            return (v * n, n)
        }
        let p = prediction.toArray(), t = target.toArray()
        switch kind! {
        case .mae, .mse:
            guard p.count == t.count else {
                throw TrainingError("\(name): targets of shape \(shapeText(target.shape)) do not match predictions of shape \(shapeText(prediction.shape))")
            }
            var s = 0.0
            for i in 0..<p.count {
                let d = Double(p[i]) - Double(t[i])
                s += kind == .mae ? Swift.abs(d) : d * d
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

/// A metric given as a function of a batch's predictions and targets, returning a number
/// (a function written in Lua); `name` keys it in logs and histories.
public struct CustomMetric: Sendable {
    public let name: String
    public let measure: @Sendable (Tensor, Tensor) throws -> Double
    public init(name: String, _ measure: @escaping @Sendable (Tensor, Tensor) throws -> Double) {
        (self.name, self.measure) = (name, measure)
    }
}
