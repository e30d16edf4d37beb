-- The study scripts in examples/: each one parses, and the shared helpers in
-- examples/lib/study.lua behave. examples_smoke_test.lua runs each script end to end.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

local here = debug.getinfo(1, "S").source:gsub("^@", "")
local root = here:gsub("Tests/lua/[^/]*$", "")
if root == here then root = "./" end
local examples = root .. "examples/"
package.path = examples .. "?.lua;" .. package.path
local S = require "lib.study"

local SCRIPTS = {"quickstart", "autograd_spiral", "design_choices", "dense_regularization",
                 "fashion_hyperparameters", "mlp_lab", "permutation_and_clock"}

local folder = os.tmpname()
os.remove(folder)
os.execute("mkdir -p '" .. folder .. "'")

-- Captures what print shows while fn runs.
local function quietly(fn)
  local saved = print
  print = function() end
  local ok, a, b = pcall(fn)
  print = saved
  assert(ok, a)
  return a, b
end

describe("examples", function()
  it("every script parses", function()
    for _, name in ipairs(SCRIPTS) do
      local chunk, err = loadfile(examples .. name .. ".lua")
      expect(err):to_be_nil()
      expect(chunk):to_be_a("function")
    end
  end)

  it("every study script takes --quick and writes under out/<script>", function()
    for _, name in ipairs{"design_choices", "dense_regularization", "fashion_hyperparameters",
                          "mlp_lab", "permutation_and_clock"} do
      local f = assert(io.open(examples .. name .. ".lua"))
      local text = f:read("a")
      f:close()
      expect(text):to_contain('S.setup("' .. name .. '"')
      expect(text):to_contain("quick")
    end
  end)
end)

describe("lib.study arguments and settings", function()
  it("parses --quick, numbers with or without '=', and --out", function()
    local a = S.parse_args{"--quick", "--epochs", "3", "--workers=0", "--out", "/tmp/x"}
    expect(a.mode):to_be("quick")
    expect(a.epochs):to_be(3)
    expect(a.workers):to_be(0)
    expect(a.out):to_be("/tmp/x")
    expect(S.parse_args{}.mode):to_be_nil()
  end)

  it("rejects unknown arguments and missing values", function()
    expect(function() S.parse_args{"--fast"} end):to_fail_with("unknown argument '--fast'")
    expect(function() S.parse_args{"--epochs"} end):to_fail_with("--epochs needs a value")
    expect(function() S.parse_args{"--epochs", "many"} end):to_fail_with("expects a number")
  end)

  it("merges the profile, applies overrides and names the storage after them", function()
    local out = folder .. "/run"
    local cfg = quietly(function()
      return S.setup("t", {common = {batch = 7}, full = {epochs = 10}, quick = {epochs = 1, train = 500}},
                     {"--quick", "--epochs", "2", "--out", out})
    end)
    expect(cfg.mode):to_be("quick")
    expect(cfg.quick):to_be(true)
    expect(cfg.epochs):to_be(2)
    expect(cfg.train):to_be(500)
    expect(cfg.batch):to_be(7)
    expect(cfg.workers):to_be(2)
    expect(cfg.storage):to_match("^" .. out:gsub("%p", "%%%0") .. "/sweeps%-quick%-%x+%.db$")
    expect(io.open(out .. "/probe", "w")):to_be_truthy()       -- the folder exists
    local full = quietly(function() return S.setup("t", {full = {epochs = 10}}, {"--out", out}) end)
    expect(full.mode):to_be("full")
    expect(full.storage):to_match("/sweeps%-full%-%x+%.db$")
    -- other settings, other storage; the same settings, the same storage
    local again = quietly(function()
      return S.setup("t", {common = {batch = 7}, full = {epochs = 10}, quick = {epochs = 1, train = 500}},
                     {"--quick", "--epochs", "2", "--out", out, "--workers", "0"})
    end)
    expect(again.storage):to_be(cfg.storage)
    local other = quietly(function()
      return S.setup("t", {common = {batch = 7}, full = {epochs = 10}, quick = {epochs = 1, train = 500}},
                     {"--quick", "--epochs", "3", "--out", out})
    end)
    expect(other.storage ~= cfg.storage):to_be(true)
    expect(S.path(full, "a.svg")):to_be(out .. "/a.svg")
  end)
end)

describe("lib.study tables", function()
  it("formats numbers and percentages", function()
    expect(S.fmt(nil)):to_be("-")
    expect(S.fmt(0.87504)):to_be("0.8750")
    expect(S.fmt(1e-4)):to_be("0.0001")
    expect(S.fmt(1e-6)):to_be("1e-06")
    expect(S.fmt(12)):to_be("12")
    expect(S.fmt(0.5, "%.1f")):to_be("0.5")
    expect(S.pct(0.99351)):to_be("99.35")
  end)

  it("aligns columns: first left, the rest right", function()
    local text = quietly(function()
      return S.table("T", {{"name", "model"}, {"acc", "accuracy"}}, {{name = "mlp", acc = 0.9}, {name = "cnn-long", acc = 0.95}})
    end)
    expect(text):to_be(table.concat({
      "T",
      "model     accuracy",
      "--------  --------",
      "mlp         0.9000",
      "cnn-long    0.9500"}, "\n"))
  end)

  it("pivots rows into a setting x architecture table", function()
    local rows = {{lr = 0.1, arch = "a", v = 0.5}, {lr = 0.1, arch = "b", v = 0.6}, {lr = 0.2, arch = "a", v = 0.7}}
    local text = quietly(function() return S.pivot(nil, rows, "lr", "arch", "v", {col_order = {"b", "a"}}) end)
    expect(text):to_be(table.concat({
      "lr           b       a",
      "------  ------  ------",
      "0.1000  0.6000  0.5000",
      "0.2000       -  0.7000"}, "\n"))
  end)

  it("finds the best row and filters rows", function()
    local rows = {{k = "x", score = 0.2}, {k = "y", score = 0.9}, {k = "x", score = 0.5}, {k = "z"}}
    expect(S.best(rows).k):to_be("y")
    expect(#S.filter(rows, {k = "x"})):to_be(2)
    expect(S.best(S.filter(rows, {k = "x"})).score):to_be(0.5)
    expect(S.best({})):to_be_nil()
  end)
end)

describe("lib.study models and runs", function()
  it("builds MLPs, layer codes and optimizers", function()
    local m = S.mlp{16, 16}
    expect(m:count_params()):to_be(784 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10)
    local d = S.mlp({32}, {dropout = 0.5, l2 = 1e-4})
    expect(#d:layers()):to_be(4)                               -- Flatten, Dense, Dropout, Dense
    expect(S.build{mlp = {8}}:count_params()):to_be(784 * 8 + 8 + 8 * 10 + 10)
    expect(#S.build("cpcpdnfff"):layers()):to_be(#nn.from_code("cpcpdnfff"):layers())
    expect(S.build{code = "cpf", filters = 4}:count_params()):to_be(nn.from_code("cpf", {filters = 4}):count_params())
    expect(tostring(S.optimizer("sgd", 0.1, {momentum = 0.9}))):to_contain("SGD")
    expect(tostring(S.optimizer("RMSprop"))):to_contain("RMSprop")
    expect(function() S.optimizer("lbfgs") end):to_fail_with("unknown optimizer 'lbfgs'")
  end)

  it("runs a tiny training and returns its figures", function()
    moonlab.seed(3)
    local x, y = tensor.rand{64, 1, 28, 28}, tensor.from((function()
      local t = {} for i = 1, 64 do t[i] = i % 10 end return t end)())
    local ds = data.dataset(x, y)
    local acc, info = quietly(function()
      return S.run("tiny", {mlp = {8}}, {train = ds, val = ds, test = ds, epochs = 2, batch = 16,
                                         patience = 5, print = false})
    end)
    expect(acc):to_be_a("number")
    expect(info.test_accuracy):to_be(acc)
    expect(info.epochs):to_be(2)
    expect(#info.history.val_accuracy):to_be(2)
    local r = S.trial_result(info)
    expect(r.score):to_be(info.val_accuracy)
    expect(r.curve_loss):to_be(info.history.loss)
  end)
end)

os.execute("rm -rf '" .. folder .. "'")
T.finish()
