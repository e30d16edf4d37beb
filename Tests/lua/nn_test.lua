-- The nn module as API.md writes it: layers, initializers, Sequential and graph models,
-- layer codes, ResNet-18, summaries, weights, modes, activations and bad input.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

local function close_all(a, b, tol)
  tol = tol or 1e-5
  local fa, fb = a:view{-1}:totable(), b:view{-1}:totable()
  expect(#fa):to_be(#fb)
  for i = 1, #fa do expect(fa[i]):to_be_close(fb[i], tol) end
end

describe("nn layers", function()
  it("construct with the contract's options and print usefully", function()
    expect(tostring(nn.Dense(10, {activation="relu"}))):to_be("nn.Dense(? -> 10, relu)")
    local m = nn.Sequential{input={784}, nn.Dense(10, {activation="relu"})}
    expect(tostring(m:layer(1))):to_be("nn.Dense(784 -> 10, relu)")
    local c = nn.Conv2D(32, 3, {stride=1, padding="same", activation="relu", init="he_normal", l2=1e-4})
    nn.Sequential{input={1, 28, 28}, c}
    expect(tostring(c)):to_be("nn.Conv2D(1 -> 32, 3x3, same, relu)")
    expect(tostring(nn.MaxPool2D(2))):to_be("nn.MaxPool2D(2)")
    expect(tostring(nn.Dropout(0.5))):to_be("nn.Dropout(0.5)")
    expect(tostring(nn.Activation("softmax"))):to_be("nn.Activation(softmax)")
    for _, l in ipairs{nn.AvgPool2D(2), nn.GlobalAvgPool2D(), nn.Flatten(), nn.BatchNorm({momentum=0.9, eps=1e-5}),
                        nn.Residual(nn.Dense(4)), nn.BasicBlock(16, {stride=2}),
                        nn.Dense(4, {init="glorot_normal", bias_init="ones", l1=0.01, l2=0.01, max_norm=3, use_bias=false})} do
      expect(tostring(l)):to_match("^nn%.")
    end
  end)

  it("get_weights and set_weights use Keras' layouts and name both shapes on a mismatch", function()
    local m = nn.Sequential{input={1, 5, 5}, nn.Conv2D(2, 3), nn.BatchNorm(), nn.Flatten(), nn.Dense(3)}
    local conv, bn, dense = m:layer(1), m:layer(2), m:layer("dense_1")
    local cw = conv:get_weights()
    expect(#cw):to_be(2)
    expect(cw[1]:shape()):to_equal({2, 1, 3, 3})
    expect(cw[2]:shape()):to_equal({2})
    local bw = bn:get_weights()
    expect(#bw):to_be(4)
    expect(bw[2]:sum():item()):to_be(0)         -- beta
    expect(bw[4]:sum():item()):to_be(2)         -- moving variance starts at 1
    local dw = dense:get_weights()
    expect(dw[1]:shape()):to_equal({18, 3})
    dense:set_weights{tensor.ones{18, 3}, tensor.zeros{3}}
    expect(dense:get_weights()[1]:sum():item()):to_be(54)
    expect(function() dense:set_weights{tensor.ones{3, 18}, tensor.zeros{3}} end)
      :to_fail_with("weight 1 (kernel) has shape {18,3}, got {3,18}")
    expect(function() dense:set_weights{tensor.ones{18, 3}} end):to_fail_with("expects 2 weights")
    -- copies: changing them leaves the layer alone
    local w = dense:get_weights(); w[1]:fill_(5)
    expect(dense:get_weights()[1]:sum():item()):to_be(54)
  end)

  it("rejects unknown activation and initializer names, listing the valid ones", function()
    expect(function() nn.Dense(10, {activation="relux"}) end):to_fail_with("unknown activation \"relux\"")
    expect(function() nn.Dense(10, {activation="relux"}) end):to_fail_with("leaky_relu")
    expect(function() nn.Dense(10, {init="glorot"}) end):to_fail_with("he_normal")
    expect(function() nn.Activation("soft") end):to_fail_with("softmax")
    expect(function() nn.Dense(10, {activaton="relu"}) end):to_fail_with("bad argument #2 to 'Dense' (unknown option 'activaton' (did you mean 'activation'?))")
    expect(function() nn.init.variance_scaling{mode="fan_mid"} end):to_fail_with("fan_avg")
    expect(function() nn.Dropout(1.5) end):to_fail_with("[0, 1)")
    expect(function() nn.Conv2D(8) end):to_fail_with("bad argument #2 to 'Conv2D'")
  end)

  it("dropout scales in training and is the identity in evaluation", function()
    moonlab.seed(3)
    local m = nn.Sequential{input={10000}, nn.Dropout(0.5)}
    local y = m(tensor.ones{1, 10000})
    local kept = y:gt(0):sum():item()
    expect(kept / 10000):to_be_close(0.5, 0.03)
    expect(y:max():item()):to_be_close(2, 1e-6)
    m:eval()
    expect(m(tensor.ones{1, 10000}):sum():item()):to_be(10000)
  end)
end)

describe("nn.init", function()
  it("has every contract name and samples with Keras' statistics", function()
    for _, name in ipairs{"zeros", "ones", "random_normal", "random_uniform", "glorot_normal", "glorot_uniform",
                          "he_normal", "he_uniform", "lecun_normal", "lecun_uniform"} do
      expect(type(nn.init[name])):to_be("function")
      expect(nn.Dense(2, {init=name})):to_be_truthy()
    end
    moonlab.seed(1)
    local w = nn.init.glorot_uniform()({300, 200})
    local limit = math.sqrt(6 / 500)
    expect(w:abs():max():item() <= limit):to_be(true)
    expect(w:std():item()):to_be_close(limit / math.sqrt(3), 0.01 * limit)
    local vs = nn.init.variance_scaling{scale=2, mode="fan_out", distribution="untruncated_normal"}
    expect(vs({64, 32, 3, 3}):std():item()):to_be_close(math.sqrt(2 / (64 * 9)), 0.003)
    local rn = nn.init.random_normal{mean=0, std=0.05}
    expect(rn({100000}):std():item()):to_be_close(0.05, 0.001)
    expect(tostring(vs)):to_contain("variance_scaling")
    local d = nn.Dense(3, {init=nn.init.random_normal{mean=1, std=0}})
    nn.Sequential{input={2}, d}
    expect(d:get_weights()[1]:sum():item()):to_be(6)
  end)

  it("pytorch_default draws kernel and bias uniformly within 1/sqrt(fan_in) of the kernel, as PyTorch", function()
    moonlab.seed(2)
    local function check(tensor, bound, n)
      expect(tensor:abs():max():item() <= bound):to_be(true)
      expect(tensor:abs():max():item() >= 0.9 * bound):to_be(true)             -- the whole range is used
      expect(tensor:std():item()):to_be_close(bound / math.sqrt(3), 4 * bound / math.sqrt(3 * n))
    end
    -- Dense 400 -> 300: kernel and bias bounds are both 1/sqrt(400) (not the bias's own 300).
    local dense = nn.Dense(300, {init="pytorch_default", bias_init="pytorch_default"})
    nn.Sequential{input={400}, dense}
    local w = dense:get_weights()
    check(w[1], 1 / math.sqrt(400), 400 * 300)
    check(w[2], 1 / math.sqrt(400), 300)
    expect(w[2]:abs():max():item() < 1 / math.sqrt(300) * 0.9):to_be(true)
    -- Conv2D 6 -> 64, 5x5: fan-in 6*5*5 = 150.
    local conv = nn.Conv2D(64, 5, {init="pytorch_default", bias_init="pytorch_default"})
    nn.Sequential{input={6, 12, 12}, conv}
    local c = conv:get_weights()
    check(c[1], 1 / math.sqrt(150), 64 * 150)
    expect(c[2]:abs():max():item() <= 1 / math.sqrt(150)):to_be(true)
    expect(c[2]:abs():max():item() >= 0.8 / math.sqrt(150)):to_be(true)
    -- Sampled alone, its fans come from the shape.
    check(nn.init.pytorch_default()({250, 40}), 1 / math.sqrt(250), 10000)
    -- It survives save and load.
    local path = os.tmpname()
    local m = nn.Sequential{input={4}, nn.Dense(2, {init="pytorch_default", bias_init="pytorch_default"})}
    m:save(path)
    expect(tostring(nn.load(path):layer(1))):to_be(tostring(m:layer(1)))
    os.remove(path)
  end)
end)

describe("nn models", function()
  it("784-64-64-10 has 55,050 parameters and a Keras summary", function()
    local m = nn.Sequential{input={784}, nn.Dense(64, {activation="relu"}), nn.Dense(64, {activation="relu"}), nn.Dense(10)}
    local s = m:summary{print=false}
    expect(function() m:summary{prnt=false} end):to_fail_with("unknown option 'prnt' (did you mean 'print'?)")
    expect(s):to_contain("Total params: 55,050")
    expect(s):to_contain("Trainable params: 55,050")
    expect(s):to_contain("Non-trainable params: 0")
    expect(s):to_contain("dense_1 (Dense)")
    expect(s):to_contain("(None, 64)")
    expect(m:count_params()):to_be(55050)
    expect(#m:parameters()):to_be(6)
    expect(m:parameters()[1]:shape()):to_equal({784, 64})
    expect(m(tensor.randn{32, 784}):shape()):to_equal({32, 10})
    expect(tostring(m)):to_contain("dense_3: nn.Dense(64 -> 10)")
  end)

  it("wrong input shapes are errors naming both shapes", function()
    local m = nn.Sequential{input={784}, nn.Dense(64), nn.Dense(10)}
    expect(function() return m(tensor.zeros{32, 28, 28}) end)
      :to_fail_with("Dense: expected input with 784 features, got shape {32,28,28}")
    expect(function() nn.Sequential{nn.Dense(2)} end):to_fail_with("needs input=")
    expect(function() nn.Sequential{input={784}, nn.Conv2D(4, 3)} end):to_fail_with("{C,H,W}")
    expect(function() nn.Sequential{input={784}, "x"} end):to_fail_with("entry 1 must be a layer")
  end)

  it("the contract's CNN trains by hand: parameters, backward, grads", function()
    moonlab.seed(1)
    local model = nn.Sequential{input={1, 28, 28},
      nn.Conv2D(32, 3, {activation="relu", padding="same"}),
      nn.MaxPool2D(2), nn.Flatten(), nn.Dense(128, {activation="relu"}), nn.Dense(10)}
    local x = tensor.rand{4, 1, 28, 28}
    local y = model(x)
    expect(y:shape()):to_equal({4, 10})
    y:sum():backward()
    for _, p in ipairs(model:parameters()) do expect(p.grad):to_be_truthy() end
    expect(model:parameters()[1].grad:shape()):to_equal({32, 1, 3, 3})
  end)

  it("train() and eval() switch batch norm between batch and moving statistics", function()
    local m = nn.Sequential{input={2}, nn.BatchNorm({momentum=0.9})}
    local x = tensor.from{{1, 10}, {3, 20}, {5, 30}, {7, 40}}
    local y = m(x)
    expect(y:mean(1):abs():max():item() < 1e-5):to_be(true)
    local mm = m:layer(1):get_weights()[3]
    close_all(mm, tensor.from{0.4, 2.5})
    expect(m:eval()):to_be(m)
    expect(m.training):to_be(false)
    local z = m(tensor.from{{1, 10}})
    close_all(z, tensor.from{{(1 - 0.4) / math.sqrt(1.4 + 1e-3), (10 - 2.5) / math.sqrt(13.4 + 1e-3)}}, 1e-4)
    m:train()
    expect(m.training):to_be(true)
  end)

  it("from_code builds the study models with their parameter counts", function()
    local function conv(c, f, k) return c * k * k * f + f end
    local function dense(i, u) return i * u + u end
    local m = nn.from_code("ccpdnff")
    expect(m:count_params()):to_be(conv(1, 32, 5) + conv(32, 128, 5) + 4 * 128 + dense(12800, 128) + dense(128, 10))
    local m2 = nn.from_code("cpcpdnff", {input={1, 28, 28}, classes=10, filters=96, kernel=5, units=64, dropout=0.1, activation="relu"})
    expect(m2:count_params()):to_be(conv(1, 96, 5) + conv(96, 96, 5) + 4 * 96 + dense(1536, 64) + dense(64, 10))
    expect(m2:summary{print=false}):to_contain("flatten_1 (Flatten)")
    for _, code in ipairs{"cpcpdnfff", "cfpdndff", "cpdnfndff", "cfpncfpdnff"} do
      expect(nn.from_code(code)(tensor.rand{2, 1, 28, 28}):shape()):to_equal({2, 10})
    end
    expect(function() nn.from_code("cqf") end):to_fail_with("unknown letter 'q'")
  end)

  it("resnet18 adapts to small inputs", function()
    local r = nn.resnet18{input={1, 28, 28}, classes=10}
    expect(r:count_params()):to_be(11172810 + 9600)   -- trainable + BatchNorm moving statistics
    expect(r:summary{print=false}):to_contain("Trainable params: 11,172,810")
    local small = nn.resnet18{input={1, 8, 8}, classes=3, width=4}
    expect(small(tensor.rand{2, 1, 8, 8}):shape()):to_equal({2, 3})
  end)

  it("graphs with named outputs return a table of tensors", function()
    local inp = nn.Input{1, 20, 20}
    local h = nn.Flatten()(nn.MaxPool2D(2)(nn.Conv2D(4, 3, {activation="relu"})(inp)))
    expect(h.shape):to_equal({324})
    local model3 = nn.Model{inputs=inp, outputs={hour=nn.Dense(12)(h), minute=nn.Dense(1)(h)}}
    local out = model3(tensor.rand{3, 1, 20, 20})
    expect(out.hour:shape()):to_equal({3, 12})
    expect(out.minute:shape()):to_equal({3, 1})
    expect(model3.outputs):to_equal({"hour", "minute"})
    expect(model3:summary{print=false}):to_contain("Connected to")
    local a, b = nn.Input{4}, nn.Input{6}
    local two = nn.Model{inputs={a=a, b=b}, outputs=nn.Dense(2)(nn.Concatenate()({a, b}))}
    expect(two{a=tensor.rand{5, 4}, b=tensor.rand{5, 6}}:shape()):to_equal({5, 2})
    expect(function() return two(tensor.rand{5, 4}) end):to_fail_with("pass a table")
  end)

  it("layer(i or name), activations, named weights and architecture", function()
    local m = nn.Sequential{input={4}, nn.Dense(3, {activation="relu"}), nn.Dropout(0.5), nn.Dense(2)}
    expect(m:layer("dense_2").name):to_be(m:layer(3).name)
    expect(function() m:layer("nope") end):to_fail_with("no layer named 'nope'")
    local acts = m:activations(tensor.rand{6, 4}, "dense_1")
    expect(acts:shape()):to_equal({6, 3})
    -- negative positions count from the end, as string.sub does
    expect(m:layer(-1).name):to_be("dense_2")
    expect(m:layer(-3).name):to_be("dense_1")
    expect(m:activations(tensor.rand{6, 4}, -1):shape()):to_equal({6, 2})
    expect(function() m:layer(-4) end):to_fail_with("layer -4 out of range (the model has 3 layers")
    expect(function() m:layer(0) end):to_fail_with("layer 0 out of range")
    expect(m.training):to_be(true)
    local nw = m:named_weights()
    expect(nw["dense_1.kernel"]:shape()):to_equal({4, 3})
    local arch = m:architecture()
    expect(arch.class):to_be("Sequential")
    expect(arch.layers[2].name):to_be("dense_1")   -- after the input layer
    expect(arch.input):to_equal({4})
  end)
end)

describe("model:flops", function()
  it("counts the matrix products' multiply-adds of one sample, twice, sub-layers included", function()
    local m = nn.Sequential{input = {2, 6, 6}, nn.Conv2D(4, 3, {stride = 1}), nn.Dense(5), nn.Flatten(), nn.Dense(3)}
    -- conv: 2*2*3*3 per output value, 4x4x4 outputs; dense on channels: 2*4*5 per position, 16
    -- positions; dense: 2*80*3.
    expect(m:flops()):to_be(2 * 2 * 9 * 64 + 2 * 4 * 5 * 16 + 2 * 80 * 3)
    local r = nn.Sequential{input = {4, 4, 4}, nn.BasicBlock(4)}
    expect(r:flops()):to_be(2 * (2 * 4 * 9 * 4 * 16))   -- its two 3x3 convolutions
    expect(nn.Sequential{input = {3}, nn.Dropout(0.5)}:flops()):to_be(0)
  end)
end)

T.finish()
