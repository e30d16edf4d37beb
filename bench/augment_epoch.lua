-- Epoch time of the small CNN of the training issue, with and without augmentation.
-- Run: moonlab bench/augment_epoch.lua [samples=20000] [epochs=2]; prints per-epoch seconds, alternating plain and augmented runs.
local n = tonumber(arg[1]) or 20000
local epochs = tonumber(arg[2]) or 2
local train = data.fashion_mnist{split = "train"}:subset(1, n)
local function small_cnn()
  return nn.Sequential{input = {1, 28, 28},
    nn.Conv2D(32, 3, {activation = "relu", padding = "same"}),
    nn.Conv2D(64, 3, {activation = "relu", padding = "same"}),
    nn.MaxPool2D(2), nn.Flatten(), nn.Dense(128, {activation = "relu"}), nn.Dense(10)}
end
local function now() local p = io.popen("date +%s.%N"); local t = tonumber(p:read("l")); p:close(); return t end
for _, mode in ipairs({"plain", "augmented", "plain", "augmented"}) do
  moonlab.seed(1)
  local m = small_cnn()
  m:compile{optimizer = optim.SGD{lr = 0.01, momentum = 0.9}, loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
  local times = {}
  m:fit(train, {epochs = epochs, batch = 64, verbose = 0,
    augment = mode == "augmented" and aug.ImageDataGenerator{rotation_range = 10, width_shift_range = 0.1, height_shift_range = 0.1} or nil,
    callbacks = {{on_epoch_begin = function() times.t0 = now() end,
                  on_epoch_end = function(e) times[#times + 1] = now() - times.t0 end}}})
  print(string.format("%-10s epoch seconds: %s", mode, table.concat((function() local s = {} for i, t in ipairs(times) do s[i] = string.format("%.2f", t) end return s end)(), " ")))
end
