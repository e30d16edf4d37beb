@preconcurrency import CLua
import CMoonLua
import MoonBase

/// Argument checks for Swift functions called from Lua. Each throws a `MoonError` of kind
/// `.argument`, which reads as Lua's own message, e.g.
/// `bad argument #1 to 'zeros' (a table of sizes expected, got number 3)`; `fn` names the
/// function when Lua cannot tell how it was called.
extension LuaState {
    public func argumentError(_ index: Int32, _ expected: String) -> MoonError {
        MoonError(.argument(Int(index)), "\(expected) expected, got \(describe(index))", operation: fn)
    }

    /// A short description of the value at `index` for error messages.
    public func describe(_ index: Int32) -> String {
        switch type(index) {
        case .none: return "nothing"
        case .number:
            if let i = toInteger(index) { return "number \(i)" }
            return "number \(toNumber(index) ?? 0)"
        case .string:
            let s = toString(index) ?? ""
            return "string \"\(s.count > 40 ? String(s.prefix(40)) + "..." : s)\""
        default: return typeName(index)
        }
    }

    public func number(_ index: Int32) throws -> Double {
        guard type(index) == .number, let v = toNumber(index) else {
            throw argumentError(index, "a number")
        }
        return v
    }

    public func optionalNumber(_ index: Int32, default value: Double) throws -> Double {
        isNoneOrNil(index) ? value : try number(index)
    }

    public func integer(_ index: Int32) throws -> Int {
        guard type(index) == .number else { throw argumentError(index, "an integer") }
        if let i = toInteger(index) { return i }
        throw argumentError(index, "an integer")
    }

    public func optionalInteger(_ index: Int32, default value: Int) throws -> Int {
        isNoneOrNil(index) ? value : try integer(index)
    }

    public func string(_ index: Int32) throws -> String {
        guard type(index) == .string, let s = toString(index) else {
            throw argumentError(index, "a string")
        }
        return s
    }

    public func boolean(_ index: Int32) throws -> Bool {
        guard type(index) == .boolean else { throw argumentError(index, "a boolean") }
        return toBool(index)
    }

    public func checkTable(_ index: Int32, _ what: String = "a table") throws {
        guard type(index) == .table else { throw argumentError(index, what) }
    }

    public func checkFunction(_ index: Int32) throws {
        guard type(index) == .function else { throw argumentError(index, "a function") }
    }

    /// The integers of the array at `index` (`{2, 3}`), checked.
    public func integerArray(_ index: Int32, _ what: String = "a table of integers") throws -> [Int] {
        try checkTable(index, what)
        let n = rawLength(index)
        var out: [Int] = []
        out.reserveCapacity(n)
        for i in 1...max(n, 1) where i <= n {
            rawGet(index, i)
            defer { pop() }
            guard type(-1) == .number, let v = toInteger(-1) else {
                throw MoonError(.argument(Int(index)), "\(what) expected, but element \(i) is \(describe(-1))", operation: fn)
            }
            out.append(v)
        }
        return out
    }

    /// The entries 1..#t of the Lua array at `index`, each read by `read` (nil: not a `what`):
    /// the layers of `nn.Sequential{...}`, the transforms of `aug.Compose{...}`.
    public func list<T>(_ index: Int32, of what: String, _ read: (Int32) -> T?) throws -> [T] {
        try checkTable(index, "a Lua array of entries, each \(what)")
        var out: [T] = []
        for i in 1...max(rawLength(index), 1) where i <= rawLength(index) {
            rawGet(index, i)
            defer { pop() }
            guard let v = read(absolute(-1)) else { throw fail("entry \(i) must be \(what), got \(describe(-1))") }
            out.append(v)
        }
        return out
    }

    /// The values of the table at `index`, each read by `read` (nil: not a `what`), with
    /// their names: entries 1..n in order without a name, then string keys in name order.
    public func keyed<T>(_ index: Int32, of what: String, _ read: (Int32) -> T?) throws -> [(name: String?, value: T)] {
        var positional: [(Int, T)] = [], named: [(String, T)] = []
        var bad: String?
        forEachPair(index) {
            guard let v = read(absolute(-1)) else { bad = bad ?? describe(-1); return }
            if type(-2) == .string, let k = toString(-2) { named.append((k, v)) } else if let i = toInteger(-2) { positional.append((i, v)) }
        }
        if let bad { throw fail("entries must be \(what), found \(bad)") }
        return positional.sorted { $0.0 < $1.0 }.map { (nil, $0.1) } + named.sorted { $0.0 < $1.0 }.map { ($0.0, $0.1) }
    }

    // MARK: option tables (`{padding="same", stride=2}`)

    /// Reads `opts[key]` from the option table at `index` (absent table or field: nil).
    public func option<T>(_ index: Int32, _ key: String,
                          _ read: (Int32) -> T?, _ expected: String) throws -> T? {
        guard type(index) == .table else { return nil }
        getField(index, key)
        defer { pop() }
        if isNoneOrNil(-1) { return nil }
        guard let v = read(-1) else {
            throw LuaError("\(fn): option '\(key)' must be \(expected), got \(describe(-1))")
        }
        return v
    }

    public func optionNumber(_ index: Int32, _ key: String) throws -> Double? {
        try option(index, key, { type($0) == .number ? toNumber($0) : nil }, "a number")
    }
    public func optionString(_ index: Int32, _ key: String) throws -> String? {
        try option(index, key, { type($0) == .string ? toString($0) : nil }, "a string")
    }

    /// Rejects option keys not in `known`, listing the valid ones (catches typos like `patince`).
    public func checkOptionKeys(_ index: Int32, _ known: Set<String>) throws {
        guard type(index) == .table else { return }
        var unknown: [String] = []
        forEachPair(index) {
            if type(-2) == .string, let k = toString(-2), !known.contains(k) { unknown.append(k) }
        }
        if unknown.count == 1, let near = nearestName(to: unknown[0], in: known.sorted()) {
            throw MoonError("\(fn): unknown option '\(unknown[0])' (did you mean '\(near)'?)")
        }
        if !unknown.isEmpty {
            throw LuaError("\(fn): unknown option\(unknown.count > 1 ? "s" : "") \(unknown.sorted().joined(separator: ", ")) (valid: \(known.sorted().joined(separator: ", ")))")
        }
    }
}
