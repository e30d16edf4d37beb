import Foundation

/// Number coercion for values that came through JSON or Foundation (Int, Double, Float,
/// NSNumber): one rule everywhere. An integer must be exact.
public enum Numbers {
    public static func double(_ v: Any?) -> Double? {
        switch v {
        case let x as Double: return x
        case let x as Int: return Double(x)
        case let x as Float: return Double(x)
        case let x as NSNumber: return x.doubleValue
        default: return nil
        }
    }

    /// The value as an Int when it is a whole number within ±9e15 (exact in a Double).
    public static func int(_ v: Any?) -> Int? {
        if let i = v as? Int { return i }
        guard let d = double(v) else { return nil }
        return exactInt(d)
    }

    /// `d` as an Int when it is whole and exact in a Double; else nil.
    public static func exactInt(_ d: Double) -> Int? {
        d.isFinite && d == d.rounded() && Swift.abs(d) < 9e15 ? Int(d) : nil
    }
}
