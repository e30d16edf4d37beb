-- Training throughput and accuracy on Fashion-MNIST (scripts/bench --train runs this).
--
-- Run: moonlab bench/train.lua MODEL MODE [THREADS] [EPOCHS] [SEED]
--   MODEL  a  784-64-64-10 relu MLP, SGD lr 0.1, batch 32
--          b  784-1024-512-10 relu, Dropout 0.6 / 0.5 after the hidden layers, Adam lr 2.5e-4, batch 512
--          c  Conv2D(32,3,same,relu)-Conv2D(64,3,same,relu)-MaxPool2-Flatten-Dense128 relu-Dense10,
--             SGD lr 0.01 momentum 0.9, batch 64
--          d  nn.from_code("ccpdnff"): conv 32 5x5 relu, conv 128 5x5 relu, maxpool 2, dropout 0.1,
--             batchnorm, dense 128 relu, dense 10; Adam lr 1e-4, batch 32
--          r  nn.resnet18 for 1x28x28 inputs; SGD lr 0.01 momentum 0.9, batch 128
--   MODE   speed     model:fit on the shuffled training set; after WARMUP batches, three timed
--                    windows of WINDOW batches each; prints "train <model> moonlab speed <samples/s>"
--                    once per window (scripts/bench reports the median)
--          epochs    whole epochs of model:fit on a subset of the training set: 3 epochs minus 1,
--                    per sample; prints "train <model> moonlab epochs <samples/s> <forward FLOPs a sample>"
--          accuracy  model:fit for EPOCHS (default 10) epochs, then model:evaluate on the test set;
--                    prints "train <model> moonlab accuracy <test accuracy> <seconds> <samples/s>"
--
-- Every model ends in logits and is compiled with sparse_categorical_crossentropy (cross-entropy
-- from logits) and no training metrics, so a step is forward, loss, backward, optimizer step, as in
-- scripts/bench_torch_train.py, the PyTorch twin. Initialisation is moonlab's (Keras') default:
-- glorot_uniform kernels, zero biases.

local name, mode = arg[1], arg[2] or "speed"
local threads = tonumber(arg[3]) or 2
local epochs = tonumber(arg[4]) or 10
local seed = tonumber(arg[5]) or 1   -- initial weights and shuffles; scripts/bench --seeds N
moonlab.threads(threads)
moonlab.seed(seed)

-- Batches per timed window and warm-up batches (same numbers in bench_torch_train.py).
local WINDOW = {a = 400, b = 20, c = 50, d = 50, r = 4}
local WARMUP = {a = 50, b = 4, c = 8, d = 8, r = 1}
-- Training images of the whole-epoch timing (mode epochs), as many for PyTorch.
local SUBSET = {a = 12800, b = 12800, c = 3200, d = 3200, r = 1280}

local build = require("models").build

-- Wall-clock seconds. Lua's os.clock() is CPU time (both cores count), so ask date(1); called
-- only at window boundaries, so the fork does not matter.
local function now()
  local p = io.popen("date +%s.%N")
  local t = tonumber(p:read("l"))
  p:close()
  return t
end

local train = data.fashion_mnist{split = "train"}
local model, opt, batch = build(name)
-- Metrics only where they are reported (the accuracy run's evaluate); a speed step has none.
model:compile{optimizer = opt, loss = "sparse_categorical_crossentropy",
              metrics = mode == "accuracy" and {"accuracy"} or nil}

if mode == "speed" then
  local window, warmup = WINDOW[name], WARMUP[name]
  local marks, done = {}, 0
  local STOP = "bench-train-windows-done"
  local ok, err = pcall(model.fit, model, train, {epochs = 100, batch = batch, shuffle = true, verbose = 0,
    callbacks = {{on_batch_end = function()
      done = done + 1
      if done == warmup or (done > warmup and (done - warmup) % window == 0) then
        marks[#marks + 1] = now()
        if #marks == 4 then error(STOP) end
      end
    end}}})
  if not ok and not tostring(err):find(STOP, 1, true) then error(err, 0) end
  for i = 2, #marks do
    print(string.format("train\t%s\tmoonlab\tspeed\t%.1f", name, window * batch / (marks[i] - marks[i - 1])))
  end
elseif mode == "accuracy" then
  local test = data.fashion_mnist{split = "test"}
  local t0 = now()
  -- With MOONLAB_BENCH_EPOCHS set, the test accuracy after every epoch as well (for comparing the
  -- last epochs rather than one point of a noisy curve); evaluating draws no random numbers, so the
  -- training run is the same either way, but the time then includes the evaluations.
  local callbacks = {}
  if os.getenv("MOONLAB_BENCH_EPOCHS") then
    callbacks[1] = {on_epoch_end = function(epoch)
      local r = model:evaluate(test, {batch = 1000})
      print(string.format("epoch\t%s\tmoonlab\t%d\t%.4f\t%d", name, epoch, r.accuracy, seed))
      io.stdout:flush()
    end}
  end
  model:fit(train, {epochs = epochs, batch = batch, shuffle = true, verbose = 0, callbacks = callbacks})
  local seconds = now() - t0
  local result = model:evaluate(test, {batch = 1000})
  print(string.format("train\t%s\tmoonlab\taccuracy\t%.4f\t%.1f\t%.1f\t%d", name, result.accuracy, seconds,
    epochs * #train / seconds, seed))
elseif mode == "epochs" then
  -- Whole epochs of fit on the first SUBSET training images: the time of 3 epochs minus the
  -- time of 1 (so start-up, loading and the first epoch's warm-up cancel), per sample.
  local subset = train:subset(1, SUBSET[name])
  local function timed(epochs)
    local t0 = now()
    model:fit(subset, {epochs = epochs, batch = batch, shuffle = true, verbose = 0})
    return now() - t0
  end
  local one = timed(1)
  local three = timed(3)
  -- Also the model's forward FLOPs a sample (model:flops()), for the fraction of GEMM peak.
  print(string.format("train\t%s\tmoonlab\tepochs\t%.1f\t%d", name, 2 * #subset / (three - one), model:flops()))
else
  error("bench/train.lua: unknown mode " .. tostring(mode) .. " (speed, accuracy, epochs)")
end
