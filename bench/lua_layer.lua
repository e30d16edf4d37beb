-- A Dense layer written in Lua (nn.Module) against the built-in nn.Dense, on the small MLP of
-- the training benchmark (model a: 784-64-64-10 relu, SGD lr 0.1, batch 32), same run.
--
-- Run: moonlab bench/lua_layer.lua [ROUNDS] [BATCHES] [THREADS]
-- Each round times BATCHES training steps of model:fit for each variant, alternating, after a
-- warm-up; prints "lua_layer builtin <samples/s>" and "lua_layer lua <samples/s>" per round and
-- the median ratio. Variants: builtin (nn.Dense), lua (a Lua layer over x:linear, the fused
-- op nn.Dense uses) and lua_ops (a Lua layer over x:matmul(w) + b). Data: random images of Fashion-MNIST's shape (the step's cost does not
-- depend on the values).

local rounds = tonumber(arg[1]) or 5
local batches = tonumber(arg[2]) or 600
local batch = 32
moonlab.threads(tonumber(arg[3]) or 2)

local LuaDense = nn.Module {
  name = "LuaDense",
  init = function(self, options)
    assert(math.type(options.units) == "integer", "LuaDense needs units, an integer")
  end,
  build = function(self, input_shape)
    self:param("kernel", {input_shape[1], self.units})          -- glorot_uniform, as nn.Dense
    self:param("bias", {self.units}, "zeros")
    return {self.units}
  end,
  forward = function(self, x)
    local y
    if self.fused then y = x:linear(self.kernel, self.bias)   -- nn.Dense's own fused op
    else y = x:matmul(self.kernel) + self.bias end           -- two ops, broadcasting the bias
    if self.activation == "relu" then y = y:relu() end
    return y
  end,
}

local function model(kind)
  local dense = kind == "builtin" and function(units, activation) return nn.Dense(units, {activation = activation}) end
    or function(units, activation) return LuaDense{units = units, activation = activation, fused = kind == "lua"} end
  local m = nn.Sequential{input = {1, 28, 28}, nn.Flatten(),
    dense(64, "relu"), dense(64, "relu"), dense(10)}
  m:compile{optimizer = optim.SGD{lr = 0.1}, loss = "sparse_categorical_crossentropy"}
  return m
end

moonlab.seed(1)
local n = batch * batches
local x = tensor.rand({n, 1, 28, 28})
local y = tensor.from((function() local t = {} for i = 1, n do t[i] = (i * 7) % 10 end return t end)())
local variants = {"builtin", "lua", "lua_ops"}
local models = {}
for _, v in ipairs(variants) do models[v] = model(v) end
for _, m in pairs(models) do m:fit(x:narrow(1, 1, batch * 20), y:narrow(1, 1, batch * 20), {batch_size = batch, verbose = 0}) end

local ratios = {lua = {}, lua_ops = {}}
for r = 1, rounds do
  local speed = {}
  local order = {}
  for i = 1, #variants do order[i] = variants[(i + r - 2) % #variants + 1] end  -- rotate the order
  for _, name in ipairs(order) do
    local t0 = moonlab.clock()
    models[name]:fit(x, y, {batch_size = batch, epochs = 1, verbose = 0, shuffle = false})
    speed[name] = n / (moonlab.clock() - t0)
    print(string.format("lua_layer %s %.0f", name, speed[name]))
  end
  for v, list in pairs(ratios) do list[#list + 1] = speed[v] / speed.builtin end
end
for _, v in ipairs({"lua", "lua_ops"}) do
  local list = ratios[v]
  table.sort(list)
  print(string.format("lua_layer ratio %s/builtin median %.3f (min %.3f, max %.3f, %d rounds)",
    v, list[(#list + 1) // 2], list[1], list[#list], #list))
end
