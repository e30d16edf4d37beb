@preconcurrency import CLua
import CMoonLua

/// Swift objects in Lua: a full userdata holding a retained pointer, released by `__gc`.
/// Metatable names are `StaticString`s so type checks pass C constants (no conversion a call).
extension LuaState {
    @inline(__always)
    static func cName(_ s: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(s.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// Pushes `object` as a userdata with the class metatable `metatable` (made by `defineClass`).
    public func push(object: AnyObject, metatable: StaticString) {
        let slot = moon_newuserdata(L, MemoryLayout<UnsafeMutableRawPointer?>.size)!
        slot.storeBytes(of: Unmanaged.passRetained(object).toOpaque(), as: UnsafeMutableRawPointer?.self)
        moon_getmetatable_named(L, Self.cName(metatable))
        lua_setmetatable(L, -2)
    }

    /// The object at `index` if it is a userdata of class `metatable`, else nil.
    @inline(__always)
    public func object<T: AnyObject>(_ index: Int32, _ metatable: StaticString, as type: T.Type) -> T? {
        guard let ud = luaL_testudata(L, index, Self.cName(metatable)),
              let raw = ud.load(as: UnsafeMutableRawPointer?.self) else { return nil }
        return Unmanaged<T>.fromOpaque(raw).takeUnretainedValue()
    }

    /// The object at `index` if it is of class `metatable`, else a bad-argument error that
    /// says what was expected (`a kfold loop`).
    public func object<T: AnyObject>(_ index: Int32, _ metatable: StaticString, as type: T.Type, expected: String) throws -> T {
        guard let o = object(index, metatable, as: type) else { throw argumentError(index, expected) }
        return o
    }

    /// The `__name` of the metatable of the userdata at `index` (without a `moonlab.` prefix).
    public func objectTypeName(_ index: Int32) -> String? {
        guard lua_getmetatable(L, index) != 0 else { return nil }
        defer { pop() }
        getField(-1, "__name")
        defer { pop() }
        guard var name = toString(-1) else { return nil }
        if name.hasPrefix("moonlab.") { name.removeFirst("moonlab.".count) }
        return name
    }

    /// Creates the metatable of a class of Swift objects.
    /// - `methods`: reachable as `obj:name(...)`; also stored as `__methods` for completion.
    /// - `metamethods`: `__add`, `__tostring`, ...; `__gc` is provided.
    /// - `index`: an `__index` function for more than methods (fields, `t[i]`); it sees the
    ///   methods table as upvalue-free lookup through `methodsLookup` if it wants.
    /// - `className`: how messages name the methods (`dataset:split`).
    public func defineClass(_ metatable: StaticString,
                            methods: [(String, LuaFunction)],
                            metamethods: [(String, LuaFunction)] = [],
                            index: LuaFunction? = nil, className: String? = nil) {
        luaL_newmetatable(L, Self.cName(metatable))
        newTable(fieldCount: Int32(methods.count))
        let prefix = className.map { $0 + ":" } ?? ""
        for (name, f) in methods {
            push(function: f, name: prefix + name)
            setField(-2, name)
        }
        pushValue(-1)
        setField(-3, "__methods")
        if let index {
            // Methods answered in C; other keys reach the Swift fallback.
            push(function: index, name: className ?? "index")
            moon_push_indexer(L)
        }
        setField(-2, "__index")
        for (name, f) in metamethods {
            push(function: f, name: name == "__call" ? (className ?? "object") + "(...)" : (className.map { $0 + " " } ?? "") + name)
            setField(-2, name)
        }
        push(Self.releaseHandle)
        setField(-2, "__gc")
        pop()
    }

    /// Creates a class whose methods are documented for `help()`: `help(obj.method)` and
    /// `help(obj)` (with `classDoc`) read the same registry as module functions.
    /// - `fields`: what `index` answers besides methods (`ds.x`), for completion.
    public func defineClass(_ metatable: StaticString, name: String, doc classDoc: String,
                            methods: [LuaMethod],
                            metamethods: [(String, LuaFunction)] = [],
                            index: LuaFunction? = nil, fields: [String] = []) {
        defineClass(metatable, methods: methods.map { ($0.name, $0.body) },
                    metamethods: metamethods, index: index, className: name)
        moon_getmetatable_named(L, Self.cName(metatable))
        newTable(fieldCount: Int32(fields.count))
        for f in fields { push(true); setField(-2, f) }
        setField(-2, "__fields")
        document(-1, name: name, signature: name, text: classDoc)
        getField(-1, "__methods")
        for m in methods {
            getField(-1, m.name)
            document(-1, name: "\(name):\(m.name)", lazy: m.texts)
            pop()
        }
        pop(2)
    }

    /// Gives the table at `index` the class metatable `metatable` (made by `defineClass`):
    /// a plain table that prints, or answers methods, as the class says.
    public func setMetatable(_ index: Int32, named metatable: StaticString) {
        let t = absolute(index)
        moon_getmetatable_named(L, Self.cName(metatable))
        lua_setmetatable(L, t)
    }

    /// Pushes `metatable.__methods[key]` (nil if absent); for `__index` functions.
    public func pushMethod(_ metatable: StaticString, _ key: Int32) {
        moon_getmetatable_named(L, Self.cName(metatable))
        getField(-1, "__methods")
        pushValue(key)
        lua_rawget(L, -2)
        remove(-2)
        remove(-2)
    }

    /// The shared `__gc`: releases the Swift object and clears the slot.
    static let releaseHandle: LuaFunctionHandle = LuaState.register { state in
        if let slot = lua_touserdata(state.L, 1),
           let raw = slot.load(as: UnsafeMutableRawPointer?.self) {
            slot.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
            Unmanaged<AnyObject>.fromOpaque(raw).release()
        }
        return 0
    }

    /// Tells the collector about `bytes` of Swift memory (safe from any thread).
    public static func noteAllocation(bytes: Int) { moon_note_allocation(bytes) }
}

/// A documented method of a class of Swift objects.
public struct LuaMethod {
    public let name: String
    /// The help signature and text, made when first needed (help, the API page).
    public let texts: () -> (signature: String, text: String)
    public let body: LuaFunction
    public init(_ name: String, _ signature: String, _ doc: String, _ body: @escaping LuaFunction) {
        self.name = name; self.texts = { (signature, doc) }; self.body = body
    }
    public init(_ name: String, lazy texts: @escaping () -> (signature: String, text: String), _ body: @escaping LuaFunction) {
        self.name = name; self.texts = texts; self.body = body
    }
    public var signature: String { texts().signature }
    public var doc: String { texts().text }
}
