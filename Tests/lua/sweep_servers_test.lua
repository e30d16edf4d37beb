-- Sweeps against real servers that scripts/test starts (scripts/servers): PostgreSQL
-- (MOONLAB_TEST_POSTGRES) and a single-node Slurm cluster (MOONLAB_TEST_SLURM, SLURM_CONF).
-- Without them each part says it is skipped; scripts/test counts the parts that ran.
local T = require "moontest"
local C = require "cli_support"
local describe, it, expect = T.describe, T.it, T.expect
local moonlab = C.binary()

local dir = C.tempdir()
local write, read = C.write, C.read
local function sh(command)
  local p = io.popen(command .. " 2>&1"); local out = p:read("a"); local ok = p:close()
  return ok, out
end

-- Eight trials, each writing a line to <folder>/calls-<pid> and sleeping a little; trial 8
-- fails with the storage URL in its message (to see it scrubbed from the stored row).
local script = dir .. "/eight.lua"
write(script, [[
  local folder, pause = arg[1], tonumber(arg[2] or 0)
  local r = tune.grid{name = "eight", space = {k = {1, 2, 3, 4, 5, 6, 7, 8}}, workers = 2, storage = "unused.db",
    objective = function(cfg, trial)
      local f = io.open(folder .. "/calls-" .. io.open("/proc/self/stat"):read("n"), "a")
      f:write(trial.id, "\n"); f:close()
      if pause > 0 then os.execute("sleep " .. pause) end
      if cfg.k == 8 then error("cannot reach " .. os.getenv("MOONLAB_TUNE_STORAGE")) end
      return cfg.k
    end}
  print("finished", #r.trials)
]])

-- Trials called, over every calls file in a folder: count and distinct ids.
local function calls(folder)
  local _, out = sh("cat " .. C.quote(folder) .. "/calls-* 2>/dev/null")
  local n, seen, distinct = 0, {}, 0
  for id in out:gmatch("%d+") do
    n = n + 1
    if not seen[id] then seen[id] = true; distinct = distinct + 1 end
  end
  return n, distinct
end

describe("sweeps on a PostgreSQL server", function()
  if not C.postgres() then
    print("SKIPPED: PostgreSQL tests need MOONLAB_TEST_POSTGRES (scripts/test starts a server)")
    return
  end
  local password = C.postgres():match("^postgres[^:]*://[^:/@]+:([^@]+)@")

  it("runs a sweep shared by two joined processes, keeping the password out of every output and row", function()
    C.server_test_ran("postgres: joined processes, password hidden")
    local url = C.new_database("servers_join")
    local folder = dir .. "/join"
    assert(os.execute("mkdir -p " .. C.quote(folder .. "/a") .. " " .. C.quote(folder .. "/b")))
    local cmd = function(w)
      return "cd " .. C.quote(folder .. "/" .. w) .. " && " .. C.quote(moonlab) .. " sweep join --storage " .. C.quote(url)
        .. " " .. C.quote(script) .. " " .. C.quote(folder) .. " 0.1 > out.txt 2>&1"
    end
    expect(os.execute("(" .. cmd("a") .. " & " .. cmd("b") .. " & wait)")):to_be(true)
    local n, distinct = calls(folder)
    expect(n):to_be(8)
    expect(distinct):to_be(8)
    local outs = read(folder .. "/a/out.txt") .. read(folder .. "/b/out.txt")
    expect(outs):to_contain("finished\t8")
    expect(outs):to_contain("postgresql://moonlab:***@")
    expect(outs).never:to_contain(password)
    local r = tune.load(url)
    expect(r.storage).never:to_contain(password)
    expect(r.trials[8].status):to_be("failed")
    expect(r.trials[8].error):to_contain("cannot reach postgresql://moonlab:***@")
    expect(r.trials[8].error).never:to_contain(password)
    for i = 1, 7 do expect(r.trials[i].status):to_be("done"); expect(r.trials[i].attempts):to_be(1) end
    local ok, status = sh(C.quote(moonlab) .. " sweep status " .. C.quote(url))
    expect(ok):to_be(true)
    expect(status):to_contain("sweep eight: grid, maximize, 8 trials: 7 done, 0 running, 1 failed, 0 pending")
    expect(status).never:to_contain(password)
  end)

  it("survives a restart of the server in the middle of a sweep", function()
    local servers = os.getenv("MOONLAB_TEST_POSTGRES_DIR")
    if not servers then print("SKIPPED: no MOONLAB_TEST_POSTGRES_DIR to restart"); return end
    C.server_test_ran("postgres: server restarted mid-sweep")
    local url = C.new_database("servers_restart")
    local folder = dir .. "/restart"
    assert(os.execute("mkdir -p " .. C.quote(folder)))
    local p = io.popen("cd " .. C.quote(folder) .. " && " .. C.quote(moonlab) .. " sweep join --storage " .. C.quote(url)
      .. " " .. C.quote(script) .. " " .. C.quote(folder) .. " 0.4 > out.txt 2>&1 & echo $!")
    local pid = p:read("n"); p:close()
    for _ = 1, 500 do
      if calls(folder) >= 3 then break end
      os.execute("sleep 0.02")
    end
    local top = servers:match("^(.*)/[^/]+$")
    local ok, out = sh(C.quote(C.here() .. "/../../scripts/servers") .. " restart-postgres " .. C.quote(top))
    expect(ok):to_be(true)
    for _ = 1, 1500 do
      if not os.execute("kill -0 " .. pid .. " 2>/dev/null") then break end
      os.execute("sleep 0.02")
    end
    expect(read(folder .. "/out.txt")):to_contain("finished\t8")
    local n, distinct = calls(folder)
    expect(distinct):to_be(8)
    expect(n):to_be(8)
    local r = tune.load(url)
    for i = 1, 7 do expect(r.trials[i].status):to_be("done") end
  end)
end)

describe("sweeps as a Slurm job array", function()
  if not (C.postgres() and os.getenv("MOONLAB_TEST_SLURM")) then
    print("SKIPPED: Slurm tests need MOONLAB_TEST_SLURM and MOONLAB_TEST_POSTGRES (scripts/test starts both)")
    return
  end

  it("submits a 3-task array whose tasks share the sweep, each trial run once", function()
    C.server_test_ran("slurm: 3-task job array")
    local url = C.new_database("servers_slurm")
    local folder = dir .. "/slurm"
    assert(os.execute("mkdir -p " .. C.quote(folder) .. " && chmod 755 " .. C.quote(folder)))
    local ok, out = sh("cd " .. C.quote(folder) .. " && " .. C.quote(moonlab) .. " sweep slurm --storage " .. C.quote(url)
      .. " --tasks 3 --workers 1 --folder " .. C.quote(folder .. "/jobs") .. " " .. C.quote(script) .. " " .. C.quote(folder) .. " 0.2")
    expect(ok):to_be(true)
    local job = out:match("submitted job array (%d+): 3 tasks running ")
    expect(job ~= nil):to_be(true)
    expect(out):to_contain("squeue -j " .. job)
    expect(out).never:to_contain(C.postgres():match(":([^:@/]+)@"))
    for _ = 1, 3000 do
      local _, q = sh("squeue -h -j " .. job)
      if q:match("^%s*$") then break end
      os.execute("sleep 0.05")
    end
    local n, distinct = calls(folder)
    expect(n):to_be(8)
    expect(distinct):to_be(8)
    local _, logs = sh("cat " .. C.quote(folder .. "/jobs") .. "/moonlab-eight-" .. job .. "_*.out")
    for task = 1, 3 do expect(logs):to_contain("moonlab sweep worker: task " .. task .. " of job " .. job) end
    local r = tune.load(url)
    for i = 1, 7 do expect(r.trials[i].status):to_be("done"); expect(r.trials[i].attempts):to_be(1) end
  end)
end)

C.drop_databases()
os.execute("rm -rf " .. C.quote(dir))
T.finish()
