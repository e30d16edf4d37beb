import Testing
@testable import LuaKit
import MoonBase

/// A Swift object whose live count shows whether Lua's collector released it.
final class Probe {
    nonisolated(unsafe) static var live = 0
    let value: Int
    init(_ v: Int) { value = v; Probe.live += 1 }
    deinit { Probe.live -= 1 }
}

private let probeMeta: StaticString = "moonlab.probe"

private func makeInterpreter() throws -> Interpreter {
    let interp = try Interpreter()
    let L = interp.state
    L.defineClass(probeMeta, methods: [
        ("value", { L in
            guard let p = L.object(1, probeMeta, as: Probe.self) else { throw L.argumentError(1, "a probe") }
            L.push(p.value); return 1 }),
        ("plus", { L in
            guard let p = L.object(1, probeMeta, as: Probe.self) else { throw L.argumentError(1, "a probe") }
            L.push(p.value + (try L.integer(2))); return 1 }),
    ], metamethods: [
        ("__tostring", { L in L.push("probe"); return 1 }),
    ])
    L.defineModule("kit", doc: "Test module.") { m in
        m.function("probe", "kit.probe(n)", "Makes a probe.") { L in
            let n = try L.integer(1)
            L.push(object: Probe(n), metatable: probeMeta)
            return 1
        }
        m.function("fail", "kit.fail(msg)", "Always fails.") { L in
            // A Swift object alive on this frame when the error is thrown must be released.
            let p = Probe(0)
            _ = p
            throw L.fail((try? L.string(1)) ?? "?")
        }
        m.function("call", "kit.call(f)", "Calls f, then fails naming itself.") { L in
            try L.call(nargs: 0, nresults: 0)   // f alone on the stack: it may call kit functions
            throw L.fail("after the call")
        }
        m.function("engine", "kit.engine(op)", "Fails as the engine does, with or without an operation.") { L in
            let op = try L.string(1)
            return try L.named {
                throw op.isEmpty ? MoonError("no operation named") : MoonError(in: op, "bad shape")
            }
        }
        m.function("opts", "kit.opts{...}", "Reads options.") { L in
            try L.checkOptionKeys(1, ["rate", "name"])
            L.push(try L.optionNumber(1, "rate") ?? -1)
            return 1
        }
    }
    return interp
}

@Suite(.serialized) struct LuaKitTests {
    @Test func swiftErrorsBecomeLuaErrorsWithPosition() throws {
        let interp = try makeInterpreter()
        try interp.runString("""
            local ok, msg = pcall(kit.fail, "boom")
            assert(not ok)
            assert(msg == "[string \\"chunk\\"]:1: kit.fail: boom" or msg:find("kit.fail: boom", 1, true), msg)
            """, name: "chunk")
    }

    @Test func errorsNameTheRunningFunctionWithoutBeingTold() throws {
        let interp = try makeInterpreter()
        try interp.runString("""
            -- A function that called back into Lua (which ran and failed another Swift
            -- function) still knows its own name afterwards.
            local ok, msg = pcall(kit.call, function() pcall(kit.fail, "inner") end)
            assert(msg:find("kit.call: after the call", 1, true), msg)
            -- The engine's name for an operation gives way to the one users called.
            ok, msg = pcall(kit.engine, "indexSelect")
            assert(msg:find("kit.engine: bad shape", 1, true) and not msg:find("indexSelect"), msg)
            ok, msg = pcall(kit.engine, "")
            assert(msg:find("kit.engine: no operation named", 1, true), msg)
            -- A method is named with its class when the class is given one (here it is not).
            ok, msg = pcall(function() return kit.probe(1):plus({}) end)
            assert(msg:find("bad argument #1 to 'plus'", 1, true), msg)
            """)
    }

    @Test func helpWrapsLongLinesAtSpacesKeepingTheirIndent() {
        let text = "short\n  a b c d e f g h i j k l m n o p q r s t u v w x y z\nunbreakablewordlongerthanthewidthofthescreen"
        #expect(LuaState.wrap(text, columns: 21) == """
            short
              a b c d e f g h i
              j k l m n o p q r
              s t u v w x y z
            unbreakablewordlongerthanthewidthofthescreen
            """)
    }

    @Test func throwingCallsDoNotLeakSwiftObjects() throws {
        let before = Probe.live
        let interp = try makeInterpreter()
        try interp.runString("for i = 1, 20000 do pcall(kit.fail, 'x') end")
        #expect(Probe.live == before)
    }

    @Test func userdataIsReleasedByTheCollector() throws {
        let before = Probe.live
        let interp = try makeInterpreter()
        try interp.runString("""
            for i = 1, 10000 do local p = kit.probe(i); assert(p:value() == i) end
            collectgarbage(); collectgarbage()
            keep = kit.probe(7)
            """)
        #expect(Probe.live == before + 1)
        try interp.runString("keep = nil; collectgarbage(); collectgarbage()")
        #expect(Probe.live == before)
    }

    @Test func argumentErrorsNameTheCallAndValue() throws {
        let interp = try makeInterpreter()
        try interp.runString("""
            -- Called through pcall, the name is where the function lives.
            local ok, msg = pcall(kit.probe, "seven")
            assert(msg:find([[bad argument #1 to 'kit.probe' (an integer expected, got string "seven")]], 1, true), msg)
            -- Called by name, the name it was called by, as Lua's own functions report it.
            ok, msg = pcall(function() return kit.probe(1.5) end)
            assert(msg:find("bad argument #1 to 'probe' (an integer expected, got number 1.5)", 1, true), msg)
            -- A method's arguments are counted without self; a bad self says so.
            local p = kit.probe(1)
            assert(p:plus(2) == 3)
            ok, msg = pcall(function() return p:plus("two") end)
            assert(msg:find([[bad argument #1 to 'plus' (an integer expected, got string "two")]], 1, true), msg)
            ok, msg = pcall(function() return p.plus(42, 1) end)
            assert(msg:find("bad argument #1 to 'plus' (a probe expected, got number 42)", 1, true), msg)
            local q = setmetatable({}, {__index = {plus = p.plus}})
            ok, msg = pcall(function() return q:plus(1) end)
            assert(msg:find("calling 'plus' on bad self (a probe expected, got table)", 1, true), msg)
            ok, msg = pcall(kit.opts, {rate="fast"})
            assert(msg:find("option 'rate' must be a number, got string", 1, true), msg)
            ok, msg = pcall(kit.opts, {rat=1})
            assert(msg:find("unknown option 'rat' (did you mean 'rate'?)", 1, true), msg)
            ok, msg = pcall(kit.opts, {speed=1})
            assert(msg:find("unknown option speed (valid: name, rate)", 1, true), msg)
            assert(kit.opts{rate=0.5} == 0.5)
            """)
    }

    @Test func helpReadsTheRegistry() throws {
        let interp = try makeInterpreter()
        let L = interp.state
        L.getGlobal("kit"); L.getField(-1, "probe")
        #expect(L.helpText(-1)?.contains("kit.probe(n)") == true)
        #expect(L.helpText(-1)?.contains("Makes a probe.") == true)
        L.pop(2)
        L.getGlobal("kit")
        let moduleHelp = L.helpText(-1) ?? ""
        #expect(moduleHelp.contains("Test module."))
        #expect(moduleHelp.contains("kit.fail(msg)"))
        L.pop()
        L.getGlobal("print")
        #expect(L.helpText(-1) == nil)
        L.pop()
    }

    @Test func requireFindsModulesByMoonlabName() throws {
        let interp = try makeInterpreter()
        try interp.runString("assert(require('moonlab.kit') == kit)")
    }

    @Test func callbackErrorsSurfaceAsThrownErrors() throws {
        let interp = try makeInterpreter()
        let L = interp.state
        try interp.runString("function bad() error('inside callback') end")
        L.getGlobal("bad")
        #expect(throws: LuaError.self) { try L.call(nargs: 0, nresults: 0) }
        #expect(L.top == 0)
    }

    @Test func binaryChunksAreRefused() throws {
        let interp = try makeInterpreter()
        #expect(throws: LuaError.self) { try interp.load([0x1B, 0x4C, 0x75, 0x61, 0x54], name: "=bin") }
    }
}
