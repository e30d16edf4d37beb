import MoonEngine

/// Class labels (values `0..K-1`) read from prediction and target tensors.
public enum ClassLabels {
    /// The labels a tensor holds. A vector `{N}` (or a column `{N, 1}`) holds labels: whole
    /// numbers `>= 0`. A matrix `{N, K}` with `K > 1` holds scores (logits or probabilities):
    /// each row's label is the position of its largest score, counted from 0.
    /// `fn` names the call and `what` the argument in error messages.
    public static func from(_ t: Tensor, _ fn: String, _ what: String) throws -> [Int] {
        let values = t.toArray()
        if t.rank == 2 && t.shape[1] > 1 {
            let n = t.shape[0], k = t.shape[1]
            var out = [Int](repeating: 0, count: n)
            for i in 0..<n {
                var best = 0
                var bestValue = -Float.infinity
                for j in 0..<k {
                    let v = values[i * k + j]
                    if v.isNaN { throw AnalysisError("\(fn): \(what) scores hold NaN in row \(i + 1)") }
                    if v > bestValue || j == 0 { best = j; bestValue = v }
                }
                out[i] = best
            }
            return out
        }
        guard t.rank == 1 || (t.rank == 2 && t.shape[1] == 1) else {
            throw AnalysisError("\(fn): \(what) must be labels {N} or scores {N, K}, got shape \(shapeText(t.shape))")
        }
        return try values.enumerated().map { i, v in
            guard v.isFinite, v == v.rounded(), v >= 0 else {
                throw AnalysisError("\(fn): \(what) must be class labels 0..K-1, found \(v) at position \(i + 1)")
            }
            return Int(v)
        }
    }

    /// Checks that predictions and targets pair up, one each.
    static func checkPaired(_ pred: [Int], _ y: [Int], _ fn: String) throws {
        guard pred.count == y.count else {
            throw AnalysisError("\(fn): \(pred.count) predictions but \(y.count) labels")
        }
        guard !y.isEmpty else { throw AnalysisError("\(fn): no samples (0 predictions and 0 labels)") }
    }

    /// Checks that every label is below `k`.
    static func checkRange(_ labels: [Int], k: Int, _ fn: String, _ what: String) throws {
        if let i = labels.firstIndex(where: { $0 >= k }) {
            throw AnalysisError("\(fn): \(what) label \(labels[i]) at position \(i + 1) is out of range for \(k) classes (labels are 0..\(k - 1))")
        }
    }
}

/// A shape as the Lua user writes it: `{2,3}`.
