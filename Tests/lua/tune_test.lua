-- The tune module as API.md writes it: spaces, schedules, worker processes, failures,
-- storage, and resuming a sweep killed with kill -9 of its whole process group.
local T = require "moontest"
local C = require "cli_support"
local describe, it, expect = T.describe, T.it, T.expect

local moonlab = C.binary()
local dir = C.tempdir()

-- Which storage the sweeps use: SQLite files, or (when tune_postgres_test.lua runs this file
-- with TUNE_STORAGE = "postgres") a fresh database on the test's PostgreSQL server per sweep.
local ON_POSTGRES = rawget(_G, "TUNE_STORAGE") == "postgres"
local function storage(name)
  if ON_POSTGRES then return C.new_database("tune_" .. name) end
  return dir .. "/" .. name .. ".db"
end
-- In-process sweeps keep their default (a temporary SQLite file) unless on PostgreSQL.
local function maybe(name)
  if ON_POSTGRES then return storage(name) end
end

local write, read = C.write, C.read
local function configs(result)
  local out = {}
  for i, t in ipairs(result.trials) do out[i] = t.config end
  return out
end
-- A sweep script of four trials that each "train" 5 epochs (an epoch runs `epoch_work`, then
-- updates the value and saves it atomically to trial.checkpoint, as fit{checkpoint=} does, and
-- notes the epoch in <out>/epochs-<trial>), resuming from the checkpoint when it exists. Its
-- arguments are the output folder and the storage.
local function epochs_script(epoch_work)
  return ([[
    local out = arg[1]
    local r = tune.grid{space={k={1, 2, 3, 4}}, workers=2, storage=arg[2], verbose=false,
      objective=function(cfg, trial)
        local epoch, value = 0, cfg.k
        local f = io.open(trial.checkpoint)
        if f then
          epoch, value = f:read("n", "n"); f:close()
          -- A kill between the checkpoint's rename and the log's line leaves that one line out:
          -- add it (only it, so an epoch run twice or a restart still shows in the log).
          local logged, log = 0, io.open(out .. "/epochs-" .. trial.id)
          if log then for _ in log:lines() do logged = logged + 1 end; log:close() end
          if logged == epoch - 1 then
            log = io.open(out .. "/epochs-" .. trial.id, "a"); log:write(epoch, "\n"); log:close()
          end
        end
        for e = epoch + 1, 5 do
          WORK
          value = value * 1.5 + e
          local tmp = trial.checkpoint .. ".tmp"
          f = io.open(tmp, "w"); f:write(e, " ", string.format("%.17g", value)); f:close()
          os.rename(tmp, trial.checkpoint)
          trial:checkpointed()   -- fit{checkpoint=} does this itself
          f = io.open(out .. "/epochs-" .. trial.id, "a"); f:write(e, "\n"); f:close()
        end
        return value
      end}
    print("done", #r.trials)
  ]]):gsub("WORK", function() return epoch_work end), nil
end

-- Runs a script file with moonlab, returns its exit success and output.
local function run(script, ...)
  local args = {}
  for i, a in ipairs({...}) do args[i] = C.quote(a) end
  local p = io.popen(C.quote(moonlab) .. " " .. C.quote(script) .. " " .. table.concat(args, " ") .. " 2>&1")
  local out = p:read("a")
  local ok = p:close()
  return ok, out
end

describe("tune spaces", function()
  it("grids over sorted keys, the last varying fastest", function()
    local r = tune.grid{space={optimizer={"sgd", "adam"}, lr={1e-2, 1e-3}}, workers=0, verbose=false, storage=maybe("grid"),
      objective=function(cfg) return cfg.lr end}
    expect(configs(r)):to_equal({{lr=1e-2, optimizer="sgd"}, {lr=1e-2, optimizer="adam"},
                                 {lr=1e-3, optimizer="sgd"}, {lr=1e-3, optimizer="adam"}})
    expect(r.best.score):to_be(1e-2)
    expect(r.best.id):to_be(1)  -- ties go to the lower id
    expect(#r.trials):to_be(4)
  end)

  it("draws reproducible random configurations inside the domains", function()
    local space = {lr=tune.loguniform(1e-4, 1e-1), units=tune.choice{16, 32, 64}, p=tune.uniform(0, 0.5), n=tune.int(1, 4)}
    local function sweep(seed)
      return tune.random{space=space, trials=20, seed=seed, workers=0, verbose=false, name="r" .. seed, storage=maybe("random"),
        objective=function(cfg) return cfg.p end}
    end
    local a, b, c = sweep(7), sweep(7), sweep(8)
    expect(configs(a)):to_equal(configs(b))
    expect(configs(a)[1].lr ~= configs(c)[1].lr):to_be(true)
    local seen = {}
    for _, cfg in ipairs(configs(a)) do
      expect(cfg.lr >= 1e-4 and cfg.lr <= 1e-1):to_be(true)
      expect(cfg.p >= 0 and cfg.p <= 0.5):to_be(true)
      expect(math.type(cfg.n)):to_be("integer")
      expect(cfg.n >= 1 and cfg.n <= 4):to_be(true)
      seen[cfg.units] = true
    end
    expect(seen[16] and seen[32] and seen[64]):to_be(true)
    expect(tostring(tune.loguniform(1e-4, 1e-1))):to_be("tune.loguniform(0.0001, 0.1)")
  end)

  it("rejects bad spaces and options", function()
    expect(function() tune.grid{space={lr=tune.uniform(0, 1)}, objective=print} end):to_fail_with("no finite list of values")
    expect(function() tune.loguniform(0, 1) end):to_fail_with("tune.loguniform")
    expect(function() tune.grid{space={a={1}}, objective=print, direction="up"} end):to_fail_with("option 'direction': must be one of max, min, got \"up\"")
    expect(function() tune.grid{space={a={1}}, objective=print, worker=2} end):to_fail_with("unknown option 'worker' (did you mean 'workers'?)")
    expect(function() tune.grid{space={a={1}}} end):to_fail_with("option 'objective' must be a function")
  end)
end)

describe("tune.hyperband", function()
  it("runs Li et al.'s brackets for max_epochs=27, factor=3, continuing promoted trials", function()
    local calls = {}
    local r = tune.hyperband{space={x=tune.uniform(0, 1)}, max_epochs=27, factor=3, seed=3, workers=0, verbose=false, storage=maybe("hyperband"),
      objective=function(cfg, epochs, trial)
        calls[#calls + 1] = {id=trial.id, epochs=epochs, parent=trial.parent}
        return cfg.x
      end}
    -- brackets: (27@1, 9@3, 3@9, 1@27), (12@3, 4@9, 1@27), (6@9, 2@27), (4@27):
    -- 49 configurations, 69 trials (each round of each bracket is a trial per configuration)
    expect(#r.trials):to_be(69)
    expect(#calls):to_be(69)
    local fresh = 0
    for _, t in ipairs(r.trials) do if not t.parent then fresh = fresh + 1 end end
    expect(fresh):to_be(49)
    local budgets = {}
    for _, t in ipairs(r.trials) do budgets[t.epochs] = (budgets[t.epochs] or 0) + 1 end
    expect(budgets):to_equal({[1]=27, [3]=9 + 12, [9]=3 + 4 + 6, [27]=1 + 1 + 2 + 4})
    -- Trial 28 (bracket 3, round 2) continues the best of trials 1..27.
    local best, bestx = nil, -1
    for i = 1, 27 do if r.trials[i].config.x > bestx then best, bestx = i, r.trials[i].config.x end end
    expect(r.trials[28].parent):to_be(best)
    expect(r.trials[28].config):to_equal(r.trials[best].config)
    expect(r.trials[28].epochs):to_be(3)
    -- the second round keeps the 9 best of the first
    local firsts = {}
    for i = 1, 27 do firsts[i] = r.trials[i].config.x end
    table.sort(firsts, function(a, b) return a > b end)
    for k = 1, 9 do expect(r.trials[27 + k].config.x):to_be(firsts[k]) end
  end)
end)

describe("tune worker processes", function()
  it("starts its workers from the program it runs, even after that file is deleted", function()
    -- A rebuild during a long sweep replaces the binary: the sweep's next workers must still start.
    local copy, script = dir .. "/moonlab-copy", dir .. "/deleted.lua"
    assert(os.execute("cp " .. C.quote(moonlab) .. " " .. C.quote(copy)))
    write(script, [[
      os.remove(arg[2])
      local r = tune.grid{space={k={1, 2, 3}}, workers=1, storage=arg[1], verbose=false,
        objective=function(cfg) return cfg.k end}
      for _, t in ipairs(r.trials) do print(t.id, t.status, t.error) end
    ]])
    local p = io.popen(C.quote(copy) .. " " .. C.quote(script) .. " " .. C.quote(storage("deleted")) .. " " .. C.quote(copy) .. " 2>&1")
    local out = p:read("a")
    expect(p:close()):to_be(true)
    expect(io.open(copy)):to_be(nil)
    for id = 1, 3 do expect(out):to_contain(id .. "\tdone\tnil") end
  end)

  it("records an error and a crash as failed trials and finishes the rest", function()
    local script = dir .. "/fail.lua"
    write(script, [[
      local r = tune.grid{space={k={1, 2, 3, 4, 5, 6}}, workers=2, storage=arg[1], verbose=false, retry_failed=arg[2] == "retry",
        objective=function(cfg, trial)
          if cfg.k == 2 then error("bad trial") end
          if cfg.k == 4 then os.exit(3) end
          if cfg.k == 5 then os.execute("kill -KILL " .. io.open("/proc/self/stat"):read("n")) end
          return {score=cfg.k * 10, twice=cfg.k * 2}
        end}
      for _, t in ipairs(r.trials) do print(t.id, t.status, t.score, t.extras and t.extras.twice, t.error and t.error:match("^[^\n]*")) end
      r:to_csv(arg[3])
    ]])
    local db, csv = storage("fail"), dir .. "/fail.csv"
    local ok, out = run(script, db, "", csv)
    expect(ok):to_be(true)
    expect(out):to_contain("1\tdone\t10.0\t2")
    expect(out):to_contain("2\tfailed\tnil\tnil\t")
    expect(out):to_contain("bad trial")
    expect(out):to_contain("4\tfailed\tnil\tnil\tworker exited with status 3")
    expect(out):to_contain("5\tfailed\tnil\tnil\tworker was killed by signal 9 (SIGKILL)")
    expect(out):to_contain("6\tdone\t60.0\t12")
    local r = tune.load(db)
    expect(r.best.id):to_be(6)
    expect(r.best.config):to_equal({k=6})
    expect(read(csv)):to_match("^rank,id,k,score,seconds,status,twice,error\n1,6,6,60.0,")
    -- a re-run skips everything; retry_failed=true re-runs only the failed ones
    local ok2, out2 = run(script, db, "", csv)
    expect(ok2):to_be(true)
    expect(out2):to_be(out)
    expect(run(script, db, "retry", csv)):to_be(true)
    for _, t in ipairs(tune.load(db).trials) do
      expect(t.attempts):to_be(t.status == "failed" and 2 or 1)
    end
  end)

  it("keeps a named sweep's trials when its grid grows, and refuses a space that changed under the name", function()
    -- (Within one process a second call with the same name is a new sweep, `named-2`; a re-run
    -- of the script finds `named` again.)
    local script = dir .. "/named.lua"
    write(script, [[
      local values = {}
      for v in arg[2]:gmatch("%d+") do values[#values + 1] = tonumber(v) end
      local r = tune.grid{space={k=values}, workers=0, storage=arg[1], verbose=false, name="named",
        objective=function(cfg)
          local f = io.open(arg[3] .. ".runs", "a"); f:write(cfg.k, " "); f:close()
          return cfg.k
        end}
      print("trials", #r.trials)
    ]])
    local db, side = storage("named"), dir .. "/named"
    expect(select(2, run(script, db, "1,2", side))):to_contain("trials\t2")
    expect(read(side .. ".runs")):to_be("1 2 ")
    expect(select(2, run(script, db, "1,2,3", side))):to_contain("trials\t3")   -- grown: only the new one runs
    expect(read(side .. ".runs")):to_be("1 2 3 ")
    local ok, out = run(script, db, "1,5,3", side)
    expect(ok == true):to_be(false)
    expect(out):to_contain("tune.grid: sweep 'named' in storage has another configuration for trial 2 ({\"k\":2}, now {\"k\":5})")
    expect(read(side .. ".runs")):to_be("1 2 3 ")
  end)

  it("runs setup= only where trials run and report= only in the parent, so workers skip both", function()
    -- Two sweeps with worker processes: each event is appended to a file named for the process
    -- kind, so the test sees who ran what and how often.
    local script = dir .. "/sections.lua"
    write(script, [[
      local out = arg[2]
      local function note(what)
        local w = tune.worker()
        local f = io.open(out .. "." .. (w and ("worker-" .. w.sweep .. "-" .. w.trial) or "parent"), "a")
        f:write(what, "\n"); f:close()
      end
      local first = tune.grid{space={k={1, 2}}, workers=2, storage=arg[1], verbose=false, name="first",
        setup=function() note("setup first"); return {offset=10} end,
        objective=function(cfg, trial, data) return cfg.k + data.offset end,
        report=function(result) note("report first " .. #result.trials) end}
      local second = tune.grid{space={k={3, 4, 5}}, workers=2, storage=arg[1], verbose=false, name="second",
        setup=function() note("setup second"); return {offset=100} end,
        objective=function(cfg, trial, data) return cfg.k + data.offset end,
        report=function(result) note("report second " .. result.best.score) end}
      print("scores", first.best.score, second.best.score)
      local inproc = tune.grid{space={k={1, 2}}, workers=0, verbose=false,
        setup=function() note("setup in-process"); return 1000 end,
        objective=function(cfg, trial, offset) return cfg.k + offset end}
      print("in-process", inproc.best.score)
    ]])
    local db, side = storage("sections"), dir .. "/sections"
    local ok, out = run(script, db, side)
    expect(ok):to_be(true)
    expect(out):to_contain("scores\t12.0\t105.0")
    expect(out):to_contain("in-process\t1002.0")
    -- The parent: no set-up for its worker sweeps, one report each, set-up for the in-process one.
    expect(read(side .. ".parent")):to_be("report first 2\nreport second 105.0\nsetup in-process\n")
    -- A worker sets up its own sweep only, and reports nothing.
    expect(read(side .. ".worker-first-1")):to_be("setup first\n")
    expect(read(side .. ".worker-second-3")):to_be("setup second\n")
    expect(tune.worker()):to_be(nil)
  end)

  it("with run=false runs nothing and changes nothing: it returns and reports the stored trials", function()
    -- A sweep of three trials whose third fails; with MODE=report the same call with run=false
    -- must run no objective and no setup, report the three stored trials, and leave the storage
    -- as it was (a failed trial stays failed, no trial is added).
    local script = dir .. "/report_only.lua"
    write(script, [[
      local report_only = arg[2] == "report"
      local ran = 0
      local r = tune.grid{space={x={1, 2, 3}}, workers=0, storage=arg[1], verbose=false, run=not report_only,
        setup=function() ran = ran + 100 end,
        objective=function(cfg) ran = ran + 1; if cfg.x == 3 then error("boom") end; return cfg.x end,
        report=function(result) print("report", #result.trials) end}
      print("ran", ran, "trials", #r.trials, "third", r.trials[3].status, "best", r.best.config.x)
    ]])
    local db = storage("report_only")
    local ok, out = run(script, db, "report")
    expect(ok == true):to_be(false)
    expect(out):to_contain("run=false")
    if not ON_POSTGRES then expect(io.open(db)):to_be(nil) end   -- no file made
    ok, out = run(script, db, "run")
    expect(ok):to_be(true)
    expect(out):to_contain("ran\t103\ttrials\t3\tthird\tfailed\tbest\t2")
    for _ = 1, 2 do
      ok, out = run(script, db, "report")
      expect(ok):to_be(true)
      expect(out):to_contain("report\t3\n")
      expect(out):to_contain("ran\t0\ttrials\t3\tthird\tfailed\tbest\t2")
    end
  end)

  it("lets two sweeps share one storage file, each trial run once", function()
    local script = dir .. "/share.lua"
    write(script, [[
      local r = tune.grid{space={k={1, 2, 3, 4, 5, 6, 7, 8}}, workers=2, storage=arg[1], verbose=false, name="shared",
        objective=function(cfg, trial)
          local f = io.open(arg[2] .. "." .. trial.id .. ".runs", "a"); f:write("x"); f:close()
          os.execute("sleep 0.05")
          return cfg.k
        end}
      print("best", r.best.id)
    ]])
    local db, side = storage("share"), dir .. "/share"
    local cmd = C.quote(moonlab) .. " " .. C.quote(script) .. " " .. C.quote(db) .. " " .. C.quote(side)
    expect(os.execute("(" .. cmd .. " > /dev/null 2>&1 & " .. cmd .. " > /dev/null 2>&1 & wait)")):to_be(true)
    local r = tune.load(db, "shared")
    for i = 1, 8 do
      expect(r.trials[i].status):to_be("done")
      expect(read(side .. "." .. i .. ".runs")):to_be("x")
    end
  end)

  it("lets two processes share one hyperband sweep: every trial once, promotions as in one process", function()
    local script = dir .. "/hb.lua"
    write(script, [[
      local r = tune.hyperband{space={x=tune.uniform(0, 1)}, max_epochs=9, factor=3, seed=5, workers=1,
        storage=arg[1], verbose=false, name="hb",
        objective=function(cfg, epochs, trial)
          local f = io.open(arg[2] .. "/hb-calls-" .. io.open("/proc/self/stat"):read("n"), "a")
          f:write(trial.id, "\n"); f:close()
          os.execute("sleep 0.05")
          return cfg.x * epochs
        end}
      print("trials", #r.trials)
    ]])
    local db, side = storage("hb"), dir .. "/hb-side"
    assert(os.execute("mkdir -p " .. C.quote(side)))
    local cmd = C.quote(moonlab) .. " " .. C.quote(script) .. " " .. C.quote(db) .. " " .. C.quote(side)
    expect(os.execute("(" .. cmd .. " > /dev/null 2>&1 & " .. cmd .. " > /dev/null 2>&1 & wait)")):to_be(true)
    local p = io.popen("cat " .. C.quote(side) .. "/hb-calls-*")
    local seen, calls = {}, 0
    for line in p:lines() do calls = calls + 1; seen[tonumber(line)] = (seen[tonumber(line)] or 0) + 1 end
    p:close()
    local r = tune.load(db, "hb")
    -- R = 9, eta = 3: brackets (9@1, 3@3, 1@9), (5@3, 1@9)... as one process plans them
    local alone = tune.hyperband{space={x=tune.uniform(0, 1)}, max_epochs=9, factor=3, seed=5, workers=0,
      verbose=false, storage=maybe("hb_alone"), objective=function(cfg, epochs) return cfg.x * epochs end}
    expect(#r.trials):to_be(#alone.trials)
    expect(calls):to_be(#r.trials)
    for i, t in ipairs(r.trials) do
      expect(t.status):to_be("done")
      expect(seen[t.id]):to_be(1)
      expect(t.config):to_equal(alone.trials[i].config)
      expect(t.parent):to_be(alone.trials[i].parent)
    end
  end)

  it("resumes a sweep killed with kill -9 of its process group: only missing trials run, the interrupted one continues", function()
    local script = dir .. "/resume.lua"
    -- Each trial "trains" 5 epochs; each epoch sleeps (the kill lands mid-epoch), then updates
    -- the value and saves it atomically to trial.checkpoint, as fit{checkpoint=} does.
    write(script, epochs_script('os.execute("sleep 0.15")'))
    local db = storage("resume")
    local function expected(k)
      local v = k
      for e = 1, 5 do v = v * 1.5 + e end
      return v
    end
    -- Start in a new process group (setsid), wait until a trial is mid-training, kill them all.
    local p = io.popen("setsid " .. C.quote(moonlab) .. " " .. C.quote(script) .. " " .. C.quote(dir) .. " " .. C.quote(db) .. " > /dev/null 2>&1 & echo $!")
    local pid = p:read("n"); p:close()
    local killed_in = nil
    for _ = 1, 400 do
      os.execute("sleep 0.02")
      local s = read(dir .. "/epochs-3")
      if s and #s >= 4 and not s:find("5\n") then killed_in = 3; break end
    end
    expect(killed_in):to_be(3)
    os.execute("kill -9 -" .. pid)
    os.execute("sleep 0.2")
    local before = {}
    for i = 1, 4 do before[i] = read(dir .. "/epochs-" .. i) end
    local mid = tune.load(db)
    local done_before = {}
    for _, t in ipairs(mid.trials) do if t.status == "done" then done_before[t.id] = true end end
    expect(done_before[3]):to_be_nil()
    expect(mid.trials[3].status):to_be("running")

    local ok, out = run(script, dir, db)
    expect(ok):to_be(true)
    expect(out):to_contain("done\t4")
    local r = tune.load(db)
    for i = 1, 4 do
      local t = r.trials[i]
      expect(t.status):to_be("done")
      expect(t.score):to_be(expected(i))  -- the same final figure as an uninterrupted run
      -- every epoch ran exactly once: the interrupted trial continued, it did not restart
      expect(read(dir .. "/epochs-" .. i)):to_be("1\n2\n3\n4\n5\n")
      if done_before[i] then
        expect(t.attempts):to_be(1)
        expect(read(dir .. "/epochs-" .. i)):to_be(before[i])
      end
    end
    expect(r.trials[3].attempts):to_be(2)
  end)
end)

describe("tune leases", function()
  it("lets another machine take over a trial whose worker was killed, continuing from its last stored epoch", function()
    local sub = dir .. "/lease"
    assert(os.execute("mkdir -p " .. C.quote(sub .. "/a") .. " " .. C.quote(sub .. "/b")))
    local script = sub .. "/lease.lua"
    -- Each "machine" has its own host name and folder; the storage is all they share.
    write(script, epochs_script('os.execute("sleep 0.15")'):gsub("verbose=false,", "verbose=false, lease=2,"))
    local db = storage("lease")
    local function start(name)
      local p = io.popen("cd " .. C.quote(sub .. "/" .. name) .. " && MOONLAB_HOST=machine-" .. name .. " setsid "
        .. C.quote(moonlab) .. " " .. C.quote(script) .. " " .. C.quote(sub) .. " " .. C.quote(db)
        .. " > out.txt 2>&1 & echo $!")
      local pid = p:read("n"); p:close()
      return pid
    end
    local a = start("a")
    -- Wait until machine a runs a trial that has finished two epochs, then kill a's process
    -- group; machine b starts only now, so a's trial cannot have been claimed by it before.
    local victim
    for _ = 1, 500 do
      os.execute("sleep 0.02")
      local ok, loaded = pcall(tune.load, db)   -- nothing stored yet in the first instants
      for _, tr in ipairs(ok and loaded.trials or {}) do
        local s = read(sub .. "/epochs-" .. tr.id)
        if tr.status == "running" and s and #s >= 4 and not s:find("5\n") then victim = tr.id; break end
      end
      if victim then break end
    end
    expect(victim ~= nil):to_be(true)
    os.execute("kill -9 -" .. a)
    local b = start("b")
    for _ = 1, 1500 do   -- b waits out the 2 s lease, takes the trial over, finishes the sweep
      if not os.execute("kill -0 " .. b .. " 2>/dev/null") then break end
      os.execute("sleep 0.02")
    end
    expect(read(sub .. "/b/out.txt")):to_contain("done\t4")
    local r = tune.load(db)
    for i = 1, 4 do
      local v = i
      for e = 1, 5 do v = v * 1.5 + e end
      expect(r.trials[i].status):to_be("done")
      expect(r.trials[i].score):to_be(v)                              -- as an uninterrupted run
      expect(read(sub .. "/epochs-" .. i)):to_be("1\n2\n3\n4\n5\n")   -- continued, not restarted
    end
    expect(r.trials[victim].attempts):to_be(2)
  end)
end)

describe("tune and Ctrl-C", function()
  it("stops a sweep on Ctrl-C to its process group, leaving the running trials resumable, not failed", function()
    local sub = dir .. "/ctrlc"
    assert(os.execute("mkdir -p " .. C.quote(sub)))
    local script = sub .. "/ctrlc.lua"
    -- busy "training" (no child process): the interrupt hook must stop the Lua code itself
    write(script, epochs_script("local t0 = os.clock() while os.clock() - t0 < 0.1 do end"))
    local db = storage("ctrlc")
    -- A terminal's Ctrl-C reaches the whole foreground process group: parent and workers.
    local p = io.popen("setsid " .. C.quote(moonlab) .. " " .. C.quote(script) .. " " .. C.quote(sub) .. " " .. C.quote(db)
      .. " > " .. C.quote(sub .. "/first.txt") .. " 2>&1 & echo $!")
    local pid = p:read("n"); p:close()
    local seen = false
    for _ = 1, 400 do
      os.execute("sleep 0.02")
      local s = read(sub .. "/epochs-1")
      if s and #s >= 2 then seen = true; break end
    end
    expect(seen):to_be(true)
    os.execute("kill -INT -" .. pid)
    for _ = 1, 300 do   -- the parent exits once its workers have stopped
      if not os.execute("kill -0 " .. pid .. " 2>/dev/null") then break end
      os.execute("sleep 0.02")
    end
    expect(os.execute("kill -0 " .. pid .. " 2>/dev/null")).never:to_be(true)
    expect(read(sub .. "/first.txt")):to_contain("interrupted (re-run with the same storage to resume)")
    local mid = tune.load(db)
    for _, t in ipairs(mid.trials) do
      expect(t.status == "running" or t.status == "pending"):to_be(true)
      expect(t.error):to_be_nil()
    end
    expect(mid.trials[1].status):to_be("running")

    local ok, out = run(script, sub, db)
    expect(ok):to_be(true)
    expect(out):to_contain("done\t4")
    for i, t in ipairs(tune.load(db).trials) do
      expect(t.status):to_be("done")
      local v = i
      for e = 1, 5 do v = v * 1.5 + e end
      expect(t.score):to_be(v)
      expect(read(sub .. "/epochs-" .. i)):to_be("1\n2\n3\n4\n5\n")   -- continued, not restarted
    end
  end)
end)

describe("tune.crossval", function()
  it("averages the folds' scores", function()
    local ds = data.dataset(tensor.arange(0, 10):reshape{10, 1}, tensor.from{0, 1, 0, 1, 0, 1, 0, 1, 0, 1})
    local sizes = {}
    local mean, std, scores = tune.crossval(function(tr, va, fold)
      sizes[fold] = #va
      return #tr
    end, ds, 5, {seed=1})
    expect(scores):to_equal({8, 8, 8, 8, 8})
    expect(mean):to_be(8)
    expect(std):to_be(0)
    expect(sizes):to_equal({2, 2, 2, 2, 2})
    local m2, s2 = tune.crossval(function(tr, va, fold) return fold end, ds, 2)
    expect(m2):to_be(1.5)
    expect(s2):to_be(0.5)
  end)
end)

os.execute("rm -rf " .. C.quote(dir))
if ON_POSTGRES then C.drop_databases() end
T.finish()
