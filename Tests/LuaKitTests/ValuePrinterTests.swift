import Testing
@testable import LuaKit

/// How the REPL prints values: evaluates `expression` and formats its first value.
func printed(_ expression: String, setup: String = "", width: Int = 80, maxItems: Int = 40) throws -> String {
    let interpreter = try Interpreter()
    if !setup.isEmpty { try interpreter.runString(setup) }
    try interpreter.load(Array("return \(expression)".utf8), name: "=test")
    try interpreter.state.call(nargs: 0, nresults: 1)
    var printer = ValuePrinter(state: interpreter.state)
    printer.width = width
    printer.maxItems = maxItems
    return printer.format(-1)
}

@Suite struct ValuePrinterTests {
    @Test func scalars() throws {
        #expect(try printed("nil") == "nil")
        #expect(try printed("true") == "true")
        #expect(try printed("42") == "42")
        #expect(try printed("1.5") == "1.5")
        #expect(try printed("2^63") == "9.2233720368548e+18")
        #expect(try printed("1/0") == "inf")
    }

    @Test func stringsAreQuotedAndEscaped() throws {
        #expect(try printed("'hi'") == "\"hi\"")
        #expect(try printed(#"'a"b\\c\n\t'"#) == #""a\"b\\c\n\t""#)
        #expect(try printed("'héllo ✓'") == "\"héllo ✓\"")
        #expect(try printed(#"'\0' .. '1'"#) == #""\0001""#)
        #expect(try printed(#"'\255x'"#) == #""\255x""#)
        #expect(try printed(#"'\27[31m'"#) == #""\27[31m""#)
    }

    @Test func tablesNestedOnOneLine() throws {
        #expect(try printed("{}") == "{}")
        #expect(try printed("{1, 2, 3}") == "{1, 2, 3}")
        #expect(try printed("{b = 2, a = 1, 'x', [10] = true}") == "{\"x\", [10] = true, a = 1, b = 2}")
        #expect(try printed("{['not a name'] = 1, ['end'] = 2}") == "{[\"end\"] = 2, [\"not a name\"] = 1}")
        #expect(try printed("{{1, {2}}, {}}") == "{{1, {2}}, {}}")
    }

    @Test func longTablesIndentAndShorten() throws {
        let text = try printed("{name = 'a fairly long name', values = {1, 2, 3}, nested = {deeper = {x = 'some more text here'}}}")
        #expect(text == """
            {
              name = "a fairly long name",
              nested = {deeper = {x = "some more text here"}},
              values = {1, 2, 3},
            }
            """)
        let long = try printed("(function() local t = {} for i = 1, 100 do t[i] = i end return t end)()", maxItems: 10)
        #expect(long == "{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... (90 more)}")
    }

    @Test func cyclesAreShown() throws {
        #expect(try printed("t", setup: "t = {1}; t.self = t") == "{1, self = <cycle>}")
        // A table seen twice without a cycle prints twice.
        #expect(try printed("{s, s}", setup: "s = {1}") == "{{1}, {1}}")
    }

    @Test func deepNestingIsCut() throws {
        #expect(try printed("{{{{{{{1}}}}}}}") == "{{{{{{...}}}}}}")
    }

    @Test func objectsPrintThroughTostring() throws {
        #expect(try printed("setmetatable({}, {__tostring = function() return 'Point(1, 2)' end})") == "Point(1, 2)")
        #expect(try printed("{setmetatable({}, {__tostring = function() return 'P' end})}") == "{P}")
        let failing = try printed("setmetatable({}, {__tostring = function() error('nope', 0) end})")
        #expect(failing == "<table: __tostring failed: nope>")
        #expect(try printed("print").hasPrefix("function: "))
    }

    @Test func multiLineObjectsIndentInsideTables() throws {
        let text = try printed("{a = obj, b = obj}", setup: "obj = setmetatable({}, {__tostring = function() return 'line one\\nline two' end})")
        #expect(text == "{\n  a = line one\n    line two,\n  b = line one\n    line two,\n}")
    }

    @Test func replacedTostringDoesNotChangePrinting() throws {
        let interpreter = try Interpreter()
        ValuePrinter.keepStandardToString(interpreter.state)
        try interpreter.runString("tostring = function() return 'hijacked' end")
        try interpreter.load(Array("return setmetatable({}, {__tostring = function() return 'ok' end})".utf8), name: "=t")
        try interpreter.state.call(nargs: 0, nresults: 1)
        #expect(ValuePrinter(state: interpreter.state).format(-1) == "ok")
    }
}
