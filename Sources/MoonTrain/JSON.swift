import MoonEngine
import Foundation

/// JSON in and out of the metadata of saved files, tolerant of how Foundation hands numbers
/// back (NSNumber, Int, Double).
enum JSON {
    static func encode(_ value: Any) throws -> String {
        guard JSONSerialization.isValidJSONObject(value) else {
            throw TrainingError("cannot encode \(type(of: value)) as JSON")
        }
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ text: String, what: String) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw TrainingError("\(what) is not valid JSON")
        }
    }

    static func double(_ v: Any?) -> Double? {
        switch v {
        case let x as Double: return x
        case let x as Int: return Double(x)
        case let x as Float: return Double(x)
        case let x as NSNumber: return x.doubleValue
        case let x as String: return Double(x)
        default: return nil
        }
    }

    static func int(_ v: Any?) -> Int? { double(v).flatMap { $0.isFinite ? Int(exactly: $0.rounded()) : nil } }

    static func doubles(_ v: Any?) -> [String: Double] {
        guard let d = v as? [String: Any] else { return [:] }
        return d.compactMapValues { double($0) }
    }

    /// A number as an exact JSON string: Swift's shortest round-trip form ("0.1", "nan",
    /// "inf"), since Foundation's JSON numbers may lose the last bit of a Double.
    static func number(_ x: Double) -> Any { String(x) }

    /// A number saved by `number(_:)` (or as a plain number), read back.
    static func number(from v: JSONValue) -> Double {
        if let s = v.string {
            switch s { case "nan": return .nan; case "inf": return .infinity; case "-inf": return -.infinity; default: return Double(s) ?? .nan }
        }
        return v.number ?? .nan
    }

    static func number(from v: Any?) -> Double {
        if let s = v as? String {
            switch s { case "nan": return .nan; case "inf": return .infinity; case "-inf": return -.infinity; default: break }
        }
        return double(v) ?? .nan
    }
}

/// An error of training, saving or loading: moonlab's one error type.
public typealias TrainingError = MoonError
