-- dense_regularization.lua: regularizing a 784-1024-512-10 dense network on MNIST (study 001).
--
-- Steps, as in the study:
--   1. the unregularized network (Adam lr 0.00025, batch 512, 15 epochs) on a 50000/10000
--      split of the training set: it fits the training data, with a gap to validation;
--   2. one sweep per regularizer on that network: L1 and L2 (1e-6 up to 1), MaxNorm, dropout
--      (0.1 to 0.6), with training and validation accuracy and the gap between them;
--   3. the final model (L1 1e-6, L2 1e-4 and MaxNorm 0.5 on both layers, dropout 0.6 and
--      0.5, softmax output) with early stopping (patience 5, min_delta 1e-4);
--   4. retrained on all 60000 training images for the epochs early stopping chose, then
--      tested: accuracy, misclassified count, the first misclassified digits, per-class
--      report and confusion matrix.
--
-- Run:  moonlab examples/dense_regularization.lua --quick   (minutes: 6000 images, 5 epochs)
--       moonlab examples/dense_regularization.lua           (the study's settings)
--       ... --only sweeps | --only final                     (steps 1-2 or steps 3-4 alone)
-- MNIST is looked up through MOONLAB_DATA (a folder holding the four MNIST IDX files), then
-- ~/.moonlab/data.

local S = require "moonstudy"     -- the command line, settings, seeds, sweeps and runs
local tab = require "moontable"   -- the tables of results
-- Accuracies as percentages beside the study's; its figure is "in" within max(sd, 0.05 points).
local PCT = {scale = 100, tolerance = 0.05}

local cfg = S.setup("dense_regularization", {
  full  = {epochs = 15, final_epochs = 50, patience = 5},
  quick = {train = 6000, test = 2000, epochs = 5, final_epochs = 10, patience = 2},
  smoke = {train = 600, test = 200, epochs = 1, final_epochs = 1, patience = 1},
})

S.assumptions{
  "validation: a stratified 50,000 / 10,000 split of the training images (seed 1), as the study's 50,000 / 10,000",
  "early stopping of the final model on validation accuracy, patience 5, min_delta 1e-4, best weights restored, at most 50 epochs",
  "the final model is retrained on all 60,000 images for the epochs early stopping chose, then tested once",
  "seeds: the final model (both runs) with at least 5 seeds (--seeds N for more); the regularizer sweeps with seed 1",
}

local train, test = S.load("mnist", cfg)
local tr, va = S.split(train, 5 / 6)          -- 50000 / 10000 in the full run
print(("training %d, validation %d, test %d images"):format(#tr, #va, #test))

local HIDDEN = {1024, 512}
local LR, BATCH = 0.00025, 512

-- One training run of the 1024-512 network with the given regularization (a table of S.mlp
-- options: l1=, l2=, max_norm=, dropout=).
local function train_mlp(name, reg, o)
  local spec = {mlp = HIDDEN, output_activation = "softmax"}
  for k, v in pairs(reg or {}) do spec[k] = v end
  local val = va                               -- validate on the held-out 10000 ...
  if o.train then val = nil end                -- ... unless training on everything
  local run = {train = o.train or tr, val = val, test = o.test, optimizer = "adam", lr = LR,
               batch = BATCH, epochs = o.epochs or cfg.epochs, patience = o.patience,
               monitor = o.monitor, checkpoint = o.checkpoint, seed = o.seed}
  return S.run(name, spec, run)
end

---------------------------------------------------------------------------------------------
-- 1. and 2. The unregularized network and one regularizer at a time.
---------------------------------------------------------------------------------------------
local SETTINGS = {"none"}
local VALUES = {
  l1 = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1},
  l2 = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1},
  max_norm = {0.5, 1, 2, 3, 4},
  dropout = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6},
}
local KINDS = {"l1", "l2", "max_norm", "dropout"}
for _, kind in ipairs(KINDS) do
  for _, v in ipairs(VALUES[kind]) do SETTINGS[#SETTINGS + 1] = ("%s=%g"):format(kind, v) end
end

if S.wants(cfg, "sweeps") then
  S.sweep(cfg, "one regularizer at a time (" .. #SETTINGS .. " runs)", {setting = SETTINGS},
    function(c, t)
      local reg = {}
      local kind, value = c.setting:match("^(.-)=(.*)$")
      if kind then reg[kind] = tonumber(value) end
      local _, info = train_mlp(c.setting, reg, {checkpoint = t.checkpoint})
      local r = S.trial_result(info)
      r.last_train_accuracy = info.train_accuracy
      r.last_val_accuracy = info.last_val_accuracy
      return r
    end, {report = function(_, rows)
      for _, r in ipairs(rows) do
        r.kind, r.value = r.setting:match("^(.-)=(.*)$")
        r.kind = r.kind or "none"
        r.gap = r.last_train_accuracy and r.last_val_accuracy and (r.last_train_accuracy - r.last_val_accuracy)
      end
      local columns = {{"value", "value"}, {"last_train_accuracy", "train acc"},
                       {"last_val_accuracy", "val acc"}, {"gap", "gap"}, {"val_accuracy", "best val acc"}}
      tab.print(("Unregularized 1024-512 network (%d epochs, Adam lr %g, batch %d)"):format(cfg.epochs, LR, BATCH),
        {{"setting", "model"}, table.unpack(columns, 2)}, tab.filter(rows, {kind = "none"}))
      for _, kind in ipairs(KINDS) do
        tab.print(kind .. " on both hidden layers", columns, tab.filter(rows, {kind = kind}))
      end
      local none = tab.filter(rows, {kind = "none"})[1]
      if none and none.curve_accuracy then
        plot.lines{series = {train = none.curve_accuracy, validation = none.curve_val_accuracy},
                   out = S.path(cfg, "unregularized.svg"), title = "unregularized 1024-512: accuracy",
                   xlabel = "epoch", ylabel = "accuracy"}
      end
      for _, kind in ipairs(KINDS) do
        S.curves(cfg, "sweep_" .. kind .. ".svg", tab.filter(rows, {kind = kind}), "setting",
                 "curve_val_accuracy", kind .. ": validation accuracy")
      end
    end})
end

---------------------------------------------------------------------------------------------
-- 3. and 4. The final regularized model, early stopping, retraining on all data, testing.
---------------------------------------------------------------------------------------------
local FINAL = {l1 = 1e-6, l2 = 1e-4, max_norm = 0.5, dropout = {0.6, 0.5}}

if S.wants(cfg, "final") then
  os.execute("mkdir -p '" .. S.path(cfg, "models") .. "'")
  -- Each seed: the early-stopped run on 50,000 images, then the retraining on all 60,000 for
  -- the epochs it chose, tested once.
  local _, final_rows = S.sweep(cfg, "final model: L1 1e-6, L2 1e-4, MaxNorm 0.5, dropout 0.6 / 0.5, over seeds",
    {run = S.seeded({"final"}, S.seeds_at_least(cfg, 5))},
    function(c)
      local _, seed = S.unseed(c.run)
      local _, es = train_mlp("regularized, early stopping #" .. seed, FINAL,
        {epochs = cfg.final_epochs, patience = cfg.patience, monitor = "val_accuracy", seed = seed})
      local epochs = es.best_epoch or cfg.final_epochs
      local acc, final = train_mlp(("retrained on all %d images, %d epochs #%d"):format(#train, epochs, seed), FINAL,
        {train = train, epochs = epochs, test = test, seed = seed})
      local path = S.path(cfg, ("models/final-seed%d.moon"):format(seed))
      final.model:save(path)
      return {score = acc, test_accuracy = acc, seed = seed, epochs = epochs, model_path = path,
              wrong = #metrics.misclassified(final.model:classify(test), test.y),
              es_train_accuracy = es.history.accuracy[epochs], es_val_accuracy = es.val_accuracy,
              seconds = es.seconds + final.seconds}
    end, {name = "final"})

  local function col(key) return tab.column(final_rows, key) end
  local function plain(values)
    local mean, sd, n = tab.spread(values)
    return mean and ("%.1f ± %.1f (%d)"):format(mean, sd, n) or "-"
  end
  tab.print("Final model, mean ± sd over seeds", {{"what", ""}, {"value", "ours"}, {"study", "study"}}, {
    {what = "training accuracy (early-stopped run, best epoch)", value = tab.beside(col("es_train_accuracy"), nil, PCT), study = "99.83"},
    {what = "validation accuracy (best epoch)", value = tab.beside(col("es_val_accuracy"), 98.50, PCT), study = "98.50"},
    {what = "epochs chosen by early stopping", value = plain(col("epochs"))},
    {what = "test accuracy (retrained on all data)", value = tab.beside(col("test_accuracy"), 98.37, PCT), study = "98.37"},
    {what = "misclassified test images", value = plain(col("wrong")), study = "163"}})
  local headline = {}
  for _, r in ipairs(final_rows) do
    if r.test_accuracy then
      headline[#headline + 1] = {row = "1024-512 MLP, regularized, retrained on all 60,000", dataset = "MNIST",
        metric = "test accuracy", study_value = 0.9837, seed = r.seed, value = r.test_accuracy, seconds = r.seconds,
        trial = r}
    end
  end
  S.headline(cfg, "001 dense regularization", ("moonlab examples/dense_regularization.lua --only final --seeds %d"):format(cfg.seeds), headline)

  -- The first seed's model: its mistakes, per-class report and confusion matrix.
  local first = tab.filter(final_rows, {seed = cfg.seed})[1]
  if first and first.model_path and io.open(first.model_path) then
    local model = nn.load(first.model_path)
    local predicted = model:classify(test)
    local wrong = metrics.misclassified(predicted, test.y)
    plot.images(test, {predictions = predicted, indices = wrong, max = 9, cols = 9,
                       out = S.path(cfg, "misclassified.png")})
    metrics.report(predicted, test.y, test.class_names)
    plot.heatmap(metrics.confusion_matrix(predicted, test.y, 10), {labels = test.class_names,
      out = S.path(cfg, "confusion.svg"), title = "confusion matrix (rows: true, columns: predicted)"})
  end
end


S.done(cfg)
