-- lua_layers.lua: layers written in Lua, trained, saved and loaded like built-in ones.
--
-- A gated residual block (y = x + g ⊙ f(x), with a learned gate g per channel that starts
-- closed, so the network starts as its shortcut) and a custom activation (Mish,
-- x · tanh(softplus(x))), in a small CNN on Fashion-MNIST beside the same CNN without them.
-- Backward comes from autograd over the tensor operations the layers use.
--
-- Run: moonlab examples/lua_layers.lua [epochs] [--smoke]
-- (--smoke: 600 training images and one epoch, a check that everything runs.)

local smoke = false
local epochs = 3
for _, a in ipairs(arg) do
  if a == "--smoke" then smoke = true elseif tonumber(a) then epochs = tonumber(a) end
end
if smoke then epochs = 1 end

-- Mish, a parameter-free activation: nn.Lambda is enough.
local function mish(x) return x * x:softplus():tanh() end

-- The gated residual block: two built-in convolutions as its sub-layers, and one weight of
-- its own, the gate (a value per channel).
local GatedResidual = nn.Module {
  name = "GatedResidual",
  init = function(self, options)
    assert(math.type(options.filters) == "integer", "GatedResidual needs filters, an integer")
    self:layer("conv1", nn.Conv2D(self.filters, 3, {padding = "same", activation = "relu"}))
    self:layer("conv2", nn.Conv2D(self.filters, 3, {padding = "same"}))
  end,
  build = function(self, input_shape)
    assert(input_shape[1] == self.filters, "GatedResidual: input channels must equal filters")
    -- The gate starts at sigmoid(-4) ≈ 0.02: the block starts close to the identity.
    self:param("gate", {self.filters, 1, 1}, nn.init.constant{value = -4})
  end,
  forward = function(self, x, training)
    local h = self.conv2(self.conv1(x))
    return (x + h * self.gate:sigmoid()):relu()
  end,
}

local function model(custom)
  local act = custom and function(name) return nn.Lambda(mish, {name = name}) end
    or function() return nn.Activation("relu") end
  local layers = {input = {1, 28, 28},
    nn.Conv2D(16, 3, {padding = "same"}), act("mish_1"), nn.MaxPool2D(2)}
  if custom then layers[#layers + 1] = GatedResidual{filters = 16, name = "gated"} end
  for _, l in ipairs{nn.Conv2D(32, 3, {padding = "same"}), act("mish_2"), nn.MaxPool2D(2),
                     nn.Flatten(), nn.Dense(64), act("mish_3"), nn.Dense(10)} do
    layers[#layers + 1] = l
  end
  return nn.Sequential(layers)
end

moonlab.seed(1)
local train = data.fashion_mnist{split = "train"}
local test = data.fashion_mnist{split = "test"}
if smoke then train, test = train:subset(1, 600), test:subset(1, 300) end

local results = {}
for _, variant in ipairs{"built-in", "lua"} do
  moonlab.seed(1)
  local m = model(variant == "lua")
  if variant == "lua" then m:summary() end
  m:compile{optimizer = optim.Adam{lr = 1e-3}, loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
  local t0 = moonlab.clock()
  local h = m:fit(train, {epochs = epochs, batch_size = 64, verbose = smoke and 0 or 1})
  local seconds = moonlab.clock() - t0
  local r = m:evaluate(test)
  results[variant] = {model = m, accuracy = r.accuracy, seconds = seconds, loss = h.loss[#h.loss]}
end

for _, variant in ipairs{"built-in", "lua"} do
  local r = results[variant]
  print(string.format("%-9s test accuracy %.4f  last training loss %.4f  %.1f s", variant, r.accuracy, r.loss, r.seconds))
end
print(string.format("gate of the residual block after training: mean sigmoid %.3f",
  results.lua.model:layer("gated").gate:sigmoid():mean():item()))

-- Saved and loaded with the definitions the file needs (Keras' custom objects).
local path = os.tmpname() .. ".safetensors"
results.lua.model:save(path)
local loaded = nn.load(path, {custom = {GatedResidual = GatedResidual, mish_1 = mish, mish_2 = mish, mish_3 = mish}})
local x = test:subset(1, 64).x
print(string.format("loaded model: largest prediction difference %.2g", (loaded:predict(x) - results.lua.model:predict(x)):abs():max():item()))
os.remove(path)
os.remove(path:sub(1, -13))
