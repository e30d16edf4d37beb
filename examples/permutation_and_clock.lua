-- permutation_and_clock.lua: optimizers, activations and initializers on an MLP and a CNN,
-- the same networks on pixel-permuted MNIST and Fashion-MNIST, and a network that reads the
-- time off analog clock faces (study 004).
--
-- Steps, as in the study:
--   1. one choice at a time on four models (MLP and CNN, MNIST and Fashion-MNIST): 7
--      optimizers, 7 activations, 6 initializers; validation accuracy after up to 10 epochs.
--      MLP: 512-512 ReLU with dropout 0.2; CNN: Conv2D(28, 3) - MaxPool(2) - Dense(128) -
--      dropout 0.2; both with RMSprop (lr 0.001, rho 0.9) and a softmax output; the CNN starts
--      from random-uniform weights;
--   2. one fixed permutation of the 784 pixels applied to every image (training and test):
--      the MLP should not care, the CNN should lose a little; test accuracy with early stopping;
--   3. tell-the-time: 150x150 clock faces from data.clocks; a CNN with two heads, the hour as
--      one of 12 classes and the minute (scaled to [0, 1]) as a regression with MAE loss;
--      reported as hour accuracy and minute MAE in minutes, with batch size, optimizer,
--      activation and initializer variations.
--
-- Run:  moonlab examples/permutation_and_clock.lua --quick   (minutes)
--       moonlab examples/permutation_and_clock.lua           (the study's settings)
--       ... --only choices | permutation | clock                   (one step)
-- MNIST is looked up through MOONLAB_DATA (e.g. MOONLAB_DATA=/work/shared/data).

local S = require "lib.study"

local cfg = S.setup("permutation_and_clock", {
  -- sweep_epochs: step 1; epochs/patience: step 2 (early stopping); clock_*: step 3.
  full  = {sweep_epochs = 10, epochs = 50, patience = 5,
           clock_n = 18000, clock_size = 150, clock_epochs = 30, clock_patience = 5},
  quick = {train = 5000, test = 2000, sweep_epochs = 2, epochs = 3, patience = 1,
           clock_n = 2000, clock_size = 64, clock_epochs = 2, clock_patience = 1},
})

local DATASETS = {"mnist", "fashion_mnist"}
local cache = {}
local function dataset(which)
  if not cache[which] then
    local train, test = S.load(which, cfg)
    local tr, va = S.split(train, 0.8)
    cache[which] = {train = train, tr = tr, va = va, test = test}
  end
  return cache[which]
end

-- The two networks; o: activation=, init= (hidden layers), dense_init= (the output layer).
local function mlp(o)
  return S.mlp({512, 512}, {activation = o.activation or "relu", init = o.init or "glorot_uniform",
                            dropout = 0.2, output_activation = "softmax"})
end
local function cnn(o)
  local act, init = o.activation or "relu", o.init or "random_uniform"
  return nn.Sequential{input = {1, 28, 28},
    nn.Conv2D(28, 3, {activation = act, init = init}), nn.MaxPool2D(2), nn.Flatten(),
    nn.Dense(128, {activation = act, init = init}), nn.Dropout(0.2),
    nn.Dense(10, {activation = "softmax", init = init})}
end
local MODELS = {mlp = mlp, cnn = cnn}

---------------------------------------------------------------------------------------------
-- 1. Optimizers, activations, initializers: one change at a time from the base model.
---------------------------------------------------------------------------------------------
local CHOICES = {
  optimizer = cfg.quick and {"sgd", "adam", "rmsprop"}
    or {"sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamax", "nadam"},
  activation = cfg.quick and {"relu", "tanh", "hard_sigmoid"}
    or {"tanh", "relu", "elu", "sigmoid", "hard_sigmoid", "exponential", "linear"},
  init = cfg.quick and {"zeros", "random_uniform", "glorot_uniform"}
    or {"zeros", "ones", "random_normal", "random_uniform", "glorot_normal", "glorot_uniform"},
}
local KINDS = {"optimizer", "activation", "init"}
local changes = {}
for _, kind in ipairs(KINDS) do
  for _, v in ipairs(CHOICES[kind]) do changes[#changes + 1] = kind .. "=" .. v end
end
local SETUPS = {"mlp/mnist", "mlp/fashion_mnist", "cnn/mnist", "cnn/fashion_mnist"}

if S.wants(cfg, "choices") then
  local _, choice_rows = S.sweep(cfg, "optimizer / activation / initializer", {model = SETUPS, change = changes},
    function(c)
      local kind, value = c.change:match("^(.-)=(.*)$")
      local o = {[kind] = value}
      local net, which = c.model:match("^(.-)/(.*)$")
      local d = dataset(which)
      local opt = o.optimizer and S.optimizer(o.optimizer) or optim.RMSprop{lr = 1e-3, rho = 0.9}
      local _, info = S.run(c.model .. " " .. c.change, function() return MODELS[net](o) end,
        {train = d.tr, val = d.va, optimizer = opt, batch = 128, epochs = cfg.sweep_epochs})
      local r = S.trial_result(info)
      r.kind, r.value = kind, value
      r.final_val_accuracy = info.last_val_accuracy
      return r
    end)

  for _, kind in ipairs(KINDS) do
    local rows = S.filter(choice_rows, {kind = kind})
    S.pivot(("%s: validation accuracy after %d epoch(s)"):format(kind, cfg.sweep_epochs), rows,
      "value", "model", "final_val_accuracy", {row_label = kind, col_order = SETUPS})
    for _, setup in ipairs(SETUPS) do
      S.curves(cfg, ("%s_%s.svg"):format(kind, setup:gsub("/", "_")), S.filter(rows, {model = setup}),
        "value", "curve_val_accuracy", setup .. ": validation accuracy by " .. kind)
    end
  end
end


---------------------------------------------------------------------------------------------
-- 2. Original against pixel-permuted images: one permutation for every image.
---------------------------------------------------------------------------------------------
local PERM = data.permutation(784, {seed = 7})

if S.wants(cfg, "permutation") then
  local _, perm_rows = S.sweep(cfg, "original and permuted pixels",
    {model = {"mlp", "cnn"}, dataset = DATASETS, pixels = {"original", "permuted"}},
    function(c, t)
      local d = dataset(c.dataset)
      local tr, va, test = d.tr, d.va, d.test
      if c.pixels == "permuted" then
        tr, va, test = data.permute_pixels(tr, PERM), data.permute_pixels(va, PERM), data.permute_pixels(test, PERM)
      end
      local _, info = S.run(("%s %s %s"):format(c.model, c.dataset, c.pixels), function() return MODELS[c.model]{} end,
        {train = tr, val = va, test = test, optimizer = optim.RMSprop{lr = 1e-3, rho = 0.9}, batch = 128,
         epochs = cfg.epochs, patience = cfg.patience, checkpoint = t.checkpoint})
      return S.trial_result(info)
    end)

  local perm_table = {}
  local STUDY = {["mlp/mnist"] = {0.9831, 0.9836}, ["mlp/fashion_mnist"] = {0.8824, 0.8819}}
  for _, which in ipairs(DATASETS) do
    for _, model in ipairs{"mlp", "cnn"} do
      local o = S.filter(perm_rows, {model = model, dataset = which, pixels = "original"})[1]
      local p = S.filter(perm_rows, {model = model, dataset = which, pixels = "permuted"})[1]
      local study = STUDY[model .. "/" .. which]
      perm_table[#perm_table + 1] = {data = which, model = model:upper(),
        original = o and o.test_accuracy, permuted = p and p.test_accuracy,
        diff = o and p and o.test_accuracy and p.test_accuracy and (o.test_accuracy - p.test_accuracy),
        epochs = o and p and (o.epochs .. " / " .. p.epochs),
        study = study and ("%.4f / %.4f"):format(study[1], study[2])
          or (model == "cnn" and (which == "mnist" and "diff ~0.005" or "diff ~0.002"))}
    end
  end
  S.table("Test accuracy on original and pixel-permuted images (early stopping)", {
    {"data", "data set"}, {"model", "model"}, {"original", "original"}, {"permuted", "permuted"},
    {"diff", "difference"}, {"epochs", "epochs"}, {"study", "study (original / permuted)"}}, perm_table)
  S.parent(function()
    for _, which in ipairs(DATASETS) do
      local series = {}
      for _, r in ipairs(S.filter(perm_rows, {dataset = which})) do
        series[r.model .. " " .. r.pixels] = r.curve_accuracy
      end
      plot.lines{series = series, out = S.path(cfg, "permutation_" .. which .. ".svg"),
                 title = which .. ": training accuracy, original and permuted", xlabel = "epoch", ylabel = "accuracy"}
    end
    local d = dataset("mnist")
    plot.images(data.permute_pixels(d.test:subset(1, 16), PERM), {cols = 8, out = S.path(cfg, "permuted_digits.png")})
  end)
end


---------------------------------------------------------------------------------------------
-- 3. Tell the time: hour as a class, minute as a number.
---------------------------------------------------------------------------------------------
local clocks_cache
local function clocks()
  if not clocks_cache then
    -- Minutes scaled to [0, 1], as the study did; the hour stays a class 0..11.
    local all = data.clocks{n = cfg.clock_n, size = cfg.clock_size, seed = 1}
      :map(function(x, y) return x, {hour = y.hour, minute = y.minute / 60} end, {batch = true})
    local train, test = all:split(0.8, {seed = 1})
    local tr, va = train:split(0.9, {seed = 2})
    clocks_cache = {tr = tr, va = va, test = test}
  end
  return clocks_cache
end

-- Conv/pool blocks, a dense layer with dropout 0.2, and two heads (no batch norm: the study
-- found it hurt the minutes).
local function clock_model(o)
  local act, init = o.activation or "relu", o.init or "random_uniform"
  local x = nn.Input{1, cfg.clock_size, cfg.clock_size}
  local h = x
  for _, filters in ipairs{32, 64, 64} do
    h = nn.MaxPool2D(2)(nn.Conv2D(filters, 3, {activation = act, init = init})(h))
  end
  h = nn.Dropout(0.2)(nn.Dense(128, {activation = act, init = init})(nn.Flatten()(h)))
  return nn.Model{inputs = x, outputs = {hour = nn.Dense(12, {activation = "softmax", init = init})(h),
                                         minute = nn.Dense(1, {activation = "linear", init = init})(h)}}
end

local CLOCK_SETTINGS = cfg.quick and {"base", "batch=256"}
  or {"base", "batch=256", "optimizer=rmsprop", "optimizer=sgd", "optimizer=nadam",
      "activation=tanh", "activation=elu", "init=glorot_uniform", "init=zeros"}

if S.wants(cfg, "clock") then
  local _, clock_rows = S.sweep(cfg, "tell-the-time network", {setting = CLOCK_SETTINGS},
    function(c, t)
      local o = {batch = 32, optimizer = "adam"}
      local kind, value = c.setting:match("^(.-)=(.*)$")
      if kind then o[kind] = tonumber(value) or value end
      local d = clocks()
      moonlab.seed(1)
      local model = clock_model(o)
      model:compile{optimizer = S.optimizer(o.optimizer), metrics = {"accuracy"},
                    loss = {hour = "sparse_categorical_crossentropy", minute = "mae"}}
      local started = os.time()
      local h = model:fit(d.tr, {epochs = cfg.clock_epochs, batch = o.batch, validation = d.va, verbose = 0,
        checkpoint = t.checkpoint, callbacks = {nn.EarlyStopping{monitor = "val_loss", min_delta = 1e-4,
          patience = cfg.clock_patience, restore_best = true}}})
      local pred = model:predict(d.test)
      local hour_accuracy = metrics.accuracy(model:classify(d.test, {output = "hour"}), d.test.y.hour)
      local minute_mae = metrics.mae(pred.minute * 60, d.test.y.minute * 60)
      return {score = hour_accuracy, hour_accuracy = hour_accuracy, minute_mae = minute_mae,
              epochs = #h.loss, seconds = os.time() - started, curve_val_minute_mae = h.val_minute_loss}
    end)

  S.table(("Tell-the-time: %d clock faces of %dx%d (80/20 train/test), hour accuracy and minute MAE on the test faces"):format(
    cfg.clock_n, cfg.clock_size, cfg.clock_size),
    {{"setting", "setting (base: Adam, ReLU, random uniform, batch 32)"}, {"hour_accuracy", "hour accuracy"},
     {"minute_mae", "minute MAE (min)", "%.2f"}, {"epochs", "epochs"}}, clock_rows)
  S.say("study: hour accuracy above 0.93 with batch 32; minute MAE never below 4 minutes")
  S.parent(function()
    S.curves(cfg, "clock_minute_mae.svg", clock_rows, "setting", "curve_val_minute_mae",
             "validation minute MAE (fraction of an hour)")
    data.preview_clocks(clocks().test, S.path(cfg, "clock_faces.png"), {n = 16})
  end)
end


S.done(cfg)
