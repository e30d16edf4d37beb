/// JSON values written as Swift literals: `["scale": 2.0, "mode": "fan_out"]`.
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
                     ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
                     ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// The pairs of an object (none for other values).
    public var pairs: [(String, JSONValue)] {
        if case .object(let p) = self { return p }
        return []
    }

    /// The items of an array (none for other values).
    public var items: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The string, for `.string`.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer, for `.int` and a `.double` that holds one exactly (moonlab's one rule
    /// for reading a number as an integer).
    public var int: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d): return d.isFinite ? Int(exactly: d) : nil
        default: return nil
        }
    }

    /// The object without `key`.
    public func removing(_ key: String) -> JSONValue {
        if case .object(let p) = self { return .object(p.filter { $0.0 != key }) }
        return self
    }
}
