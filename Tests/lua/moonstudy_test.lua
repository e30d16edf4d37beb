-- stdlib/moonstudy.lua: a study script's command line, settings, seeds, sweeps, runs and
-- headline CSV. (The examples' smoke test runs whole studies on it.)
local T = require "moontest"
local S = require "moonstudy"
local tab = require "moontable"
local describe, it, expect = T.describe, T.it, T.expect

local folder = os.tmpname()
os.remove(folder)
os.execute("mkdir -p '" .. folder .. "'")

-- Runs fn with print silenced; returns what fn returns.
local function quietly(fn)
  local saved = print
  print = function() end
  local ok, a, b = pcall(fn)
  print = saved
  assert(ok, a)
  return a, b
end

local function read(path)
  local f = assert(io.open(path)); local s = f:read("a"); f:close(); return s
end

-- Runs a study script with moonlab (arguments: its output folder and a mode); returns its output.
local function run_script(script, out, mode)
  local C = require "cli_support"
  local p = io.popen(C.quote(C.binary()) .. " " .. C.quote(script) .. " " .. C.quote(out) .. " " .. mode .. " 2>&1")
  local text = p:read("a"); p:close(); return text
end

describe("moonstudy arguments and settings", function()
  it("parses --quick, numbers with or without '=', --out and --only", function()
    local a = S.parse_args{"--quick", "--epochs", "3", "--workers=0", "--out", "/tmp/x", "--only", "a,b"}
    expect(a.mode):to_be("quick")
    expect(a.epochs):to_be(3)
    expect(a.workers):to_be(0)
    expect(a.out):to_be("/tmp/x")
    expect(a.only):to_be("a,b")
    expect(S.parse_args{}.mode):to_be_nil()
    expect(S.parse_args{"--smoke"}.mode):to_be("smoke")
  end)

  it("rejects unknown arguments and missing values", function()
    expect(function() S.parse_args{"--fast"} end):to_fail_with("moonstudy: unknown argument '--fast'")
    expect(function() S.parse_args{"--epochs"} end):to_fail_with("--epochs needs a value")
    expect(function() S.parse_args{"--epochs", "many"} end):to_fail_with("expects a number, got 'many'")
  end)

  it("merges the profile, applies overrides and names the storage after them", function()
    local out = folder .. "/run"
    local profiles = {common = {batch = 7}, full = {epochs = 10}, quick = {epochs = 1, train = 500}}
    local cfg = quietly(function() return S.setup("t", profiles, {"--quick", "--epochs", "2", "--out", out}) end)
    expect(cfg.name):to_be("t")
    expect(cfg.mode):to_be("quick")
    expect(cfg.quick):to_be(true)
    expect(cfg.epochs):to_be(2)
    expect(math.type(cfg.epochs)):to_be("integer")
    expect(cfg.train):to_be(500)
    expect(cfg.batch):to_be(7)
    expect(cfg.workers):to_be(2)
    expect(cfg.seed):to_be(1)
    expect(cfg.seeds):to_be(1)
    expect(cfg.storage):to_match("^" .. out:gsub("%p", "%%%0") .. "/sweeps%-quick%-%x+%.db$")
    expect(io.open(out .. "/probe", "w")):to_be_truthy()       -- the folder exists
    local full = quietly(function() return S.setup("t", {full = {epochs = 10}}, {"--out", out}) end)
    expect(full.mode):to_be("full")
    expect(full.quick):to_be(false)
    expect(full.storage):to_match("/sweeps%-full%-%x+%.db$")
    -- smoke: quick's settings with smoke's on top
    local smoke = quietly(function()
      return S.setup("t", {quick = {epochs = 1, train = 500}, smoke = {train = 50}}, {"--smoke", "--out", out})
    end)
    expect(smoke.epochs):to_be(1)
    expect(smoke.train):to_be(50)
    expect(smoke.quick):to_be(true)
    -- other settings, other storage; the same settings (workers and seeds aside), the same storage
    local again = quietly(function()
      return S.setup("t", profiles, {"--quick", "--epochs", "2", "--out", out, "--workers", "0", "--seeds", "3"})
    end)
    expect(again.storage):to_be(cfg.storage)
    expect(again.seeds):to_be(3)
    local other = quietly(function() return S.setup("t", profiles, {"--quick", "--epochs", "3", "--out", out}) end)
    expect(other.storage ~= cfg.storage):to_be(true)
    expect(S.path(full, "a.svg")):to_be(out .. "/a.svg")
    expect(S.elapsed(full) >= 0):to_be(true)
  end)

  it("leaves sections that train outside a sweep out of a --report run, saying so", function()
    local said = {}
    local saved = print
    print = function(line) said[#said + 1] = line end
    local reporting = S.wants_training({report_only = true}, "crossval")
    print = saved
    expect(reporting):to_be(false)
    expect(said[1]):to_contain("crossval: trains outside a sweep, so --report leaves it out")
    expect(S.wants_training({}, "crossval")):to_be(true)
    expect(S.wants_training({only = {resnet = true}}, "crossval")):to_be(false)
  end)

  it("picks sections with --only", function()
    local cfg = quietly(function() return S.setup("t", {}, {"--out", folder .. "/only", "--only", "lr, final"}) end)
    expect(S.wants(cfg, "lr")):to_be(true)
    expect(S.wants(cfg, "final")):to_be(true)
    expect(S.wants(cfg, "batch")):to_be(false)
    expect(S.wants({}, "batch")):to_be(true)
  end)

  it("lists seeds and labels seeded runs, seed-major", function()
    local cfg = {seed = 3, seeds = 2}
    expect(S.seed_list(cfg)):to_equal({3, 4})
    expect(S.seeds_at_least(cfg, 3)):to_equal({3, 4, 5})
    expect(S.seeds_at_least(cfg, 1)):to_equal({3, 4})
    expect(S.seeded({"a", "b c"}, {1, 2})):to_equal({"a #1", "b c #1", "a #2", "b c #2"})
    local label, seed = S.unseed("b c #12")
    expect(label):to_be("b c")
    expect(seed):to_be(12)
    expect(S.unseed("no seed")):to_be_nil()
  end)

  it("refuses a setup without a name or profiles", function()
    expect(function() S.setup(nil, {}) end):to_fail_with("moonstudy.setup: name must be a string")
    expect(function() S.setup("t") end):to_fail_with("moonstudy.setup: profiles must be a table")
  end)
end)

describe("moonstudy models and runs", function()
  it("builds MLPs, layer codes and optimizers", function()
    local m = S.mlp{16, 16}
    expect(m:count_params()):to_be(784 * 16 + 16 + 16 * 16 + 16 + 16 * 10 + 10)
    local d = S.mlp({32}, {dropout = 0.5, l2 = 1e-4})
    expect(#d:layers()):to_be(4)                               -- Flatten, Dense, Dropout, Dense
    expect(S.build{mlp = {8}}:count_params()):to_be(784 * 8 + 8 + 8 * 10 + 10)
    expect(#S.build("cpcpdnfff"):layers()):to_be(#nn.from_code("cpcpdnfff"):layers())
    expect(S.build{code = "cpf", filters = 4}:count_params()):to_be(nn.from_code("cpf", {filters = 4}):count_params())
    expect(S.build(function() return m end)):to_be(m)
    expect(S.build(m)):to_be(m)
    expect(tostring(S.optimizer("sgd", 0.1, {momentum = 0.9}))):to_contain("SGD")
    expect(tostring(S.optimizer("RMSprop"))):to_contain("RMSprop")
    expect(function() S.optimizer("lbfgs") end):to_fail_with("moonstudy.optimizer: unknown optimizer 'lbfgs'")
    expect(function() S.load("cifar") end):to_fail_with("moonstudy.load: unknown data set 'cifar'")
  end)

  local function tiny()
    moonlab.seed(3)
    local labels = {}
    for i = 1, 64 do labels[i] = i % 10 end
    return data.dataset(tensor.rand{64, 1, 28, 28}, tensor.from(labels))
  end

  it("runs a tiny training and returns its figures", function()
    local ds = tiny()
    local acc, info = quietly(function()
      return S.run("tiny", {mlp = {8}}, {train = ds, val = ds, test = ds, epochs = 2, batch = 16,
                                         patience = 5, print = false})
    end)
    expect(acc):to_be_a("number")
    expect(info.test_accuracy):to_be(acc)
    expect(info.epochs):to_be(2)
    expect(#info.history.val_accuracy):to_be(2)
    expect(info.best_epoch >= 1):to_be(true)
    local r = S.trial_result(info)
    expect(r.score):to_be(info.val_accuracy)
    expect(r.curve_loss):to_be(info.history.loss)
    -- a resumed trial counts the epochs of its earlier attempts (from its checkpoint's history)
    expect(S.trial_result{seconds = 3, history = {seconds = {100, 200}}}.seconds):to_be(300)
    expect(S.trial_result{seconds = 500, history = {seconds = {100, 200}}}.seconds):to_be(500)
    expect(S.run_seconds(3, {seconds = {0 / 0, 100}})):to_be(100)   -- an epoch an older build did not time
    expect(S.run_seconds(nil, nil)):to_be(nil)
    expect(function() S.run("x", {mlp = {8}}, {}) end):to_fail_with("moonstudy.run: opts.train is required")
  end)

  it("sweeps with the run's workers and storage, and reports once with rows", function()
    local cfg = quietly(function() return S.setup("sweep", {}, {"--out", folder .. "/sweep", "--workers", "0"}) end)
    cfg.quiet_sweeps = true
    local calls, reported = 0, nil
    local objective = function(c) calls = calls + 1; return {score = c.units / 10, units_seen = c.units} end
    local result, rows = quietly(function()
      return S.sweep(cfg, "units", {units = {1, 2, 3}}, objective,
        {name = "units", report = function(_, r) reported = r end})
    end)
    expect(calls):to_be(3)
    expect(#rows):to_be(3)
    expect(#reported):to_be(3)
    expect(tab.best(rows).units):to_be(3)
    expect(result.trials):to_be_a("table")
    expect(tab.best(rows, "units_seen", "min").units):to_be(1)
    expect(io.open(cfg.storage)):to_be_truthy()              -- trials stored in the run's storage
    local p = S.provenance()                                  -- each trial records what made it
    expect({rows[1].made_date, rows[1].made_commit, rows[1].made_machine}):to_equal({p.date, p.commit, p.machine})
  end)

  it("re-runs the trials that failed when the script runs again, and only those", function()
    local C = require "cli_support"
    local script, calls = folder .. "/retry.lua", folder .. "/retry-calls"
    C.write(script, [[
      local S = require "moonstudy"
      local cfg = S.setup("retry", {}, {"--out", arg[1], "--workers", "0"})
      cfg.quiet_sweeps = true
      S.sweep(cfg, "k", {k = {1, 2, 3}}, function(c)
        local f = io.open(arg[1] .. "/../retry-calls", "a"); f:write(c.k, "\n"); f:close()
        if arg[2] == "broken" and c.k == 2 then error("the binary went away") end
        return c.k
      end, {report = function(_, rows)
        for _, r in ipairs(rows) do print("row", r.k, r.status) end
      end})
    ]])
    local function run(mode) return run_script(script, folder .. "/retry", mode) end
    expect(run("broken")):to_contain("row\t2\tfailed")
    local out = run("mended")
    expect(out):to_contain("row\t2\tdone")
    -- the failed trial is tried once more in its run (tune's retry_failed), then again in the
    -- next run; the trials that are done are not run again
    expect(read(calls)):to_be("1\n2\n3\n2\n2\n")
  end)

  it("with --report runs nothing and reports the trials stored so far; a sweep not begun is skipped", function()
    local C = require "cli_support"
    local script, calls = folder .. "/report.lua", folder .. "/report-calls"
    C.write(script, [[
      local S = require "moonstudy"
      local argv = {"--out", arg[1], "--workers", "0"}
      if arg[2] == "report" then argv[#argv + 1] = "--report" end
      local cfg = S.setup("report", {}, argv)
      cfg.quiet_sweeps = true
      local function objective(c)
        local f = io.open(arg[1] .. "/../report-calls", "a"); f:write(c.k, "\n"); f:close()
        return c.k
      end
      local function report(_, rows)
        local ks = {}
        for _, r in ipairs(rows) do ks[#ks + 1] = r.k .. "=" .. r.status end
        print("rows", table.concat(ks, " "))
      end
      S.sweep(cfg, "k", {k = {1, 2, 3}}, objective, {report = report})
      if arg[2] ~= "first" then
        local _, rows = S.sweep(cfg, "j", {k = {7, 8}}, objective, {report = report})
        print("second", #rows)
      end
    ]])
    local function run(mode) return run_script(script, folder .. "/report", mode) end
    expect(run("first")):to_contain("rows\t1=done 2=done 3=done")
    local out = run("report")
    expect(out):to_contain("rows\t1=done 2=done 3=done")   -- the stored trials, reported again
    expect(out):to_contain("not run yet")                  -- the second sweep never began
    expect(out):to_contain("second\t0")
    expect(read(calls)):to_be("1\n2\n3\n")               -- and no objective ran
    expect(S.parse_args{"--report"}.report):to_be(true)
  end)
end)

describe("moonstudy provenance", function()
  it("names the commit of a script outside git by MOONLAB_COMMIT, else 'unknown'", function()
    local C = require "cli_support"
    local script = folder .. "/provenance.lua"   -- a temporary folder: no git checkout around it
    C.write(script, [[print("commit=" .. require("moonstudy").provenance().commit)]])
    local function run(env)
      local p = io.popen(env .. C.quote(C.binary()) .. " " .. C.quote(script) .. " 2>&1")
      local out = p:read("a"); p:close(); return out
    end
    expect(run("MOONLAB_COMMIT=abc1234 ")):to_contain("commit=abc1234\n")
    expect(run("MOONLAB_COMMIT= ")):to_contain("commit=unknown\n")
    expect(run("env -u MOONLAB_COMMIT ")):to_contain("commit=unknown\n")
  end)
end)

describe("moonstudy headline figures", function()
  it("writes one CSV line per run, floats to 6 digits, with the command and provenance", function()
    local cfg = quietly(function() return S.setup("h", {}, {"--smoke", "--out", folder .. "/h"}) end)
    local path = quietly(function()
      return S.headline(cfg, "000 My study!", "moonlab study.lua --seeds 2", {
        {row = "MLP, small", dataset = "MNIST", metric = "test accuracy", study_value = 0.9521, seed = 1,
         value = 0.95251234, seconds = 12},
        {row = "MLP, small", dataset = "MNIST", metric = "test accuracy", seed = 2, value = 0.9512, seconds = 11.5}})
    end)
    expect(path):to_be(folder .. "/h/headline-000_my_study_.csv")
    local p = S.provenance()
    expect(p.date):to_match("^%d%d%d%d%-%d%d%-%d%d$")
    local tail = (",%s,%s,%s"):format(p.date, p.commit, p.machine:find(",") and ('"' .. p.machine .. '"') or p.machine)
    expect(read(path)):to_be(
      "study,row,dataset,metric,study_value,seed,value,seconds,command,date,commit,machine\n" ..
      '000 My study!,"MLP, small",MNIST,test accuracy,0.9521,1,0.952512,12,moonlab study.lua --seeds 2 --smoke' .. tail .. "\n" ..
      '000 My study!,"MLP, small",MNIST,test accuracy,,2,0.9512,11.5,moonlab study.lua --seeds 2 --smoke' .. tail .. "\n")
    local rows = tab.read_csv(path)
    expect(rows[2].value):to_be("0.9512")
    expect(rows[2].study_value):to_be_nil()
  end)

  it("gives a figure from a sweep trial the date, commit and machine of the run that made it", function()
    local cfg = quietly(function() return S.setup("made", {}, {"--out", folder .. "/made"}) end)
    local path = quietly(function()
      return S.headline(cfg, "005 made", "moonlab made.lua", {
        {row = "a", dataset = "MNIST", metric = "test accuracy", seed = 1, value = 0.5, seconds = 1,
         trial = {made_date = "2026-01-02", made_commit = "abc1234", made_machine = "Some CPU, 4 cores"}},
        {row = "a", dataset = "MNIST", metric = "test accuracy", seed = 2, value = 0.6, seconds = 1, trial = {}},
        {row = "b", dataset = "MNIST", metric = "test accuracy", seed = 1, value = 0.7, seconds = 1}})
    end)
    local rows = tab.read_csv(path)
    expect({rows[1].date, rows[1].commit, rows[1].machine}):to_equal({"2026-01-02", "abc1234", "Some CPU, 4 cores"})
    expect({rows[2].date, rows[2].commit, rows[2].machine}):to_equal({"unknown", "unknown", "unknown"})   -- stored before trials recorded it
    local p = S.provenance()
    expect({rows[3].date, rows[3].commit, rows[3].machine}):to_equal({p.date, p.commit, p.machine})       -- not from a sweep: this run
  end)

  it("prints the assumptions, one per line", function()
    local shown = {}
    local saved = print
    print = function(s) shown[#shown + 1] = s end
    local ok = pcall(S.assumptions, {"batch 32", "seed 1"})
    print = saved
    expect(ok):to_be(true)
    expect(shown):to_equal({"Assumptions (settings the study does not state, chosen here):", "  - batch 32", "  - seed 1", ""})
  end)
end)

os.execute("rm -rf '" .. folder .. "'")
T.finish()
