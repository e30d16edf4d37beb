-- The moonlab command: options, arg, exit status and error messages.
local T = require "moontest"
local cli = require "cli_support"
local describe, it, expect = T.describe, T.it, T.expect
local run, here = cli.run, cli.here()
local fixtures = here .. "/fixtures/scriptdir/"

describe("options", function()
  it("--version prints the version", function()
    local out, _, code = run{"--version"}
    expect(code):to_be(0)
    expect(out):to_be("moonlab " .. moonlab.version .. " (Lua 5.4)\n")
  end)

  it("--help prints usage", function()
    local out, _, code = run{"--help"}
    expect(code):to_be(0)
    expect(out):to_contain("usage: moonlab [options] [script [args]]")
  end)

  it("-e chunks run in order", function()
    local out, _, code = run{"-e", "x = 1", "-e", "x = x * 10", "-e", "print(x)"}
    expect(code):to_be(0)
    expect(out):to_be("10\n")
  end)

  it("-l requires a module into a global", function()
    local out, _, code = run{"-l", "mt=moontest", "-e", "print(type(mt.expect))"}
    expect(code):to_be(0)
    expect(out):to_be("function\n")
  end)

  it("an unknown option is an error with usage", function()
    local _, err, code = run{"--frobnicate"}
    expect(code):to_be(1)
    expect(err):to_contain("unrecognized option '--frobnicate'")
    expect(err):to_contain("usage:")
  end)

  it("- runs a script from standard input with arguments", function()
    local out, _, code = run({"-", "a", "b"}, {stdin = "print(select('#', ...), ...)\nprint(arg[0])"})
    expect(code):to_be(0)
    expect(out):to_be("2\ta\tb\n-\n")
  end)

  it("-v prints the version and goes on", function()
    local out, _, code = run{"-v", "-e", "print 'after'"}
    expect(code):to_be(0)
    expect(out):to_be("moonlab " .. moonlab.version .. " (Lua 5.4)\nafter\n")
  end)
end)

describe("arg", function()
  it("is set as the lua command sets it", function()
    local out, _, code = run{fixtures .. "args.lua", "one", "two"}
    expect(code):to_be(0)
    expect(out):to_contain("n=2 ...=one,two\n")
    expect(out):to_contain("arg[0]=" .. fixtures .. "args.lua\n")
    expect(out):to_contain("arg[1]=one\narg[2]=two\n")
    expect(out):to_contain("arg[-1]=" .. cli.binary() .. "\n")
    expect(out):to_contain("arg[-2]=nil\n")
  end)

  it("puts options before the script at negative indices", function()
    local out = run{"-e", "y=1", fixtures .. "args.lua", "z"}
    expect(out):to_contain("arg[-3]=" .. cli.binary() .. "\narg[-2]=-e\narg[-1]=y=1\n")
  end)

  it("this test sees itself as arg[0]", function()
    expect(arg[0]):to_match("cli_test%.lua$")
  end)
end)

describe("errors", function()
  it("a missing script file", function()
    local _, err, code = run{"no/such/script.lua"}
    expect(code):to_be(1)
    expect(err):to_be("moonlab: cannot open no/such/script.lua: no such file\n")
  end)

  it("a syntax error names file and line", function()
    local path = os.tmpname() .. ".lua"
    local f = assert(io.open(path, "w")); f:write("local x = 1\nx = = 2\n"); f:close()
    local _, err, code = run{path}
    os.remove(path)
    expect(code):to_be(1)
    expect(err):to_be("moonlab: " .. path .. ":2: unexpected symbol near '='\n")
  end)

  it("a runtime error in a required module shows file:line and a traceback", function()
    local _, err, code = run{fixtures .. "fails_in_module.lua"}
    expect(code):to_be(1)
    expect(err):to_match("^moonlab: [^\n]*broken_module%.lua:3: attempt to index a nil value %(field 'missing'%)\n")
    expect(err):to_contain("stack traceback:")
    expect(err):to_contain("fails_in_module.lua:1: in main chunk")
  end)

  it("a binary file given as a script", function()
    local path = os.tmpname()
    local f = assert(io.open(path, "wb")); f:write("\127ELF\2\1\1\0\0\0\0\0"); f:close()
    local _, err, code = run{path}
    os.remove(path)
    expect(code):to_be(1)
    expect(err):to_be("moonlab: cannot run " .. path .. ": it is a binary file, not a Lua script\n")
  end)

  it("a precompiled chunk given as a script", function()
    local path = os.tmpname()
    local f = assert(io.open(path, "wb")); f:write(string.dump(function() return 1 end)); f:close()
    local _, err, code = run{path}
    os.remove(path)
    expect(code):to_be(1)
    expect(err):to_contain("it is a precompiled binary chunk")
  end)

  it("a folder given as a script", function()
    local _, err, code = run{here}
    expect(code):to_be(1)
    expect(err):to_contain("it is a folder")
  end)

  it("an error inside an error handler", function()
    local _, err, code = run{"-e", "local ok, e = xpcall(error, error); error(e)"}
    expect(code):to_be(1)
    expect(err):to_contain("error in error handling")
  end)

  it("an error object whose __tostring fails", function()
    local _, err, code = run{"-e", "error(setmetatable({}, {__tostring = function() error('broken tostring') end}))"}
    expect(code):to_be(1)
    expect(err):to_contain("broken tostring")
  end)

  it("an error object that is a table", function()
    local _, err, code = run{"-e", "error({code = 42})"}
    expect(code):to_be(1)
    expect(err):to_contain("error object is a table value")
  end)

  it("an error object with __tostring", function()
    local _, err, code = run{"-e", "error(setmetatable({}, {__tostring = function() return 'custom failure' end}))"}
    expect(code):to_be(1)
    expect(err):to_contain("custom failure")
  end)

  it("error with no value", function()
    local _, err, code = run{"-e", "error()"}
    expect(code):to_be(1)
    expect(err):to_contain("error object is a nil value")
  end)

  it("a stack overflow", function()
    local _, err, code = run{"-e", "local function f() return 1 + f() end f()"}
    expect(code):to_be(1)
    expect(err):to_contain("stack overflow")
  end)

  it("os.exit keeps its status", function()
    local _, _, code = run{"-e", "os.exit(3)"}
    expect(code):to_be(3)
  end)
end)

describe("standard input, not a terminal", function()
  it("runs lines and prints expression values without prompts", function()
    local out, err, code = run({}, {stdin = "1 + 1\nx = {1, 'a', {b = true}}\nx\n=x[2]\nprint('hi')\n"})
    expect(code):to_be(0)
    expect(err):to_be("")
    expect(out):to_be('2\n{1, "a", {b = true}}\n"a"\nhi\n')
  end)

  it("joins lines while a chunk is incomplete", function()
    local out, _, code = run({}, {stdin = "for i = 1, 3 do\n  io.write(i, ' ')\nend\nlocal t = {\n 5,\n 6}\n"})
    expect(code):to_be(0)
    expect(out):to_be("1 2 3 ")
  end)

  it("goes on after an error and exits 1", function()
    local out, err, code = run({}, {stdin = "error('first')\nprint('second')\n"})
    expect(code):to_be(1)
    expect(out):to_be("second\n")
    expect(err):to_contain("moonlab: stdin:1: first")
  end)

  it("reports a chunk left incomplete at the end", function()
    local _, err, code = run({}, {stdin = "for i = 1, 2 do\n"})
    expect(code):to_be(1)
    expect(err):to_contain("'end' expected")
  end)

  it("writes no escape codes", function()
    local out = run({}, {stdin = "'x'\n"})
    expect(out).never:to_contain("\27")
  end)
end)

T.finish()
