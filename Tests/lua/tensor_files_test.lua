-- tensor.save and tensor.load: named tensors in safetensors files, files other programs
-- wrote (every dtype moonlab reads), and damaged files, which must be errors, never crashes.
local T = require "moontest"
local cli = require "cli_support"
local describe, it, expect = T.describe, T.it, T.expect

local fixtures = cli.here() .. "/fixtures/pytorch/"

local function temp(suffix)
  local base = os.tmpname()
  return base .. suffix, function() os.remove(base .. suffix); os.remove(base) end
end

local function write(path, bytes)
  local f = assert(io.open(path, "wb")); f:write(bytes); f:close()
end

local function read(path)
  local f = assert(io.open(path, "rb")); local s = f:read("a"); f:close(); return s
end

-- A safetensors file from its header text and data bytes.
local function file(header, data)
  return string.pack("<I8", #header) .. header .. (data or "")
end

describe("tensor.save and tensor.load", function()
  it("round-trip named tensors of any shape, with metadata", function()
    local path, cleanup = temp(".safetensors")
    local w = tensor.randn{3, 4}
    tensor.save(path, {w = w, b = tensor.arange(5), s = tensor.full({}, 2.5), e = tensor.zeros{0, 3}},
      {metadata = {author = "lab", epochs = 3}})
    local t, metadata = tensor.load(path)
    expect((t.w - w):abs():max():item()):to_be(0)
    expect(t.b:totable()):to_equal({0, 1, 2, 3, 4})
    expect(t.s:item()):to_be(2.5)
    expect(t.e:shape()):to_equal({0, 3})
    expect(metadata.author):to_be("lab")
    expect(metadata.epochs):to_be("3")
    expect(#metadata.data_crc32):to_be(8)
    cleanup()
  end)

  it("writes the same bytes whatever order the table gives", function()
    local a, clean_a = temp(".safetensors")
    local b, clean_b = temp(".safetensors")
    local ts = {}
    for i = 1, 20 do ts["t" .. i] = tensor.full({2}, i) end
    tensor.save(a, ts)
    local again = {}
    for i = 20, 1, -1 do again["t" .. i] = tensor.full({2}, i) end
    tensor.save(b, again)
    expect(read(a) == read(b)):to_be(true)
    clean_a(); clean_b()
  end)

  it("reads every dtype of a file Python's safetensors wrote, as float32", function()
    local d = tensor.load(fixtures .. "dtypes.safetensors")
    for _, k in ipairs{"f32", "f16", "bf16", "f64"} do
      expect(d[k]:totable()):to_equal({-2, -1, 0, 1, 2.5})
    end
    for _, k in ipairs{"i64", "i32", "i16", "u8"} do
      expect(d[k]:totable()):to_equal({0, 1, 2, 3, 200})
    end
    expect(d.i8:totable()):to_equal({-100, -99, -98, -97, 100})
    expect(d.bool:totable()):to_equal({0, 0, 1, 1, 1})
    expect(d.matrix:totable()):to_equal({{0, 1, 2}, {3, 4, 5}})
    local sd = tensor.load(fixtures .. "cnn_state_dict.safetensors")
    expect(sd["1.num_batches_tracked"]:shape()):to_equal({})   -- an I64 scalar
  end)

  it("refuses bad arguments", function()
    local path, cleanup = temp(".safetensors")
    expect(function() tensor.save(path, {}) end):to_fail_with("a table of name = tensor expected")
    expect(function() tensor.save(path, {w = 1}) end):to_fail_with("a table of name = tensor expected")
    expect(function() tensor.save(path, {w = tensor.ones{1}}, {metadata = {data_crc32 = "x"}}) end)
      :to_fail_with("moonlab's own")
    expect(function() tensor.save(path, {w = tensor.ones{1}}, {metadata = {a = {1}}}) end)
      :to_fail_with("entry 'a' must be a string")
    expect(function() tensor.save("/nonexistent/folder/w.safetensors", {w = tensor.ones{1}}) end)
      :to_fail_with("does not exist")
    expect(io.open(path, "rb")):to_be_nil()
    cleanup()
  end)

  it("leaves no temporary file behind", function()
    local path, cleanup = temp(".safetensors")
    tensor.save(path, {w = tensor.ones{4}})
    tensor.save(path, {w = tensor.zeros{4}})
    local folder, name = path:match("^(.*)/([^/]*)$")
    local p = io.popen("ls -a '" .. folder .. "'")
    local listing = p:read("a"); p:close()
    expect(listing:find("." .. name .. ".tmp-", 1, true)):to_be_nil()
    expect(tensor.load(path).w:sum():item()):to_be(0)
    cleanup()
  end)
end)

describe("damaged safetensors files", function()
  local good = file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', string.pack("<ff", 1, 2))
  local path, cleanup = temp(".safetensors")

  local function fails(bytes, part)
    write(path, bytes)
    expect(function() tensor.load(path) end):to_fail_with(part)
  end

  it("reads the hand-made reference file", function()
    write(path, good)
    expect(tensor.load(path).w:totable()):to_equal({1, 2})
  end)

  it("fails on every truncation, naming the file", function()
    for n = 0, #good - 1 do fails(good:sub(1, n), path) end
  end)

  it("fails on each kind of damage with a clear message", function()
    fails(string.pack("<I8", 1 << 40) .. "{}", "the header claims 1099511627776 bytes")
    fails(string.pack("<I8", -1), "the header claims")
    fails(file("{not json}"), "the header is not a JSON object")
    fails(file("[1, 2]"), "the header is not a JSON object")
    fails(file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}', string.pack("<ff", 1, 2)), "outside the data")
    fails(file('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}', string.pack("<ff", 1, 2)), "needs 4 bytes, its offsets span 8")
    fails(file('{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}', "ab"), "dtype F8_E4M3, which moonlab does not read")
    fails(file('{"w":{"dtype":"F32","shape":[2]}}', string.pack("<ff", 1, 2)), "lacks dtype, shape or data_offsets")
    fails(file('{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}', string.pack("<ff", 1, 2)), "bad shape")
    fails(file('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
      string.pack("<ff", 1, 2)), "overlaps")
    fails(file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', string.pack("<ff", 1, 2)), "hole")
    fails(file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', string.pack("<ff", 1, 2)), "belong to no tensor")
    fails(file('{"__metadata__":{"a":1},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', string.pack("<ff", 1, 2)),
      "__metadata__ entry 'a' is not a string")
    fails(file('{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}', string.pack("<ff", 1, 2)),
      "is larger than the data")
  end)

  it("catches damaged data through moonlab's checksum", function()
    local saved, clean = temp(".safetensors")
    tensor.save(saved, {w = tensor.arange(4)})
    local bytes = read(saved)
    write(path, bytes:sub(1, -2) .. string.char((bytes:byte(-1) + 1) % 256))
    expect(function() tensor.load(path) end):to_fail_with("is damaged")
    clean()
  end)

  cleanup()
end)

T.finish()
