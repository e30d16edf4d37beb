-- Generated clock faces and dataset transforms from Lua: data.clocks, ds(i), map, concat,
-- k-fold, pixel permutations, prefetching batches.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

-- MNIST when the shared copy is there (development, CI); else Fashion-MNIST, same format.
local found, test = pcall(data.mnist, {split="test"})
if not found then test = data.fashion_mnist{split="test"} end
local small = test:subset(1, 100)

describe("data.clocks", function()
  it("makes faces with named hour, minute and time targets", function()
    local c = data.clocks{n=64, size=48, seed=1}
    expect(#c):to_be(64)
    expect(c.x:shape()):to_equal({64, 1, 48, 48})
    expect(tostring(c)):to_be("dataset clocks: 64 x {1,48,48}, targets hour, minute, time")
    expect(c.y.hour:min():item() >= 0 and c.y.hour:max():item() <= 11):to_be(true)
    expect(c.y.minute:min():item() >= 0 and c.y.minute:max():item() <= 59):to_be(true)
    local x, y = c(5)
    expect(x:shape()):to_equal({1, 48, 48})
    expect(y.time):to_be_close(y.hour + y.minute / 60, 1e-5)
    expect(c.x:max():item()):to_be_close(1, 1e-6)
  end)

  it("repeats itself under the same seed, and under moonlab.seed", function()
    local a, b = data.clocks{n=8, size=32, seed=3}, data.clocks{n=8, size=32, seed=3}
    expect((a.x - b.x):abs():max():item()):to_be(0)
    expect(a.y.minute:totable()):to_equal(b.y.minute:totable())
    expect(data.clocks{n=8, size=32, seed=4}.y.minute:totable()).never:to_equal(a.y.minute:totable())
    moonlab.seed(9); local c = data.clocks{n=8, size=32}
    moonlab.seed(9); local d = data.clocks{n=8, size=32}
    expect(c.y.minute:totable()):to_equal(d.y.minute:totable())
    local hard = data.clocks{n=8, size=32, seed=1, rotate=true, noise=0.1, thickness={0.5, 2}}
    expect(hard.x:min():item() >= 0 and hard.x:max():item() <= 1):to_be(true)
  end)

  it("draws the minute hand where the minutes say", function()
    -- Find a face showing about a quarter past: its minute hand points right.
    local c = data.clocks{n=400, size=64, seed=2}
    local found = 0
    for i = 1, #c do
      local x, y = c(i)
      if y.minute == 15 then
        local row = x[1][33]                  -- the middle row
        expect(row[33 + 17] > 0.5):to_be(true) -- right of centre, beyond the hour hand
        expect(row[32 - 17] < 0.1):to_be(true) -- nothing to the left
        found = found + 1
      end
    end
    expect(found > 0):to_be(true)
  end)

  it("rejects bad options naming the call", function()
    expect(function() data.clocks{n=0} end):to_fail_with("data.clocks: n must be at least 1")
    expect(function() data.clocks{size=4} end):to_fail_with("size must lie in 16...4096")
    expect(function() data.clocks{rotate="yes"} end):to_fail_with("option 'rotate' must be a boolean or a number")
    expect(function() data.clocks{thickness={1}} end):to_fail_with("option 'thickness' must be a number or a pair {lo, hi}, got table")
    expect(function() data.clocks{colour=1} end):to_fail_with("unknown option 'colour'")
  end)

  it("writes a preview grid", function()
    local path = os.tmpname() .. ".png"
    data.preview_clocks(data.clocks{n=8, size=40, seed=1}, path, {cols=4})
    local f = assert(io.open(path, "rb")); local head = f:read(8); f:close(); os.remove(path)
    expect(head):to_be("\137PNG\r\n\26\n")
    expect(function() data.preview_clocks(small, path) end):to_fail_with("has no hour and minute targets")
  end)
end)

describe("ds(i), map, concat", function()
  it("ds(i) returns x, y like ds:item(i)", function()
    local x, y = test(1)
    expect(x:shape()):to_equal({1, 28, 28})
    expect(y):to_be(test.y[1])
    local _, last = test(-1)
    expect(last):to_be(test.y[10000])
    expect(function() test(0) end):to_fail_with("dataset(0): position 0 out of range")
    expect(function() test("a") end):to_fail_with("dataset(i): the position must be an integer")
  end)

  it("map applies a function to every sample, or to the whole x with batch=true", function()
    local inverted = small:map(function(x, y) return 1 - x end)
    expect(#inverted):to_be(100)
    expect(((inverted.x + small.x) - 1):abs():max():item() < 1e-6):to_be(true)
    expect(inverted.y:totable()):to_equal(small.y:totable())
    local relabelled = small:map(function(x, y) return x:view{784}, y % 2 end)
    expect(relabelled.x:shape()):to_equal({100, 784})
    expect(relabelled.y[1]):to_be(1)
    local fast = small:map(function(x, y) return x * 2, y end, {batch=true})
    expect((fast.x - small.x * 2):abs():max():item()):to_be(0)
    expect(function() small:map(function(x) return "no" end) end):to_fail_with("dataset:map: sample 1: the function must return a tensor x")
    expect(function() small:map(function(x) error("boom") end) end):to_fail_with("boom")
    expect(function() small:map(function(x, y) if y == 2 then return x:view{784} end return x end) end)
      :to_fail_with("returned x of shape {784}, sample 1 {1,28,28}")
  end)

  it("concat joins datasets", function()
    local a, b = test:subset(1, 10), test:subset(11, 15)
    local c = data.concat{a, b}
    expect(#c):to_be(15)
    expect(c.y:totable()):to_equal(test:subset(1, 15).y:totable())
    expect(#a:concat(b)):to_be(15)
    expect(c.class_names):to_equal(test.class_names)
    expect(function() data.concat{a, data.clocks{n=2, size=16, seed=1}} end):to_fail_with("data.concat: dataset 2 (clocks)")
    expect(function() data.concat{a, 3} end):to_fail_with("entry 2 must be a dataset")
  end)
end)

describe("data.kfold", function()
  it("yields k disjoint validation folds covering the set", function()
    local s = test:subset(1, 103)
    local seen, folds = {}, 0
    for fold, tr, va in data.kfold(s, 5, {seed=1}) do
      folds = folds + 1
      expect(fold):to_be(folds)
      expect(#tr + #va):to_be(103)
      expect(#va == 20 or #va == 21):to_be(true)
      -- Rows are identified by their pixel sums (distinct in these 103 digits).
      for i = 1, #va do
        local key = string.format("%.4f", va.x[i]:sum():item())
        expect(seen[key]):to_be_nil()
        seen[key] = true
      end
    end
    expect(folds):to_be(5)
    local n = 0
    for _ in pairs(seen) do n = n + 1 end
    expect(n):to_be(103)
  end)

  it("stratifies and repeats under a seed", function()
    local s = test:subset(1, 500)
    local whole = s:class_counts()
    for _, tr, va in data.kfold(s, 5, {seed=2, stratify=true}) do
      local c = va:class_counts()
      for k = 1, 10 do expect(math.abs(c[k] - whole[k] / 5) <= 1):to_be(true) end
    end
    local function first(seed) for _, _, va in data.kfold(s, 5, {seed=seed}) do return va.y:totable() end end
    expect(first(3)):to_equal(first(3))
    expect(function() data.kfold(s, 1) end):to_fail_with("data.kfold: k must be at least 2, got 1")
    expect(function() data.kfold(s, 3, {stratify=1}) end):to_fail_with("option 'stratify' must be a boolean or a target name")
  end)
end)

describe("pixel permutations", function()
  it("permutes every image alike; the inverse restores them exactly", function()
    local perm = data.permutation(784, {seed=7})
    expect(#perm):to_be(784)
    local sorted = {table.unpack(perm)}
    table.sort(sorted)
    for i = 1, 784 do expect(sorted[i]):to_be(i) end
    local p = data.permute_pixels(small, perm)
    expect(p.x:shape()):to_equal(small.x:shape())
    expect(p.y:totable()):to_equal(small.y:totable())
    local flat, orig = p.x[3]:view{784}:totable(), small.x[3]:view{784}:totable()
    for _, i in ipairs{1, 200, 784} do expect(flat[i]):to_be(orig[perm[i]]) end
    local back = data.permute_pixels(p, data.inverse_permutation(perm))
    expect((back.x - small.x):abs():max():item()):to_be(0)
    -- On tensors too, and as a method.
    local t = data.permute_pixels(small.x, perm)
    expect((t - p.x):abs():max():item()):to_be(0)
    expect((small:permute_pixels(perm).x - p.x):abs():max():item()):to_be(0)
    expect(data.permutation(10, {seed=1})):to_equal(data.permutation(10, {seed=1}))
  end)

  it("rejects what is not a permutation of the pixels", function()
    expect(function() data.permute_pixels(small, {1, 2, 3}) end):to_fail_with("a permutation of 3 positions does not match")
    expect(function() data.permute_pixels(small, {1, 1}) end):to_fail_with("position 1 appears twice")
    expect(function() data.permute_pixels(42, {1}) end):to_fail_with("bad argument #1 to 'permute_pixels' (a dataset or a tensor expected")
    expect(function() data.permutation(0) end):to_fail_with("n must be at least 1")
  end)
end)

describe("batches ahead", function()
  it("prefetched batches equal the ones made in place", function()
    local function labels(prefetch)
      local out = {}
      for _, y in data.batches(small, 7, {shuffle=true, seed=5, prefetch=prefetch}) do
        for _, v in ipairs(y:totable()) do out[#out + 1] = v end
      end
      return out
    end
    expect(labels(2)):to_equal(labels(0))
    expect(#labels(1)):to_be(100)
  end)

  it("a break stops the pass at once", function()
    for _ = 1, 20 do
      for x in data.batches(test, 64, {shuffle=true, prefetch=2}) do break end
    end
    local it, pass = data.batches(small, 10, {shuffle=true})
    expect(#pass):to_be(10)
    expect(function() data.batches(small, 10, {prefetch=-1}) end):to_fail_with("prefetch must lie in 0...64")
  end)

  it("named targets travel with their batches", function()
    local c = data.clocks{n=50, size=16, seed=1}
    local total = 0
    for x, y in data.batches(c, 16, {shuffle=true, seed=1}) do
      expect(y.hour:size(1)):to_be(x:size(1))
      expect(((y.hour + y.minute / 60) - y.time):abs():max():item() < 1e-5):to_be(true)
      total = total + x:size(1)
    end
    expect(total):to_be(50)
  end)
end)

describe("help", function()
  it("documents the new functions and methods", function()
    local function text(x)
      local printed, saved = {}, print
      print = function(...) printed[#printed + 1] = table.concat({...}, "\t") end
      help(x)
      print = saved
      return table.concat(printed, "\n")
    end
    for _, name in ipairs{"clocks", "preview_clocks", "concat", "kfold", "permutation", "inverse_permutation", "permute_pixels"} do
      expect(text(data[name])):to_contain("data." .. name)
    end
    for _, m in ipairs{"map", "concat", "permute_pixels"} do
      expect(text(test[m])):to_contain("ds:" .. m)
    end
    expect(text(test)):to_contain("ds(i)")
  end)
end)

T.finish()
