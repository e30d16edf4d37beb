-- Layers, losses, metrics and schedules written in Lua: nn.Module, nn.Lambda, compile with
-- functions, LearningRateScheduler by step; saving and loading them in a fresh process.
local T = require "moontest"
local cli = require "cli_support"
local describe, it, expect = T.describe, T.it, T.expect

local function max_diff(a, b) return (a - b):abs():max():item() end

-- A Dense written in Lua over the fused op nn.Dense uses.
local LuaDense = nn.Module {
  name = "LuaDense",
  build = function(self, shape)
    self:param("kernel", {shape[1], self.units})
    self:param("bias", {self.units}, "zeros", {l2 = self.bias_l2})
    return {self.units}
  end,
  forward = function(self, x) return x:linear(self.kernel, self.bias) end,
}

-- A gate with a trainable weight per feature and a call counter (a buffer).
local Gate = nn.Module {
  name = "Gate",
  build = function(self, shape)
    self:param("w", {shape[1]}, nn.init.constant{value = self.start or 0})
    self:buffer("calls", {1})
  end,
  forward = function(self, x, training)
    if training then self.calls:add_(1) end
    return x * self.w:sigmoid() * 2
  end,
}

local function swish(x) return x * x:sigmoid() end

local function data(n, features, seed)
  moonlab.seed(seed or 1)
  local x = tensor.randn({n, features})
  local y = tensor.from((x:narrow(2, 1, 1):flatten():gt(0)):totable())
  return x, y
end

describe("nn.Module", function()
  it("builds, counts its weights in summary and lists them in Keras order", function()
    local m = nn.Sequential{input = {6}, LuaDense{units = 4, name = "mine"}, Gate{}, nn.Dense(2)}
    expect(m:layer("mine").kind):to_be("LuaDense")
    expect(m:layer(2).name):to_be("gate_1")
    expect(m:layer("mine"):count_params()):to_be(6 * 4 + 4)
    expect(m:layer(2):weight_names()):to_equal({"w", "calls"})
    expect(m:count_params()):to_be(28 + 5 + 10)
    local summary = m:summary{print = false}
    expect(summary):to_contain("mine (LuaDense)")
    expect(summary):to_contain("gate_1 (Gate)")
    expect(summary):to_contain("Non-trainable params: 1")
    expect(m:layer("mine").units):to_be(4)                        -- the layer answers its own fields
    expect(m:layer("mine"):config()):to_equal({options = {units = 4}})
  end)

  it("computes what the built-in layer computes, gradients and steps included", function()
    local x, y = data(32, 6)
    moonlab.seed(5)
    local a = nn.Sequential{input = {6}, LuaDense{units = 3}}
    local b = nn.Sequential{input = {6}, nn.Dense(3)}
    b:set_weights(a:get_weights())
    expect(max_diff(a(x), b(x))):to_be_less_than(1e-6)
    for _, m in ipairs{a, b} do
      m:compile{optimizer = optim.SGD{lr = 0.5, momentum = 0.9}, loss = "sparse_categorical_crossentropy"}
      m:fit(x, y, {epochs = 3, batch_size = 8, shuffle = false, verbose = 0})
    end
    local wa, wb = a:get_weights(), b:get_weights()
    expect(max_diff(wa[1], wb[1])):to_be_less_than(1e-5)
    expect(max_diff(wa[2], wb[2])):to_be_less_than(1e-5)
  end)

  it("backward matches finite differences through a Lua forward", function()
    moonlab.seed(3)
    local layer = Gate{start = 0.3}
    local x = tensor.randn({4, 5})
    layer(x)
    local w = layer.w
    local loss = function() return (layer(x) ^ 2):sum() end
    w:zero_grad()
    loss():backward()
    local analytic = w.grad:totable()
    for i = 1, 5 do
      local h = 1e-2
      local base = w:totable()
      local plus, minus = {table.unpack(base)}, {table.unpack(base)}
      plus[i], minus[i] = base[i] + h, base[i] - h
      w:copy_(tensor.from(plus)); local fp = tensor.no_grad(loss):item()
      w:copy_(tensor.from(minus)); local fm = tensor.no_grad(loss):item()
      w:copy_(tensor.from(base))
      expect(analytic[i]):to_be_close((fp - fm) / (2 * h), 2e-2)
    end
  end)

  it("works in graph models and by name in activations; buffers change only in training", function()
    local x, y = data(40, 8)
    local input = nn.Input({8})
    local h = nn.Dense(8, {activation = "relu"})(input)
    local gated = Gate{name = "gate"}(h)
    local out = nn.Dense(2)(nn.Add()({h, nn.Lambda(swish, {name = "swish"})(gated)}))
    local m = nn.Model{inputs = input, outputs = out}
    m:compile{optimizer = optim.Adam{lr = 0.01}, loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
    local hist = m:fit(x, y, {epochs = 4, batch_size = 10, verbose = 0})
    expect(hist.loss[4]):to_be_less_than(hist.loss[1])
    expect(m:layer("gate").calls:item()):to_be(16)          -- 4 epochs of 4 batches
    m:evaluate(x, y)
    m:predict(x)
    expect(m:layer("gate").calls:item()):to_be(16)
    local gate, act = m:activations(x:narrow(1, 1, 3), "gate"), m:activations(x:narrow(1, 1, 3), "swish")
    expect(gate:size()):to_equal({3, 8})
    expect(max_diff(act, swish(gate))):to_be_less_than(1e-6)
  end)

  it("adds its weights' l1/l2 penalties to the training loss", function()
    local x, y = data(16, 4)
    local m = nn.Sequential{input = {4}, LuaDense{units = 2, bias_l2 = 0.5}}
    m:layer(1):set_weights{tensor.zeros({4, 2}), tensor.from{1, 2}}
    m:compile{optimizer = optim.SGD{lr = 0}, loss = "sparse_categorical_crossentropy"}
    local h = m:fit(x, y, {epochs = 1, batch_size = 16, verbose = 0})
    local ce = nn.losses.cross_entropy(m:predict(x), y):item()
    expect(h.loss[1]):to_be_close(ce + 0.5 * (1 + 4), 1e-4)
  end)

  it("saves and loads in a fresh process with its definition, giving the same predictions", function()
    local dir = cli.tempdir()
    local definitions = dir .. "/blocks.lua"
    cli.write(definitions, [[
      local M = {}
      M.Gate = nn.Module{name = "Gate",
        build = function(self, shape) self:param("w", {shape[1]}, "zeros"); self:buffer("calls", {1}) end,
        forward = function(self, x, training) if training then self.calls:add_(1) end return x * self.w:sigmoid() * 2 end}
      function M.swish(x) return x * x:sigmoid() end
      return M
    ]])
    local blocks = dofile(definitions)
    local x, y = data(48, 6)
    local m = nn.Sequential{input = {6}, nn.Dense(8, {activation = "relu"}), blocks.Gate{}, nn.Lambda(blocks.swish, {name = "swish"}), nn.Dense(2)}
    m:compile{optimizer = optim.Adam{lr = 0.02}, loss = function(p, t) return nn.losses.cross_entropy(p, t) end,
              metrics = {"accuracy", half = function() return 0.5 end}}
    m:fit(x, y, {epochs = 3, batch_size = 16, verbose = 0})
    m:save(dir .. "/model.moon")
    local function literal(t)
      local rows = {}
      for i, row in ipairs(t:totable()) do
        local cells = {}
        for j, v in ipairs(row) do cells[j] = string.format("%.9g", v) end
        rows[i] = "{" .. table.concat(cells, ", ") .. "}"
      end
      return "tensor.from{" .. table.concat(rows, ",\n") .. "}"
    end
    cli.write(dir .. "/saved.lua", "return {x = " .. literal(x) .. ", p = " .. literal(m:predict(x)) .. "}")
    cli.write(dir .. "/load.lua", [[
      local blocks = dofile(arg[1] .. "/blocks.lua")
      local ok, err = pcall(nn.load, arg[1] .. "/model.moon")
      print(err)
      local m = nn.load(arg[1] .. "/model.moon", {custom = {Gate = blocks.Gate, swish = blocks.swish,
        custom_loss = function(p, t) return nn.losses.cross_entropy(p, t) end, half = function() return 0.5 end}})
      local saved = dofile(arg[1] .. "/saved.lua")
      print(string.format("diff %.1e", (m:predict(saved.x) - saved.p):abs():max():item()))
      print("calls", m:layer("gate_1").calls:item())
      local h = m:fit(saved.x, saved.p:argmax(2) - 1, {epochs = 1, batch_size = 16, verbose = 0})
      print("half", h.half[1])
    ]])
    local out, err, code = cli.run({dir .. "/load.lua", dir})
    if code ~= 0 then print(out, err) end
    expect(code):to_be(0)
    expect(err):to_be("")
    expect(out):to_contain("needs the custom layer class 'Gate' (layer 'gate_1')")
    local diff = tonumber(out:match("diff (%S+)"))
    expect(diff):to_be_less_than(1e-6)   -- the printed predictions carry 9 digits
    expect(out):to_contain("calls\t9")
    expect(out):to_contain("half\t0.5")
    os.execute("rm -rf " .. cli.quote(dir))
  end)

  it("holds sub-layers whose weights train, count and save with it", function()
    local Block = nn.Module{name = "Block",
      init = function(self) self:layer("inner", nn.Dense(self.units, {activation = "relu", l2 = 0.25})) end,
      forward = function(self, x) return x + self.inner(x) end}
    local m = nn.Sequential{input = {3}, Block{units = 3}, nn.Dense(2)}
    expect(m:layer(1):weight_names()):to_equal({"inner.kernel", "inner.bias"})
    expect(m:layer(1):count_params()):to_be(12)
    local before = m:layer(1).inner:get_weights()[1]
    local x, y = data(12, 3)
    m:compile{optimizer = optim.SGD{lr = 0.1}, loss = "sparse_categorical_crossentropy"}
    m:fit(x, y, {epochs = 2, batch_size = 4, verbose = 0})
    expect(max_diff(before, m:layer(1).inner:get_weights()[1])):to_be_greater_than(0)
    -- its l2 penalty is in the loss: with a zero learning rate the loss is cross-entropy + penalty
    m:compile{optimizer = optim.SGD{lr = 0}, loss = "sparse_categorical_crossentropy"}
    local h = m:fit(x, y, {epochs = 1, batch_size = 12, verbose = 0})
    local k = m:layer(1).inner:get_weights()[1]
    expect(h.loss[1]):to_be_close(nn.losses.cross_entropy(m:predict(x), y):item() + 0.25 * (k ^ 2):sum():item(), 1e-4)
  end)

  it("runs the example: a gated residual block and Mish, saved and loaded", function()
    local out, err, code = cli.run({cli.root() .. "examples/lua_layers.lua", "--smoke"})
    if code ~= 0 then print(out, err) end
    expect(code):to_be(0)
    expect(out):to_contain("gated (GatedResidual)")
    expect(out):to_contain("loaded model: largest prediction difference 0\n")
  end)

  it("trains in tune's worker processes, checkpointed", function()
    local dir = cli.tempdir()
    cli.write(dir .. "/sweep.lua", [[
      local Gate = nn.Module{name = "Gate",
        build = function(self, shape) self:param("w", {shape[1]}, "zeros") end,
        forward = function(self, x) return x * self.w:sigmoid() * 2 end}
      local r = tune.grid{space = {units = {4, 8}}, workers = 2, verbose = false, storage = arg[1] .. "/s.db",
        objective = function(cfg, trial)
          moonlab.seed(1)
          local x = tensor.randn({32, 5})
          local y = x:narrow(2, 1, 1):flatten():gt(0)
          local m = nn.Sequential{input = {5}, nn.Dense(cfg.units, {activation = "relu"}), Gate{}, nn.Dense(2)}
          m:compile{optimizer = "adam", loss = function(p, t) return nn.losses.cross_entropy(p, t) end, metrics = {"accuracy"}}
          return m:fit(x, y, {epochs = 3, verbose = 0, checkpoint = trial.checkpoint}).accuracy[3]
        end}
      for _, t in ipairs(r.trials) do print(t.config.units, t.status, t.score ~= nil) end
    ]])
    local out, err, code = cli.run({dir .. "/sweep.lua", dir})
    if code ~= 0 then print(out, err) end
    expect(code):to_be(0)
    expect(out):to_be("4\tdone\ttrue\n8\tdone\ttrue\n")
    os.execute("rm -rf " .. cli.quote(dir))
  end)

  it("says what is wrong with a definition or a call", function()
    expect(function() nn.Module{forward = function(self, x) return x end} end):to_fail_with("needs name=")
    expect(function() nn.Module{name = "A"} end):to_fail_with("needs forward=")
    expect(function() nn.Module{name = "a b", forward = print} end):to_fail_with("must be a word")
    expect(function() nn.Module{name = "A", forward = print, param = 1} end):to_fail_with("'param' is the name of a method")
    local Bad = nn.Module{name = "Bad", forward = function() return 3 end}
    expect(function() nn.Sequential{input = {2}, Bad{}} end):to_fail_with("Bad forward must return a tensor, got number 3")
    local Broken = nn.Module{name = "Broken", forward = function(self, x) return x:nope() end}
    expect(function() nn.Sequential{input = {2}, Broken{}} end):to_fail_with("Broken forward:")
    expect(function() Gate{f = print} end):to_fail_with("must be a number, string, boolean or table")
    local Late = nn.Module{name = "Late", forward = function(self, x) self:param("w", {1}); return x end}
    expect(function() nn.Sequential{input = {2}, Late{}} end):to_fail_with("are declared in init(self, options) or build")
    local Twice = nn.Module{name = "Twice", build = function(self) self:param("w", {1}); self:param("w", {1}) end,
                            forward = function(self, x) return x end}
    expect(function() nn.Sequential{input = {2}, Twice{}} end):to_fail_with("already has a weight or sub-layer named 'w'")
    local Shape = nn.Module{name = "Shape", build = function() return {3} end, forward = function(self, x) return x end}
    expect(function() nn.Sequential{input = {2}, Shape{}}(tensor.zeros({1, 2})) end):to_fail_with("built to give {N,3}")
    local dir = cli.tempdir()
    nn.Sequential{input = {2}, nn.Lambda(swish, {name = "act"})}:save(dir .. "/m.moon")
    expect(function() nn.load(dir .. "/m.moon") end):to_fail_with("function of its Lambda layer 'act'")
    expect(function() nn.load(dir .. "/m.moon", {custom = {act = 3}}) end):to_fail_with("entries must be a layer class")
    os.execute("rm -rf " .. cli.quote(dir))
  end)
end)

describe("losses, metrics and schedules as functions", function()
  it("a loss function trains exactly as the built-in loss it computes", function()
    local x, y = data(32, 5)
    local runs = {}
    for i, loss in ipairs{"sparse_categorical_crossentropy", function(p, t) return nn.losses.cross_entropy(p, t) end} do
      moonlab.seed(9)
      local m = nn.Sequential{input = {5}, nn.Dense(6, {activation = "tanh"}), nn.Dense(2)}
      m:compile{optimizer = optim.SGD{lr = 0.3}, loss = loss}
      runs[i] = m:fit(x, y, {epochs = 3, batch_size = 8, verbose = 0, shuffle = false}).loss
    end
    for e = 1, 3 do expect(runs[2][e]):to_be_close(runs[1][e], 1e-6) end
  end)

  it("metrics given as functions are averaged over batches by size and named by their keys", function()
    local x, y = data(20, 3)
    local m = nn.Sequential{input = {3}, nn.Dense(2)}
    local sizes = {}
    m:compile{optimizer = "sgd", loss = "sparse_categorical_crossentropy", metrics = {"accuracy",
      rows = function(p, t) sizes[#sizes + 1] = p:size(1); return p:size(1) end, function() return tensor.from{7} end}}
    local h = m:fit(x, y, {epochs = 1, batch_size = 8, verbose = 0, shuffle = false})
    expect(sizes):to_equal({8, 8, 4})
    expect(h.rows[1]):to_be_close((8 * 8 + 8 * 8 + 4 * 4) / 20, 1e-9)
    expect(h.metric_2[1]):to_be(7)
    local r = m:evaluate(x, y, {batch = 8})
    expect(r.rows):to_be_close((8 * 8 + 8 * 8 + 4 * 4) / 20, 1e-9)
    expect(function() m:compile{loss = function() return tensor.zeros({2}) end}; m:fit(x, y, {verbose = 0}) end)
      :to_fail_with("must return a scalar tensor")
    expect(function() m:compile{loss = "mse", metrics = {bad = 3}}; end):to_fail_with("'bad' must be a function")
  end)

  it("LearningRateScheduler by step sees every step, counted across epochs", function()
    local x, y = data(24, 3)
    local m = nn.Sequential{input = {3}, nn.Dense(2)}
    m:compile{optimizer = optim.SGD{lr = 1}, loss = "sparse_categorical_crossentropy"}
    local seen = {}
    local warmup = nn.LearningRateScheduler(function(epoch, lr, step)
      seen[#seen + 1] = epoch .. ":" .. step
      return math.min(1, step / 4) * 0.1
    end, {every = "step"})
    local h = m:fit(x, y, {epochs = 2, batch_size = 8, verbose = 0, callbacks = {warmup}})
    expect(seen):to_equal({"1:1", "1:2", "1:3", "2:4", "2:5", "2:6"})
    expect(h.lr[2]):to_be_close(0.075, 1e-7)   -- the rate at epoch 2's start, before its first step
    local per_epoch = {}
    m:fit(x, y, {epochs = 2, batch_size = 8, verbose = 0, callbacks = {
      nn.LearningRateScheduler(function(epoch, lr, step) per_epoch[#per_epoch + 1] = step; return lr end)}})
    expect(per_epoch):to_equal({1, 4})
    expect(function() nn.LearningRateScheduler(print, {every = "batch"}) end):to_fail_with("'every' must be")
  end)
end)

T.finish()
