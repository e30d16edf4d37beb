import Foundation
import MoonEngine

/// Reads a layer's JSON-compatible `config` back (values may come from `JSONSerialization`,
/// so numbers arrive as `Int`, `Double` or `NSNumber`). Errors name the layer and the key.
public struct ConfigReader {
    public let values: [String: Any]
    public let owner: String

    public init(_ values: [String: Any], owner: String) {
        self.values = values
        self.owner = owner
    }

    public func has(_ key: String) -> Bool {
        guard let v = values[key] else { return false }
        return !(v is NSNull)
    }

    func fail(_ key: String, _ expected: String) -> TensorError {
        TensorError("\(owner): config '\(key)' must be \(expected), got \(values[key].map { "\($0)" } ?? "nothing")")
    }

    public func int(_ key: String) throws -> Int {
        guard let v = values[key], let i = ConfigReader.int(v) else { throw fail(key, "an integer") }
        return i
    }

    public func int(_ key: String, default d: Int) throws -> Int { has(key) ? try int(key) : d }

    public func double(_ key: String) throws -> Double {
        guard let v = values[key], let d = ConfigReader.double(v) else { throw fail(key, "a number") }
        return d
    }

    public func double(_ key: String, default d: Double) throws -> Double { has(key) ? try double(key) : d }

    public func optionalDouble(_ key: String) throws -> Double? { has(key) ? try double(key) : nil }

    public func string(_ key: String) throws -> String {
        guard let s = values[key] as? String else { throw fail(key, "a string") }
        return s
    }

    public func string(_ key: String, default d: String) throws -> String { has(key) ? try string(key) : d }

    public func optionalString(_ key: String) throws -> String? { has(key) ? try string(key) : nil }

    public func bool(_ key: String, default d: Bool) throws -> Bool {
        guard has(key) else { return d }
        if let b = values[key] as? Bool { return b }
        if let n = values[key] as? NSNumber { return n.boolValue }
        throw fail(key, "a boolean")
    }

    public func ints(_ key: String) throws -> [Int] {
        guard let a = values[key] as? [Any] else { throw fail(key, "a list of integers") }
        return try a.map { guard let i = ConfigReader.int($0) else { throw fail(key, "a list of integers") }; return i }
    }

    public func dictionary(_ key: String) throws -> [String: Any] {
        guard let d = values[key] as? [String: Any] else { throw fail(key, "a table") }
        return d
    }

    public func list(_ key: String) throws -> [Any] {
        guard let a = values[key] as? [Any] else { throw fail(key, "a list") }
        return a
    }

    public static func int(_ v: Any) -> Int? {
        if let i = v as? Int { return i }
        if let d = v as? Double, d == d.rounded(), Swift.abs(d) < 9e15 { return Int(d) }
        if let n = v as? NSNumber {
            let d = n.doubleValue
            return d == d.rounded() && Swift.abs(d) < 9e15 ? Int(d) : nil
        }
        return nil
    }

    public static func double(_ v: Any) -> Double? {
        if let d = v as? Double { return d }
        if let i = v as? Int { return Double(i) }
        if let f = v as? Float { return Double(f) }
        if let n = v as? NSNumber { return n.doubleValue }
        return nil
    }
}

/// Names every valid choice in an error for an unknown one.
func unknownName(_ what: String, _ name: String, _ owner: String, valid: [String]) -> TensorError {
    TensorError("\(owner): unknown \(what) \"\(name)\" (valid: \(valid.joined(separator: ", ")))")
}

/// The activation names a layer accepts (Keras' names; `linear` is the identity).
public let activationNames = ["relu", "tanh", "sigmoid", "elu", "selu", "hard_sigmoid", "exponential",
                              "linear", "softmax", "gelu", "leaky_relu", "swish", "silu", "softplus",
                              "log_softmax"]

/// Checks an activation name, throwing a message that lists the valid ones.
public func checkActivation(_ name: String, _ owner: String) throws -> String {
    guard activationNames.contains(name) else {
        throw unknownName("activation", name, owner, valid: activationNames)
    }
    return name
}

/// Applies a named activation (`linear`: unchanged).
func applyActivation(_ name: String, _ x: Tensor) throws -> Tensor {
    name == "linear" ? x : try x.activation(name)
}
