-- The moonlab module and the global modules every script sees.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

describe("moonlab", function()
  it("has a version string", function()
    expect(moonlab.version):to_match("^%d+%.%d+%.%d+$")
  end)

  it("seed makes math.random reproducible", function()
    moonlab.seed(42)
    local a = {math.random(), math.random(), math.random(1000)}
    moonlab.seed(42)
    local b = {math.random(), math.random(), math.random(1000)}
    expect(a):to_equal(b)
    moonlab.seed(43)
    expect({math.random(), math.random(), math.random(1000)}).never:to_equal(a)
  end)

  it("seed rejects a non-integer", function()
    expect(function() moonlab.seed("x") end):to_fail_with("bad argument #1 to 'seed' (an integer expected")
  end)

  it("threads reads and sets the thread count", function()
    local n = moonlab.threads()
    expect(n):to_be_a("integer")
    expect(n >= 1):to_be(true)
    expect(moonlab.threads(1)):to_be(1)
    expect(moonlab.threads(n)):to_be(n)
  end)

  it("threads rejects a bad count", function()
    expect(function() moonlab.threads(0) end):to_fail_with("moonlab.threads: count must be 1..256, got 0")
  end)

  it("provides every module of the API as a global table", function()
    for _, name in ipairs{"moonlab", "tensor", "nn", "optim", "data", "aug", "metrics", "analysis", "tune", "plot"} do
      expect(type(_G[name])):to_be("table")
    end
  end)
end)

T.finish()
