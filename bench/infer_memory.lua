-- Inference speed and a training run's peak memory, for scripts/bench (PyTorch's twin:
-- scripts/bench_torch_infer.py).
--
-- Run: moonlab bench/infer_memory.lua MODEL MODE [THREADS]
--   MODEL  c       Conv2D(32,3,same,relu)-Conv2D(64,3,same,relu)-MaxPool2-Flatten-Dense128-Dense10
--          resnet  nn.resnet18 for 1x28x28 inputs, 10 classes
--   MODE   infer   model:predict on random images (batch 256), 3 timed passes after a warm-up;
--                  prints "infer <model> moonlab <samples/s>" (the median pass)
--          train   fit on random images (c: 60 batches of 64; resnet: 8 batches of 128, SGD with
--                  momentum), then prints "memory <model> moonlab <peak resident MB>" (VmHWM: the
--                  process's peak, data and program together)

local name, mode = arg[1] or "c", arg[2] or "infer"
moonlab.threads(tonumber(arg[3]) or 2)
moonlab.seed(1)

local function build()
  if name == "c" then
    return nn.Sequential{input = {1, 28, 28},
      nn.Conv2D(32, 3, {activation = "relu", padding = "same"}),
      nn.Conv2D(64, 3, {activation = "relu", padding = "same"}),
      nn.MaxPool2D(2), nn.Flatten(), nn.Dense(128, {activation = "relu"}), nn.Dense(10)}, 64, 60, 10000
  elseif name == "resnet" then
    return nn.resnet18{input = {1, 28, 28}, classes = 10}, 128, 8, 1024
  end
  error("bench/infer_memory.lua: unknown model " .. tostring(name) .. " (c, resnet)")
end

local model, batch, steps, n = build()

if mode == "infer" then
  local x = tensor.rand{n, 1, 28, 28}
  model:predict(x:narrow(1, 1, 256), {batch = 256})
  local times = {}
  for r = 1, 3 do
    local t0 = moonlab.clock()
    model:predict(x, {batch = 256})
    times[r] = moonlab.clock() - t0
  end
  table.sort(times)
  print(string.format("infer %s moonlab %.1f", name, n / times[2]))
elseif mode == "train" then
  model:compile{optimizer = optim.SGD{lr = 0.01, momentum = 0.9}, loss = "sparse_categorical_crossentropy"}
  local m = batch * steps
  local y = {}
  for i = 1, m do y[i] = i % 10 end
  model:fit(tensor.rand{m, 1, 28, 28}, tensor.from(y), {batch_size = batch, epochs = 1, verbose = 0})
  for line in io.lines("/proc/self/status") do
    local kb = line:match("^VmHWM:%s+(%d+)")
    if kb then print(string.format("memory %s moonlab %.0f", name, tonumber(kb) / 1024)) end
  end
else
  error("bench/infer_memory.lua: unknown mode " .. tostring(mode) .. " (infer, train)")
end
