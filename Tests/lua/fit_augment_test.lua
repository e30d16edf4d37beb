-- fit{augment=...}: aug transforms run ahead on the batch thread, reproducibly.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

local function train(augment, seed)
  moonlab.seed(seed)
  local x = tensor.rand{256, 1, 12, 12}
  local labels = {}
  for i = 1, 256 do labels[i] = (i - 1) % 4 end
  local ds = data.dataset(x, tensor.from(labels))
  local m = nn.Sequential{input = {1, 12, 12}, nn.Flatten(), nn.Dense(16, {activation = "relu"}), nn.Dense(4)}
  m:compile{optimizer = optim.SGD{lr = 0.1}, loss = "sparse_categorical_crossentropy"}
  local h = m:fit(ds, {epochs = 2, batch = 32, augment = augment, verbose = 0})
  return h.loss
end

describe("fit with augmentation", function()
  local gen = aug.ImageDataGenerator{rotation_range = 20, width_shift_range = 0.2}

  it("gives the same losses for the same seed", function()
    expect(train(gen, 3)):to_equal(train(gen, 3))
  end)

  it("actually changes the batches", function()
    expect(train(gen, 3)).never:to_equal(train(nil, 3))
  end)

  it("accepts a Lua function and calls it on each batch", function()
    local calls = 0
    train(function(batch) calls = calls + 1; return batch end, 3)
    expect(calls):to_be(16)   -- 256 / 32 batches x 2 epochs
  end)

  it("rejects a function that returns no tensor", function()
    expect(function() train(function() return 1 end, 3) end):to_fail_with("augment must return a tensor")
  end)
end)

T.finish()
