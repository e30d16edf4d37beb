import Foundation
import MoonEngine

/// JSON in and out of the metadata of saved files: moonlab's one JSON model (`JSONValue`),
/// and numbers written exactly.
enum JSON {
    static func decode(_ text: String, what: String) throws -> JSONValue {
        do { return try JSONValue.parse(text) } catch { throw TrainingError("\(what) is not valid JSON") }
    }

    /// A number as an exact JSON string: Swift's shortest round-trip form ("0.1", "nan",
    /// "inf"), which also keeps NaN and infinities, which JSON numbers cannot hold.
    static func number(_ x: Double) -> JSONValue { .string(String(x)) }

    /// A number written by `number(_:)` (or as a plain JSON number), read back; NaN when absent.
    static func number(from v: JSONValue?) -> Double {
        guard let v else { return .nan }
        if let s = v.string {
            switch s { case "nan": return .nan; case "inf": return .infinity; case "-inf": return -.infinity; default: return Double(s) ?? .nan }
        }
        return v.number ?? .nan
    }
}

/// An error of training, saving or loading: moonlab's one error type.
public typealias TrainingError = MoonError
