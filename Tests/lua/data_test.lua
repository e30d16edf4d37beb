-- The data module as API.md writes it: named sets, IDX files, datasets, splits, batches.
-- Run with MOONLAB_DATA pointing at a folder holding mnist/ (the Lua suite does this).
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

local found, test = pcall(data.mnist, {split="test"})
if not found then
  -- A fresh clone without the shared MNIST copy: these tests check MNIST's own contents.
  print("skip: MNIST not found (set MOONLAB_DATA to a folder holding mnist/)")
  return
end

local function labels(ds) return ds.y:totable() end
local function counts(list, k)
  local c = {}
  for i = 1, k do c[i] = 0 end
  for _, v in ipairs(list) do c[v + 1] = c[v + 1] + 1 end
  return c
end

describe("data.mnist", function()
  it("loads the test split with shapes, labels, pixel range and class names", function()
    expect(#test):to_be(10000)
    expect(test.x:shape()):to_equal({10000, 1, 28, 28})
    expect(test.y:shape()):to_equal({10000})
    expect(test.y:narrow(1, 1, 5):totable()):to_equal({7, 2, 1, 0, 4})
    expect(test.x:min():item()):to_be(0)
    expect(test.x:max():item()):to_be(1)
    expect(test.class_names):to_equal({"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"})
    expect(test.class_names[test.y[1] + 1]):to_be("7")
    expect(test.classes):to_be(10)
    expect(tostring(test)):to_be("dataset mnist test: 10000 x {1,28,28}, 10 classes")
  end)

  it("loads the training split by default", function()
    local train = data.mnist()
    expect(#train):to_be(60000)
    expect(train.y[1]):to_be(5)
    expect(require("moonlab.data")):to_be(data)
  end)

  it("rejects bad options naming the call", function()
    expect(function() data.mnist{split="dev"} end):to_fail_with([[option 'split': must be one of train, test, got "dev"]])
    expect(function() data.mnist{splt="test"} end):to_fail_with("unknown option 'splt' (did you mean 'split'?)")
    expect(function() data.fashion_mnist(3) end):to_fail_with("bad argument #1 to 'fashion_mnist'")
  end)
end)

describe("dataset items", function()
  it("ds[i] gives {x_i, y_i}; ds:item(i) gives x_i, y_i", function()
    local item = test[1]
    expect(item.x:shape()):to_equal({1, 28, 28})
    expect(item.y):to_be(7)
    expect(item[2]):to_be(7)
    local x, y = test:item(2)
    expect(x:shape()):to_equal({1, 28, 28})
    expect(y):to_be(2)
    local _, last = test:item(-1)
    expect(last):to_be(test.y[10000])
    expect(function() return test[10001] end):to_fail_with("position 10001 out of range")
    expect(function() test:item(0) end):to_fail_with("dataset:item: position 0 out of range")
    expect(function() test.x = 1 end):to_fail_with("read-only")
  end)
end)

describe("subset, shuffle, select", function()
  it("subset takes 1-based inclusive ranges", function()
    local s = test:subset(1, 5000)
    expect(#s):to_be(5000)
    expect(s.y[1]):to_be(7)
    expect(#test:subset(9991)):to_be(10)
    expect(test:subset(3, 3).y:totable()):to_equal({1})
    expect(function() test:subset(0, 5) end):to_fail_with("dataset:subset: position 0 out of range")
    expect(function() test:subset(5, 4) end):to_fail_with("must not exceed")
  end)

  it("shuffle is a permutation, reproducible by seed", function()
    local s = test:subset(1, 500)
    local a, b, c = s:shuffle(1), s:shuffle(1), s:shuffle(2)
    expect(labels(a)):to_equal(labels(b))
    expect(labels(a)).never:to_equal(labels(c))
    expect(counts(labels(a), 10)):to_equal(counts(labels(s), 10))
    moonlab.seed(11); local d = labels(s:shuffle())
    moonlab.seed(11); local e = labels(s:shuffle())
    expect(d):to_equal(e)
  end)

  it("select picks positions in order", function()
    expect(test:select{3, 1, 1}.y:totable()):to_equal({1, 7, 7})
    expect(test:select(tensor.from{2, 5}).y:totable()):to_equal({2, 4})
    expect(function() test:select{0} end):to_fail_with("position 0 out of range")
  end)
end)

describe("split", function()
  it("splits into disjoint parts of the right sizes", function()
    local tr, va = test:split(0.8, {seed=1})
    expect(#tr):to_be(8000)
    expect(#va):to_be(2000)
    local tr2 = test:split(0.8, {seed=1})
    expect(labels(tr2)):to_equal(labels(tr))
  end)

  it("stratify keeps class proportions", function()
    local whole = test:class_counts()
    local tr, va = test:split(0.8, {seed=1, stratify=true})
    local a, b = tr:class_counts(), va:class_counts()
    for k = 1, 10 do
      expect(math.abs(a[k] - 0.8 * whole[k]) < 1):to_be(true)
      expect(a[k] + b[k]):to_be(whole[k])
    end
  end)

  it("rejects bad fractions and options", function()
    expect(function() test:split(1.5) end):to_fail_with("dataset:split: fraction must lie strictly between 0 and 1, got 1.5")
    expect(function() test:split(0.5, {sead=1}) end):to_fail_with("unknown option 'sead' (did you mean 'seed'?)")
    expect(function() test:split("half") end):to_fail_with("bad argument #1 to 'split' (a number expected, got string \"half\")")
  end)
end)

describe("data.batches", function()
  it("covers every row exactly once, shuffled by seed", function()
    local s = test:subset(1, 1000)
    local seen, n, sizes = {}, 0, {}
    for x, y in data.batches(s, 64, {shuffle=true, seed=3}) do
      expect(x:size(1)):to_be(y:size(1))
      sizes[#sizes + 1] = x:size(1)
      for i = 1, x:size(1) do
        n = n + 1
      end
      local ys = y:totable()
      for _, v in ipairs(ys) do seen[v] = (seen[v] or 0) + 1 end
    end
    expect(n):to_be(1000)
    expect(#sizes):to_be(16)
    expect(sizes[16]):to_be(1000 - 15 * 64)
    local want = counts(labels(s), 10)
    for k = 0, 9 do expect(seen[k] or 0):to_be(want[k + 1]) end
  end)

  it("in order, batches are the rows in order; drop_last drops the short batch", function()
    local s = test:subset(1, 10)
    local got = {}
    for _, y in data.batches(s, 4) do
      for _, v in ipairs(y:totable()) do got[#got + 1] = v end
    end
    expect(got):to_equal(labels(s))
    local k = 0
    for x in s:batches(4, {drop_last=true}) do k = k + 1; expect(x:size(1)):to_be(4) end
    expect(k):to_be(2)
  end)

  it("the same seed gives the same batches", function()
    local s = test:subset(1, 100)
    local function first(seed)
      for _, y in data.batches(s, 10, {shuffle=true, seed=seed}) do return y:totable() end
    end
    expect(first(5)):to_equal(first(5))
    expect(first(5)).never:to_equal(first(6))
  end)

  it("rejects bad arguments naming the call", function()
    expect(function() data.batches(test, 0) end):to_fail_with("data.batches: batch size must be at least 1, got 0")
    expect(function() data.batches({}, 4) end):to_fail_with("bad argument #1 to 'batches' (a dataset expected")
    expect(function() data.batches(test, 4, {shufle=true}) end):to_fail_with("unknown option 'shufle' (did you mean 'shuffle'?)")
  end)
end)

describe("data.idx and data.dataset", function()
  local dir = os.getenv("MOONLAB_DATA") .. "/mnist/"

  it("reads a pair of IDX files", function()
    local ds = data.idx(dir .. "t10k-images-idx3-ubyte.gz", dir .. "t10k-labels-idx1-ubyte.gz")
    expect(#ds):to_be(10000)
    expect(ds.y[1]):to_be(7)
    expect(ds.class_names):to_be_nil()
  end)

  it("names the file and the fault", function()
    expect(function() data.idx("/nonexistent.gz", dir .. "t10k-labels-idx1-ubyte.gz") end)
      :to_fail_with("data.idx: /nonexistent.gz: no such file")
    local path = os.tmpname()
    local f = io.open(path, "wb"); f:write("\0\0\8\1\0\0\0\5abc"); f:close()
    expect(function() data.idx(dir .. "t10k-images-idx3-ubyte.gz", path) end):to_fail_with(path .. ": truncated")
    f = io.open(path, "wb"); f:write("hello world"); f:close()
    expect(function() data.idx(path, path) end):to_fail_with(path .. ": not an IDX file")
    os.remove(path)
    expect(function() data.idx(dir .. "t10k-images-idx3-ubyte.gz", dir .. "train-labels-idx1-ubyte.gz") end)
      :to_fail_with("holds 10000 images but")
  end)

  it("builds datasets from tensors, with named targets", function()
    local x = tensor.arange(0, 12):reshape{12, 1}
    local ds = data.dataset(x, {hour=tensor.arange(0, 12), minute=tensor.arange(0, 12) * 5}, {name="clocks"})
    expect(tostring(ds)):to_be("dataset clocks: 12 x {1}, targets hour, minute")
    local item = ds[3]
    expect(item.y.hour):to_be(2)
    expect(item.y.minute):to_be(10)
    for bx, by in data.batches(ds, 5, {shuffle=true, seed=1}) do
      expect(by.minute:totable()):to_equal((bx:view{-1} * 5):totable())
    end
    local a = ds:split(0.5, {seed=1, stratify="hour"})
    expect(#a):to_be(6)
    expect(function() data.dataset(x, tensor.zeros{11}) end):to_fail_with("data.dataset: dataset dataset: y has shape {11} but x holds 12 samples")
  end)
end)

describe("help", function()
  local function help_text(x)
    local printed, saved = {}, print
    print = function(...) printed[#printed + 1] = table.concat({...}, "\t") end
    local ok, err = pcall(help, x)
    print = saved
    assert(ok, err)
    return table.concat(printed, "\n")
  end

  it("documents the module, its functions and the dataset methods", function()
    expect(help_text(data)):to_contain("data.batches(ds, size, {shuffle=false, seed=, drop_last=false, prefetch=1})")
    for _, name in ipairs{"mnist", "fashion_mnist", "idx", "batches", "dataset"} do
      expect(help_text(data[name])).never:to_contain("no documentation")
    end
    expect(help_text(test)):to_contain("ds.class_names")
    for _, m in ipairs{"split", "subset", "shuffle", "select", "item", "batches", "class_counts"} do
      expect(help_text(test[m])):to_contain("ds:" .. m)
    end
  end)
end)

T.finish()
