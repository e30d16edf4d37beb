-- 12 trials of a small MLP on synthetic data with workers=1 and workers=2: the wall-time
-- ratio of tune's worker processes. Run with a release build:
--   moonlab bench/tune_workers.lua [n=4096] [epochs=3]
local n, epochs = tonumber(arg[1]) or 4096, tonumber(arg[2]) or 3
local dir = os.tmpname(); os.remove(dir); os.execute("mkdir -p " .. dir)
moonlab.seed(1)
local x = tensor.randn{n, 784}
local labels = {}
for i = 1, n do labels[i] = (i * 7) % 10 end
local ds = data.dataset(x, tensor.from(labels))

local function sweep(workers)
  local t0 = os.time()
  local clock = io.popen("date +%s.%N"):read("n")
  tune.grid{space={lr={1e-3, 3e-3, 1e-2}, units={64, 128}, l2={0, 1e-4}}, workers=workers,
    storage=dir .. "/w" .. workers .. ".db", verbose=false,
    objective=function(cfg, trial)
      moonlab.seed(7)
      local m = nn.Sequential{input={784}, nn.Dense(cfg.units, {activation="relu", l2=cfg.l2}), nn.Dense(10)}
      m:compile{optimizer=optim.Adam{lr=cfg.lr}, loss="sparse_categorical_crossentropy", metrics={"accuracy"}}
      local h = m:fit(ds, {epochs=epochs, batch=64, verbose=0, checkpoint=trial.checkpoint})
      return h.accuracy[#h.accuracy]
    end}
  return io.popen("date +%s.%N"):read("n") - clock
end

local w1 = sweep(1)
local w2 = sweep(2)
print(string.format("12 trials: workers=1 %.2f s, workers=2 %.2f s, ratio %.3f", w1, w2, w2 / w1))
os.execute("rm -rf " .. dir)
