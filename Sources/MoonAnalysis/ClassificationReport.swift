import Foundation

/// Per-class precision, recall, F1 and support, with macro and support-weighted averages and
/// accuracy, as scikit-learn's `classification_report` computes and prints them.
///
/// precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2PR / (P + R); a ratio whose
/// denominator is 0 (a class never predicted, or never present) counts as 0, as in
/// scikit-learn's default `zero_division`.
public struct ClassificationReport: Sendable {
    public struct Row: Sendable, Equatable {
        public let name: String
        public let precision: Double
        public let recall: Double
        public let f1: Double
        /// Samples whose true label is this class (for averages: all samples).
        public let support: Int
    }

    /// One row per class `0..K-1`, in label order.
    public let classes: [Row]
    public let accuracy: Double
    /// Unweighted mean over classes.
    public let macroAverage: Row
    /// Mean over classes weighted by support.
    public let weightedAverage: Row

    /// The report of predictions `pred` against labels `y`. Classes are `0..K-1` with
    /// K = `classNames.count` when names are given, else one more than the largest label.
    public init(_ pred: [Int], _ y: [Int], classNames: [String]? = nil) throws {
        let fn = "metrics.report"
        try ClassLabels.checkPaired(pred, y, fn)
        let seen = Swift.max(pred.max() ?? 0, y.max() ?? 0) + 1
        let k = classNames?.count ?? seen
        if classNames?.isEmpty == true { throw AnalysisError("\(fn): class_names is empty") }
        // The confusion matrix first: its size check refuses a label of 10^9 before any work.
        let m = try Metrics.confusionMatrix(pred, y, k: k, fn: fn)
        let names = classNames ?? (0..<k).map(String.init)
        func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
        var rows: [Row] = []
        for c in 0..<k {
            let tp = m[c][c]
            let predicted = (0..<k).reduce(0) { $0 + m[$1][c] }
            let support = m[c].reduce(0, +)
            let p = ratio(tp, predicted), r = ratio(tp, support)
            rows.append(Row(name: names[c], precision: p, recall: r, f1: p + r == 0 ? 0 : 2 * p * r / (p + r), support: support))
        }
        let total = y.count
        func average(_ name: String, weight: (Row) -> Double, norm: Double) -> Row {
            func mean(_ f: (Row) -> Double) -> Double { rows.reduce(0) { $0 + weight($1) * f($1) } / norm }
            return Row(name: name, precision: mean { $0.precision }, recall: mean { $0.recall }, f1: mean { $0.f1 }, support: total)
        }
        classes = rows
        accuracy = Double((0..<k).reduce(0) { $0 + m[$1][$1] }) / Double(total)
        macroAverage = average("macro avg", weight: { _ in 1 }, norm: Double(k))
        weightedAverage = average("weighted avg", weight: { Double($0.support) }, norm: Double(total))
    }

    /// The table as scikit-learn prints it: right-aligned columns `precision recall f1-score
    /// support`, a blank line, then accuracy, macro avg and weighted avg.
    public func text(digits: Int = 2) -> String {
        let width = ([weightedAverage.name] + classes.map(\.name)).map(\.count).max()!
        let w = Swift.max(width, digits)
        func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: Swift.max(0, n - s.count)) + s }
        func number(_ v: Double) -> String { pad(fixed(v, digits), 9) }
        func row(_ r: Row) -> String {
            pad(r.name, w) + " " + [r.precision, r.recall, r.f1].map { " " + number($0) }.joined() + " " + pad(String(r.support), 9)
        }
        var lines = [pad("", w) + " " + ["precision", "recall", "f1-score", "support"].map { " " + pad($0, 9) }.joined(), ""]
        lines += classes.map(row)
        lines.append("")
        lines.append(pad("accuracy", w) + " " + " " + pad("", 9) + " " + pad("", 9) + " " + number(accuracy) + " " + pad(String(weightedAverage.support), 9))
        lines.append(row(macroAverage))
        lines.append(row(weightedAverage))
        return lines.joined(separator: "\n")
    }
}

/// `v` with exactly `digits` decimals, rounded as C's printf and Python's format round
/// (exact ties to even), so the report's figures match scikit-learn's digit for digit.
func fixed(_ v: Double, _ digits: Int) -> String {
    String(format: "%.\(digits)f", v)
}
