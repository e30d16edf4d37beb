import Testing
import LuaKit
@testable import MoonCLI

@Suite struct ChunkTests {
    func compile(_ source: String) throws -> ChunkCompiler.Result {
        let interpreter = try Interpreter()
        return ChunkCompiler(interpreter: interpreter).compile(source)
    }

    @Test func expressionsAreReturned() throws {
        #expect(try compile("1 + 1") == .ready(isExpression: true))
        #expect(try compile("=1 + 1") == .ready(isExpression: true))
        #expect(try compile("print('x')") == .ready(isExpression: true))
    }

    @Test func statementsRunAsTheyAre() throws {
        #expect(try compile("x = 1") == .ready(isExpression: false))
        #expect(try compile("local t = {}") == .ready(isExpression: false))
    }

    @Test func unfinishedChunksAskForMore() throws {
        #expect(try compile("for i = 1, 3 do") == .incomplete("stdin:1: 'end' expected near <eof>"))
        #expect(try compile("x = {") != .ready(isExpression: false))
        if case .incomplete = try compile("s = [[long") {} else { Issue.record("a long string is incomplete") }
        if case .incomplete = try compile("f(") {} else { Issue.record("an open call is incomplete") }
        #expect(try compile("for i = 1, 3 do\nprint(i)\nend") == .ready(isExpression: false))
    }

    @Test func syntaxErrorsAreReported() throws {
        #expect(try compile("x = = 1") == .syntaxError("stdin:1: unexpected symbol near '='"))
        #expect(try compile("'unfinished\nx") == .syntaxError("stdin:1: unfinished string near ''unfinished'"))
    }
}
