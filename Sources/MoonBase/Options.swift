/// Options declared once. A type conforming to `Options` lists its fields, each with its key,
/// its Swift property and a line of documentation; the property's initial value is the
/// default. From that one declaration come:
/// - reading a Lua option table or a saved config (`init(reading:)`): unknown keys refused
///   with the nearest valid name, types checked, defaults kept;
/// - writing the saved config (`json`);
/// - the signature and the option list in `help()` (`signature`, `optionDocs`).
///
/// Range checks that need more than a type (units >= 1) stay in the engine's initializers.
public protocol Options {
    /// The defaults.
    init()
    /// The fields, in the order help shows them; positional ones first.
    static var fields: [OptionField<Self>] { get }
}

/// The options of something that takes none.
public struct NoOptions: Options {
    public init() {}
    public static var fields: [OptionField<NoOptions>] { [] }
}

/// A value an option may hold: a JSON form in both directions.
public protocol OptionValue {
    /// The value read from its JSON form; nil when the form has the wrong type, an error
    /// when it has the right type but a bad value (an unknown initializer name).
    init?(option: JSONValue) throws
    /// The JSON form (what a saved config stores, what help shows as the default).
    var option: JSONValue { get }
    /// How the expected type reads in messages: "a number", "an integer".
    static var optionType: String { get }
}

/// One field of an `Options` type.
public struct OptionField<Root> {
    public let key: String
    /// Other keys accepted when reading (Keras' `epsilon` for `eps`); never written.
    public let aliases: [String]
    public let doc: String
    /// Whether the field is a positional argument (`units` of `nn.Dense(units, {...})`).
    public let positional: Bool
    public let optionType: String
    let read: (inout Root, JSONValue) throws -> Bool
    let write: (Root) -> JSONValue

    public init<V: OptionValue>(_ key: String, _ path: WritableKeyPath<Root, V>, _ doc: String = "",
                                aliases: [String] = [], positional: Bool = false) {
        self.key = key
        self.aliases = aliases
        self.doc = doc
        self.positional = positional
        self.optionType = V.optionType
        self.read = { root, value in
            guard let v = try V(option: value) else { return false }
            root[keyPath: path] = v
            return true
        }
        self.write = { $0[keyPath: path].option }
    }

    /// A positional argument.
    public static func argument<V: OptionValue>(_ key: String, _ path: WritableKeyPath<Root, V>,
                                                _ doc: String = "") -> OptionField<Root> {
        OptionField(key, path, doc, positional: true)
    }
}

extension Options {
    /// The options of a saved config or an option table (`.object`), over the defaults.
    /// Keys of positional fields are read too (a saved config holds them all).
    public init(reading object: JSONValue, argument position: Int? = nil) throws {
        self.init()
        guard case .object(let pairs) = object else {
            if case .null = object { return }
            if case .array(let items) = object, items.isEmpty { return }   // `{}` reads as an empty list
            throw MoonError(position.map { .argument($0) } ?? .invalid, "options must be a table, got \(object.typeName)")
        }
        for (key, value) in pairs {
            guard let field = Self.field(named: key) else {
                throw MoonError(position.map { .argument($0) } ?? .invalid, Self.unknownKeyMessage(key))
            }
            if case .null = value { continue }
            guard try Self.read(field, &self, value, position) else {
                throw MoonError(position.map { .argument($0) } ?? .invalid,
                                "option '\(key)' must be \(field.optionType), got \(value.shortText)")
            }
        }
    }

    /// The options given as positional arguments (`units`, then `{...}`): `arguments[i]` is
    /// argument i+1; the option table follows the positional fields.
    public init(arguments: [JSONValue]) throws {
        let positional = Self.fields.filter(\.positional)
        let table = arguments.count > positional.count ? arguments[positional.count] : .null
        try self.init(reading: table, argument: positional.count + 1)
        for (i, field) in positional.enumerated() {
            let value = i < arguments.count ? arguments[i] : .null
            guard try Self.read(field, &self, value, i + 1) else {
                throw MoonError(.argument(i + 1), "\(field.optionType) expected for \(field.key), got \(value.typeName)")
            }
        }
        if arguments.count > positional.count + 1 {
            throw MoonError(.argument(positional.count + 2), "no argument expected after the options, got \(arguments[positional.count + 1].typeName)")
        }
    }

    /// Every field's value (the saved config).
    public var json: JSONValue { .object(Self.fields.map { ($0.key, $0.write(self)) }) }

    /// `name(units, {activation="linear", ...})`: the call as help shows it, defaults filled
    /// in (`name{...}` when every field is an option, as Lua scripts write it).
    public static func signature(_ name: String, leading: [String] = [], extra: [String] = []) -> String {
        let defaults = Self()
        let positional = leading + fields.filter(\.positional).map(\.key)
        let options = fields.filter { !$0.positional }.map { "\($0.key)=\($0.write(defaults).luaText)" } + extra
        let table = "{" + options.joined(separator: ", ") + "}"
        if positional.isEmpty { return options.isEmpty ? "\(name)()" : name + table }
        return "\(name)(" + (positional + (options.isEmpty ? [] : [table])).joined(separator: ", ") + ")"
    }

    /// The option table as help shows it, defaults filled in: `{epochs=1, batch=32}`.
    public static func table(extra: [String] = []) -> String {
        let defaults = Self()
        return "{" + (fields.filter { !$0.positional }.map { "\($0.key)=\($0.write(defaults).luaText)" } + extra).joined(separator: ", ") + "}"
    }

    /// A list of the fields and what each does, for help (empty when none is documented).
    public static var optionDocs: String {
        let lines = fields.filter { !$0.doc.isEmpty }.map { "- `\($0.key)`: \($0.doc)" }
        return lines.isEmpty ? "" : "\n" + lines.joined(separator: "\n")
    }

    /// Reads one field; a bad value's error names the option and the argument it came in.
    static func read(_ field: OptionField<Self>, _ root: inout Self, _ value: JSONValue, _ position: Int?) throws -> Bool {
        do {
            return try field.read(&root, value)
        } catch let e as MoonError {
            throw MoonError(position.map { .argument($0) } ?? e.kind, "option '\(field.key)': \(e.message)")
        }
    }

    static func field(named key: String) -> OptionField<Self>? {
        fields.first { $0.key == key || $0.aliases.contains(key) }
    }

    static func unknownKeyMessage(_ key: String) -> String {
        let keys = fields.map(\.key)
        if let near = nearestName(to: key, in: keys) {
            return "unknown option '\(key)' (did you mean '\(near)'?)"
        }
        return "unknown option '\(key)' (valid: \(keys.joined(separator: ", ")))"
    }
}

/// The name in `names` closest to `name` by edit distance (insertions, deletions,
/// substitutions and swaps of neighbours each count one), when it is close enough to be a
/// typo: at most a third of the name's letters, and at least one.
public func nearestName(to name: String, in names: [String]) -> String? {
    let a = Array(name.lowercased())
    var best: (String, Int)?
    for candidate in names {
        let d = editDistance(a, Array(candidate.lowercased()))
        if best == nil || d < best!.1 { best = (candidate, d) }
    }
    guard let (candidate, d) = best, d <= max(1, a.count / 3) else { return nil }
    return candidate
}

/// The optimal-string-alignment distance between `a` and `b`.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}

// MARK: - The plain value types

extension Int: OptionValue {
    public init?(option: JSONValue) {
        guard let i = option.int else { return nil }
        self = i
    }
    public var option: JSONValue { .int(self) }
    public static var optionType: String { "an integer" }
}

extension Double: OptionValue {
    public init?(option: JSONValue) {
        guard let d = option.number else { return nil }
        self = d
    }
    public var option: JSONValue { .double(self) }
    public static var optionType: String { "a number" }
}

extension Float: OptionValue {
    public init?(option: JSONValue) {
        guard let d = option.number else { return nil }
        self = Float(d)
    }
    /// Written as the shortest decimal that reads back as this Float (0.99, not 0.9900000095).
    public var option: JSONValue { .double(Double(String(self)) ?? Double(self)) }
    public static var optionType: String { "a number" }
}

extension Bool: OptionValue {
    public init?(option: JSONValue) {
        guard case .bool(let b) = option else { return nil }
        self = b
    }
    public var option: JSONValue { .bool(self) }
    public static var optionType: String { "a boolean" }
}

extension String: OptionValue {
    public init?(option: JSONValue) {
        guard case .string(let s) = option else { return nil }
        self = s
    }
    public var option: JSONValue { .string(self) }
    public static var optionType: String { "a string" }
}

extension Optional: OptionValue where Wrapped: OptionValue {
    public init?(option: JSONValue) throws {
        if case .null = option { self = .none; return }
        guard let v = try Wrapped(option: option) else { return nil }
        self = .some(v)
    }
    public var option: JSONValue { map(\.option) ?? .null }
    public static var optionType: String { Wrapped.optionType }
}

extension Array: OptionValue where Element: OptionValue {
    /// A list; a single value stands for a list of one.
    public init?(option: JSONValue) throws {
        if case .array(let items) = option {
            var out: [Element] = []
            for item in items {
                guard let v = try Element(option: item) else { return nil }
                out.append(v)
            }
            self = out
        } else if let v = try Element(option: option) {
            self = [v]
        } else {
            return nil
        }
    }
    public var option: JSONValue { .array(map(\.option)) }
    public static var optionType: String { "a list of \(Element.optionType.dropFirst(Element.optionType.hasPrefix("an ") ? 3 : 2))s" }
}

/// A range as options write it: a number `v` (a range around a centre the option's owner
/// knows: [-v, v] for an angle, [1 - v, 1 + v] for a zoom) or a pair `{lo, hi}`.
public struct Spread: OptionValue, Equatable, Sendable {
    public var lo: Double
    public var hi: Double?
    public init(_ v: Double) { lo = v; hi = nil }
    public init(_ lo: Double, _ hi: Double) { self.lo = lo; self.hi = hi }

    public init?(option: JSONValue) {
        if let v = option.number { self.init(v); return }
        guard let a = option.items, a.count == 2, let lo = a[0].number, let hi = a[1].number else { return nil }
        self.init(lo, hi)
    }
    public var option: JSONValue { hi.map { .array([.double(lo), .double($0)]) } ?? .double(lo) }
    public static var optionType: String { "a number or a pair {lo, hi}" }
}

extension JSONValue {
    /// How the value's type reads in messages, Lua's way: "number", "string", "table".
    public var typeName: String {
        switch self {
        case .null: return "no value"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array, .object: return "table"
        }
    }

    /// The value for an error message: strings and numbers shown, other types named.
    public var shortText: String {
        switch self {
        case .string(let s): return "string \"\(s.count > 40 ? String(s.prefix(40)) + "..." : s)\""
        case .int, .double: return "number \(luaText)"
        default: return typeName
        }
    }

    /// The value as Lua source: `"linear"`, `0.001`, `nil`, `{3, 3}`.
    public var luaText: String {
        switch self {
        case .null: return "nil"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return JSONValue.short(d)
        case .string(let s): return "\"\(s)\""
        case .array(let items): return "{" + items.map(\.luaText).joined(separator: ", ") + "}"
        case .object(let pairs): return "{" + pairs.map { "\($0.0)=\($0.1.luaText)" }.joined(separator: ", ") + "}"
        }
    }
}

/// A string enum as an option: its raw values are the choices.
public protocol OptionChoice: OptionValue, RawRepresentable, CaseIterable where RawValue == String {}

extension OptionChoice {
    public init?(option: JSONValue) throws {
        guard let s = option.string else { return nil }
        guard let v = Self(rawValue: s) else {
            throw MoonError("must be one of \(Self.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(s)\"")
        }
        self = v
    }
    public var option: JSONValue { .string(rawValue) }
    public static var optionType: String { "one of " + allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") }
}

/// Any value, read as it is given (a plot's series: a table whose shape its reader checks).
extension JSONValue: OptionValue {
    public init?(option: JSONValue) { self = option }
    public var option: JSONValue { self }
    public static var optionType: String { "a value" }
}
