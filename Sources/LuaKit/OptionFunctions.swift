import MoonBase

extension ModuleBuilder {
    /// A function whose arguments are one `Options` declaration: positional fields, then an
    /// option table. Its help signature, its checks (unknown keys with the nearest valid one,
    /// types) and its defaults come from `C`. Keys in `extra` are taken out of the table
    /// before `C` reads it and handed to `body` as JSON (a layer's `name`); one that is not
    /// JSON (a list of tensors) is left for `body` to read from the table.
    public func function<C: Options>(_ fname: String, options: C.Type, doc: String, extra: [String] = [],
                                     _ body: @escaping (LuaState, C, [String: JSONValue]) throws -> Int32) {
        let qualified = "\(name).\(fname)"
        let lines = C.optionDocs
        function(fname, C.signature(qualified, extra: extra.map { "\($0)=" }), lines.isEmpty ? doc : doc + "\n" + lines) { L in
            let table = C.fields.filter(\.positional).count
            let arguments = try L.jsonArguments(skipping: Set(extra))
            var taken: [String: JSONValue] = [:]
            if Int32(table + 1) <= L.top, L.type(Int32(table + 1)) == .table {
                for key in extra {
                    L.getField(Int32(table + 1), key)
                    taken[key] = try? L.json(-1)
                    L.pop()
                }
            }
            return try body(L, try C(arguments: arguments), taken)
        }
    }
}
