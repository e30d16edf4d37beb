import Foundation
import Testing
@testable import LuaKit
import MoonBindings

@Suite struct CompletionTests {
    /// An interpreter with moonlab's modules and its completer; the completer reads the
    /// interpreter's state, so the test keeps both.
    struct Fixture {
        let interpreter: Interpreter
        var state: LuaState { interpreter.state }
        func candidates(for word: String) -> [String] { Completer(state: interpreter.state).candidates(for: word) }
    }

    func completer(_ setup: String = "") throws -> Fixture {
        let interpreter = try Interpreter()
        Moonlab.install(into: interpreter)
        if !setup.isEmpty { try interpreter.runString(setup) }
        return Fixture(interpreter: interpreter)
    }

    @Test func globalsAndKeywords() throws {
        let c = try completer()
        #expect(c.candidates(for: "tens") == ["tensor"])
        #expect(c.candidates(for: "whi") == ["while"])
        #expect(c.candidates(for: "pr") == ["print"])
        #expect(c.candidates(for: "lo").contains("local"))
        #expect(c.candidates(for: "lo").contains("load"))
        #expect(c.state.top == 0)
    }

    @Test func fieldsAfterDot() throws {
        let c = try completer()
        #expect(c.candidates(for: "string.fo") == ["string.format"])
        #expect(c.candidates(for: "moonlab.s") == ["moonlab.seed"])
        #expect(c.candidates(for: "math.pi") == ["math.pi"])
        #expect(c.candidates(for: "nosuch.x") == [])
        #expect(c.state.top == 0)
    }

    @Test func methodsAfterColonOnTablesAndStrings() throws {
        let c = try completer("""
            Account = {}; Account.__index = Account
            function Account.deposit(self, n) end
            function Account.withdraw(self, n) end
            acct = setmetatable({balance = 0}, Account)
            s = "text"
            """)
        #expect(c.candidates(for: "acct:") == ["acct:deposit", "acct:withdraw"])
        #expect(c.candidates(for: "acct.") == ["acct.__index", "acct.balance", "acct.deposit", "acct.withdraw"])
        #expect(c.candidates(for: "s:up") == ["s:upper"])
        #expect(c.state.top == 0)
    }

    @Test func methodsOfUserdataThroughMethodsTable() throws {
        let c = try completer()
        final class Counter { var n = 0 }
        c.state.defineClass("moonlab.TestCounter", methods: [
            ("increment", { _ in 0 }), ("reset", { _ in 0 }),
        ], index: { _ in 0 })
        c.state.push(object: Counter(), metatable: "moonlab.TestCounter")
        c.state.setGlobal("counter")
        #expect(c.candidates(for: "counter:") == ["counter:increment", "counter:reset"])
        #expect(c.candidates(for: "counter:re") == ["counter:reset"])
    }

    @Test func fieldsAnObjectsClassDeclares() throws {
        let c = try completer()
        final class Sample {}
        c.state.defineClass("moonlab.TestSample", name: "sample", doc: "A sample.", methods: [
            LuaMethod("show", "s:show()", "Shows it.") { _ in 0 },
        ], index: { _ in 0 }, fields: ["x", "y", "class_names"])
        c.state.push(object: Sample(), metatable: "moonlab.TestSample")
        c.state.setGlobal("s")
        #expect(c.candidates(for: "s.") == ["s.class_names", "s.show", "s.x", "s.y"])
        #expect(c.candidates(for: "s:") == ["s:show"])
    }

    @Test func fieldsThroughIndexChains() throws {
        let c = try completer("""
            Base = {hello = function() end}
            Derived = setmetatable({bye = function() end}, {__index = Base})
            obj = setmetatable({}, {__index = Derived})
            """)
        #expect(c.candidates(for: "obj:") == ["obj:bye", "obj:hello"])
        #expect(c.candidates(for: "Derived.he") == ["Derived.hello"])
    }

    @Test func completionRunsNoLuaCode() throws {
        let c = try completer("""
            trap = setmetatable({}, {__index = function() error('ran') end})
            """)
        #expect(c.candidates(for: "trap.x") == [])
        #expect(c.candidates(for: "trap.") == [])
    }

    @Test func insideAStringFileNamesAreCompleted() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("moonlab-complete-\(getpid())")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("runs"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["results.csv", "readme.md", ".hidden"] {
            FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: Data())
        }
        let inside = "data.csv(\"" + folder.path + "/"
        #expect(Completer.fileCandidates(line: inside, word: "r") == ["readme.md", "results.csv", "runs/"])
        #expect(Completer.fileCandidates(line: inside, word: "re") == ["readme.md", "results.csv"])
        #expect(Completer.fileCandidates(line: inside, word: ".") == [".hidden"])
        #expect(Completer.fileCandidates(line: "x = 'it\\'s " + folder.path + "/", word: "ru") == [])   // not at a path's start
        #expect(Completer.fileCandidates(line: "x = \"done\" .. ", word: "tens") == nil)         // outside: names
        #expect(Completer.fileCandidates(line: "print(", word: "tens") == nil)
    }
}
