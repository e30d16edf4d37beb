-- The models of the training benchmark (a-d, and r: ResNet-18) (see bench/train.lua), shared by the bench
-- scripts: local build = require("models").build; local model, optimizer, batch = build("c").
-- Building draws the initial weights from the global generator (moonlab.seed first).
local M = {}

function M.build(m)
  if m == "a" then
    return nn.Sequential{input = {1, 28, 28}, nn.Flatten(),
      nn.Dense(64, {activation = "relu"}), nn.Dense(64, {activation = "relu"}), nn.Dense(10)},
      optim.SGD{lr = 0.1}, 32
  elseif m == "b" then
    return nn.Sequential{input = {1, 28, 28}, nn.Flatten(),
      nn.Dense(1024, {activation = "relu"}), nn.Dropout(0.6),
      nn.Dense(512, {activation = "relu"}), nn.Dropout(0.5), nn.Dense(10)},
      optim.Adam{lr = 2.5e-4}, 512
  elseif m == "c" then
    return nn.Sequential{input = {1, 28, 28},
      nn.Conv2D(32, 3, {activation = "relu", padding = "same"}),
      nn.Conv2D(64, 3, {activation = "relu", padding = "same"}),
      nn.MaxPool2D(2), nn.Flatten(), nn.Dense(128, {activation = "relu"}), nn.Dense(10)},
      optim.SGD{lr = 0.01, momentum = 0.9}, 64
  elseif m == "d" then
    return nn.from_code("ccpdnff", {input = {1, 28, 28}, classes = 10}), optim.Adam{lr = 1e-4}, 32
  elseif m == "r" then
    return nn.resnet18{input = {1, 28, 28}, classes = 10}, optim.SGD{lr = 0.01, momentum = 0.9}, 128
  end
  error("bench/models.lua: unknown model " .. tostring(m) .. " (a, b, c, d, r)")
end

return M
