-- One batch of the damaged-file fuzzer (run by fuzz_test.lua in a child process): writes a
-- valid file of every format moonlab reads, then reads damaged copies of them (truncated,
-- bytes flipped, length fields blown up, garbage appended or inserted), each read under
-- pcall. Arguments: arg[1] seed, arg[2] files to damage, arg[3] progress file, arg[4] a
-- scratch folder. Prints "files N errors M" and a count per format.
local C = require "cli_support"
local seed, count, progress, dir = tonumber(arg[1]), tonumber(arg[2]), arg[3], arg[4]
math.randomseed(seed)
moonlab.seed(seed)

local function write(path, bytes) local f = assert(io.open(path, "wb")); f:write(bytes); f:close() end
local function read(path) local f = assert(io.open(path, "rb")); local s = f:read("a"); f:close(); return s end

-- Valid files, and how each format is read.
local x = tensor.rand{4, 1, 8, 8}
local y = tensor.from{0, 1, 2, 1}
data.save_npy(dir .. "/v.npy", x)
local npy = read(dir .. "/v.npy")
write(dir .. "/v.npz", C.zip{{"x.npy", npy}, {"y.npy", (function() data.save_npy(dir .. "/y.npy", y); return read(dir .. "/y.npy") end)()}})
write(dir .. "/v.csv", "label,a,b,c\n0,1,2,3\n1,4,5,6\n2,7,8,9\n")
local images = string.pack(">I4I4I4I4", 0x803, 4, 8, 8)
for i = 1, 4 * 64 do images = images .. string.char(math.random(0, 255)) end
write(dir .. "/v-images.idx", images)
write(dir .. "/v-labels.idx", string.pack(">I4I4", 0x801, 4) .. "\0\1\2\1")
os.execute("mkdir -p '" .. dir .. "/png/a' '" .. dir .. "/png/b'")
data.save_png(dir .. "/v.png", tensor.rand{3, 8, 8})
local model = nn.Sequential{input = {1, 8, 8}, nn.Conv2D(2, 3), nn.Flatten(), nn.Dense(3)}
model:compile{optimizer = optim.Adam{lr = 1e-3}, loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
model:save(dir .. "/v.moon")
model:fit(x, y, {epochs = 1, verbose = 0, checkpoint = dir .. "/v.ckpt"})
model:save_weights(dir .. "/v.weights")
tensor.save(dir .. "/v.safetensors", {w = x, b = y})
data.save_npz(dir .. "/w.npz", data.dataset(x, y))
tune.grid{space = {k = {1, 2}}, workers = 0, verbose = false, storage = dir .. "/v.db",
  objective = function(c) return c.k end}

local FORMATS = {
  {name = "npy", source = "v.npy", read = function(p) return data.npy(p) end},
  {name = "npz", source = "v.npz", read = function(p) return data.npz(p, {x = "x", y = "y"}) end},
  {name = "npz (moonlab's)", source = "w.npz", read = function(p) return data.npz(p, {x = "x", y = "y"}) end},
  {name = "safetensors", source = "v.safetensors", read = function(p) return tensor.load(p) end},
  {name = "weights", source = "v.weights", read = function(p) return model:load_weights(p) end},
  {name = "csv", source = "v.csv", read = function(p) return data.csv(p) end},
  {name = "idx images", source = "v-images.idx", read = function(p) return data.idx(p, dir .. "/v-labels.idx") end},
  {name = "idx labels", source = "v-labels.idx", read = function(p) return data.idx(dir .. "/v-images.idx", p) end},
  {name = "png", source = "v.png", read = function(p)
    os.execute("cp '" .. p .. "' '" .. dir .. "/png/a/x.png' && cp '" .. dir .. "/v.png' '" .. dir .. "/png/b/y.png'")
    return data.images(dir .. "/png") end},
  {name = "model", source = "v.moon", read = function(p) return nn.load(p) end},
  {name = "checkpoint", source = "v.ckpt", read = function(p)
    local m = nn.Sequential{input = {1, 8, 8}, nn.Conv2D(2, 3), nn.Flatten(), nn.Dense(3)}
    m:compile{optimizer = optim.Adam{lr = 1e-3}, loss = "sparse_categorical_crossentropy"}
    return m:fit(x, y, {epochs = 2, verbose = 0, checkpoint = p}) end},
  {name = "sweep storage", source = "v.db", read = function(p) return tune.load(p) end},
}

-- A damaged copy of `s`.
local function damage(s)
  local n = #s
  local kind = math.random(6)
  if kind == 1 then return s:sub(1, math.random(0, n - 1)) end                        -- truncated
  if kind == 2 then                                                                   -- bytes flipped
    local b = {s:byte(1, -1)}
    for _ = 1, math.random(1, 8) do local i = math.random(n); b[i] = b[i] ~ (1 << math.random(0, 7)) end
    local parts = {}
    for i = 1, n, 4096 do parts[#parts + 1] = string.char(table.unpack(b, i, math.min(n, i + 4095))) end
    return table.concat(parts)
  end
  if kind == 3 then                                                                   -- a window of 0xFF (huge lengths)
    local i = math.random(1, math.max(1, n - 8))
    return s:sub(1, i - 1) .. ("\255"):rep(8) .. s:sub(i + 8)
  end
  if kind == 4 then return s .. ("\0"):rep(math.random(1, 64)) .. "garbage" end       -- appended
  if kind == 5 then                                                                   -- inserted
    local i = math.random(1, n)
    return s:sub(1, i) .. string.pack("<I8", math.random(0, 2^53)) .. s:sub(i + 1)
  end
  local i = math.random(1, n)                                                         -- a window zeroed
  return s:sub(1, i - 1) .. ("\0"):rep(math.random(1, 64)) .. s:sub(i + 64)
end

local log = assert(io.open(progress, "w"))
local per, errors = {}, 0
for k = 1, count do
  local f = FORMATS[math.random(#FORMATS)]
  local bytes = damage(read(dir .. "/" .. f.source))
  local path = dir .. "/damaged-" .. f.source
  write(path, bytes)
  log:seek("set"); log:write(f.name, " #", k, "      \n"); log:flush()
  local ok = pcall(f.read, path)
  if not ok then errors = errors + 1 end
  per[f.name] = (per[f.name] or 0) + 1
  os.remove(path)
  if k % 50 == 0 then collectgarbage() end
end
log:close()
local names = {}
for name, n in pairs(per) do names[#names + 1] = ("%s %d"):format(name, n) end
table.sort(names)
print(("files %d errors %d: %s"):format(count, errors, table.concat(names, ", ")))
