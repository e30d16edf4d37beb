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
                guard case .array(let values) = try L.json(-1, "\(fn): space.\(name)"), !values.isEmpty else {
                    throw LuaError("\(fn): space.\(name) must be a non-empty list of values or a tune domain (tune.choice, tune.uniform, tune.loguniform, tune.int)")
                }
                params.append((name, .choice(values)))
            } else {
                params.append((name, .choice([try L.json(-1, "\(fn): space.\(name)")])))
            }
        }
        guard !params.isEmpty else { throw LuaError("\(fn): space is empty") }
        do { return try Space(params) } catch let e as TuneError where !e.isArgumentError { throw LuaError("\(fn): \(e.message)") }
    }

    /// Pushes a trial as scripts see it: {id=, config=, score=, status=, seconds=, error=,
    /// epochs=, parent=, extras=, attempts=}.
    static func push(_ L: LuaState, trial t: TrialRecord) {
        L.newTable(fieldCount: 10)
        L.push(t.id); L.setField(-2, "id")
        L.push(json: t.config); L.setField(-2, "config")
        if let s = t.score { L.push(s); L.setField(-2, "score") }
        L.push(t.status.rawValue); L.setField(-2, "status")
        if let s = t.seconds { L.push(s); L.setField(-2, "seconds") }
        if let e = t.error { L.push(e); L.setField(-2, "error") }
        if let b = t.budget { L.push(b); L.setField(-2, "epochs") }
        if let p = t.parent { L.push(p); L.setField(-2, "parent") }
        if let x = t.extras { L.push(json: x); L.setField(-2, "extras") }
        L.push(t.attempts); L.setField(-2, "attempts")
    }
}
