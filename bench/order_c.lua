-- The (c) model of bench/train.lua trained for EPOCHS epochs in a sample order fixed in a file,
-- to tell data order from arithmetic when moonlab's and PyTorch's accuracies differ:
--   moonlab bench/order_c.lua DIR SEED EPOCHS fit     the order fit draws itself (writes it to
--                                                      DIR/orders.npy), then trains in it
--   moonlab bench/order_c.lua DIR SEED EPOCHS given   trains in DIR/orders.npy (e.g. PyTorch's,
--                                                      from scripts/compare_torch_order.py DIR SEED EPOCHS orders)
-- Either way the initial weights come from moonlab.seed(SEED) and are written to DIR/w<i>.npy
-- (model:parameters() order), and each epoch prints "moonlab epoch E loss L test A SECONDS".
-- scripts/compare_torch_order.py DIR SEED EPOCHS train then trains PyTorch from the same
-- weights in the same order. DIR/orders.npy holds EPOCHS rows of 0-based sample positions.
local dir, seed, epochs, mode = arg[1], tonumber(arg[2]), tonumber(arg[3]), arg[4]
assert(dir and seed and epochs and (mode == "fit" or mode == "given"),
  "usage: moonlab bench/order_c.lua DIR SEED EPOCHS fit|given")
os.execute("mkdir -p '" .. dir .. "'")
moonlab.seed(seed)
local model, optimizer = require("models").build("c")
for i, p in ipairs(model:parameters()) do data.save_npy(dir .. "/w" .. i .. ".npy", p) end
model:compile{optimizer = optimizer, loss = "sparse_categorical_crossentropy",
  metrics = {"accuracy"}}
local train, test = data.fashion_mnist{split = "train"}, data.fashion_mnist{split = "test"}
local n = #train
if mode == "fit" then
  -- fit with shuffle=true draws one permutation an epoch from the global generator, right
  -- after the initial weights: the same draws, made here ahead of time.
  local rows = {}
  for e = 1, epochs do
    local p = data.permutation(n)
    for i = 1, n do p[i] = p[i] - 1 end
    rows[e] = tensor.from(p)
  end
  data.save_npy(dir .. "/orders.npy", tensor.stack(rows))
end
local orders = data.npy(dir .. "/orders.npy")
assert(orders:shape()[1] >= epochs and orders:shape()[2] == n, "orders.npy must hold EPOCHS rows of " .. n)
local t0 = os.time()
for e = 1, epochs do
  local row, positions = orders[e], {}
  for i = 1, n do positions[i] = row[i] + 1 end
  local h = model:fit(train:select(positions), {epochs = 1, batch = 64, shuffle = false, verbose = 0})
  local r = model:evaluate(test)
  print(string.format("moonlab epoch %d loss %.5f test %.4f %ds", e, h.loss[1], r.accuracy, os.time() - t0))
end
