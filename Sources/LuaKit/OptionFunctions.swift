import MoonBase

extension ModuleBuilder {
    /// A function whose arguments are one `Options` declaration: positional fields, then an
    /// option table. Its help signature, its checks (unknown keys with the nearest valid one,
    /// types) and its defaults come from `C`. Keys in `extra` are taken out of the table
    /// before `C` reads it and handed to `body` (a layer's `name`).
    public func function<C: Options>(_ fname: String, options: C.Type, doc: String, extra: [String] = [],
                                     _ body: @escaping (LuaState, C, [String: JSONValue]) throws -> Int32) {
        let qualified = "\(name).\(fname)"
        let lines = C.optionDocs
        function(fname, C.signature(qualified, extra: extra.map { "\($0)=" }), lines.isEmpty ? doc : doc + "\n" + lines) { L in
            var arguments = try L.jsonArguments()
            let table = C.fields.filter(\.positional).count
            var taken: [String: JSONValue] = [:]
            if table < arguments.count {
                for key in extra { taken[key] = arguments[table][key] }
                for key in extra { arguments[table] = arguments[table].removing(key) }
            }
            return try body(L, try C(arguments: arguments), taken)
        }
    }
}
