-- Weights by name in safetensors files: model:load_weights (moonlab's names, map tables and
-- functions, a PyTorch state_dict), model:save_weights, and what a mismatch says.
local T = require "moontest"
local cli = require "cli_support"
local describe, it, expect = T.describe, T.it, T.expect

local fixtures = cli.here() .. "/fixtures/pytorch/"

-- The moonlab twin of make_fixtures.py's PyTorch model (BatchNorm2d's eps is 1e-5).
local function cnn(options)
  options = options or {}
  return nn.Sequential{input = {1, 8, 8},
    nn.Conv2D(4, 3, {padding = "same"}), nn.BatchNorm{eps = options.eps or 1e-5}, nn.Activation("relu"),
    nn.MaxPool2D(2), nn.Flatten{}, nn.Dense(options.classes or 3)}
end
local torch_names = {conv2d_1 = "0", batch_normalization_1 = "1", dense_1 = "5"}

local function temp(suffix)
  local base = os.tmpname()
  return base .. suffix, function() os.remove(base .. suffix); os.remove(base) end
end

local function max_diff(a, b) return (a - b):abs():max():item() end

describe("a PyTorch state_dict", function()
  local io_ = tensor.load(fixtures .. "cnn_io.safetensors")

  it("loads into the equivalent model, whose logits equal PyTorch's", function()
    local m = cnn()
    local report = m:load_weights(fixtures .. "cnn_state_dict.safetensors", {from = "pytorch", map = torch_names})
    expect(report.count):to_be(8)
    expect(report.loaded["dense_1.kernel"]):to_be("5.weight")
    expect(report.loaded["batch_normalization_1.moving_variance"]):to_be("1.running_var")
    expect(report.unused):to_equal({"1.num_batches_tracked"})
    expect(#report.missing + #report.mismatched + #report.notes):to_be(0)
    m:eval()
    local diff = max_diff(m(io_.x), io_.logits)
    print(string.format("PyTorch fixture: max abs diff of the logits %.3g", diff))
    expect(diff):to_be_less_than(1e-4)
    -- The Linear weight {3, 64} arrives transposed.
    local sd = tensor.load(fixtures .. "cnn_state_dict.safetensors")
    expect(max_diff(m:named_weights()["dense_1.kernel"], sd["5.weight"]:t())):to_be(0)
  end)

  it("takes a map function given our name and the proposed file name", function()
    local m = cnn()
    local seen = {}
    m:load_weights(fixtures .. "cnn_state_dict.safetensors", {from = "pytorch", map = function(name, proposed)
      seen[name] = proposed
      local layer = name:match("^[^.]+")
      return torch_names[layer] .. proposed:sub(#layer + 1)
    end})
    expect(seen["conv2d_1.kernel"]):to_be("conv2d_1.weight")
    expect(seen["batch_normalization_1.moving_mean"]):to_be("batch_normalization_1.running_mean")
    m:eval()
    expect(max_diff(m(io_.x), io_.logits)):to_be_less_than(1e-4)
  end)

  it("notes a BatchNorm whose eps is not PyTorch's", function()
    local m = cnn{eps = 1e-3}
    local report = m:load_weights(fixtures .. "cnn_state_dict.safetensors", {from = "pytorch", map = torch_names})
    expect(#report.notes):to_be(1)
    expect(report.notes[1]):to_contain("batch_normalization_1 has eps 0.001")
  end)

  it("names both sides of a shape mismatch and loads nothing when strict", function()
    local m = cnn{classes = 4}
    local before = m:named_weights()["conv2d_1.kernel"]:clone()
    expect(function()
      m:load_weights(fixtures .. "cnn_state_dict.safetensors", {from = "pytorch", map = torch_names})
    end):to_fail_with("dense_1.kernel is {64,4} in the model, '5.weight' is {3,64} in the file")
    expect(max_diff(m:named_weights()["conv2d_1.kernel"], before)):to_be(0)
  end)

  it("with strict=false loads what fits and lists the rest", function()
    local m = cnn{classes = 4}
    local report = m:load_weights(fixtures .. "cnn_state_dict.safetensors",
      {from = "pytorch", map = torch_names, strict = false})
    expect(report.count):to_be(6)
    expect(#report.mismatched):to_be(2)
    expect(report.mismatched[2]):to_contain("dense_1.bias is {4} in the model, '5.bias' is {3} in the file")
    local sd = tensor.load(fixtures .. "cnn_state_dict.safetensors")
    expect(max_diff(m:named_weights()["conv2d_1.kernel"], sd["0.weight"])):to_be(0)
  end)

  it("says which names are missing and which the file holds", function()
    local m = cnn()
    expect(function() m:load_weights(fixtures .. "cnn_state_dict.safetensors", {from = "pytorch"}) end)
      :to_fail_with("missing from the file: conv2d_1.kernel (as 'conv2d_1.weight')")
    expect(function() m:load_weights(fixtures .. "cnn_state_dict.safetensors", {from = "pytorch"}) end)
      :to_fail_with("the file's names not used: 1.num_batches_tracked")
    expect(function() nn.load(fixtures .. "cnn_state_dict.safetensors") end)
      :to_fail_with("not a moonlab model (no format metadata): build the model and load its weights by name with model:load_weights(path)")
  end)

  it("refuses a map key that names nothing in the model, and a bad map", function()
    local m = cnn()
    expect(function() m:load_weights(fixtures .. "cnn_state_dict.safetensors", {from = "pytorch", map = {conv2d_9 = "0"}}) end)
      :to_fail_with("map names 'conv2d_9', which is no weight or layer of the model")
    expect(function() m:load_weights(fixtures .. "cnn_state_dict.safetensors", {map = {conv2d_1 = 3}}) end)
      :to_fail_with("entry 'conv2d_1' must be a file name or false")
    expect(function() m:load_weights(fixtures .. "cnn_state_dict.safetensors", {from = "keras"}) end)
      :to_fail_with("must be one of moonlab, pytorch")
    expect(function() m:load_weights(fixtures .. "cnn_state_dict.safetensors", {map = function() return 1 end}) end)
      :to_fail_with("the function must return a file name or nil")
  end)
end)

describe("model:save_weights and model:load_weights", function()
  it("round-trip every weight, BatchNorm statistics included", function()
    moonlab.seed(1)
    local a = cnn()
    a:compile{loss = "mse", optimizer = optim.SGD{lr = 0.1}}
    a:fit(tensor.randn{16, 1, 8, 8}, tensor.randn{16, 3}, {epochs = 1, batch = 8, verbose = 0})
    local path, cleanup = temp(".safetensors")
    a:save_weights(path)
    local b = cnn()
    local report = b:load_weights(path)
    expect(report.count):to_be(8)
    expect(#report.unused):to_be(0)
    local x = tensor.randn{4, 1, 8, 8}
    a:eval(); b:eval()
    expect(max_diff(a(x), b(x))):to_be(0)
    local _, metadata = tensor.load(path)
    expect(metadata.format):to_be("moonlab.weights")
    expect(function() nn.load(path) end):to_fail_with("holds weights only")
    cleanup()
  end)

  it("map moves weights between layers of other names; false leaves a weight as it is", function()
    moonlab.seed(2)
    local a = nn.Sequential{input = {5}, nn.Dense(4, {name = "hidden"}), nn.Dense(2, {name = "head"})}
    local path, cleanup = temp(".safetensors")
    a:save_weights(path)
    local b = nn.Sequential{input = {5}, nn.Dense(4), nn.Dense(2)}
    local head = b:named_weights()["dense_2.kernel"]:clone()
    local report = b:load_weights(path, {map = {dense_1 = "hidden", dense_2 = false}})
    expect(report.count):to_be(2)
    expect(report.skipped):to_equal({"dense_2.kernel", "dense_2.bias"})
    expect(report.unused):to_equal({"head.kernel", "head.bias"})
    expect(max_diff(b:named_weights()["dense_1.kernel"], a:named_weights()["hidden.kernel"])):to_be(0)
    expect(max_diff(b:named_weights()["dense_2.kernel"], head)):to_be(0)
    -- A whole weight name maps to a whole file name.
    b:load_weights(path, {map = {dense_1 = "hidden", ["dense_2.kernel"] = "head.kernel", ["dense_2.bias"] = "head.bias"}})
    expect(max_diff(b:named_weights()["dense_2.kernel"], a:named_weights()["head.kernel"])):to_be(0)
    cleanup()
  end)

  it("reads the weights of a model:save file", function()
    local a = nn.Sequential{input = {3}, nn.Dense(2)}
    a:compile{loss = "mse", optimizer = optim.Adam{}}
    local path, cleanup = temp(".safetensors")
    a:save(path)
    local b = nn.Sequential{input = {3}, nn.Dense(2)}
    local report = b:load_weights(path)
    expect(report.count):to_be(2)
    expect(select(2, tensor.load(path)).format):to_be("moonlab.model")
    expect(max_diff(a:named_weights()["dense_1.kernel"], b:named_weights()["dense_1.kernel"])):to_be(0)
    cleanup()
  end)

  it("reports a missing file clearly", function()
    expect(function() cnn():load_weights("/nonexistent/w.safetensors") end):to_fail_with("no such file")
  end)
end)

T.finish()
