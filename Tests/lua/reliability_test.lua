-- Inputs that used to take the process down, now clear Lua errors; writers that leave no
-- temporary files behind (a full disk, kill -9 during saves); files from another version.
local T = require "moontest"
local C = require "cli_support"
local describe, it, expect = T.describe, T.it, T.expect

local dir = C.tempdir()
local function ls(folder)
  local p = io.popen("ls -A " .. C.quote(folder) .. " 2>/dev/null")
  local names = {}
  for line in p:lines() do names[#names + 1] = line end
  p:close()
  table.sort(names)
  return names
end
local function temporaries(folder)
  local out = {}
  for _, n in ipairs(ls(folder)) do if n:find("tmp") then out[#out + 1] = n end end
  return out
end
local function small_model()
  local m = nn.Sequential{input = {4}, nn.Dense(3), nn.Dense(2)}
  m:compile{optimizer = optim.SGD{lr = 0.1}, loss = "mse"}
  return m
end

describe("inputs that used to crash", function()
  it("a CSVLogger on a full device stops fit with an error", function()
    local m = small_model()
    local ok, err = pcall(m.fit, m, tensor.randn{16, 4}, tensor.randn{16, 2},
      {epochs = 2, verbose = 0, callbacks = {nn.CSVLogger("/dev/full")}})
    expect(ok):to_be(false)
    expect(err):to_contain("CSVLogger: cannot write /dev/full")
  end)

  it("a table nested 100,000 deep is refused by tensor.from", function()
    local t, cur = {}, nil
    cur = t
    for _ = 1, 100000 do cur[1] = {}; cur = cur[1] end
    expect(function() tensor.from(t) end):to_fail_with("nested too deeply (more than 64 levels)")
  end)

  it("tune.int spans and grids too large to draw or build are refused at once", function()
    expect(function() tune.int(math.mininteger, 3) end):to_fail_with("spans more values than can be drawn")
    local space = {}
    for i = 1, 20 do space["p" .. i] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10} end
    expect(function() tune.grid{space = space, workers = 0, objective = function() return 0 end} end)
      :to_fail_with("combinations is too many (at most 1,000,000)")
  end)

  it("allocations sized by arguments fail with 'cannot allocate', not a fatal error", function()
    expect(function() metrics.confusion_matrix(tensor.from{1, 0}, tensor.from{1, 0}, 2^45) end)
      :to_fail_with("cannot allocate")
    expect(function() data.clocks{n = 2^53} end):to_fail_with("cannot allocate")
    -- a label too large to be a class is refused before anything is counted
    local ds = data.dataset(tensor.zeros{2, 1}, tensor.from{0, 2^40})
    expect(function() ds:class_counts() end):to_fail_with("is not a class id")
  end)

  it("tensor.no_grad passes a table error object through unchanged", function()
    local ok, e = pcall(tensor.no_grad, function() error({code = 42}) end)
    expect(ok):to_be(false)
    expect(type(e)):to_be("table")
    expect(e.code):to_be(42)
  end)

  it("writers refuse to replace a device with a file", function()
    local m = small_model()
    expect(function() m:save("/dev/null") end):to_fail_with("cannot write /dev/null: it is not a regular file")
    local p = io.popen("stat -c %F /dev/null"); local kind = p:read("l"); p:close()
    expect(kind):to_be("character special file")
  end)
end)

describe("files from another version", function()
  it("a model whose format_version this moonlab does not know is refused", function()
    local path = dir .. "/v.moon"
    small_model():save(path)
    local f = assert(io.open(path, "rb")); local bytes = f:read("a"); f:close()
    local changed, n = bytes:gsub('"format_version":"1"', '"format_version":"9"')
    expect(n):to_be(1)
    f = assert(io.open(path, "wb")); f:write(changed); f:close()
    expect(function() nn.load(path) end):to_fail_with("format_version 9 is not one this moonlab reads (it reads 1)")
  end)
end)

describe("damaged files", function()
  it("a model file whose tensor bytes changed is refused by its checksum, naming the file", function()
    local path = dir .. "/damaged.moon"
    small_model():save(path)
    local f = assert(io.open(path, "rb")); local bytes = f:read("a"); f:close()
    -- flip one bit of the last weight: the header still parses, the data is wrong
    local last = bytes:byte(#bytes)
    f = assert(io.open(path, "wb")); f:write(bytes:sub(1, -2), string.char(last ~ 1)); f:close()
    expect(function() nn.load(path) end):to_fail_with(path .. " is damaged: its tensor data has checksum")
  end)
end)

describe("writers and kill -9", function()
  it("20 saves killed mid-write leave intact targets and, after the next save, no temporary file", function()
    local folder = dir .. "/kills"
    assert(os.execute("mkdir -p " .. C.quote(folder)))
    local target = folder .. "/model.moon"
    -- A model of about 16 MB, saved over and over by a child process.
    local script = dir .. "/saver.lua"
    C.write(script, [[
      moonlab.seed(1)
      local m = nn.Sequential{input = {1000}, nn.Dense(2000), nn.Dense(1000)}
      m:compile{optimizer = optim.Adam{lr = 1e-3}, loss = "mse"}
      while true do m:save(arg[1]) end
    ]])
    local corrupt, loaded = 0, 0
    for k = 1, 20 do
      local p = io.popen("setsid " .. C.quote(C.binary()) .. " " .. C.quote(script) .. " " .. C.quote(target)
        .. " > /dev/null 2>&1 & echo $!")
      local pid = p:read("n"); p:close()
      os.execute(("sleep %.3f"):format(0.25 + 0.037 * k))    -- a different moment of a save each time
      os.execute("kill -9 " .. pid)
      os.execute("sleep 0.05")
      if C.read(target) then
        if pcall(nn.load, target) then loaded = loaded + 1 else corrupt = corrupt + 1 end
      end
    end
    expect(corrupt):to_be(0)
    expect(loaded > 0):to_be(true)
    -- The killed writers' temporary files go with the next save of the same file.
    small_model():save(target)
    expect(temporaries(folder)):to_equal({})
    expect(ls(folder)):to_equal({"model.moon"})
  end)

  it("a full disk fails a save with an error and leaves no temporary file (tmpfs; needs root)", function()
    local mnt = dir .. "/full"
    assert(os.execute("mkdir -p " .. C.quote(mnt)))
    if not os.execute("mount -t tmpfs -o size=256k tmpfs " .. C.quote(mnt) .. " 2>/dev/null") then
      print("SKIPPED: cannot mount a small tmpfs here (not root): the full-disk test did not run")
      return
    end
    local ok1, err1 = pcall(data.save_png, mnt .. "/x.png", tensor.rand{3, 400, 400})
    local ok2, err2 = pcall(function() nn.Sequential{input = {300}, nn.Dense(400)}:save(mnt .. "/m.moon") end)
    local left = temporaries(mnt)
    os.execute("umount " .. C.quote(mnt))
    expect(ok1):to_be(false)
    expect(err1):to_contain("cannot write " .. mnt .. "/x.png")
    expect(ok2):to_be(false)
    expect(err2):to_contain("cannot write " .. mnt .. "/m.moon")
    expect(left):to_equal({})
  end)
end)

os.execute("rm -rf " .. C.quote(dir))
T.finish()
