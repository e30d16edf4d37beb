-- A sweep for the cluster figures (scripts/bench_sweeps): a small MLP on 6,000 Fashion-MNIST
-- images, one trial per configuration (3 widths x 2 learning rates x 4 seeds = 24 trials),
-- each trained with fit{checkpoint = trial.checkpoint} so a trial lost with its machine
-- continues elsewhere from its last epoch.
--
--   moonlab sweep join --storage URL bench/sweeps/mlp_sweep.lua CALLS [EPOCHS] [NAME]
--
-- CALLS: a file each finished objective call appends "trial attempt epochs-run host score" to
-- (an epoch list like 3,4,5 shows an attempt that continued from a checkpoint).
local calls, epochs, name = arg[1], tonumber(arg[2] or 3), arg[3] or "mlp24"
assert(calls, "usage: mlp_sweep.lua CALLS [EPOCHS] [NAME]")
local train = data.fashion_mnist{split = "train"}:subset(1, 6000)
local test = data.fashion_mnist{split = "test"}:subset(1, 2000)

local r = tune.grid{name = name, storage = "mlp_sweep.db", lease = tonumber(os.getenv("LEASE") or 60),
  space = {units = {32, 64, 128}, lr = {1e-3, 3e-3}, seed = {1, 2, 3, 4}},
  objective = function(cfg, trial)
    moonlab.seed(cfg.seed)
    local model = nn.Sequential{input = {1, 28, 28}, nn.Flatten(),
      nn.Dense(cfg.units, {activation = "relu"}), nn.Dense(10)}
    model:compile{optimizer = optim.Adam{lr = cfg.lr}, loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
    local ran = {}
    model:fit(train, {epochs = epochs, batch = 64, verbose = 0, checkpoint = trial.checkpoint,
      callbacks = {{on_epoch_begin = function(e) ran[#ran + 1] = e end}}})
    local acc = model:evaluate(test).accuracy
    local f = assert(io.open(calls, "a"))
    f:write(("%d %d %s %s %.17g\n"):format(trial.id, trial.attempt, table.concat(ran, ","),
      os.getenv("MOONLAB_HOST") or "-", acc))
    f:close()
    return acc
  end}
print(("%s: %d trials, best %.4f"):format(name, #r.trials, r.best.score))
