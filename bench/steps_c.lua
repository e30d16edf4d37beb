-- The (c) model of bench/train.lua trained by fit on the first STEPS*64 training images in
-- order (no shuffle), for a step-by-step comparison with PyTorch from the same initial weights:
--   moonlab bench/steps_c.lua OUT [STEPS] [EPOCHS]   writes OUT/w<i>.npy (initial weights, in
--   model:parameters() order) and prints "step loss" per batch;
--   python scripts/compare_torch_steps.py OUT [STEPS] [EPOCHS] prints PyTorch's losses beside.
local out, steps, epochs = arg[1], tonumber(arg[2]) or 30, tonumber(arg[3]) or 1
assert(out, "usage: moonlab bench/steps_c.lua OUT [STEPS] [EPOCHS]")
os.execute("mkdir -p '" .. out .. "'")
moonlab.seed(1)
local model, optimizer = require("models").build("c")
for i, p in ipairs(model:parameters()) do data.save_npy(out .. "/w" .. i .. ".npy", p) end
model:compile{optimizer = optimizer, loss = "sparse_categorical_crossentropy"}
local n = 0
model:fit(data.fashion_mnist{split = "train"}:subset(1, steps * 64), {epochs = epochs, batch = 64,
  shuffle = false, verbose = 0, callbacks = {{on_batch_end = function(_, logs)
    n = n + 1
    print(n, string.format("%.6f", logs.loss))
  end}}})
