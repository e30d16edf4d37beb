-- 1,000 trivial trials, for the claim rate of a storage (scripts/bench_sweeps): run it in
-- several processes at once against one storage; each objective call appends its trial id
-- to CALLS, so duplicates and losses can be counted.
--
--   moonlab sweep join --storage URL --workers 0 bench/sweeps/trivial_sweep.lua CALLS
local calls = assert(arg[1], "usage: trivial_sweep.lua CALLS")
local ks = {}
for k = 1, 1000 do ks[k] = k end
local f = assert(io.open(calls, "a"))
tune.grid{name = "trivial1000", storage = "trivial.db", verbose = false, space = {k = ks},
  objective = function(cfg, trial)
    f:write(trial.id, "\n")
    return cfg.k
  end}
f:close()
