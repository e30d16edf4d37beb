-- autograd_spiral.lua: tensors and autograd by hand, no nn module.
--
-- Fits a two-layer network to a spiral data set (three interleaved arms) with a hand-written
-- training loop on moonlab's tensors and autograd, then reports training accuracy.
-- Run: .build/release/moonlab examples/autograd_spiral.lua [epochs]
--

moonlab.seed(1)
local epochs = tonumber(arg and arg[1]) or 300
local classes, per_class, hidden = 3, 200, 64

-- The data: point j of arm k sits at radius r = j/per_class and angle 4k + 4r (plus noise).
local n = classes * per_class
local points, labels = {}, {}
for k = 0, classes - 1 do
  for j = 0, per_class - 1 do
    local r = j / per_class
    local theta = 4 * k + 4 * r + 0.2 * (math.random() - 0.5)
    points[#points + 1] = {r * math.sin(theta), r * math.cos(theta)}
    labels[#labels + 1] = k
  end
end
local x = tensor.from(points)   -- {n, 2}
local y = tensor.from(labels)   -- {n}, class ids 0..2

-- The model: 2 -> hidden -> classes, He-style initial weights.
local w1 = (tensor.randn{2, hidden} * math.sqrt(2 / 2)):requires_grad()
local b1 = tensor.zeros{hidden}:requires_grad()
local w2 = (tensor.randn{hidden, classes} * math.sqrt(2 / hidden)):requires_grad()
local b2 = tensor.zeros{classes}:requires_grad()
local params = {w1, b1, w2, b2}

local function forward(input)
  return (input:matmul(w1) + b1):relu():matmul(w2) + b2
end

local lr = 1.0
local start = os.clock()
for epoch = 1, epochs do
  for _, p in ipairs(params) do p:zero_grad() end
  local loss = forward(x):cross_entropy(y)
  loss:backward()
  tensor.no_grad(function()
    for _, p in ipairs(params) do p:sub_(p.grad * lr) end
  end)
  if epoch % 50 == 0 or epoch == 1 then
    local acc = (forward(x):argmax(2) - 1):eq(y):mean():item()
    print(string.format("epoch %4d  loss %.4f  accuracy %.3f", epoch, loss:item(), acc))
  end
end
local acc = tensor.no_grad(function() return (forward(x):argmax(2) - 1):eq(y):mean():item() end)
print(string.format("training accuracy after %d epochs: %.3f (%d points, %.2f s)", epochs, acc, n, os.clock() - start))
