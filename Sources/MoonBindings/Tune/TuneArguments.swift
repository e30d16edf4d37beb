@preconcurrency import CLua
import LuaKit
import MoonTune

/// The metatable of `tune.choice`, `tune.uniform`, `tune.loguniform` and `tune.int` values.
let tuneDomainMeta: StaticString = "moonlab.tune.domain"

/// A search-space domain held by Lua.
final class DomainBox {
    let domain: Domain
    init(_ domain: Domain) { self.domain = domain }
}

/// Reading spaces and values from Lua, and pushing configurations and trials back.
enum TuneArguments {
    /// A Lua value as JSON: numbers keep integer or float, tables become arrays (a sequence
    /// 1..n) or objects (string keys). Functions, userdata and mixed tables are refused.
    static func json(_ L: LuaState, _ index: Int32, _ what: String, depth: Int = 0) throws -> JSONValue {
        let i = L.absolute(index)
        switch L.type(i) {
        case .nil, .none: return .null
        case .boolean: return .bool(L.toBool(i))
        case .number:
            if lua_isinteger(L.L, i) != 0, let v = L.toInteger(i) { return .int(v) }
            return .double(L.toNumber(i) ?? .nan)
        case .string: return .string(L.toString(i) ?? "")
        case .table:
            guard depth < 16 else { throw LuaError("\(what) is nested too deeply") }
            let n = L.rawLength(i)
            var count = 0
            var pairs: [(String, JSONValue)] = []
            var stringKeys = true
            try L.forEachPair(i) {
                count += 1
                if L.type(-2) == .string, let k = L.toString(-2) {
                    pairs.append((k, try json(L, -1, "\(what).\(k)", depth: depth + 1)))
                } else { stringKeys = false }
            }
            if count == 0 { return .array([]) }
            if n == count {
                var items: [JSONValue] = []
                for k in 1...n {
                    L.rawGet(i, k)
                    defer { L.pop() }
                    items.append(try json(L, -1, "\(what)[\(k)]", depth: depth + 1))
                }
                return .array(items)
            }
            guard stringKeys else { throw LuaError("\(what) must be a list or a table with string keys") }
            return .object(pairs)
        default:
            throw LuaError("\(what) must be a number, string, boolean or table, got \(L.describe(i))")
        }
    }

    /// Pushes a JSON value as Lua.
    static func push(_ L: LuaState, _ v: JSONValue) {
        switch v {
        case .null: L.pushNil()
        case .bool(let b): L.push(b)
        case .int(let i): L.push(i)
        case .double(let d): L.push(d)
        case .string(let s): L.push(s)
        case .array(let items):
            L.newTable(arrayCount: Int32(items.count))
            for (k, item) in items.enumerated() { push(L, item); L.rawSet(-2, k + 1) }
        case .object(let pairs):
            L.newTable(fieldCount: Int32(pairs.count))
            for (k, item) in pairs { push(L, item); L.setField(-2, k) }
        }
    }

    /// The `space=` table: each key a domain, a list of values, or one fixed value.
    static func space(_ L: LuaState, _ index: Int32, _ fn: String) throws -> Space {
        guard L.type(index) == .table else { throw LuaError("\(fn): option 'space' must be a table of hyperparameters, got \(L.describe(index))") }
        var params: [(String, Domain)] = []
        try L.forEachPair(index) {
            guard L.type(-2) == .string, let name = L.toString(-2) else {
                throw LuaError("\(fn): space keys must be hyperparameter names (strings), got \(L.describe(-2))")
            }
            if let box = L.object(-1, tuneDomainMeta, as: DomainBox.self) {
                params.append((name, box.domain))
            } else if L.type(-1) == .table {
                guard case .array(let values) = try json(L, -1, "\(fn): space.\(name)"), !values.isEmpty else {
                    throw LuaError("\(fn): space.\(name) must be a non-empty list of values or a tune domain (tune.choice, tune.uniform, tune.loguniform, tune.int)")
                }
                params.append((name, .choice(values)))
            } else {
                params.append((name, .choice([try json(L, -1, "\(fn): space.\(name)")])))
            }
        }
        guard !params.isEmpty else { throw LuaError("\(fn): space is empty") }
        do { return try Space(params) } catch let e as TuneError { throw LuaError("\(fn): \(e.message)") }
    }

    /// Pushes a trial as scripts see it: {id=, config=, score=, status=, seconds=, error=,
    /// epochs=, parent=, extras=, attempts=}.
    static func push(_ L: LuaState, trial t: TrialRecord) {
        L.newTable(fieldCount: 10)
        L.push(t.id); L.setField(-2, "id")
        push(L, t.config); L.setField(-2, "config")
        if let s = t.score { L.push(s); L.setField(-2, "score") }
        L.push(t.status.rawValue); L.setField(-2, "status")
        if let s = t.seconds { L.push(s); L.setField(-2, "seconds") }
        if let e = t.error { L.push(e); L.setField(-2, "error") }
        if let b = t.budget { L.push(b); L.setField(-2, "epochs") }
        if let p = t.parent { L.push(p); L.setField(-2, "parent") }
        if let x = t.extras { push(L, x); L.setField(-2, "extras") }
        L.push(t.attempts); L.setField(-2, "attempts")
    }
}
