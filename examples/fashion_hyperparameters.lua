-- fashion_hyperparameters.lua: architecture, learning rate, batch size, initialization and
-- augmentation on Fashion-MNIST, 5-fold cross-validation, and the correlation of the chosen
-- network's last-layer units against a ResNet-18's (study 002).
--
-- Steps, as in the study (SGD with momentum 0.9, batch 128, 10 epochs, images normalized with
-- mean 0.5 and std 0.5; the base learning rate is 0.01, the study's best, which it does not
-- state for its other tables):
--   1. four networks with three hidden layers: 2 conv + 1 dense, 1 conv + 2 dense, 3 dense,
--      3 conv; the best (by validation accuracy) goes on;
--   2. learning rate 1e-4 ... 1; 3. batch size 64 ... 512; 4. Glorot (Xavier) and He
--      (Kaiming) initializers; 5. augmentation: none, horizontal flip, color jitter, rotation;
--      each table gives the loss after the first and the last epoch and the test accuracy;
--   6. 5-fold cross-validation at learning rate 0.01 (a fresh model per fold);
--   7. correlation matrices of the units of the chosen network's last layer and of a
--      ResNet-18 trained here (its pooled 512 features), their mean and standard deviation,
--      and linear CKA / RSA between the two representations.
--
-- Run:  moonlab examples/fashion_hyperparameters.lua --quick   (minutes)
--       moonlab examples/fashion_hyperparameters.lua           (the study's settings)
--       ... --only lr,resnet      (some steps: arch, lr, batch, init, augment, crossval, resnet;
--                                  the architecture sweep runs first, resuming what is stored)
--       ... --only headline --seeds 3   (the study's network at its best settings, over seeds)

local S = require "moonstudy"     -- the command line, settings, seeds, sweeps and runs
local tab = require "moontable"   -- the tables of results
-- Accuracies as percentages beside the study's; its figure is "in" within max(sd, 0.05 points).
local PCT = {scale = 100, tolerance = 0.05}

local cfg = S.setup("fashion_hyperparameters", {
  full  = {epochs = 10, lr = 1e-2, folds = 5, resnet_width = 64, resnet_epochs = 5,
           probe = 2000},
  quick = {train = 3000, test = 1000, epochs = 2, lr = 1e-2, folds = 5, resnet_width = 8,
           resnet_epochs = 2, probe = 500},
  smoke = {train = 300, test = 200, epochs = 1, folds = 2, resnet_width = 4, resnet_epochs = 1, probe = 100},
})

S.assumptions{
  "weights as PyTorch initializes them (the study's framework): kernels and biases uniform in ±1/sqrt(fan_in) (nn.init.pytorch_default); the initializer table changes the kernels only, as torch.nn.init does",
  "validation: 10 % of the training images held out (stratified, seed 1), so the networks train on 54,000 images, not the study's 60,000",
  "color jitter: brightness 0.2, contrast 0.2; rotation: up to 10 degrees (the study does not give strengths)",
  "the base learning rate is 0.01 (the study's best) for every table; the study does not state the rate of its other tables",
  "cross-validation: run both ways: a fresh model per fold (sound) and one model trained on fold after fold (the study's way, whose later folds validate on images it has trained on)",
  "ResNet-18: trained here from scratch on 28x28 images (the study's was pre-trained on ImageNet, which this machine cannot download)",
  "correlation summaries: mean and std of the off-diagonal entries (the study may have included the diagonal of ones)",
}

-- Images as the study fed them: (x - 0.5) / 0.5. The training set stays in [0, 1] and is
-- normalized after augmentation (in fit's augment=), validation and test sets once here.
local normalize = aug.Normalize{mean = 0.5, std = 0.5}
local function normalized(ds) return ds:map(function(x) return normalize(x) end, {batch = true}) end

local train, test_raw = S.load("fashion_mnist", cfg)
local tr, va_raw = S.split(train, 0.9)
local va, test = normalized(va_raw), normalized(test_raw)
print(("training %d, validation %d, test %d images"):format(#tr, #va, #test))

-- The four architectures (3x3 convolutions with padding 1, as the study's PyTorch models),
-- initialized as PyTorch does unless the initializer table names another kernel initializer.
local function conv(filters, init)
  return nn.Conv2D(filters, 3, {padding = "same", activation = "relu", init = init or "pytorch_default",
                                bias_init = "pytorch_default"})
end
local function dense(units, init, activation)
  return nn.Dense(units, {activation = activation or "relu", init = init or "pytorch_default",
                          bias_init = "pytorch_default"})
end
local ARCHS = {
  ["2 conv + 1 dense"] = function(init) return nn.Sequential{input = {1, 28, 28},
    conv(32, init), conv(64, init), nn.MaxPool2D(2), nn.Flatten(), dense(128, init), dense(10, init, "linear")} end,
  ["1 conv + 2 dense"] = function(init) return nn.Sequential{input = {1, 28, 28},
    conv(32, init), nn.MaxPool2D(2), nn.Flatten(), dense(64, init), dense(128, init), dense(10, init, "linear")} end,
  ["3 dense"] = function(init) return nn.Sequential{input = {1, 28, 28},
    nn.Flatten(), dense(64, init), dense(128, init), dense(256, init), dense(10, init, "linear")} end,
  ["3 conv"] = function(init) return nn.Sequential{input = {1, 28, 28},
    conv(32, init), conv(64, init), nn.MaxPool2D(2), conv(128, init), nn.MaxPool2D(2), nn.Flatten(),
    dense(10, init, "linear")} end,
}
local ARCH_ORDER = {"3 conv", "3 dense", "1 conv + 2 dense", "2 conv + 1 dense"}

-- One run: SGD with momentum 0.9; settings default to the base ones.
local function train_once(c, t, o)
  o = o or {}
  local build = function() return ARCHS[c.arch or o.arch](c.init or o.init) end
  local augment = normalize
  if c.augment == "horizontal flip" then augment = aug.Compose{aug.RandomHorizontalFlip(0.5), normalize}
  elseif c.augment == "color jitter" then augment = aug.Compose{aug.ColorJitter{brightness = 0.2, contrast = 0.2}, normalize}
  elseif c.augment == "rotation" then augment = aug.Compose{aug.RandomRotation(10), normalize} end
    local test_set = test
  if o.test ~= nil then test_set = o.test end
  local _, info = S.run(c.arch or o.arch, build, {train = o.train or tr, val = o.val or va, test = test_set,
    optimizer = "sgd", lr = c.lr or cfg.lr, momentum = 0.9, batch = c.batch or 128,
    epochs = cfg.epochs, augment = augment, checkpoint = t and t.checkpoint, seed = c.seed})
  local r = S.trial_result(info)
  r.first_loss, r.last_loss = info.history.loss[1], info.history.loss[#info.history.loss]
  if o.save then info.model:save(o.save); r.model_path = o.save end
  return r, info
end

local COLUMNS = {{"first_loss", "epoch 1 loss"}, {"last_loss", "epoch " .. cfg.epochs .. " loss"},
                 {"test_accuracy", "test accuracy (%)", tab.pct}, {"val_accuracy", "val accuracy (%)", tab.pct}}
-- A sweep's table and loss curves, shown once it is done (its report=).
local function show(title, key, header, rows, study)
  local cols = {{key, header}, table.unpack(COLUMNS)}
  if study then
    for _, r in ipairs(rows) do r.study = study[r[key]] end
    cols[#cols + 1] = {"study", "study (%)"}
  end
  tab.print(title, cols, rows)
  S.curves(cfg, "loss_" .. key .. ".svg", rows, key, "curve_loss", "training loss by " .. header)
end

---------------------------------------------------------------------------------------------
-- The headline: the study's chosen network (2 conv + 1 dense) at its best learning rate
-- (0.01), SGD momentum 0.9, batch 128, 10 epochs, over seeds (--seeds N; at least 2).
---------------------------------------------------------------------------------------------
if S.wants(cfg, "headline") then
  S.sweep(cfg, "2 conv + 1 dense over seeds", {run = S.seeded({"2 conv + 1 dense"}, S.seeds_at_least(cfg, 2))},
    function(c, t)
      local arch, seed = S.unseed(c.run)
      local r = train_once({arch = arch, lr = 1e-2, seed = seed}, t)
      r.seed = seed
      return r
    end, {name = "headline", report = function(_, rows)
      local headline, values = {}, {}
      for _, r in ipairs(rows) do
        if r.test_accuracy then
          values[#values + 1] = r.test_accuracy
          headline[#headline + 1] = {row = "2 conv + 1 dense CNN, SGD lr 0.01 momentum 0.9, batch 128, 10 epochs",
            dataset = "Fashion-MNIST", metric = "test accuracy", study_value = 0.9161, seed = r.seed,
            value = r.test_accuracy, seconds = r.seconds, trial = r}
        end
      end
      print(("2 conv + 1 dense over %d seeds: %s %% (study 91.61)"):format(#values, tab.beside(values, 91.61, PCT)))
      S.headline(cfg, "002 Fashion-MNIST hyperparameters",
        ("moonlab examples/fashion_hyperparameters.lua --only headline --seeds %d"):format(cfg.seeds), headline)
    end})
end

---------------------------------------------------------------------------------------------
-- 1. Architecture (base learning rate and batch size), unless only the headline runs.
---------------------------------------------------------------------------------------------
local ARCH = "2 conv + 1 dense"
local arch_rows = {}
local later = false
for _, part in ipairs{"arch", "lr", "batch", "init", "augment", "crossval", "resnet"} do
  later = later or S.wants(cfg, part)
end
if later then
  _, arch_rows = S.sweep(cfg, "architectures", {arch = ARCH_ORDER},
    function(c, t) return (train_once(c, t)) end, {report = function(_, rows)
      show(("Architecture (SGD lr %g, momentum 0.9, batch 128)"):format(cfg.lr), "arch", "model", rows,
        {["3 conv"] = "86.09", ["3 dense"] = "83.73", ["1 conv + 2 dense"] = "86.90", ["2 conv + 1 dense"] = "88.87"})
    end})
  local best_arch = tab.best(arch_rows)   -- none yet when --report finds the sweep not begun
  if best_arch then
    ARCH = best_arch.arch
    print("chosen architecture (best validation accuracy): " .. ARCH .. "\n")
  end
end

---------------------------------------------------------------------------------------------
-- 2.-5. One setting at a time on the chosen architecture.
---------------------------------------------------------------------------------------------
os.execute("mkdir -p '" .. S.path(cfg, "models") .. "'")
local lr_rows, batch_rows, init_rows, aug_rows = {}, {}, {}, {}
if S.wants(cfg, "lr") or S.wants(cfg, "resnet") then
  _, lr_rows = S.sweep(cfg, "learning rate", {arch = ARCH, lr = {1e-4, 1e-3, 1e-2, 1e-1, 1}},
    function(c, t) return (train_once(c, t, {save = S.path(cfg, ("models/lr-%d.moon"):format(t.id))})) end, {report = function(_, rows)
      show("Learning rate (" .. ARCH .. ")", "lr", "learning rate", rows,
        {[1e-4] = "87.98", [1e-3] = "90.67", [1e-2] = "91.61", [1e-1] = "87.43"})
    end})
end

if S.wants(cfg, "batch") then
  _, batch_rows = S.sweep(cfg, "batch size", {arch = ARCH, batch = {64, 128, 256, 512}},
    function(c, t) return (train_once(c, t)) end, {report = function(_, rows)
      show("Batch size (" .. ARCH .. ")", "batch", "batch size", rows,
        {[64] = "89.20", [128] = "88.00", [256] = "85.70", [512] = "83.06"})
    end})
end

if S.wants(cfg, "init") then
  _, init_rows = S.sweep(cfg, "initializers", {arch = ARCH,
    init = {"glorot_uniform", "glorot_normal", "he_uniform", "he_normal"}},
    function(c, t) return (train_once(c, t)) end, {report = function(_, rows)
      show("Weight initialization (" .. ARCH .. "; Glorot = Xavier, He = Kaiming)", "init", "initializer", rows,
        {glorot_uniform = "87.91", glorot_normal = "88.65", he_uniform = "89.89", he_normal = "90.07"})
    end})
end

if S.wants(cfg, "augment") then
  _, aug_rows = S.sweep(cfg, "augmentation", {arch = ARCH,
    augment = {"normalize only", "horizontal flip", "color jitter", "rotation"}},
    function(c, t) return (train_once(c, t)) end, {report = function(_, rows)
      show("Augmentation, each followed by Normalize(0.5, 0.5) (" .. ARCH .. ")", "augment", "augmentation", rows,
        {["normalize only"] = "87.99", ["horizontal flip"] = "87.50", ["color jitter"] = "87.92", rotation = "87.16"})
    end})
end

---------------------------------------------------------------------------------------------
-- 6. 5-fold cross-validation at learning rate 0.01, a fresh model for every fold.
---------------------------------------------------------------------------------------------
if S.wants_training(cfg, "crossval") then
  local folds = {}
  local mean, std = tune.crossval(function(fold_train, fold_val, fold)
    local r = train_once({arch = ARCH, lr = 1e-2}, nil, {train = fold_train, val = normalized(fold_val), test = false})
    folds[#folds + 1] = {fold = fold, first_loss = r.first_loss, last_loss = r.last_loss,
                         accuracy = r.val_accuracy}
    return r.val_accuracy
  end, train, cfg.folds, {seed = 1, stratify = true})
  folds[#folds + 1] = {fold = "mean ± std", accuracy = ("%s ± %s"):format(tab.pct(mean), tab.pct(std))}

  -- The study's way: one model, trained on each fold's training part in turn, so from the
  -- second fold on it has already trained on the images it is validated on.
  moonlab.seed(1)
  local shared = ARCHS[ARCH]()
  shared:compile{optimizer = optim.SGD{lr = 1e-2, momentum = 0.9}, loss = "sparse_categorical_crossentropy",
                 metrics = {"accuracy"}}
  local one_model = {}
  local mean1, std1 = tune.crossval(function(fold_train, fold_val, fold)
    shared:fit(fold_train, {epochs = cfg.epochs, batch = 128, augment = normalize, verbose = 0})
    local acc = shared:evaluate(normalized(fold_val), {batch = 256}).accuracy
    one_model[fold] = acc
    return acc
  end, train, cfg.folds, {seed = 1, stratify = true})
  for i, f in ipairs(folds) do f.one_model = one_model[f.fold] end
  folds[#folds].one_model = ("%s ± %s"):format(tab.pct(mean1), tab.pct(std1))
  local pct = function(v) return type(v) == "number" and tab.pct(v) or v end
  tab.print(("%d-fold cross-validation (%s, lr 0.01): a fresh model per fold (sound) beside one model across folds (the study's way)"):format(cfg.folds, ARCH), {{"fold", "fold"},
    {"first_loss", "epoch 1 loss"}, {"last_loss", "epoch " .. cfg.epochs .. " loss"},
    {"accuracy", "fresh model (%)", pct}, {"one_model", "one model (%)", pct}}, folds)
end

---------------------------------------------------------------------------------------------
-- 7. Correlation of last-layer units: the chosen network against a ResNet-18 trained here.
---------------------------------------------------------------------------------------------
if S.wants_training(cfg, "resnet") then
  local best = tab.best(lr_rows)
  local mine = nn.load(best.model_path)
  print(("ResNet-18 (width %d) for %d epochs, SGD lr 0.01 momentum 0.9, batch 128"):format(
    cfg.resnet_width, cfg.resnet_epochs))
  local _, res = S.run("ResNet-18", function()
      return nn.resnet18{input = {1, 28, 28}, classes = 10, width = cfg.resnet_width} end,
    {train = tr, val = va, test = test, optimizer = "sgd", lr = 1e-2, momentum = 0.9, batch = 128,
     epochs = cfg.resnet_epochs, augment = normalize,
     checkpoint = cfg.storage .. ".resnet18.moon"})     -- resumes an interrupted training
  local resnet = res.model

  local probe = test:subset(1, math.min(cfg.probe, #test))
  local n_mine = #mine:layers()
  local mine_out = mine:activations(probe, n_mine)          -- the last layer: 10 units
  local mine_hidden = mine:activations(probe, n_mine - 1)   -- the hidden layer before it
  local res_pool = resnet:activations(probe, "global_average_pooling2d_1")
  local res_out = resnet:activations(probe, #resnet:layers())

  local rows = {}
  local function add(label, acts, file)
    local c = analysis.correlation(acts)
    local s = analysis.summary(c)
    rows[#rows + 1] = {model = label, shape = ("(%d, %d)"):format(c:size(1), c:size(2)), mean = s.mean, std = s.std}
    local shown = math.min(c:size(1), 64)       -- a 512 x 512 heatmap is unreadable: the first 64 units
    plot.heatmap(c:narrow(1, 1, shown):narrow(2, 1, shown), {out = S.path(cfg, file), min = -1, max = 1,
      title = ("%s: correlations of %d of %d units"):format(label, shown, c:size(1))})
  end
  add("ResNet-18, pooled features", res_pool, "corr_resnet18.svg")
  add("ResNet-18, output layer", res_out, "corr_resnet18_out.svg")
  add(ARCH .. ", output layer", mine_out, "corr_mine.svg")
  add(ARCH .. ", last hidden layer", mine_hidden, "corr_mine_hidden.svg")
  tab.print(("Correlation of unit activities over %d test images (off-diagonal entries; study: ResNet-18 "
           .. "(512, 512) mean 0.0221 std 0.1641, its model (10, 10) mean 0.1635 std 0.5271)"):format(#probe),
    {{"model", "model"}, {"shape", "matrix"}, {"mean", "mean"}, {"std", "std"}}, rows)

  tab.print("Similarity of the two networks' representations", {{"pair", "layers"}, {"cka", "linear CKA"}, {"rsa", "RSA"}}, {
    {pair = "output layers", cka = analysis.cka(mine_out, res_out), rsa = analysis.rsa(mine_out, res_out)},
    {pair = "last hidden / pooled features", cka = analysis.cka(mine_hidden, res_pool), rsa = analysis.rsa(mine_hidden, res_pool)}})
  print(("test accuracy: %s %s %%, ResNet-18 %s %%"):format(ARCH, tab.pct(best.test_accuracy), tab.pct(res.test_accuracy)))
end

S.done(cfg)
