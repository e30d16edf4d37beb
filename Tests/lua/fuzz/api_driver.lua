-- One batch of the API fuzzer (run by fuzz_test.lua in a child process, in a scratch folder):
-- calls every function of every moonlab module and every method of every object type with
-- generated arguments, each under pcall. Arguments: arg[1] seed, arg[2] calls, arg[3] the
-- progress file (the function about to be called is written there first, so a crash names
-- it). Prints "calls N errors M functions F" at the end.
local seed, calls, progress = tonumber(arg[1]), tonumber(arg[2]), arg[3]
math.randomseed(seed)
moonlab.seed(seed)

-- Values an argument may take: edge numbers, strings, tables, functions, objects.
local function objects()
  local ok, out = pcall(function()
    local o = {}
    o.tensor = tensor.randn{2, 3}
    o.scalar = tensor.from(1.5)
    o.labels = tensor.from{0, 1}
    o.image = tensor.rand{1, 8, 8}
    o.model = nn.Sequential{input = {3}, nn.Dense(4, {activation = "relu"}), nn.Dense(2)}
    o.model:compile{optimizer = optim.SGD{lr = 0.1}, loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
    o.layer = nn.Dense(2)
    o.conv = nn.Conv2D(2, 3)
    o.optimizer = optim.Adam{lr = 1e-3}
    o.dataset = data.dataset(tensor.randn{6, 3}, tensor.from{0, 1, 0, 1, 0, 1})
    o.transform = aug.RandomHorizontalFlip(0.5)
    o.init = nn.init.glorot_uniform()
    o.domain = tune.choice{1, 2}
    o.callback = nn.EarlyStopping{patience = 1}
    return o
  end)
  assert(ok, out)
  return out
end
local O = objects()
local object_list = {}
for _, v in pairs(O) do object_list[#object_list + 1] = v end

local function nested(depth)
  local t = {}
  local cur = t
  for _ = 1, depth do cur[1] = {}; cur = cur[1] end
  return t
end

local generators = {
  function() return nil end, function() return true end, function() return false end,
  function() return 0 end, function() return 1 end, function() return 2 end, function() return 3 end,
  function() return -1 end, function() return 0.5 end, function() return 1e9 end, function() return 2^31 end,
  function() return 2^53 end, function() return math.mininteger end, function() return math.maxinteger end,
  function() return 0 / 0 end, function() return math.huge end, function() return -math.huge end,
  function() return "" end, function() return "x" end, function() return "relu" end, function() return "mnist" end,
  function() return "out/f.png" end, function() return ("a"):rep(10000) end, function() return "\0\255" end,
  function() return {} end, function() return {1, 2} end, function() return {2, 3} end, function() return {-1, 5} end,
  function() return {1e9, 1e9} end, function() return {a = 1, b = "c"} end, function() return nested(200) end,
  function() return {1, {2}, "x"} end, function() return {input = {3}} end, function() return {epochs = 1, verbose = 0} end,
  function() return {seed = 1, n = 4} end, function() return {O.tensor, O.tensor} end,
  function() return function() return 1 end end, function() return function() error({code = 1}) end end,
  function() return print end, function() return coroutine.create(function() end) end,
  function() return object_list[math.random(#object_list)] end,
  function() return object_list[math.random(#object_list)] end,
  function() return object_list[math.random(#object_list)] end,
}
local function value() return generators[math.random(#generators)]() end

-- Every callable: module functions and object methods.
local targets = {}
local MODULES = {"tensor", "nn", "optim", "data", "aug", "metrics", "analysis", "tune", "plot", "moonlab"}
-- Calls that would end or block the process, or start long work by design.
local SKIP = {["moonlab.exit"] = true, ["tune.grid"] = false}
local function add_module(name, t, depth)
  for k, v in pairs(t) do
    local full = name .. "." .. tostring(k)
    if type(v) == "function" and not SKIP[full] then targets[#targets + 1] = {name = full, fn = v}
    elseif type(v) == "table" and depth < 2 and type(k) == "string" then add_module(full, v, depth + 1) end
  end
end
for _, m in ipairs(MODULES) do if _G[m] then add_module(m, _G[m], 0) end end
for kind, obj in pairs(O) do
  local mt = getmetatable(obj)
  local methods = type(mt) == "table" and rawget(mt, "__methods")
  if type(methods) == "table" then
    for k, f in pairs(methods) do
      if type(f) == "function" then
        targets[#targets + 1] = {name = kind .. ":" .. k, fn = function(...) return f(obj, ...) end}
      end
    end
  end
end
table.sort(targets, function(a, b) return a.name < b.name end)

local log = assert(io.open(progress, "w"))
local errors = 0
for i = 1, calls do
  local t = targets[math.random(#targets)]
  local n = math.random(0, 4)
  local args = {}
  for j = 1, n do args[j] = value() end
  log:seek("set"); log:write(t.name, " ", n, "      \n"); log:flush()
  local ok = pcall(t.fn, table.unpack(args, 1, n))
  if not ok then errors = errors + 1 end
  if i % 200 == 0 then collectgarbage() end
end
log:close()
print(("calls %d errors %d functions %d"):format(calls, errors, #targets))
