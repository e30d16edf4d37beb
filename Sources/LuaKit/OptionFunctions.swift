import MoonBase

extension ModuleBuilder {
    /// A function whose arguments are one `Options` declaration: positional fields, then an
    /// option table. Its help signature, its checks (unknown keys with the nearest valid one,
    /// types) and its defaults come from `C`.
    /// - `leading`: arguments before those, which `body` reads itself (`path` of `data.csv`).
    /// - `extra`: keys taken out of the table before `C` reads it and handed to `body` as JSON
    ///   (a layer's `name`); one that is not JSON (a list of tensors) is left for `body` to read
    ///   from the table.
    /// - `returns`: what help shows after `-->`.
    public func function<C: Options>(_ fname: String, options: C.Type, doc: String, leading: [String] = [],
                                     extra: [String] = [], returns: String? = nil,
                                     _ body: @escaping (LuaState, C, [String: JSONValue]) throws -> Int32) {
        let module = name
        function(fname, lazy: {
            let lines = C.optionDocs
            let signature = C.signature("\(module).\(fname)", leading: leading, extra: extra.map { "\($0)=" })
                + (returns.map { " --> " + $0 } ?? "")
            return (signature, lines.isEmpty ? doc : doc + "\n" + lines)
        }) { L in
            let skipped = Int32(leading.count)
            let table = skipped + Int32(C.fields.filter(\.positional).count) + 1
            let arguments = try L.jsonArguments(from: skipped + 1, skipping: Set(extra))
            var taken: [String: JSONValue] = [:]
            if table <= L.top, L.type(table) == .table {
                for key in extra {
                    L.getField(table, key)
                    taken[key] = try? L.json(-1)
                    L.pop()
                }
            }
            let config: C
            do { config = try C(arguments: arguments) } catch var e as MoonError {
                if case .argument(let i) = e.kind { e.kind = .argument(i + Int(skipped)) }
                throw e
            }
            return try body(L, config, taken)
        }
    }
}

extension LuaMethod {
    /// A method whose option table (after self and the `leading` arguments, which `body`
    /// reads itself) is one `Options` declaration: its help signature
    /// (`ds:split(fraction, {seed=nil, stratify=false}) --> first, second`), checks and
    /// defaults come from `C`.
    /// `extra`: keys of the table that are not JSON (an optimizer object), left for `body`.
    public init<C: Options>(_ name: String, _ receiver: String, options: C.Type, leading: [String] = [],
                            extra: [String] = [], returns: String? = nil, doc: String,
                            _ body: @escaping (LuaState, C) throws -> Int32) {
        let table = Int32(leading.count) + 2
        self.init(name, lazy: {
            let lines = C.optionDocs
            // An extra key that is also a declared field (read by the body when it holds a
            // function) shows once, as the field.
            let declared = Set(C.fields.map(\.key))
            let signature = C.signature("\(receiver):\(name)", leading: leading, extra: extra.filter { !declared.contains($0) }.map { "\($0)=" })
                + (returns.map { " --> " + $0 } ?? "")
            return (signature, lines.isEmpty ? doc : doc + "\n" + lines)
        }) { L in
            try body(L, try L.options(C.self, at: table, skipping: Set(extra)))
        }
    }
}

extension LuaState {
    /// The option table at `index` (absent: the defaults) read into `C`; keys in `skipping`
    /// are left for the caller (values that are not JSON: datasets, functions, callbacks).
    /// Errors blame argument `index`.
    public func options<C: Options>(_ type: C.Type, at index: Int32, skipping: Set<String> = []) throws -> C {
        let value = try json(index, "argument \(index)", skipping: skipping)
        return try C(reading: value, argument: Int(index))
    }
}

/// Option `key` of those a declared function leaves to its body (`extra`), read as `V`;
/// nil when absent.
public func extraOption<V: OptionValue>(_ extra: [String: JSONValue], _ key: String, _ type: V.Type, _ fn: String) throws -> V? {
    guard let value = extra[key], value != .null else { return nil }
    guard let v = try V(option: value) else {
        throw MoonError("\(fn): option '\(key)' must be \(V.optionType), got \(value.shortText)")
    }
    return v
}
