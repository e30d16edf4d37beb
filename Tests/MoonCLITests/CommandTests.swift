import Foundation
import Testing

/// The `moonlab` command run as a process: options, exit status, error messages.
@Suite struct CommandTests {
    @Test func versionPrintsTheVersion() throws {
        let r = try MoonlabBinary.run(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout == "moonlab 0.1.0 (Lua 5.4)\n")
    }

    @Test func helpPrintsUsage() throws {
        let r = try MoonlabBinary.run(["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("usage: moonlab [options] [script [args]]"))
    }

    @Test func executeChunksRunInOrder() throws {
        let r = try MoonlabBinary.run(["-e", "x = 2", "-e", "x = x + 1", "-e", "print(x, moonlab.version)"])
        #expect(r.status == 0)
        #expect(r.stdout == "3\t0.1.0\n")
        #expect(r.stderr == "")
    }

    @Test func scriptFromStandardInput() throws {
        let r = try MoonlabBinary.run(["-", "x"], stdin: "print('from stdin', ...)\n")
        #expect(r.status == 0)
        #expect(r.stdout == "from stdin\tx\n")
    }

    @Test func runtimeErrorGivesLocationAndTraceback() throws {
        let r = try MoonlabBinary.run(["-e", "local t = nil\nprint(t.x)"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("moonlab: (command line):2: attempt to index a nil value (local 't')\nstack traceback:\n"))
    }

    @Test func missingScript() throws {
        let r = try MoonlabBinary.run(["missing.lua"])
        #expect(r.status == 1)
        #expect(r.stderr == "moonlab: cannot open missing.lua: no such file\n")
    }

    @Test func syntaxErrorInScript() throws {
        let file = try temporaryFile("syntax.lua", "print('a')\nlocal = 3\n")
        let r = try MoonlabBinary.run([file])
        #expect(r.status == 1)
        #expect(r.stderr == "moonlab: \(file):2: <name> expected near '='\n")
    }

    @Test func runtimeErrorInRequiredModule() throws {
        let r = try MoonlabBinary.run(["Tests/lua/fixtures/scriptdir/fails_in_module.lua"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("broken_module.lua:3: attempt to index a nil value (field 'missing')"))
        #expect(r.stderr.contains("stack traceback:"))
    }

    @Test(arguments: ["/bin/sh", "/usr/bin/env"]) func binaryFileAsScript(path: String) throws {
        let r = try MoonlabBinary.run([path])
        #expect(r.status == 1)
        #expect(r.reason == .exit)
        #expect(r.stderr == "moonlab: cannot run \(path): it is a binary file, not a Lua script\n")
    }

    @Test(arguments: [
        "local ok, e = xpcall(error, error); error(e)",
        "error(setmetatable({}, {__tostring = function() error('no') end}))",
        "error(setmetatable({}, {__tostring = function() return {} end}))",
        "error({1, 2, 3})",
        "error()",
        "xpcall(function() error('x') end, function(m) error(m .. ' again') end); error('after')",
    ]) func errorsInErrorHandlingNeverCrash(chunk: String) throws {
        let r = try MoonlabBinary.run(["-e", chunk])
        #expect(r.reason == .exit)
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("moonlab: "))
    }

    @Test func unknownOption() throws {
        let r = try MoonlabBinary.run(["-x"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("moonlab: unrecognized option '-x'\nusage:"))
    }

    @Test func pipedInputPrintsValuesWithoutPromptsOrEscapes() throws {
        let r = try MoonlabBinary.run([], stdin: "1+1\n'text'\nt = {1, 2, n = {x = true}}\nt\n=#t\n")
        #expect(r.status == 0)
        #expect(r.stdout == "2\n\"text\"\n{1, 2, n = {x = true}}\n2\n")
        #expect(!r.stdout.contains("\u{1B}"))
        #expect(!r.stdout.contains("> "))
    }

    @Test func semicolonSilencesAndUnderscoreHoldsTheLastResult() throws {
        let r = try MoonlabBinary.run([], stdin: "x = 6 * 7;\n6 * 7;\n_ + 1\n'a', 'b'\n_\n")
        #expect(r.status == 0)
        #expect(r.stdout == "43\n\"a\"\t\"b\"\n\"a\"\n")
    }

    @Test func questionMarkShowsHelpOrSearches() throws {
        let r = try MoonlabBinary.run([], stdin: "?moonlab.seed\nt = tensor.zeros{2}\n?t:sum\n?cka\n")
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("moonlab.seed(n)\n"))
        #expect(r.stdout.contains("t:sum([dim[, keepdim]])\n"))
        #expect(r.stdout.contains("mention \"cka\":\n  analysis.cka(acts_a, acts_b)"))
    }

    @Test func pipedInputReportsErrorsAndExitsOne() throws {
        let r = try MoonlabBinary.run([], stdin: "nosuch()\nprint('still running')\n")
        #expect(r.status == 1)
        #expect(r.stdout == "still running\n")
        #expect(r.stderr.hasPrefix("moonlab: stdin:1: attempt to call a nil value (global 'nosuch')"))
    }

    @Test func interactiveFlagRunsScriptThenReadsInput() throws {
        let file = try temporaryFile("setup.lua", "greeting = 'hello'\n")
        let r = try MoonlabBinary.run(["-i", file], stdin: "greeting\n")
        #expect(r.status == 0)
        #expect(r.stdout == "\"hello\"\n")
    }

    @Test func lastLineWithoutNewline() throws {
        let r = try MoonlabBinary.run([], stdin: "print('a')\n40 + 2")
        #expect(r.stdout == "a\n42\n")
    }

    func temporaryFile(_ name: String, _ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("moonlab-tests-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
