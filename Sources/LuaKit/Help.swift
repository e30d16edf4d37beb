import Foundation
@preconcurrency import CLua
import CMoonLua

/// The documentation registry: one table, keyed by the documented value (function, module
/// table or class metatable), holding `{name=, signature=, text=}`. `help()` reads it, and so
/// can a generator of API pages (`moonlab.docs()`).
extension LuaState {
    static let docsKey = "moonlab.docs"

    /// A short runnable example per entry name (`tensor.zeros`, `dataset:split`): `help` shows
    /// it after the text, the API page prints it, and a test runs every one.
    nonisolated(unsafe) public static var examples: [String: String] = [:]

    /// Pushes the registry table, creating it on first use.
    func pushDocs() {
        if lua_getfield(L, moon_registryindex(), Self.docsKey) != LUA_TTABLE {
            pop()
            newTable()
            pushValue(-1)
            lua_setfield(L, moon_registryindex(), Self.docsKey)
        }
    }

    /// Registers documentation for the value at `index`.
    public func document(_ index: Int32, name: String, signature: String, text: String) {
        let v = absolute(index)
        pushDocs()
        pushValue(v)
        newTable(fieldCount: 3)
        push(name); setField(-2, "name")
        push(signature); setField(-2, "signature")
        push(text); setField(-2, "text")
        lua_rawset(L, -3)
        pop()
    }

    /// Registers documentation for the value at `index` whose signature and text are made
    /// when first read (help, the API page): building them (option tables' documentation)
    /// costs start-up time every run otherwise. The entry holds `name` at once.
    public func document(_ index: Int32, name: String, lazy texts: @escaping () -> (signature: String, text: String)) {
        let v = absolute(index)
        pushDocs()
        pushValue(v)
        newTable(fieldCount: 2)
        push(name); setField(-2, "name")
        push(LazyDocs.add(texts)); setField(-2, LazyDocs.key)
        LazyDocs.pushMetatable(self)
        lua_setmetatable(L, -2)
        lua_rawset(L, -3)
        pop()
    }

    /// Registers documentation for the class with metatable `metatable` (its objects' help).
    public func documentClass(_ metatable: StaticString, name: String, text: String) {
        moon_getmetatable_named(L, Self.cName(metatable))
        document(-1, name: name, signature: name, text: text)
        pop()
    }

    /// The help text for the value at `index`, or nil when it has none.
    public func helpText(_ index: Int32) -> String? {
        let v = absolute(index)
        pushDocs()
        let docs = top
        defer { pop() }
        pushValue(v)
        if lua_rawget(L, -2) != LUA_TTABLE {
            pop()
            // An object: its class documents it.
            guard lua_getmetatable(L, v) != 0 else { return nil }
            if lua_rawget(L, -2) != LUA_TTABLE { pop(); return nil }
        }
        defer { pop() }
        getField(-1, "signature"); let sig = toString(-1) ?? ""; pop()
        getField(-1, "text"); let text = toString(-1) ?? ""; pop()
        getField(-1, "name"); let name = toString(-1) ?? ""; pop()
        var out = sig + "\n" + String(repeating: "-", count: min(sig.count, 72)) + "\n" + text
        if let example = Self.examples[name] {
            out += "\n\nExample:\n" + example.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
        }
        if type(v) == .userdata, lua_getmetatable(L, v) != 0 {
            // An object: its class's methods.
            getField(-1, "__methods")
            if type(-1) == .table, let methods = signatureList(-1, docs: docs) { out += "\n\nMethods:\n" + methods }
            pop(2)
        }
        if type(v) == .table, let contents = signatureList(v, docs: docs) {
            // A module: what it holds.
            out += "\n\nContents:\n" + contents
        }
        return out
    }

    /// Replaces the value on top of the stack by its field `name` without running Lua code
    /// (so no error can unwind Swift): a table's own field, else one of its metatable's
    /// `__index` table; an object's method from its class's `__methods`; nil otherwise.
    func replaceWithField(_ name: String) {
        let v = top
        var found = false
        if type(v) == .table {
            push(name)
            if lua_rawget(L, v) != LUA_TNIL { found = true } else { pop() }
        }
        if !found, lua_getmetatable(L, v) != 0 {
            for key in ["__methods", "__index"] where !found {
                push(key)
                if lua_rawget(L, -2) == LUA_TTABLE {
                    push(name)
                    if lua_rawget(L, -2) != LUA_TNIL { remove(-2); found = true } else { pop(2) }
                } else { pop() }
            }
            if found { remove(-2) } else { pop() }
        }
        if !found { pushNil() }
        remove(v)
    }

    /// The string keys of the table at `index`, sorted, one a line: the documented ones as
    /// their signature; nil when it has none.
    func signatureList(_ index: Int32, docs: Int32) -> String? {
        let t = absolute(index)
        var lines: [(String, String)] = []
        forEachPair(t) {
            guard type(-2) == .string, let key = toString(-2) else { return }
            pushValue(-1)
            lua_rawget(L, docs)
            var line = ""
            if type(-1) == .table { getField(-1, "signature"); line = toString(-1) ?? ""; pop() }
            pop()
            lines.append((key, line))
        }
        guard !lines.isEmpty else { return nil }
        return lines.sorted { $0.0 < $1.0 }.map { "  " + ($0.1.isEmpty ? $0.0 : $0.1) + "\n" }.joined()
    }

    /// `help "word"` for a word that names nothing: the entries whose name or text mention it
    /// (case-insensitive), names first, each with its signature and first sentence.
    public static func search(_ word: String, in entries: [DocEntry], limit: Int = 40) -> String {
        let w = word.lowercased()
        let inName = entries.filter { $0.name.lowercased().contains(w) }
        let inText = entries.filter { !$0.name.lowercased().contains(w) && ($0.text.lowercased().contains(w) || $0.signature.lowercased().contains(w)) }
        let found = inName + inText
        guard !found.isEmpty else { return "no documentation mentions \"\(word)\"" }
        var out = "\(found.count) entr\(found.count == 1 ? "y mentions" : "ies mention") \"\(word)\"\(found.count > limit ? " (the first \(limit))" : ""):\n"
        for e in found.prefix(limit) {
            var sentence = e.text.split(separator: "\n").first.map(String.init) ?? ""
            // The first sentence: up to a full stop that a capital letter follows ("et al. 2019" goes on).
            var search = sentence.startIndex
            while let dot = sentence.range(of: ". ", range: search..<sentence.endIndex) {
                if sentence[dot.upperBound...].first?.isUppercase == true {
                    sentence = String(sentence[..<dot.lowerBound]) + "."
                    break
                }
                search = dot.upperBound
            }
            if sentence.count > 90 { sentence = String(sentence.prefix(87)) + "..." }
            out += "  \(e.signature)\n      \(sentence)\n"
        }
        return out
    }

    /// Every registered entry (functions, modules, classes, methods), sorted by name.
    public func documentation() -> [DocEntry] {
        pushDocs()
        var entries: [DocEntry] = []
        forEachPair(-1) {
            guard type(-1) == .table else { return }
            getField(-1, "name"); let name = toString(-1) ?? ""; pop()
            getField(-1, "signature"); let sig = toString(-1) ?? ""; pop()
            getField(-1, "text"); let text = toString(-1) ?? ""; pop()
            // A class's metatable has a __name (luaL_newmetatable's); a module table has none.
            pushValue(-2)
            var isClass = false
            if type(-1) == .table { isClass = getField(-1, "__name") == .string; pop() }
            pop()
            entries.append(DocEntry(name: name, signature: sig, text: text, isTable: type(-2) == .table,
                                    example: Self.examples[name], isClass: isClass))
        }
        pop()
        // By name, then text: a module and a class may share a name (`tensor`).
        return entries.sorted { ($0.name, $0.text) < ($1.name, $1.text) }
    }

    /// Installs `help(x)` and `moonlab.docs()` (every entry, for generated API pages).
    public func installHelp() {
        push(function: { state in
            if state.type(1) == .none {
                state.getGlobal("print")
                state.push("""
                help(x) shows the documentation of a function, module or object.
                Modules: moonlab tensor nn optim data aug metrics analysis tune plot
                Try: help(tensor), help(tensor.zeros); Tab completes names; Ctrl-D exits.
                """)
                try state.call(nargs: 1, nresults: 0)
                return 0
            }
            if state.type(1) == .string, let name = state.toString(1) {
                // help "tensor.zeros": resolve the dotted name from the globals.
                var found = false
                state.pushGlobalTable()
                for part in name.split(separator: ".") {
                    state.replaceWithField(String(part))
                }
                found = !state.isNoneOrNil(-1)
                if found { state.replace(1) } else {
                    state.pop()
                    // Not a name: search the documentation for the word.
                    try state.show(LuaState.search(name, in: state.documentation()))
                    return 0
                }
            }
            let text = state.helpText(1) ?? "no documentation for \(state.describe(1))"
            try state.show(text)
            return 0
        })
        document(-1, name: "help", signature: "help(x)", text: """
            Prints the documentation of a function, module or object (an object's lists its \
            methods); help "word" searches every entry's name and text; help() lists the modules.
            """)
        setGlobal("help")
    }

    /// The columns help wraps its text to (a terminal's width; nil: lines are left whole).
    nonisolated(unsafe) public static var displayColumns: Int?
    /// Shows long text a screen at a time (the REPL's pager); false when the text was not
    /// paged (too short, or no pager), so it is printed.
    nonisolated(unsafe) public static var pager: ((String) -> Bool)?

    /// Prints help text through Lua's `print` (so it goes where the script's output goes),
    /// wrapped to the display's width, through the pager when it is long.
    func show(_ text: String) throws {
        let wrapped = Self.displayColumns.map { Self.wrap(text, columns: $0) } ?? text
        if let pager = Self.pager, pager(wrapped) { return }
        try printText(wrapped)
    }

    /// Calls Lua's `print` with `text`, so it goes where the script's output goes.
    public func printText(_ text: String) throws {
        getGlobal("print")
        push(text)
        try call(nargs: 1, nresults: 0)
    }

    /// `text` with every line longer than `columns` broken at spaces, continuation lines
    /// keeping the line's indentation; a word longer than a line stays whole.
    public static func wrap(_ text: String, columns: Int) -> String {
        let width = max(columns - 1, 20)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.count > width else { return String(line) }
            let indent = String(line.prefix { $0 == " " })
            var out: [String] = [], current = ""
            for word in line.dropFirst(indent.count).split(separator: " ") {
                if !current.isEmpty && current.count + 1 + word.count > width {
                    out.append(current)
                    current = indent + word
                } else {
                    current = current.isEmpty ? indent + word : current + " " + word
                }
            }
            return (out + [current]).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    public func pushGlobalTable() { moon_pushglobaltable(L) }
    public func replace(_ index: Int32) { moon_replace(L, index) }
}

/// One entry of the documentation registry.
public struct DocEntry: Sendable {
    /// As users write it: `tensor.zeros`, `nn.init`, `Model:fit`.
    public let name: String
    public let signature: String
    public let text: String
    /// A module table or a class (its metatable), rather than a function.
    public let isTable: Bool
    /// A short runnable example (`LuaState.examples`), when the entry has one.
    public var example: String? = nil
    /// The class of some objects (its metatable), rather than a module table.
    public var isClass = false
}

/// Documentation texts made on first read: providers by id, and the metatable whose
/// `__index` fills an entry's `signature` and `text` from its provider.
enum LazyDocs {
    static let key = "lazy_docs"
    private static let lock = NSLock()
    nonisolated(unsafe) private static var providers: [() -> (signature: String, text: String)] = []

    static func add(_ texts: @escaping () -> (signature: String, text: String)) -> Int {
        lock.lock(); defer { lock.unlock() }
        providers.append(texts)
        return providers.count - 1
    }

    static func texts(_ id: Int) -> (signature: String, text: String)? {
        lock.lock()
        let provider = id >= 0 && id < providers.count ? providers[id] : nil
        lock.unlock()
        return provider?()
    }

    /// `__index(entry, key)`: makes the texts once, stores them in the entry, answers `key`.
    static let index: LuaFunctionHandle = LuaState.register({ L in
        guard L.type(2) == .string, let key = L.toString(2), key == "signature" || key == "text" else { L.pushNil(); return 1 }
        L.push(LazyDocs.key)
        L.rawGetTop(1)
        let id = L.toInteger(-1)
        L.pop()
        guard let id, let (signature, text) = texts(id) else { L.pushNil(); return 1 }
        L.push(signature); L.setField(1, "signature")
        L.push(text); L.setField(1, "text")
        L.push(key == "signature" ? signature : text)
        return 1
    }, name: "help")

    /// Pushes the shared metatable of lazy entries.
    static func pushMetatable(_ L: LuaState) {
        if luaL_newmetatable(L.L, "moonlab.lazy_docs") != 0 {
            L.push(index)
            L.setField(-2, "__index")
        }
    }
}
