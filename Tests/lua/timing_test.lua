-- moonlab.clock, time, timeit and pp: what a researcher times and prints with.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

-- Runs fn with print captured; returns the printed lines and fn's results.
local function captured(fn)
  local lines, real = {}, print
  print = function(...) local t = {} for i = 1, select("#", ...) do t[i] = tostring(select(i, ...)) end lines[#lines + 1] = table.concat(t, "\t") end
  local results = table.pack(pcall(fn))
  print = real
  assert(results[1], results[2])
  return lines, table.unpack(results, 2, results.n)
end

local function busy(seconds)
  local stop = moonlab.clock() + seconds
  while moonlab.clock() < stop do end
end

describe("moonlab.clock", function()
  it("is monotonic wall time with sub-millisecond resolution", function()
    local a = moonlab.clock()
    busy(0.02)
    local b = moonlab.clock()
    expect(b - a >= 0.02):to_be(true)
    expect(b - a < 1):to_be(true)
    local c, d = moonlab.clock(), moonlab.clock()
    expect(d >= c):to_be(true)
    expect(d - c < 1e-3):to_be(true)
  end)
end)

describe("time", function()
  it("returns fn's results and prints its wall time", function()
    local lines, x, y = captured(function() return time(function(a, b) busy(0.01); return a + b, "z" end, 2, 3) end)
    expect(x):to_be(5)
    expect(y):to_be("z")
    expect(#lines):to_be(1)
    local value, unit = lines[1]:match("^wall time: ([%d.]+) (%a+)$")
    expect(unit == "ms" or unit == "s"):to_be(true)
    expect(tonumber(value) >= (unit == "ms" and 10 or 0.01)):to_be(true)
    expect(function() time(42) end):to_fail_with("bad argument #1 to 'time' (a function expected, got number 42)")
  end)
end)

describe("timeit", function()
  it("times runs of n calls and summarizes the per-call seconds", function()
    local calls = 0
    local lines, r = captured(function() return timeit(function() calls = calls + 1; busy(0.002) end, {n = 3, runs = 4}) end)
    expect(calls):to_be(12)
    expect(r.n):to_be(3)
    expect(r.runs):to_be(4)
    expect(r.best >= 0.002 and r.best <= r.median and r.median <= r.worst):to_be(true)
    expect(r.sd >= 0):to_be(true)
    expect(lines[1]):to_contain("per call (median of 4 runs, 3 calls each; best ")
  end)

  it("picks n so a run lasts about 0.2 s, and can be quiet", function()
    local lines, r = captured(function() return timeit(function() busy(0.03) end, {runs = 1, quiet = true}) end)
    expect(#lines):to_be(0)
    -- n comes from the 1, 2, 5, 10, 20, ... steps (the exact choice is tested in Swift: it
    -- depends on the first call's wall time, which a loaded machine stretches).
    local steps = {[1] = true, [2] = true, [5] = true, [10] = true, [20] = true, [50] = true}
    expect(steps[r.n]):to_be(true)
  end)

  it("refuses bad options", function()
    expect(function() timeit(print, {runs = 0}) end):to_fail_with("runs must be 1..10000")
    expect(function() timeit(print, {rns = 2}) end):to_fail_with("unknown option 'rns' (did you mean 'runs'?)")
  end)
end)

describe("pp", function()
  it("prints values as the REPL shows them", function()
    local lines = captured(function() pp({1, 2, n = {x = true}}, "text", 3) end)
    expect(lines[1]):to_be('{1, 2, n = {x = true}}\t"text"\t3')
  end)
end)

T.finish()
