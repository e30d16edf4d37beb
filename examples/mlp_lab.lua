-- mlp_lab.lua: small multilayer perceptrons on Fashion-MNIST (study 003): the architecture
-- table (784-16/32/64-10 and 784-16-16/32-32/64-64-10), then learning rate, momentum, L1, L2
-- and dropout tables over the same six networks.
--
-- As in the study: ReLU hidden layers, a softmax output, SGD with learning rate 0.1 and no
-- momentum, batch 32, 10 epochs, one setting changed at a time. The study validated on the
-- 10000 test images; so does this script (its "validation accuracy" is test-set accuracy).
-- L1/L2 act on every hidden layer's kernel; dropout follows every hidden layer.
--
-- Run:  moonlab examples/mlp_lab.lua --quick   (minutes: 20000 images, 5 epochs, fewer settings)
--       moonlab examples/mlp_lab.lua           (the study's settings)
--       ... --only architectures,momentum      (some of the tables: architectures, lr,
--                                               momentum, l1, l2, dropout, headline)
--       ... --only headline --seeds 5          (the study's best network over seeds)

local S = require "moonstudy"     -- the command line, settings, seeds, sweeps and runs
local tab = require "moontable"   -- the tables of results
-- Accuracies as percentages beside the study's; its figure is "in" within max(sd, 0.05 points).
local PCT = {scale = 100, tolerance = 0.05}

local cfg = S.setup("mlp_lab", {
  full  = {epochs = 10},
  quick = {train = 20000, test = 10000, epochs = 5},
  smoke = {train = 300, test = 200, epochs = 1},
})

S.assumptions{
  "batch size 32 (the study does not state it; Keras' default)",
  "Glorot-uniform kernels and zero biases (Keras' defaults; the study names no initializer)",
  "the figure is the validation accuracy after the last epoch, validating on the 10,000 test images, as the study did",
  "seeds: the headline network runs with at least 5 seeds (--seeds N for more); the tables run seed 1",
}

local train, test = S.load("fashion_mnist", cfg)
print(("training %d, validation (= test) %d images"):format(#train, #test))

local ARCHS = {"16", "32", "64", "16-16", "32-32", "64-64"}
local function arch_name(a) return "784x" .. a:gsub("-", "x") .. "x10" end

-- The settings, each one change from the base (lr 0.1, momentum 0).
local SETTINGS = {
  lr = cfg.quick and {0.2} or {0.2, 0.3},
  momentum = cfg.quick and {0.5, 0.9} or {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0},
  l1 = cfg.quick and {1e-4} or {1e-3, 1e-4, 1e-5},
  l2 = cfg.quick and {1e-4} or {1e-3, 1e-4, 1e-5},
  dropout = cfg.quick and {0.26} or {0.2, 0.26, 0.3, 0.4, 0.5},
}
local col_names = {}
for _, a in ipairs(ARCHS) do col_names[a] = arch_name(a) end

-- One run: SGD (lr 0.1 and no momentum unless the setting changes them), batch 32, softmax
-- output; the figure is the validation accuracy after the last epoch, as the study read it.
local function objective(c)
  local hidden = {}
  for units in c.arch:gmatch("%d+") do hidden[#hidden + 1] = tonumber(units) end
  local o = {lr = 0.1, momentum = 0}
  if c.kind then o[c.kind] = c.value end
  local _, info = S.run(("%s %s=%s"):format(arch_name(c.arch), c.kind or "base", c.value or ""),
    {mlp = hidden, output_activation = "softmax", l1 = o.l1, l2 = o.l2, dropout = o.dropout},
    {train = train, val = test, optimizer = "sgd", lr = o.lr, momentum = o.momentum, batch = 32,
     epochs = cfg.epochs, seed = c.seed})
  local r = S.trial_result(info)
  r.final_val_accuracy = info.last_val_accuracy
  return r
end

-- One table of the study: the six networks under each value of one setting.
local function study_table(kind, title, label)
  if not S.wants(cfg, kind) then return {} end
  local space = {arch = ARCHS}
  if kind ~= "architectures" then space.kind, space.value = kind, SETTINGS[kind] end
  local function fill(rows)
    for _, r in ipairs(rows) do r.value = r.value or "relu" end
    return rows
  end
  local _, rows = S.sweep(cfg, title, space, objective, {report = function(_, rows)
    tab.print(title, tab.pivot(fill(rows), "value", "arch", "final_val_accuracy",
      {row_label = label, row_format = tab.g, col_order = ARCHS, col_names = col_names}))
  end})
  return fill(rows)
end

local e = cfg.epochs
local base = study_table("architectures",
  ("Architectures: validation accuracy after %d epochs (SGD lr 0.1, no momentum)"):format(e), "activation")
local all = {}
for _, r in ipairs(base) do all[#all + 1] = r end
for _, t in ipairs{{"lr", "Learning rate", "lr"}, {"momentum", "Momentum (lr 0.1)", "momentum"},
                   {"l1", "L1 regularization", "L1"}, {"l2", "L2 regularization", "L2"},
                   {"dropout", "Dropout after each hidden layer", "dropout rate"}} do
  for _, r in ipairs(study_table(t[1], t[2], t[3])) do all[#all + 1] = r end
end

tab.print("The study's figures for comparison (validation accuracy after 10 epochs)",
  {{"what", "setting"}, {"a", "784x16x10"}, {"b", "784x32x10"}, {"c", "784x64x10"},
   {"d", "784x16x16x10"}, {"e", "784x32x32x10"}, {"f", "784x64x64x10"}}, {
  {what = "base (lr 0.1)", a = 0.8482, b = 0.8579, c = 0.8624, d = 0.8566, e = 0.8568, f = 0.875},
  {what = "lr 0.2", a = 0.8554, b = 0.1, c = 0.8645, d = 0.1, e = 0.1, f = 0.8647},
  {what = "momentum 0.5", a = 0.8526, c = 0.8738, e = 0.8702},
  {what = "L1 1e-4", a = 0.8504, b = 0.8505, c = 0.8596, d = 0.8401, e = 0.8533, f = 0.8686},
  {what = "L2 1e-4", a = 0.8363, b = 0.8635, c = 0.8641, d = 0.8514, e = 0.8596, f = 0.8648},
  {what = "dropout 0.26", a = 0.8346, b = 0.8519, c = 0.8654, d = 0.8123, e = 0.8371, f = 0.8551}})

-- The study's best network (784-64-64-10, the base recipe) over seeds: the headline row.
if S.wants(cfg, "headline") then
  local _, rows = S.sweep(cfg, "784x64x64x10 over seeds", {run = S.seeded({"64-64"}, S.seeds_at_least(cfg, 5))},
    function(c)
      local arch, seed = S.unseed(c.run)
      local r = objective{arch = arch, seed = seed}
      r.seed = seed
      return r
    end, {name = "headline"})
  local headline, values = {}, {}
  for _, r in ipairs(rows) do
    if r.final_val_accuracy then
      values[#values + 1] = r.final_val_accuracy
      headline[#headline + 1] = {row = "784-64-64-10 MLP, SGD lr 0.1, 10 epochs", dataset = "Fashion-MNIST",
        metric = "accuracy (test set as validation)", study_value = 0.875, seed = r.seed,
        value = r.final_val_accuracy, seconds = r.seconds, trial = r}
    end
  end
  print(("784x64x64x10 over %d seeds: %s %% (study 87.50)"):format(#values, tab.beside(values, 87.5, PCT)))
  S.headline(cfg, "003 MLP lab", ("moonlab examples/mlp_lab.lua --only headline --seeds %d"):format(cfg.seeds), headline)
end

if #base > 0 then
  S.curves(cfg, "architectures.svg", base, function(r) return arch_name(r.arch) end,
           "curve_val_accuracy", "validation accuracy by architecture")
end
local best = tab.best(all, "final_val_accuracy")
if best then
  print(("best: %s with %s %s, validation accuracy %.4f (study: 784x64x64x10, base, 0.875)"):format(
    arch_name(best.arch), best.kind or "base", tab.g(best.value), best.final_val_accuracy))
end

S.done(cfg)
