import Testing
@testable import MoonCLI

@Suite struct OptionsTests {
    @Test func scriptAndArguments() throws {
        let o = try Options.parse(["moonlab", "run.lua", "-e", "x"])
        #expect(o.scriptIndex == 1)
        #expect(o.script == "run.lua")
        #expect(o.actions.isEmpty)
    }

    @Test func optionsInOrder() throws {
        let o = try Options.parse(["moonlab", "-e", "a", "-eb", "-l", "m", "-lg=mod", "-i", "-v", "-W", "s.lua"])
        #expect(o.actions == [.execute("a"), .execute("b"), .require(global: "m", module: "m"), .require(global: "g", module: "mod")])
        #expect(o.interactive && o.showVersion && o.warnings)
        #expect(o.scriptIndex == 10)
    }

    @Test func standardInputAndDoubleDash() throws {
        #expect(try Options.parse(["moonlab", "-", "a"]).script == "-")
        #expect(try Options.parse(["moonlab", "--", "-e"]).script == "-e")
        #expect(try Options.parse(["moonlab"]).readsStandardInput)
        #expect(try !Options.parse(["moonlab", "-e", "x"]).readsStandardInput)
    }

    @Test func mistakes() {
        #expect(throws: UsageError.self) { try Options.parse(["moonlab", "-q"]) }
        #expect(throws: UsageError.self) { try Options.parse(["moonlab", "-e"]) }
    }

    @Test func folderOfScript() {
        #expect(Session.folder(of: "a.lua") == nil)
        #expect(Session.folder(of: "lib/a.lua") == "lib")
        #expect(Session.folder(of: "/a.lua") == "/")
    }
}
