-- `moonlab sweep status|join|slurm` on SQLite storage (the server runs are in
-- sweep_servers_test.lua): usage errors, what status prints, join's storage override, and
-- the Slurm batch file of a dry run.
local T = require "moontest"
local C = require "cli_support"
local describe, it, expect = T.describe, T.it, T.expect

local dir = C.tempdir()
local write = C.write

-- Six trials: k = 3 fails, the others score k * 10 (k = 6 best).
local script = dir .. "/six.lua"
write(script, [[
  local r = tune.grid{name = "six", space = {k = {1, 2, 3, 4, 5, 6}}, workers = 0, storage = arg[1],
    objective = function(cfg) if cfg.k == 3 then error("three is bad") end return cfg.k * 10 end}
  print("best", r.best.id, r.storage)
]])

describe("moonlab sweep", function()
  it("prints its usage for no or an unknown command, with status 2", function()
    local _, err, code = C.run{"sweep"}
    expect(code):to_be(2)
    expect(err):to_contain("usage: moonlab sweep status STORAGE [SWEEP]")
    _, err, code = C.run{"sweep", "frobnicate"}
    expect(code):to_be(2)
    expect(err):to_contain("unknown sweep command 'frobnicate'")
    _, err, code = C.run{"sweep", "slurm", "--tasks", "2", script}
    expect(code):to_be(2)
    expect(err):to_contain("slurm needs --storage")
    _, err, code = C.run{"sweep", "join", "--workers", "many", script}
    expect(code):to_be(2)
    expect(err):to_contain("--workers expects a whole number of at least 0, got 'many'")
  end)

  it("status counts trials, shows failures and the best, and names a missing file", function()
    local db = dir .. "/six.db"
    local out, err, code = C.run{script, db}
    expect(code):to_be(0)
    expect(out):to_contain("best\t6\t" .. db)
    out, err, code = C.run{"sweep", "status", db}
    expect(code):to_be(0)
    expect(out):to_contain("storage " .. db .. ": 1 sweep\n")
    expect(out):to_contain("sweep six: grid, maximize, 6 trials: 5 done, 0 running, 1 failed, 0 pending")
    expect(out):to_contain("failed: trial 3: ")
    expect(out):to_contain("three is bad")
    expect(out):to_contain("best: trial 6, score 60 (k=6)")
    expect(out):to_match("throughput: [%d.]+ trials/hour")
    _, err, code = C.run{"sweep", "status", db, "nine"}
    expect(code):to_be(1)
    expect(err):to_contain("no sweep 'nine' in " .. db)
    _, err, code = C.run{"sweep", "status", dir .. "/none.db"}
    expect(code):to_be(1)
    expect(err):to_contain("no such storage file " .. dir .. "/none.db")
  end)

  it("join points an unchanged script at another storage", function()
    local other = dir .. "/joined.db"
    local out, _, code = C.run{"sweep", "join", "--storage", other, "--workers", "0", script, dir .. "/ignored.db"}
    expect(code):to_be(0)
    expect(out):to_contain("(from MOONLAB_TUNE_STORAGE), in this process")
    expect(out):to_contain("best\t6\t" .. other)
    local f = io.open(dir .. "/ignored.db")
    expect(f):to_be_nil()
    expect(tune.load(other).best.id):to_be(6)
  end)

  it("slurm --dry-run prints a batch file that runs the script as workers, without the password", function()
    local url = "postgresql://ann:s3cret-pw@db.example.org:5433/lab?sslmode=require"
    local out, _, code = C.run{"sweep", "slurm", "--storage", url, "--tasks", "3", "--workers", "2", "--partition", "short",
                              "--time", "02:00:00", "--cpus-per-task", "4", "--mem", "8G", "--sbatch", "--account=vision",
                              "--dry-run", script, "a b", "c"}
    expect(code):to_be(0)
    expect(out).never:to_contain("s3cret-pw")
    expect(out):to_contain("#SBATCH --array=1-3\n")
    expect(out):to_contain("#SBATCH --partition=short\n#SBATCH --time=02:00:00\n#SBATCH --cpus-per-task=4\n#SBATCH --mem=8G\n#SBATCH --account=vision\n")
    expect(out):to_contain("#SBATCH --job-name=moonlab-six\n")
    expect(out):to_contain("postgresql://ann:***@db.example.org:5433/lab?sslmode=require")
    expect(out):to_contain("export MOONLAB_TUNE_CPUS=\"${SLURM_CPUS_PER_TASK:-1}\"\nexport MOONLAB_TUNE_WORKERS=2\n")
    expect(out):to_match("\nexec /%S+ " .. script:gsub("%p", "%%%0") .. " 'a b' c\n")
  end)

  it("refuses an unreachable server with an error that names it without its password", function()
    local _, err, code = C.run({"sweep", "status", "postgresql://ann:s3cret-pw@127.0.0.1:1/lab"}, {env = {MOONLAB_STORAGE_RETRY = "1"}})
    expect(code):to_be(1)
    expect(err):to_contain("storage postgresql://ann:***@127.0.0.1:1/lab is unreachable (")
    expect(err).never:to_contain("s3cret-pw")
  end)
end)

os.execute("rm -rf " .. C.quote(dir))
T.finish()
