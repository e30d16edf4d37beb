import Foundation

/// Axis ticks at "nice" round numbers (1, 2 or 5 times a power of ten), after Heckbert's
/// "Nice Numbers for Graph Labels" (Graphics Gems, 1990).
struct Ticks {
    /// The axis range, widened to whole ticks.
    let low: Double
    let high: Double
    let step: Double

    /// Tick positions from `low` to `high`.
    var values: [Double] {
        let count = Int(((high - low) / step).rounded())
        return (0...Swift.max(count, 0)).map { low + Double($0) * step }
    }

    /// About `target` ticks covering `lo...hi`. An empty range is widened around its value.
    /// `integer` keeps the step at 1 or more (epochs).
    init(_ lo: Double, _ hi: Double, target: Int = 6, integer: Bool = false) {
        var lo = lo, hi = hi
        if !(lo.isFinite && hi.isFinite) { lo = 0; hi = 1 }
        if hi < lo { swap(&lo, &hi) }
        if hi == lo {
            let pad = integer ? 1 : lo == 0 ? 1 : Swift.abs(lo) * 0.1
            lo -= pad; hi += pad
        }
        let range = Ticks.nice(hi - lo, round: false)
        var step = Ticks.nice(range / Double(Swift.max(target - 1, 1)), round: true)
        if integer { step = Swift.max(step, 1) }
        self.step = step
        self.low = (lo / step).rounded(.down) * step
        self.high = (hi / step).rounded(.up) * step
    }

    /// A nice number near `x`: rounded to the closest (`round`), or the next one up.
    static func nice(_ x: Double, round: Bool) -> Double {
        let power = pow(10, floor(log10(x)))
        let f = x / power
        let nf: Double
        if round {
            nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10
        } else {
            nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10
        }
        return nf * power
    }

    /// A tick value as a label, with as many decimals as the step needs (`0.25`, `1e-05`).
    func label(_ v: Double) -> String {
        let decimals = Swift.max(0, -Int(floor(log10(step))))
        if decimals > 5 || Swift.abs(v) >= 1e7 { return v == 0 ? "0" : String(format: "%.3g", v) }
        let s = String(format: "%.\(decimals)f", v)
        return s.hasPrefix("-") && Double(s) == 0 ? String(s.dropFirst()) : s
    }
}
