-- design_choices.lua: how architecture, optimizer, initialization and regularization choices
-- move test accuracy on MNIST and Fashion-MNIST (study 000 in the studies folder).
--
-- Steps, as in the study:
--   1. a small MLP baseline (784-16-16-10, ReLU, Adam 1e-3, Glorot uniform): the first row
--      of the final table;
--   2. the layer-code CNNs (c=Conv2D p=MaxPool2D d=Dropout n=BatchNorm f=Dense) with the
--      study's filters, kernels and units (nn.from_code knows them);
--   3. optimizer x learning rate (SGD, Adam, Nadam, RMSprop x 1e-2, 1e-3, 1e-4);
--   4. initializer/activation pairs (Glorot normal/ReLU, He normal/ReLU, variance
--      scaling/tanh, against the Glorot uniform/ReLU default);
--   5. the final models with the study's settings and early stopping: the test-accuracy
--      table, and the test images the best model gets right and wrong;
--   and, apart (--only search), the recipe search by which the study chose its architectures
--   and regularization: cp/cfp architectures, batch-norm placement, L1/L2, augmentation one
--   transform at a time, and ZCA.
-- Every step is a tune.grid sweep stored in out/design_choices/, so a re-run resumes.
--
-- Run:  moonlab examples/design_choices.lua --quick     (minutes: 3000 images, 1 epoch)
--       moonlab examples/design_choices.lua             (the study's settings: days on 2 cores)
--       ... --only optimizers | init | final | search   (one step; init needs the optimizer
--                                               sweep and runs it, resuming what is stored)
--       ... --only baseline                    (the final MLP baseline alone)
-- MNIST is looked up through MOONLAB_DATA (a folder holding the four MNIST IDX files), then
-- ~/.moonlab/data.

local S = require "moonstudy"     -- the command line, settings, seeds, sweeps and runs
local tab = require "moontable"   -- the tables of results
-- Accuracies as percentages beside the study's; its figure is "in" within max(sd, 0.05 points).
local PCT = {scale = 100, tolerance = 0.05}

local cfg = S.setup("design_choices", {
  -- train/test: images used (nil: all); epochs: cap for the final models; sweep_epochs: for
  -- the optimizer and initializer sweeps; patience: early stopping on the validation loss.
  full  = {epochs = 50, sweep_epochs = 10, patience = 10},
  quick = {train = 3000, test = 2000, epochs = 1, sweep_epochs = 1, patience = 1},
  smoke = {train = 300, test = 200},
})

S.assumptions{
  "variance scaling for ccpdnff (SGD): scale 2, fan_in, truncated normal (He's; the study names only 'variance scaling')",
  "augmentation for ccpdnff (Adam): rotation 10 degrees, zoom 0.1, shifts 0.1 (the study names the transforms, not their strengths)",
  "reduce-LR-on-plateau for cfpdndff and cpdnfndff: factor 0.9, patience 2 on the validation loss",
  "early stopping: validation loss, patience 10, min_delta 1e-4, best weights restored; at most 50 epochs (ccpdnff (Adam): 30). Keras's EarlyStopping keeps the last epoch's weights unless told to restore; the study does not say which it did",
  "validation: a stratified 80/20 split of the 60,000 training images (seed 1); figures are test accuracy on the 10,000 test images",
  "recipe search (--only search): one seed, Adam 1e-3, batch 32, the sweeps' epochs and early stopping (the study's Keras-tuner settings are not given); codes outside the study's five take 32 filters, 3x3 kernels, 128 units, dropout 0.1",
  "recipe search: L1 and L2 grid 1e-5 and 1e-4 (L1), 1e-4 and 1e-3 (L2) on every kernel; augmentation strengths rotation 10 degrees, zoom 0.1, shear 10 degrees, shifts 0.1 (the study names the transforms only); ZCA with zca_epsilon 1e-6",
  "seeds: --seeds N runs each CNN N times (seeds 1..N: weights, shuffles, dropout, augmentation); the MLP baseline at least 5 times",
}

local DATASETS = {"mnist", "fashion_mnist"}
local NAMES = {mnist = "MNIST", fashion_mnist = "Fashion-MNIST"}

-- Each data set once per process, split 80/20 into training and validation (stratified).
local cache = {}
local function dataset(which)
  if not cache[which] then
    local train, test = S.load(which, cfg)
    local tr, va = S.split(train, 0.8)
    cache[which] = {train = train, tr = tr, va = va, test = test}
  end
  return cache[which]
end

-- Trains one model on a data set and returns what a sweep stores for it.
local function trial(which, build, o)
  local d = dataset(which)
  o.train, o.val, o.test = d.tr, d.va, d.test
  local _, info = S.run(o.name or which, build, o)
  local r = S.trial_result(info)
  if o.save then info.model:save(o.save); r.model_path = o.save end
  return r
end

---------------------------------------------------------------------------------------------
-- 2./3. Optimizer x learning rate on the layer-code architectures. The study tuned each
-- architecture on the data set it was designed for: cpcpdnfff, cfpncfpdnff and ccpdnff on
-- MNIST; ccpdnff, cfpdndff and cpdnfndff on Fashion-MNIST. (--quick: one architecture.)
---------------------------------------------------------------------------------------------
local ARCHS = cfg.quick and {"mnist/cpcpdnfff"}
  or {"mnist/cpcpdnfff", "mnist/cfpncfpdnff", "mnist/ccpdnff",
      "fashion_mnist/ccpdnff", "fashion_mnist/cfpdndff", "fashion_mnist/cpdnfndff"}
local OPTIMIZERS = {"sgd", "adam", "nadam", "rmsprop"}
local RATES = {1e-2, 1e-3, 1e-4}

local _, opt_rows = nil, {}
if S.wants(cfg, "optimizers") or S.wants(cfg, "init") then
  _, opt_rows = S.sweep(cfg, "optimizer x learning rate", {arch = ARCHS, optimizer = OPTIMIZERS, lr = RATES},
    function(c)
      local which, code = c.arch:match("^(.-)/(.*)$")
      return trial(which, code, {optimizer = c.optimizer, lr = c.lr, batch = 32,
        epochs = cfg.sweep_epochs, patience = cfg.patience})
    end, {report = function(_, all)
      for _, arch in ipairs(ARCHS) do
        local rows = tab.filter(all, {arch = arch})
        tab.print("Validation accuracy, " .. arch .. " (" .. cfg.sweep_epochs .. (cfg.sweep_epochs == 1 and " epoch)" or " epochs)"),
          tab.pivot(rows, "optimizer", "lr", "val_accuracy", {row_label = "optimizer", col_order = RATES,
            col_names = {[1e-2] = "lr 1e-2", [1e-3] = "lr 1e-3", [1e-4] = "lr 1e-4"}}))
        S.curves(cfg, "optimizers_" .. arch:gsub("/", "_") .. ".svg", rows,
          function(r) return r.optimizer .. " " .. tab.g(r.lr) end, "curve_val_accuracy",
          "validation accuracy, " .. arch)
      end
    end})
end


---------------------------------------------------------------------------------------------
-- 4. Initializer/activation pairs, on ccpdnff (in --quick: the swept architecture) with the
-- best optimizer and learning rate of step 3 for that data set.
---------------------------------------------------------------------------------------------
local PAIRS = {"glorot_uniform/relu", "glorot_normal/relu", "he_normal/relu", "variance_scaling/tanh"}
local INIT_ARCHS = cfg.quick and {"mnist/cpcpdnfff"} or {"mnist/ccpdnff", "fashion_mnist/ccpdnff"}

local function best_optimizer(arch)
  local b = tab.best(tab.filter(opt_rows, {arch = arch}))
  if b then return b.optimizer, b.lr end
  return "adam", 1e-3
end

if S.wants(cfg, "init") then
  S.sweep(cfg, "initializer/activation pairs", {arch = INIT_ARCHS, pair = PAIRS},
    function(c)
      local which, code = c.arch:match("^(.-)/(.*)$")
      local init_name, activation = c.pair:match("^(.-)/(.*)$")
      local init = init_name
      if init_name == "variance_scaling" then
        init = nn.init.variance_scaling{scale = 1, mode = "fan_in", distribution = "truncated_normal"}
      end
      local optimizer, lr = best_optimizer(c.arch)
      return trial(which, {code = code, init = init, activation = activation},
        {optimizer = optimizer, lr = lr, batch = 32, epochs = cfg.sweep_epochs, patience = cfg.patience})
    end, {report = function(_, init_rows)
      for _, arch in ipairs(INIT_ARCHS) do
        local optimizer, lr = best_optimizer(arch)
        tab.print(("Initializer/activation, %s (%s lr %s)"):format(arch, optimizer, tab.g(lr)),
          {{"pair", "initializer/activation"}, {"val_accuracy", "val accuracy"}, {"test_accuracy", "test accuracy"},
           {"epochs", "epochs"}}, tab.filter(init_rows, {arch = arch}))
      end
    end})
end


---------------------------------------------------------------------------------------------
-- 1b. The recipe search: how the study came to its architectures and regularization
-- (sections 3.1 and 3.4), replayed at the sweeps' budget (sweep_epochs, early stopping on the
-- validation loss) so a reader can check each choice:
--   - architectures: cp and cfp blocks grown one at a time, and the study's codes; it kept
--     cpcpdff, cfpcfpdff and ccpdnff for MNIST and ccpdnff, cfpdndff, cpdnfndff for
--     Fashion-MNIST (by validation accuracy);
--   - batch-norm placement: none, before the output layer, between a max-pool and the next
--     convolution (the study's two good places), both, and where the final models have it;
--   - L1 and L2 on every kernel of ccpdnff (the study: no gain);
--   - augmentation added one transform at a time on ccpdnff (Adam) for Fashion-MNIST (the
--     study: it helped there), and shifts, zoom and ZCA on cpcpdnfff for MNIST (it hurt there).
---------------------------------------------------------------------------------------------
local SEARCH_CODES = cfg.quick and {"cpdff", "cfpdff"}
  or {"cpdff", "cpcpdff", "cpcpcpdff", "cfpdff", "cfpcfpdff", "ccpdff", "ccpdnff", "cfpdndff", "cpdnfndff"}
local STUDY_PICKS = {mnist = {cpcpdff = true, cfpcfpdff = true, ccpdnff = true},
                     fashion_mnist = {ccpdnff = true, cfpdndff = true, cpdnfndff = true}}
local BN_PLACES = cfg.quick and {"cpcpdff", "cpncpdfnf"}
  or {"cpcpdff", "cpcpdfnf", "cpncpdff", "cpncpdfnf", "cpcpdnff"}
local BN_NAMES = {cpcpdff = "none", cpcpdfnf = "before the output layer", cpncpdff = "max-pool/BN/conv",
                  cpncpdfnf = "both", cpcpdnff = "after the dropout (as the final models)"}
local PENALTIES = cfg.quick and {"none", "l2 1e-4"} or {"none", "l1 1e-5", "l1 1e-4", "l2 1e-4", "l2 1e-3"}
-- The models the penalties and augmentation steps train (--quick: a small stand-in, so a smoke
-- run stays short) and the data sets of the sweeps over codes.
local PENALIZED = cfg.quick and {code = "cpdnff"} or {code = "ccpdnff"}
local AUGMENTED = cfg.quick and {code = "cpdnff", dense_activation = "sigmoid"}
  or {code = "ccpdnff", kernel = {3, 5}, dense_activation = "sigmoid"}
local WHITENED = cfg.quick and {code = "cpdff"} or {code = "cpcpdnfff", init = "glorot_normal"}
local SEARCH_DATA = cfg.quick and {"mnist"} or DATASETS
local EPOCHS_TEXT = cfg.sweep_epochs .. (cfg.sweep_epochs == 1 and " epoch" or " epochs")
-- Augmentation, one transform more at each step (Keras ImageDataGenerator names and strengths).
local AUG_STEPS = {
  {"none", {}},
  {"+ rotation 10", {rotation_range = 10}},
  {"+ zoom 0.1", {zoom_range = 0.1}},
  {"+ shear 10", {shear_range = 10}},
  {"+ width shift 0.1", {width_shift_range = 0.1}},
  {"+ height shift 0.1", {height_shift_range = 0.1}},
  {"+ vertical flip", {vertical_flip = true}},
}
local AUG_NAMES = {}
for i, s in ipairs(AUG_STEPS) do AUG_NAMES[i] = s[1] end
if cfg.quick then AUG_NAMES = {AUG_NAMES[1], AUG_NAMES[2]} end
local function cumulative(step)
  local o = {}
  for _, s in ipairs(AUG_STEPS) do
    for k, v in pairs(s[2]) do o[k] = v end
    if s[1] == step then return o end
  end
  error("unknown augmentation step " .. tostring(step))
end

local SEARCH_FIT = {optimizer = "adam", lr = 1e-3, batch = 32}
local function search_trial(which, spec, extra)
  local o = {epochs = cfg.sweep_epochs, patience = cfg.patience}
  for k, v in pairs(SEARCH_FIT) do o[k] = v end
  for k, v in pairs(extra or {}) do o[k] = v end
  return trial(which, spec, o)
end

if S.wants(cfg, "search") then
  S.sweep(cfg, "architecture search", {data = SEARCH_DATA, code = SEARCH_CODES},
    function(c) return search_trial(c.data, c.code) end,
    {name = "search-arch", report = function(_, rows)
      for _, which in ipairs(SEARCH_DATA) do
        local ranked = tab.filter(rows, {data = which})
        table.sort(ranked, function(a, b) return (a.val_accuracy or 0) > (b.val_accuracy or 0) end)
        for i, r in ipairs(ranked) do
          r.rank, r.kept = i, STUDY_PICKS[which][r.code] and "yes" or ""
        end
        tab.print(("Architecture search, %s (Adam 1e-3, batch 32, at most %s)"):format(NAMES[which], EPOCHS_TEXT),
          {{"rank", "rank"}, {"code", "code"}, {"val_accuracy", "val accuracy"}, {"epochs", "epochs"},
           {"kept", "the study kept it"}}, ranked)
      end
    end})

  S.sweep(cfg, "batch-norm placement", {data = SEARCH_DATA, code = BN_PLACES},
    function(c) return search_trial(c.data, c.code) end,
    {name = "search-bn", report = function(_, rows)
      for _, r in ipairs(rows) do r.place = BN_NAMES[r.code] end
      tab.print("Batch-norm placement on cpcpdff (validation accuracy)",
        tab.pivot(rows, "place", "data", "val_accuracy", {row_label = "batch norm", col_order = SEARCH_DATA, col_names = NAMES}))
    end})

  S.sweep(cfg, "L1 and L2 on every kernel of " .. PENALIZED.code, {data = SEARCH_DATA, penalty = PENALTIES},
    function(c)
      local kind, amount = c.penalty:match("^(l%d) (.*)$")
      local spec = {code = PENALIZED.code}
      if kind then spec[kind] = tonumber(amount) end
      return search_trial(c.data, spec)
    end,
    {name = "search-penalty", report = function(_, rows)
      tab.print("L1/L2 on every kernel of " .. PENALIZED.code .. " (validation accuracy)",
        tab.pivot(rows, "penalty", "data", "val_accuracy", {row_label = "penalty", col_order = SEARCH_DATA, col_names = NAMES}))
    end})

  -- The final ccpdnff (Adam) model's settings, each step adding one transform.
  S.sweep(cfg, "augmentation, one transform at a time", {step = AUG_NAMES},
    function(c)
      local o = cumulative(c.step)
      local transform = next(o) and aug.ImageDataGenerator(o) or nil
      return search_trial("fashion_mnist", AUGMENTED, {lr = 1e-4, augment = transform})
    end,
    {name = "search-augment", report = function(_, rows)
      tab.print("Augmentation on " .. AUGMENTED.code .. " (Adam 1e-4), Fashion-MNIST: each step adds one transform",
        {{"step", "augmentation"}, {"val_accuracy", "val accuracy"}, {"epochs", "epochs"}}, rows)
    end})

  S.sweep(cfg, "ZCA whitening", {zca = {"none", "shifts 0.1, zoom 0.1, ZCA"}},
    function(c)
      local transform
      if c.zca ~= "none" then
        transform = aug.ImageDataGenerator{width_shift_range = 0.1, height_shift_range = 0.1, zoom_range = 0.1,
                                           zca_whitening = true}
        transform:fit(dataset("mnist").tr)
      end
      return search_trial("mnist", WHITENED, {optimizer = "rmsprop", lr = 1e-4, batch = 30, augment = transform})
    end,
    {name = "search-zca", report = function(_, rows)
      tab.print("ZCA whitening with shifts and zoom on " .. WHITENED.code .. " (RMSprop 1e-4), MNIST",
        {{"zca", "augmentation"}, {"val_accuracy", "val accuracy"}, {"epochs", "epochs"}}, rows)
    end})
end

---------------------------------------------------------------------------------------------
-- 5. The final models, each with the settings the study reports for it, early stopping on
-- the validation loss (patience 10, best weights restored), tested on the test set.
---------------------------------------------------------------------------------------------
local vs_relu = nn.init.variance_scaling{scale = 2, mode = "fan_in", distribution = "truncated_normal"}
local augment = aug.ImageDataGenerator{rotation_range = 10, zoom_range = 0.1,
                                       width_shift_range = 0.1, height_shift_range = 0.1}
local FINAL = {
  -- label, layer code and from_code options, optimizer, lr, batch, epochs, extras
  {label = "Baseline", spec = {mlp = {16, 16}}, optimizer = "adam", lr = 1e-3, batch = 32,
   study = {mnist = 95.21, fashion_mnist = 85.89}},
  {label = "cpcpdnfff (RMS)", spec = {code = "cpcpdnfff", init = "glorot_normal"},
   optimizer = "rmsprop", lr = 1e-4, batch = 30, study = {mnist = 99.33, fashion_mnist = 91.29}},
  {label = "cfpncfpdnff (RMS)", spec = {code = "cfpncfpdnff", init = "he_normal"},
   optimizer = "rmsprop", lr = 1e-4, batch = 30, study = {mnist = 99.23, fashion_mnist = 91.12}},
  {label = "ccpdnff (SGD)", spec = {code = "ccpdnff", init = vs_relu},
   optimizer = "sgd", lr = 0.1, batch = 30, study = {mnist = 99.35, fashion_mnist = 92.23}},
  {label = "ccpdnff (Adam)", spec = {code = "ccpdnff", kernel = {3, 5}, dense_activation = "sigmoid"},
   optimizer = "adam", lr = 1e-4, batch = 32, epochs = 30, augment = augment,
   only = "fashion_mnist", study = {fashion_mnist = 92.84}},
  {label = "cfpdndff (Nadam)", spec = {code = "cfpdndff"}, optimizer = "nadam", lr = 1e-4,
   batch = 256, reduce_lr = {factor = 0.9, patience = 2}, only = "fashion_mnist",
   study = {fashion_mnist = 92.36}},
  {label = "cpdnfndff (RMS)", spec = {code = "cpdnfndff"}, optimizer = "rmsprop", lr = 1e-4,
   batch = 256, reduce_lr = {factor = 0.9, patience = 2}, only = "fashion_mnist",
   study = {fashion_mnist = 92.52}},
}
-- One trial per model, data set and seed, seed-major (every seed-1 run, then seed 2, ...), so
-- a later --seeds N adds trials after the stored ones. Within a seed the study's headline
-- CNNs come first: they are the figures still to measure, and the longest runs. The MLP
-- baseline is cheap: it always gets at least 5 seeds, in a sweep of its own.
local ORDER = {"ccpdnff (SGD)", "ccpdnff (Adam)", "cpdnfndff (RMS)", "cfpdndff (Nadam)",
               "cfpncfpdnff (RMS)", "cpcpdnfff (RMS)"}
local function run_list(labels, seeds)
  local seeded = {}
  for _, label in ipairs(labels) do
    for _, m in ipairs(FINAL) do
      if m.label == label then
        for _, which in ipairs(DATASETS) do
          if not m.only or m.only == which then seeded[#seeded + 1] = label .. " @ " .. which end
        end
      end
    end
  end
  return S.seeded(seeded, seeds)
end
local runs = run_list(ORDER, S.seed_list(cfg))
local baseline_runs = run_list({"Baseline"}, S.seeds_at_least(cfg, 5))
local by_label = {}
for _, m in ipairs(FINAL) do by_label[m.label] = m end

-- --only baseline: the MLP baseline's sweep alone (and its headline figures), without waiting
-- for the CNNs.
if S.wants(cfg, "final") or S.wants(cfg, "baseline") then
  os.execute("mkdir -p '" .. S.path(cfg, "models") .. "'")
  local function final_trial(c, t)
    local run, seed = S.unseed(c.run)
    local label, which = run:match("^(.-) @ (.*)$")
    local m = by_label[label]
    return trial(which, m.spec, {name = c.run, optimizer = m.optimizer, lr = m.lr, batch = m.batch,
      epochs = math.min(m.epochs or cfg.epochs, cfg.epochs), patience = cfg.patience,
      reduce_lr = m.reduce_lr, augment = m.augment, checkpoint = t.checkpoint,
      save = S.path(cfg, ("models/%s-%d.moon"):format(t.sweep, t.id)), seed = seed})
  end
  local _, baseline_rows = S.sweep(cfg, "final MLP baseline (study settings)", {run = baseline_runs}, final_trial,
    {name = "final-baseline"})
  local final_rows = {}
  if S.wants(cfg, "final") then
    _, final_rows = S.sweep(cfg, "final CNNs (study settings)", {run = runs}, final_trial, {name = "final"})
  end
  for _, r in ipairs(baseline_rows) do final_rows[#final_rows + 1] = r end

  -- The headline figures, one line per run, for the README's generated table.
  local headline = {}
  for _, r in ipairs(final_rows) do
    local run, seed = S.unseed(r.run)
    local label, which = run:match("^(.-) @ (.*)$")
    local m = by_label[label]
    if r.test_accuracy and m then
      headline[#headline + 1] = {row = label, dataset = NAMES[which], metric = "test accuracy",
        study_value = m.study[which] and m.study[which] / 100, seed = seed, value = r.test_accuracy,
        seconds = r.seconds, trial = r}
    end
  end
  S.headline(cfg, "000 design choices", ("moonlab examples/design_choices.lua --only %s --seeds %d"):format(
    S.wants(cfg, "final") and "final" or "baseline", cfg.seeds), headline)

  -- Table 1 of the study: test accuracy (%) per model and data set, ours beside the study's.
  local table1 = {}
  for _, m in ipairs(FINAL) do
    local row = {model = m.label}
    for _, which in ipairs(DATASETS) do
      local values = {}
      for _, r in ipairs(final_rows) do
        if r.test_accuracy and r.run:match("^(.-) #%d+$") == m.label .. " @ " .. which then
          values[#values + 1] = r.test_accuracy
        end
      end
      row[which] = (m.study[which] or #values > 0) and tab.beside(values, m.study[which], PCT) or nil
      row[which .. "_study"] = m.study[which] and string.format("%.2f", m.study[which])
    end
    table1[#table1 + 1] = row
  end
  tab.print("Test accuracy (%) — ours as mean ± sd (seeds), 'in' when the study's figure lies within", {
    {"model", "Models"}, {"mnist", "MNIST"}, {"mnist_study", "MNIST (study)"},
    {"fashion_mnist", "Fashion-MNIST"}, {"fashion_mnist_study", "Fashion (study)"}}, table1)

  -- The best model on each data set (chosen by validation accuracy): test images it predicts
  -- correctly and incorrectly, and its per-class report.
  for _, which in ipairs(DATASETS) do
    local best
    for _, r in ipairs(final_rows) do
      if r.run:match(" @ " .. which .. " #%d+$") and r.model_path and (not best or r.val_accuracy > best.val_accuracy) then best = r end
    end
    if best then
      local model = nn.load(best.model_path)
      local test = dataset(which).test
      local predicted = model:classify(test)
      local wrong = metrics.misclassified(predicted, test.y)
      local right, wrong_set = {}, {}
      for _, i in ipairs(wrong) do wrong_set[i] = true end
      for i = 1, #test do
        if not wrong_set[i] then right[#right + 1] = i end
        if #right == 32 then break end
      end
      local tag = which .. "_" .. best.run:match("^(%S+)")
      plot.images(test, {predictions = predicted, indices = right, max = 32,
                         out = S.path(cfg, "right_" .. tag .. ".png")})
      plot.images(test, {predictions = predicted, indices = wrong, max = 32,
                         out = S.path(cfg, "wrong_" .. tag .. ".png")})
      print(("Best on %s by validation accuracy: %s — test accuracy %s %%, %d of %d test images wrong"):format(
        NAMES[which], best.run, tab.pct(best.test_accuracy), #wrong, #test))
      metrics.report(predicted, test.y, test.class_names)
    end
  end
end


S.done(cfg)
