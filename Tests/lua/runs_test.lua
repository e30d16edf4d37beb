-- Every fit is remembered in the run store: runs.list, runs.load, runs.compare, runs.delete,
-- runs.prune, and `moonlab runs` from the shell; failed fits too; MOONLAB_RUNS=off records nothing.
local T = require "moontest"
local cli = require "cli_support"
local describe, it, expect = T.describe, T.it, T.expect

local function captured(fn)
  local lines, saved = {}, print
  print = function(...)
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
    lines[#lines + 1] = table.concat(parts, "\t")
  end
  local ok, err = pcall(fn)
  print = saved
  if not ok then error(err, 0) end
  return table.concat(lines, "\n")
end

local function model(lr)
  moonlab.seed(3)
  local m = nn.Sequential{input = {3}, nn.Dense(8, {activation = "relu"}), nn.Dense(3)}
  m:compile{optimizer = optim.Adam{lr = lr or 0.01}, loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
  return m
end

local x = tensor.rand{64, 3}
local y = x:argmax(2) - 1

describe("the run store", function()
  it("records a fit with its source, seed, data, model, settings, history and final metrics", function()
    expect(runs.path()):to_be(os.getenv("MOONLAB_RUNS"))
    local before = runs.load(-1)
    local m = model()
    local h = m:fit(x, y, {epochs = 3, batch = 16, verbose = 0, validation_split = 0.25})
    local run = runs.load(-1)
    expect(before == nil or before.id ~= run.id):to_be(true)
    expect(run.status):to_be("done")
    expect(run.model.kind):to_be("Sequential")
    expect(run.model.parameters):to_be(m:count_params())
    expect(run.model.summary):to_contain("Total params: " .. m:count_params())
    expect(run.fit.epochs):to_be(3)
    expect(run.fit.batch):to_be(16)
    expect(run.seed):to_be("3")
    expect(run.data.samples):to_be(64)
    expect(run.compile.optimizer.name):to_be("Adam")
    expect(#run.history.loss):to_be(3)
    expect(run.history.val_accuracy[3]):to_be(h.val_accuracy[3])
    expect(run.final.val_accuracy):to_be(h.val_accuracy[3])
    expect(run.seconds > 0):to_be(true)
    expect(run.source:match("runs_test%.lua$") ~= nil):to_be(true)
    expect(#run.source_hash):to_be(16)
    expect(runs.load(run.id:sub(1, 19)).id):to_be(run.id)   -- a prefix of its id
    expect(tostring(run)):to_contain("run " .. run.id .. ": done after")
    expect(tostring(run)):to_contain("final: ")
  end)

  it("records a fit that fails, with its error", function()
    local m = model()
    expect(function() m:fit(x, tensor.rand{64, 7}, {epochs = 1, verbose = 0}) end):to_fail_with("do not match")
    local run = runs.load(-1)
    expect(run.status):to_be("failed")
    expect(run.error):to_contain("do not match")
  end)

  it("lists runs as a table, filtered; compares them; deletes and prunes", function()
    local ids = {}
    for i, lr in ipairs{0.001, 0.05} do
      model(lr):fit(x, y, {epochs = 2, batch = 16, verbose = 0})
      ids[i] = runs.load(-1).id
    end
    local list = runs.list{source = "runs_test.lua", n = 2}
    expect(#list):to_be(2)
    expect(list[1].id):to_be(ids[1])
    expect(list[2].id):to_be(ids[2])
    local text = tostring(list)
    expect(text):to_match("^id%s+source%s+model")
    expect(text):to_contain(ids[2] .. "  runs_test.lua  Sequential")
    expect(#runs.list{status = "failed", source = "runs_test.lua"} >= 1):to_be(true)
    expect(function() runs.list{stauts = "done"} end):to_fail_with("did you mean 'status'")
    local dir = cli.tempdir()
    local shown = captured(function() runs.compare(ids, {metrics = {"loss"}, out = dir .. "/curves.svg"}) end)
    expect(shown):to_match("compile%.optimizer%.lr%s+0%.001%s+0%.05")
    expect(shown:find("\nseed", 1, true)):to_be_nil()            -- the same in both: not shown
    expect(shown):to_match("final loss%s+[%d.]+%s+[%d.]+")
    local svg = cli.read(dir .. "/curves.svg")
    expect(svg):to_contain(ids[1])
    expect(svg):to_contain(ids[2])
    expect(runs.delete(ids[1])):to_be(1)
    expect(runs.load(ids[1])):to_be_nil()
    expect(runs.delete{ids[2], "no-such-run"}):to_be(1)
    expect(function() runs.compare{"no-such-run"} end):to_fail_with("no run 'no-such-run'")
    os.execute("rm -rf " .. cli.quote(dir))
  end)

  it("is read and pruned from the shell with `moonlab runs`", function()
    local dir = cli.tempdir()
    local env = {MOONLAB_RUNS = dir .. "/runs.db"}
    cli.write(dir .. "/train.lua", [[
      moonlab.seed(1)
      for _, units in ipairs{4, 8, 16} do
        local m = nn.Sequential{input = {3}, nn.Dense(units, {activation = "relu"}), nn.Dense(2)}
        m:compile{loss = "sparse_categorical_crossentropy", optimizer = "sgd"}
        local x = tensor.rand{32, 3}
        m:fit(x, x:argmax(2):gt(1), {epochs = 2, verbose = 0})
      end
    ]])
    local _, err, code = cli.run({dir .. "/train.lua"}, {env = env})
    expect(err):to_be("")
    expect(code):to_be(0)
    local out, _, listed = cli.run({"runs"}, {env = env})
    expect(listed):to_be(0)
    local lines = {}
    for line in out:gmatch("[^\n]+") do lines[#lines + 1] = line end
    expect(#lines):to_be(4)
    expect(lines[4]):to_match("train%.lua%s+Sequential%s+98%s+2")
    out = cli.run({"runs", "compare", "-1", "-3"}, {env = env})
    expect(out):to_match("model%.dense_1%.units%s+16%s+4")
    out = cli.run({"runs", "show", "-1"}, {env = env})
    expect(out):to_contain("Total params: 98")
    out, _, code = cli.run({"runs", "prune", "--keep", "1"}, {env = env})
    expect(out):to_contain("deleted 2 run(s)")
    out, err, code = cli.run({"runs", "show", "nope"}, {env = env})
    expect(code):to_be(1)
    expect(err):to_contain("no run 'nope'")
    out, err, code = cli.run({"runs", "frobnicate"}, {env = env})
    expect(code):to_be(2)
    expect(err):to_contain("unknown runs command 'frobnicate'")
    -- Off: nothing is recorded, and the module says so.
    cli.write(dir .. "/off.lua", [[
      print(runs.path())
      local m = nn.Sequential{input = {2}, nn.Dense(1)}
      m:compile{loss = "mse", optimizer = "sgd"}
      m:fit(tensor.rand{8, 2}, tensor.rand{8, 1}, {verbose = 0})
      print(#runs.list())
    ]])
    out, err, code = cli.run({dir .. "/off.lua"}, {env = {MOONLAB_RUNS = "off"}})
    expect(out):to_be("nil\n0\n")
    os.execute("rm -rf " .. cli.quote(dir))
  end)
end)

T.finish()
