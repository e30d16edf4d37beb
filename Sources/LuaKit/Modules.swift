@preconcurrency import CLua
import CMoonLua

/// Builds a Lua module table: `tensor`, `nn`, ... Each function is registered with its
/// documentation, so `help()` and generated API docs read one registry.
public struct ModuleBuilder {
    public let state: LuaState
    /// The module's name as users write it (`tensor`, `nn.init`).
    public let name: String
    let table: Int32

    /// Adds `module.fname = body`, documented: `signature` is the call as users write it
    /// (`tensor.zeros{d1, d2, ...}`), `doc` the help text.
    public func function(_ fname: String, _ signature: String, _ doc: String, _ body: @escaping LuaFunction) {
        state.push(function: body, name: "\(name).\(fname)")
        state.document(-1, name: "\(name).\(fname)", signature: signature, text: doc)
        state.setField(table, fname)
    }

    /// Adds `module.fname = body`, documented by texts made when first read.
    public func function(_ fname: String, lazy texts: @escaping () -> (signature: String, text: String), _ body: @escaping LuaFunction) {
        state.push(function: body, name: "\(name).\(fname)")
        state.document(-1, name: "\(name).\(fname)", lazy: texts)
        state.setField(table, fname)
    }

    /// Adds `module.key = <value on top of the stack>`, popping it.
    public func value(_ key: String) { state.setField(table, key) }

    /// Adds a documented sub-module (`nn.init`), built the same way.
    public func submodule(_ sub: String, doc: String, _ build: (ModuleBuilder) throws -> Void) rethrows {
        state.newTable()
        let t = state.top
        state.document(t, name: "\(name).\(sub)", signature: "\(name).\(sub)", text: doc)
        try build(ModuleBuilder(state: state, name: "\(name).\(sub)", table: t))
        state.setField(table, sub)
    }
}

extension LuaState {
    /// Defines (or extends) the global module `name`, also loadable as `require "moonlab.<name>"`.
    public func defineModule(_ name: String, doc: String, _ build: (ModuleBuilder) throws -> Void) rethrows {
        if getGlobal(name) != .table {
            pop()
            newTable()
        }
        let t = top
        document(t, name: name, signature: name, text: doc)
        try build(ModuleBuilder(state: self, name: name, table: t))
        pushValue(t)
        setGlobal(name)
        // require "moonlab.<name>" returns the same table.
        getGlobal("package")
        if type(-1) == .table {
            getField(-1, "loaded")
            pushValue(t)
            setField(-2, name == "moonlab" ? name : "moonlab.\(name)")
            pop()
        }
        pop(2)
    }
}
