import Foundation

/// Where one hyperparameter's values come from.
public enum Domain: Equatable, Sendable, CustomStringConvertible {
    /// A fixed list: every value in a grid, one drawn uniformly at random otherwise.
    case choice([JSONValue])
    /// A real number drawn uniformly from [low, high].
    case uniform(Double, Double)
    /// A positive real whose logarithm is uniform on [log low, log high] (learning rates).
    case loguniform(Double, Double)
    /// An integer drawn uniformly from low...high, both included.
    case int(Int, Int)

    public var description: String {
        switch self {
        case .choice(let vs): return "choice{" + vs.map(\.encoded).joined(separator: ", ") + "}"
        case let .uniform(a, b): return "uniform(\(JSONValue.short(a)), \(JSONValue.short(b)))"
        case let .loguniform(a, b): return "loguniform(\(JSONValue.short(a)), \(JSONValue.short(b)))"
        case let .int(a, b): return "int(\(a), \(b))"
        }
    }

    /// Checks the bounds; `name` is the hyperparameter's name for the message.
    /// Checks the bounds (a tune.uniform call's own error: "uniform needs ...").
    public func validate() throws {
        switch self {
        case .choice(let vs):
            if vs.isEmpty { throw TuneError("no values to choose from") }
        case let .uniform(a, b):
            guard a.isFinite, b.isFinite, a <= b else { throw TuneError("uniform needs finite low <= high, got \(a), \(b)") }
        case let .loguniform(a, b):
            guard a > 0, b.isFinite, a <= b else { throw TuneError("loguniform needs 0 < low <= high, got \(a), \(b)") }
        case let .int(a, b):
            guard a <= b else { throw TuneError("int needs low <= high, got \(a), \(b)") }
            // high - low + 1 values must be countable: no overflow in the draw.
            let (span, overflow) = b.subtractingReportingOverflow(a)
            guard !overflow, span < Int.max else {
                throw TuneError("int(\(a), \(b)) spans more values than can be drawn (at most \(Int.max))")
            }
        }
    }

    /// Checks the bounds of hyperparameter `name` of a space ("space: 'lr': uniform needs ...").
    public func validate(_ name: String) throws {
        do { try validate() } catch let e as TuneError {
            throw TuneError("space: '\(name)': \(e.message)")
        }
    }

    /// The domain as JSON (for the sweep's record in storage).
    public var json: JSONValue {
        switch self {
        case .choice(let vs): return .object([("choice", .array(vs))])
        case let .uniform(a, b): return .object([("uniform", .array([.double(a), .double(b)]))])
        case let .loguniform(a, b): return .object([("loguniform", .array([.double(a), .double(b)]))])
        case let .int(a, b): return .object([("int", .array([.int(a), .int(b)]))])
        }
    }
}

/// A search space: hyperparameter names and their domains, kept sorted by name so that
/// grids and random draws come out in one stable order whatever order the script wrote.
public struct Space: Equatable, Sendable {
    public let parameters: [(name: String, domain: Domain)]

    public init(_ parameters: [(String, Domain)]) throws {
        var seen = Set<String>()
        for (n, d) in parameters {
            guard seen.insert(n).inserted else { throw TuneError("space: '\(n)' given twice") }
            try d.validate(n)
        }
        self.parameters = parameters.sorted { $0.0 < $1.0 }.map { (name: $0.0, domain: $0.1) }
    }

    public static func == (a: Space, b: Space) -> Bool {
        a.parameters.count == b.parameters.count
            && zip(a.parameters, b.parameters).allSatisfy { $0.name == $1.name && $0.domain == $1.domain }
    }

    public var names: [String] { parameters.map(\.name) }

    public var json: JSONValue { .object(parameters.map { ($0.name, $0.domain.json) }) }

    /// Every combination of the values, keys sorted, the last key varying fastest (as
    /// `itertools.product` and scikit-learn's ParameterGrid). Only `choice` domains have a grid.
    public func grid() throws -> [JSONValue] {
        var lists: [[JSONValue]] = []
        for p in parameters {
            guard case .choice(let vs) = p.domain else {
                throw TuneError("tune.grid: '\(p.name)' is \(p.domain), which has no finite list of values (use tune.random, or give a list)")
            }
            lists.append(vs)
        }
        // Counted before any is built, so a grid of 10^20 combinations fails at once.
        var count = 1
        for list in lists {
            let (product, overflow) = count.multipliedReportingOverflow(by: list.count)
            if overflow || product > 1_000_000 {
                throw TuneError("tune.grid: \(lists.map { String($0.count) }.joined(separator: " x ")) combinations is too many (at most 1,000,000)")
            }
            count = product
        }
        var out: [[JSONValue]] = [[]]
        for list in lists {
            out = out.flatMap { prefix in list.map { prefix + [$0] } }
        }
        return out.map { values in .object(Array(zip(names, values))) }
    }

    /// `count` configurations drawn with `generator` (each parameter in name order, so the
    /// same seed gives the same configurations).
    public func sample(_ count: Int, _ generator: inout SplitMix64) -> [JSONValue] {
        (0..<count).map { _ in
            .object(parameters.map { p in (p.name, Self.draw(p.domain, &generator)) })
        }
    }

    static func draw(_ d: Domain, _ g: inout SplitMix64) -> JSONValue {
        switch d {
        case .choice(let vs): return vs[g.below(vs.count)]
        case let .uniform(a, b): return .double(a + (b - a) * g.unit())
        case let .loguniform(a, b): return .double(exp(log(a) + (log(b) - log(a)) * g.unit()))
        case let .int(a, b): return .int(a + g.below(b - a + 1))
        }
    }
}
