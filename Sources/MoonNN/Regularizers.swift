import Foundation
import MoonEngine

/// Keras' kernel regularizer `l1·Σ|w| + l2·Σw²` (no factor ½), added to the training loss.
/// Biases are not penalized, as in Keras' `kernel_regularizer`.
public struct Regularizer: Equatable {
    public var l1: Float
    public var l2: Float

    public init(l1: Float = 0, l2: Float = 0, owner: String = "regularizer") throws {
        guard l1 >= 0, l2 >= 0, l1.isFinite, l2.isFinite else {
            throw TensorError("\(owner): l1 and l2 must be non-negative, got l1=\(l1), l2=\(l2)")
        }
        self.l1 = l1
        self.l2 = l2
    }

    public var isActive: Bool { l1 > 0 || l2 > 0 }

    /// The penalty of `w` (a 0-d tensor that carries gradient to `w`), or nil when inactive.
    public func penalty(_ w: Tensor) throws -> Tensor? {
        var total: Tensor?
        if l1 > 0 { total = try w.abs().sum().mul(l1) }
        if l2 > 0 {
            let t = try w.square().sum().mul(l2)
            total = try total.map { try $0.add(t) } ?? t
        }
        return total
    }
}

/// Keras' `MaxNorm(max_value)`: after each optimizer step, every output unit's incoming
/// weight vector (a dense kernel's column; a convolution kernel's filter `{C, kh, kw}`) is
/// scaled to a norm of at most `maxValue`: `w · clip(‖w‖, 0, max) / (ε + ‖w‖)`, ε = 1e-7.
public struct MaxNorm: Equatable {
    public let maxValue: Float

    public init(_ maxValue: Float, owner: String = "max_norm") throws {
        guard maxValue > 0, maxValue.isFinite else {
            throw TensorError("\(owner): max_norm must be positive, got \(maxValue)")
        }
        self.maxValue = maxValue
    }

    /// Applies the constraint in place. `unitsFirst`: units along dim 0 (conv `{F, ...}`);
    /// otherwise along the last dim (dense `{in, units}`).
    public func apply(to w: Tensor, unitsFirst: Bool) throws {
        guard w.rank >= 1, w.count > 0 else { return }
        let maxValue = self.maxValue
        try w.withUnsafeMutableBufferPointer { p in
            if unitsFirst {
                let units = w.shape[0], per = w.count / units
                for u in 0..<units {
                    let base = u * per
                    var sq: Double = 0
                    for i in 0..<per { sq += Double(p[base + i]) * Double(p[base + i]) }
                    let norm = Float(sq.squareRoot())
                    let factor = Swift.min(norm, maxValue) / (1e-7 + norm)
                    for i in 0..<per { p[base + i] *= factor }
                }
            } else {
                let units = w.shape[w.rank - 1], rows = w.count / units
                var sq = [Double](repeating: 0, count: units)
                for r in 0..<rows { for u in 0..<units { let v = Double(p[r * units + u]); sq[u] += v * v } }
                let factors = sq.map { s -> Float in
                    let norm = Float(s.squareRoot())
                    return Swift.min(norm, maxValue) / (1e-7 + norm)
                }
                for r in 0..<rows { for u in 0..<units { p[r * units + u] *= factors[u] } }
            }
        }
    }
}
