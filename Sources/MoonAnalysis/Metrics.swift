import MoonEngine

/// Classification and regression metrics over predictions and targets.
///
/// Predictions are class labels `{N}` or scores `{N, K}` (reduced to labels by argmax);
/// targets are class labels `0..K-1`. Every function checks that predictions and targets
/// pair up and that labels are in range, and throws an `AnalysisError` naming the call.
public enum Metrics {
    /// Fraction of predictions equal to their label, in [0, 1].
    public static func accuracy(_ pred: [Int], _ y: [Int]) throws -> Double {
        try ClassLabels.checkPaired(pred, y, "metrics.accuracy")
        let right = zip(pred, y).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        return Double(right) / Double(y.count)
    }

    public static func accuracy(_ pred: Tensor, _ y: Tensor) throws -> Double {
        let fn = "metrics.accuracy"
        return try accuracy(ClassLabels.from(pred, fn, "predictions"), ClassLabels.from(y, fn, "labels"))
    }

    /// The `k x k` confusion matrix: entry (i, j) counts samples of true label i predicted
    /// as j (row = true label, column = prediction, as scikit-learn writes it). With `k`
    /// nil, k is one more than the largest label seen.
    public static func confusionMatrix(_ pred: [Int], _ y: [Int], k: Int? = nil,
                                       fn: String = "metrics.confusion_matrix") throws -> [[Int]] {
        try ClassLabels.checkPaired(pred, y, fn)
        let classes = k ?? (Swift.max(pred.max() ?? 0, y.max() ?? 0) + 1)
        guard classes >= 1 else { throw AnalysisError("\(fn): k must be at least 1, got \(classes)") }
        try ClassLabels.checkRange(y, k: classes, fn, "true")
        try ClassLabels.checkRange(pred, k: classes, fn, "predicted")
        _ = try Allocation.count([classes, classes], bytesEach: MemoryLayout<Int>.stride + MemoryLayout<Float>.stride,
                                 op: fn, what: "a \(classes)x\(classes) confusion matrix")
        var m = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (p, t) in zip(pred, y) { m[t][p] += 1 }
        return m
    }

    /// The confusion matrix as a float tensor `{k, k}`.
    public static func confusionMatrix(_ pred: Tensor, _ y: Tensor, k: Int? = nil) throws -> Tensor {
        let fn = "metrics.confusion_matrix"
        let m = try confusionMatrix(ClassLabels.from(pred, fn, "predictions"), ClassLabels.from(y, fn, "labels"), k: k)
        return try Tensor(m.flatMap { $0.map(Float.init) }, shape: [m.count, m.count])
    }

    /// Positions (0-based) of the samples whose prediction differs from the label, ascending.
    public static func misclassified(_ pred: [Int], _ y: [Int]) throws -> [Int] {
        try ClassLabels.checkPaired(pred, y, "metrics.misclassified")
        return zip(pred, y).enumerated().compactMap { i, pair in pair.0 != pair.1 ? i : nil }
    }

    public static func misclassified(_ pred: Tensor, _ y: Tensor) throws -> [Int] {
        let fn = "metrics.misclassified"
        return try misclassified(ClassLabels.from(pred, fn, "predictions"), ClassLabels.from(y, fn, "labels"))
    }

    /// Mean absolute error `mean(|pred - y|)`, summed in double precision. The shapes must
    /// match, except that a column `{N, 1}` pairs with a vector `{N}`.
    public static func mae(_ pred: Tensor, _ y: Tensor) throws -> Double {
        let fn = "metrics.mae"
        func vectorLike(_ s: [Int]) -> Bool { s.filter { $0 != 1 }.count <= 1 }
        guard pred.shape == y.shape || (pred.count == y.count && vectorLike(pred.shape) && vectorLike(y.shape)) else {
            throw AnalysisError("\(fn): predictions of shape \(shapeText(pred.shape)) do not match targets of shape \(shapeText(y.shape))")
        }
        guard y.count > 0 else { throw AnalysisError("\(fn): no samples") }
        let a = pred.toArray(), b = y.toArray()
        var sum = 0.0
        for i in 0..<a.count { sum += Swift.abs(Double(a[i]) - Double(b[i])) }
        return sum / Double(a.count)
    }
}
