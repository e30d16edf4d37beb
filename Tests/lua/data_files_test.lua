-- The data module's file readers from Lua: CSV, NumPy .npy/.npz, folders of PNG images.
-- Run with MOONLAB_DATA pointing at a folder holding mnist/ (the Lua suite does this).
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

-- MNIST when the shared copy is there (development, CI); else Fashion-MNIST, same format.
local found, test = pcall(data.mnist, {split="test"})
if not found then test = data.fashion_mnist{split="test"} end
local digits = test:subset(1, 12)

local function write(path, text)
  local f = assert(io.open(path, "wb")); f:write(text); f:close()
end

local function tmpdir()
  local path = os.tmpname()
  os.remove(path)
  assert(os.execute("mkdir -p '" .. path .. "'"))
  return path
end

local function max_diff(a, b) return (a - b):abs():max():item() end

describe("data.csv", function()
  it("reads a Kaggle-style file with a label column, scale and shape", function()
    local path = os.tmpname()
    local lines = {"label," .. table.concat((function()
      local t = {}; for i = 0, 783 do t[#t + 1] = "pixel" .. i end; return t end)(), ",")}
    local x = (digits.x * 255):view{12, 784}:totable()
    for i = 1, 12 do
      local row = {}
      for j = 1, 784 do row[j] = string.format("%d", math.floor(x[i][j] + 0.5)) end
      lines[#lines + 1] = digits.y[i] .. "," .. table.concat(row, ",")
    end
    write(path, table.concat(lines, "\n") .. "\n")
    local ds = data.csv(path, {label="label", header=true, scale=1/255, shape={1, 28, 28}})
    expect(#ds):to_be(12)
    expect(ds.x:shape()):to_equal({12, 1, 28, 28})
    expect(ds.y:totable()):to_equal(digits.y:totable())
    expect(max_diff(ds.x, digits.x) < 1e-6):to_be(true)
    local by_position = data.csv(path, {label=1, scale=1/255})
    expect(by_position.x:shape()):to_equal({12, 784})
    os.remove(path)
  end)

  it("names the file, the line and the field of a fault", function()
    local path = os.tmpname()
    write(path, "a,b,c\n1,2,3\n4,five,6\n")
    expect(function() data.csv(path) end):to_fail_with("data.csv: " .. path .. ": line 3: field 2 'five' is not a number")
    write(path, "1,2,3\n4,5\n")
    expect(function() data.csv(path) end):to_fail_with("line 2: 2 fields, but the first row has 3")
    expect(function() data.csv(path, {label="y"}) end):to_fail_with("no header line")
    expect(function() data.csv(path, {lable=1}) end):to_fail_with("bad argument #2 to 'csv' (unknown option 'lable' (did you mean 'label'?))")
    expect(function() data.csv(path, {shape={2, 2}}) end):to_fail_with("shape {2,2} holds 4 values")
    os.remove(path)
    expect(function() data.csv("/nonexistent.csv") end):to_fail_with("data.csv: /nonexistent.csv: no such file")
  end)
end)

describe("data.npy and data.save_npy", function()
  it("round-trips tensors exactly", function()
    local path = os.tmpname() .. ".npy"
    data.save_npy(path, digits.x)
    local back = data.npy(path)
    expect(back:shape()):to_equal({12, 1, 28, 28})
    expect(max_diff(back, digits.x)):to_be(0)
    data.save_npy(path, tensor.from{1.5, -2, 3})
    expect(data.npy(path):totable()):to_equal({1.5, -2, 3})
    os.remove(path)
  end)

  it("rejects damaged files naming them", function()
    local path = os.tmpname()
    local header = "{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }     \n"
    write(path, "\147NUMPY\1\0" .. string.pack("<I2", #header) .. header .. string.rep("\0", 32))
    expect(function() data.npy(path) end):to_fail_with(path .. ": unsupported dtype '<c16'")
    write(path, "not numpy at all")
    expect(function() data.npy(path) end):to_fail_with(path .. ": not a .npy file")
    os.remove(path)
    expect(function() data.save_npy("/nonexistent-folder/x.npy", tensor.zeros{2}) end):to_fail_with("does not exist")
    expect(function() data.save_npy("x.npy", {}) end):to_fail_with("bad argument #2 to 'save_npy' (a tensor expected")
  end)
end)

describe("data.npz", function()
  -- A stored zip of two .npy files, written from Lua (cli_support's zip).
  local zip = require("cli_support").zip
  local function npy_bytes(t)
    local p = os.tmpname(); data.save_npy(p, t)
    local f = io.open(p, "rb"); local s = f:read("a"); f:close(); os.remove(p)
    return s
  end

  it("reads every array, or a dataset from x and y", function()
    local path = os.tmpname()
    write(path, zip{{"x_train.npy", npy_bytes(digits.x:view{12, 28, 28})}, {"y_train.npy", npy_bytes(digits.y)}})
    local arrays = data.npz(path)
    expect(arrays.x_train:shape()):to_equal({12, 28, 28})
    expect(arrays.y_train:totable()):to_equal(digits.y:totable())
    local ds = data.npz(path, {x="x_train", y="y_train"})
    expect(ds.x:shape()):to_equal({12, 1, 28, 28})
    expect(max_diff(ds.x, digits.x)):to_be(0)
    expect(ds.y:totable()):to_equal(digits.y:totable())
    local named = data.npz(path, {x="x_train", y={digit="y_train"}, shape={784}})
    expect(named.x:shape()):to_equal({12, 784})
    expect(named.y.digit[1]):to_be(digits.y[1])
    expect(function() data.npz(path, {x="images"}) end):to_fail_with("has no array 'images' (arrays: x_train, y_train)")
    expect(function() data.npz(path, {y="y_train"}) end):to_fail_with("option 'y' needs x=")
    write(path, "PK\3\4 truncated")
    expect(function() data.npz(path) end):to_fail_with(path .. ": truncated zip archive")
    os.remove(path)
  end)
end)

describe("data.save_npz", function()
  it("writes a dataset that data.npz reads back: x float32, labels int64", function()
    local path = os.tmpname()
    data.save_npz(path, digits)
    local ds = data.npz(path, {x="x", y="y"})
    expect(ds.x:shape()):to_equal({12, 1, 28, 28})
    expect(max_diff(ds.x, digits.x)):to_be(0)
    expect(ds.y:totable()):to_equal(digits.y:totable())
    -- The stored dtypes, as np.load sees them: the .npy headers inside the archive.
    local bytes = io.open(path, "rb"):read("a")
    expect(bytes:sub(1, 4)):to_be("PK\3\4")
    expect(bytes):to_contain("'descr': '<f4'")
    expect(bytes):to_contain("'descr': '<i8'")
    os.remove(path)
  end)

  it("writes named targets under their names", function()
    local path = os.tmpname()
    local clocks = data.clocks{n=6, size=16, seed=1}
    data.save_npz(path, clocks)
    local arrays = data.npz(path)
    expect(max_diff(arrays.hour, clocks.y.hour)):to_be(0)
    expect(max_diff(arrays.time, clocks.y.time)):to_be(0)
    local ds = data.npz(path, {x="x", y={hour="hour", minute="minute"}})
    expect(max_diff(ds.y.minute, clocks.y.minute)):to_be(0)
    os.remove(path)
  end)

  it("writes a table of arrays, int64 where asked", function()
    local path = os.tmpname()
    local a = tensor.randn{3, 4}
    data.save_npz(path, {a = a, labels = tensor.from{1, 2, 300}, empty = tensor.zeros{0}}, {int64 = {"labels"}})
    local arrays = data.npz(path)
    expect(max_diff(arrays.a, a)):to_be(0)
    expect(arrays.labels:totable()):to_equal({1, 2, 300})
    expect(arrays.empty:shape()):to_equal({0})
    expect(io.open(path, "rb"):read("a")):to_contain("'descr': '<i8'")
    os.remove(path)
  end)

  it("refuses what it cannot write", function()
    local path = os.tmpname()
    expect(function() data.save_npz(path, {a = tensor.from{0.5}}, {int64 = {"a"}}) end)
      :to_fail_with("array 'a': value 1 (0.5) is not a whole number")
    expect(function() data.save_npz(path, {a = tensor.ones{1}}, {int64 = {"b"}}) end)
      :to_fail_with("option 'int64' names 'b', which is not among the arrays (a)")
    expect(function() data.save_npz(path, digits, {int64 = {"y"}}) end):to_fail_with("option 'int64' applies to a table")
    expect(function() data.save_npz(path, 3) end):to_fail_with("a dataset or a table of name = tensor expected")
    expect(function() data.save_npz("/nonexistent/d.npz", {a = tensor.ones{1}}) end):to_fail_with("does not exist")
    os.remove(path)
  end)
end)

describe("data.images", function()
  it("reads a folder of class folders of PNG files", function()
    local root = tmpdir()
    for i = 1, 6 do
      local class = digits.y[i] % 2 == 0 and "even" or "odd"
      os.execute("mkdir -p '" .. root .. "/" .. class .. "'")
      data.save_png(root .. "/" .. class .. "/" .. i .. ".png", digits.x[i])
    end
    write(root .. "/README.txt", "files beside the class folders are ignored")
    local ds = data.images(root)
    expect(ds.class_names):to_equal({"even", "odd"})
    expect(#ds):to_be(6)
    expect(ds.x:dim()):to_be(4)
    expect(ds.x:shape()):to_equal({6, 1, 28, 28})
    local evens = {}
    for i = 1, 6 do if digits.y[i] % 2 == 0 then evens[#evens + 1] = i end end
    expect(max_diff(ds.x[1], digits.x[evens[1]]) < 1e-6):to_be(true)
    local small = data.images(root, {size={16, 12}, gray=false})
    expect(small.x:shape()):to_equal({6, 3, 16, 12})
    expect(function() data.images(root .. "/none") end):to_fail_with("no such folder")
    expect(function() data.images(root, {size={16}}) end):to_fail_with("option 'size': must be {h, w}")
    local bad = root .. "/odd/broken.png"
    write(bad, "\137PNG\r\n\26\n garbage")
    expect(function() data.images(root) end):to_fail_with(bad .. ": ")
    os.execute("rm -rf '" .. root .. "'")
  end)
end)

describe("help", function()
  it("documents the readers", function()
    for _, name in ipairs{"csv", "npy", "save_npy", "npz", "save_npz", "images", "save_png"} do
      local printed, saved = {}, print
      print = function(...) printed[#printed + 1] = table.concat({...}, "\t") end
      help(data[name])
      print = saved
      expect(table.concat(printed, "\n")):to_contain("data." .. name)
    end
  end)
end)

T.finish()
