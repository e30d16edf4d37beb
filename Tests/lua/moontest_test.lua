-- The moontest library itself.
local T = require "moontest"
local cli = require "cli_support"
local describe, it, expect = T.describe, T.it, T.expect
local scripts = cli.here() .. "/fixtures/scriptdir/"

describe("matchers", function()
  it("to_be compares with ==", function()
    expect(1):to_be(1)
    expect("a"):to_be("a")
    expect({}).never:to_be({})
  end)

  it("to_equal compares deeply, cycles included", function()
    local a, b = {1, {x = 2}}, {1, {x = 2}}
    a.self, b.self = a, b
    expect(a):to_equal(b)
    expect({1, 2}).never:to_equal({1, 2, 3})
    expect({x = 1}).never:to_equal({x = 1, y = 2})
  end)

  it("to_be_close takes a tolerance", function()
    expect(0.1 + 0.2):to_be_close(0.3, 1e-12)
    expect(1.0).never:to_be_close(1.1, 0.01)
  end)

  it("to_fail_with checks the message", function()
    expect(function() error("bad size 3") end):to_fail_with("bad size")
    expect(function() end).never:to_fail_with("anything")
  end)

  it("truthy, falsy, nil, type, contain, match, order", function()
    expect(0):to_be_truthy()
    expect(false):to_be_falsy()
    expect(nil):to_be_nil()
    expect(1):to_be_a("integer")
    expect(1.5):to_be_a("float")
    expect("x"):to_be_a("string")
    expect("hello world"):to_contain("o w")
    expect({1, {2}}):to_contain({2})
    expect("abc123"):to_match("%d+$")
    expect(2):to_be_greater_than(1)
    expect(1):to_be_less_than(2)
  end)

  it("a failed expectation names the line of the expect", function()
    local ok, err = pcall(function() expect(1):to_be(2) end)
    expect(ok):to_be(false)
    expect(err.message):to_match("moontest_test%.lua:%d+: expected 1 to be 2")
  end)
end)

describe("the process", function()
  it("exits 1 and prints a summary when a test fails", function()
    local out, _, code = cli.run{scripts .. "failing_test_file.lua"}
    expect(code):to_be(1)
    expect(out):to_contain("FAIL fails")
    expect(out):to_contain("expected 1 to be 2")
    expect(out):to_contain("2 tests, 1 passed, 1 failed")
  end)

  it("exits 1 even when the file forgets finish()", function()
    local out, _, code = cli.run{scripts .. "forgets_finish.lua"}
    expect(code):to_be(1)
    expect(out):to_contain("1 test, 0 passed, 1 failed")
  end)
end)

T.finish()
