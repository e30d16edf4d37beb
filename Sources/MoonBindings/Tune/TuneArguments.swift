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
    static func space(_ L: LuaState, _ index: Int32) throws -> Space {
        guard L.type(index) == .table else { throw L.fail("option 'space' must be a table of hyperparameters, got \(L.describe(index))") }
        var params: [(String, Domain)] = []
        try L.forEachPair(index) {
            guard L.type(-2) == .string, let name = L.toString(-2) else {
                throw L.fail("space keys must be hyperparameter names (strings), got \(L.describe(-2))")
            }
            if let box = L.object(-1, tuneDomainMeta, as: DomainBox.self) {
                params.append((name, box.domain))
            } else if L.type(-1) == .table {
                guard case .array(let values) = try L.json(-1, "\(L.fn): space.\(name)"), !values.isEmpty else {
                    throw L.fail("space.\(name) must be a non-empty list of values or a tune domain (tune.choice, tune.uniform, tune.loguniform, tune.int)")
                }
                params.append((name, .choice(values)))
            } else {
                params.append((name, .choice([try L.json(-1, "\(L.fn): space.\(name)")])))
            }
        }
        guard !params.isEmpty else { throw L.fail("space is empty") }
        do { return try Space(params) } catch let e as TuneError where !e.isArgumentError { throw L.fail("\(e.message)") }
    }
}

extension LuaState {
    /// What an objective returned at `index` as a score: a number, or a table's number
    /// `score`; nil for anything else.
    func score(_ index: Int32) -> Double? {
        if type(index) == .number { return toNumber(index) }
        guard type(index) == .table else { return nil }
        getField(index, "score")
        defer { pop() }
        return type(-1) == .number ? toNumber(-1) : nil
    }
}
