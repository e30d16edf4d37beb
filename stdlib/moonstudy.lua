--- moonstudy: the scaffolding of a study script (a design study run as sweeps): its command
--- line (--quick, --smoke, --seeds N, --only, --out), its settings by mode, seeded runs,
--- resumable sweeps, one training run, and the headline figures as CSV. Tables of the
--- results are moontable's.
---
---   local S = require "moonstudy"
---   local tab = require "moontable"
---   local cfg = S.setup("my_study", {full = {epochs = 15}, quick = {epochs = 1, train = 5000}})
---   local train, test = S.load("mnist", cfg)
---   local tr, va = S.split(train, 0.8)
---   local _, rows = S.sweep(cfg, "width", {units = {16, 64}}, function(c)
---     local _, info = S.run("mlp " .. c.units, {mlp = {c.units}}, {train = tr, val = va, epochs = cfg.epochs})
---     return S.trial_result(info)
---   end)
---   tab.print("Validation accuracy", {"units", "val_accuracy"}, rows)
---   S.done(cfg)
---
--- Worker processes of a sweep run the script from the top up to their own sweep. What
--- follows a sweep (its tables, plots, headline figures) goes in that sweep's report= (see
--- moonstudy.sweep), which only the main process runs; the script needs no test for being a
--- worker. Each helper is a few lines of moonlab calls that a script could inline.

local tab = require "moontable"

---@class moonstudy
local S = {}

S.VERSION = "1.0"

---@class moonstudy.config
---@field name string the study's name (the output folder's default name)
---@field mode "full"|"quick"|"smoke"
---@field quick boolean mode is quick or smoke
---@field out string the output folder (created)
---@field storage string the SQLite file of this run's sweeps
---@field workers integer tune worker processes (0: trials in this process)
---@field seed integer the first seed
---@field seeds integer how many seeds headline runs take
---@field only? table<string, boolean> the sections --only names
---@field report_only? boolean --report: sweeps run nothing and report the trials stored so far
---@field started integer os.time() at setup
---@field [string] any the profile's settings (epochs=, train=, test=, ...)

---------------------------------------------------------------------------------------------
-- Command line and settings
---------------------------------------------------------------------------------------------

S.USAGE = [[
options:
  --quick          small data and few epochs: finishes in minutes
  --smoke          a few hundred images and one epoch: seconds (the test suite runs it)
  --full           the study's own settings (the default)
  --epochs N       override the number of epochs
  --train N        use the first N training images
  --test N         use the first N test images
  --workers N      tune worker processes (0: trials run in this process)
  --seed N         global seed (default 1)
  --seeds N        repeat each headline run with N seeds (seed, seed+1, ...): mean ± sd
  --only A,B       run only the named sections (a full run in pieces; see each script)
  --out DIR        output folder (default out/<script>)
  --report         run nothing: tables, plots and headline figures from the trials stored so
                   far (a sweep still running, or one another machine runs)]]

--- Parses a study's arguments (default: the global `arg`): --quick/--smoke/--full as mode=,
--- the numbers epochs, train, test, workers, seed, seeds (--n 3 or --n=3), out= and only=
--- as strings, --report as report=true. --help prints moonstudy.USAGE and exits; anything else
--- is an error.
---@param argv? string[]
---@return table
function S.parse_args(argv)
  argv = argv or arg or {}
  local a = {}
  local numeric = {epochs = true, train = true, test = true, workers = true, seed = true, seeds = true}
  local i = 1
  while i <= #argv do
    local s = argv[i]
    local key, value = s:match("^%-%-([%w_]+)=(.*)$")
    if not key then key = s:match("^%-%-([%w_]+)$") end
    if key == "quick" or key == "full" or key == "smoke" then
      a.mode = key
    elseif key == "report" and value == nil then
      a.report = true
    elseif key == "help" or s == "-h" then
      print(S.USAGE); os.exit(0)
    elseif key == "out" or key == "only" or numeric[key] then
      if value == nil then i = i + 1; value = argv[i] end
      if value == nil then error(("moonstudy: option --%s needs a value"):format(key), 0) end
      if numeric[key] then
        local n = tonumber(value)
        if not n then error(("moonstudy: option --%s expects a number, got '%s'"):format(key, value), 0) end
        a[key] = n
      else
        a[key] = value
      end
    else
      error(("moonstudy: unknown argument '%s'\n%s"):format(s, S.USAGE), 0)
    end
    i = i + 1
  end
  return a
end

-- A short FNV-1a hash of a run's settings: part of the storage file's name, so that changing
-- a profile or an override starts fresh sweeps instead of reusing trials run with others.
local function fingerprint(cfg)
  local keys = {}
  for k, v in pairs(cfg) do
    -- workers and seeds change no stored figure (each seed is its own trial): not hashed.
    if type(v) ~= "table" and type(v) ~= "function" and k ~= "workers" and k ~= "seeds" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  local h = 0xcbf29ce484222325
  for _, k in ipairs(keys) do
    for i = 1, #(k .. "=" .. tostring(cfg[k]) .. ";") do
      h = (h ~ string.byte(k .. "=" .. tostring(cfg[k]) .. ";", i)) * 0x100000001b3
    end
  end
  return string.format("%08x", h & 0xffffffff)
end

local function copy(t)
  local c = {}
  for k, v in pairs(t or {}) do c[k] = v end
  return c
end

--- The settings of this run: profiles.common, then profiles.full, .quick or .smoke (by
--- --quick, --smoke or --full; smoke is quick's settings with its own on top), overridden by
--- --epochs/--train/--test/--workers/--seed/--seeds. Also sets out (created; --out, default
--- out/<name>), storage (the SQLite file of this run's sweeps, named after the mode and a
--- hash of the settings, so a quick run never reuses a full run's trials), workers (default
--- 2), only, and seeds moonlab.
---@param name string
---@param profiles {common?: table, full?: table, quick?: table, smoke?: table}
---@param argv? string[] default: the global arg
---@return moonstudy.config
function S.setup(name, profiles, argv)
  if type(name) ~= "string" then error("moonstudy.setup: name must be a string", 2) end
  if type(profiles) ~= "table" then error("moonstudy.setup: profiles must be a table", 2) end
  local a = S.parse_args(argv)
  local mode = a.mode or "full"
  local cfg = copy(profiles.common)
  if mode == "smoke" then for k, v in pairs(profiles.quick or {}) do cfg[k] = v end end
  for k, v in pairs(profiles[mode] or {}) do cfg[k] = v end
  cfg.name, cfg.mode, cfg.quick = name, mode, mode == "quick" or mode == "smoke"
  for _, k in ipairs{"epochs", "train", "test", "workers", "seed", "seeds"} do
    if a[k] ~= nil then cfg[k] = math.tointeger(a[k]) or a[k] end
  end
  cfg.seed = cfg.seed or 1
  cfg.seeds = math.max(1, math.tointeger(cfg.seeds or 1) or 1)
  local tag = mode .. "-" .. fingerprint(cfg)    -- workers and out change no figure: not hashed
  cfg.report_only = a.report                      -- nor does --report (it reads the same sweeps)
  if cfg.workers == nil then cfg.workers = 2 end
  cfg.out = a.out or ("out/" .. name)
  os.execute("mkdir -p '" .. cfg.out:gsub("'", "'\\''") .. "'")
  cfg.storage = cfg.out .. "/sweeps-" .. tag .. ".db"
  if a.only then
    cfg.only = {}
    for part in a.only:gmatch("[^,%s]+") do cfg.only[part] = true end
  end
  cfg.started = os.time()
  moonlab.seed(cfg.seed)
  print(("== %s (%s run): output in %s, sweeps in %s, %d worker(s)"):format(
    name, mode, cfg.out, cfg.storage, cfg.workers))
  return cfg
end

--- The seeds of the headline runs: cfg.seed, cfg.seed + 1, ... (--seeds N of them).
---@param cfg moonstudy.config
---@return integer[]
function S.seed_list(cfg)
  local out = {}
  for i = 0, cfg.seeds - 1 do out[#out + 1] = cfg.seed + i end
  return out
end

--- The seeds of runs that need at least n of them (cheap rows), or more with --seeds.
---@param cfg moonstudy.config
---@param n integer
---@return integer[]
function S.seeds_at_least(cfg, n)
  local out = {}
  for i = 0, math.max(cfg.seeds, n) - 1 do out[#out + 1] = cfg.seed + i end
  return out
end

--- Runs as sweep values "label #seed", seed-major (every label for the first seed, then the
--- next seed, ...), so a later --seeds N appends trials after the stored ones.
---@param labels string[]
---@param seeds integer[]
---@return string[]
function S.seeded(labels, seeds)
  local out = {}
  for _, seed in ipairs(seeds) do
    for _, label in ipairs(labels) do out[#out + 1] = ("%s #%d"):format(label, seed) end
  end
  return out
end

--- The label and seed of a seeded run ("mlp #2" -> "mlp", 2).
---@param run string
---@return string|nil label
---@return integer|nil seed
function S.unseed(run)
  local label, seed = run:match("^(.-) #(%d+)$")
  return label, math.tointeger(tonumber(seed))
end

--- Whether the section `name` runs: always, unless --only names other sections.
---@param cfg moonstudy.config
---@param name string
---@return boolean
function S.wants(cfg, name)
  return cfg.only == nil or cfg.only[name] == true
end

--- Whether a section that trains outside a sweep (nothing of it is stored to report) runs: it
--- is wanted, and this is not a --report run, which says that it leaves the section out.
---@param cfg moonstudy.config
---@param name string
---@return boolean
function S.wants_training(cfg, name)
  if not S.wants(cfg, name) then return false end
  if cfg.report_only then
    print(("-- %s: trains outside a sweep, so --report leaves it out (run it without --report)"):format(name))
    return false
  end
  return true
end

--- A path inside the run's output folder.
---@param cfg moonstudy.config
---@param file string
---@return string
function S.path(cfg, file)
  return cfg.out .. "/" .. file
end

--- Seconds since moonstudy.setup.
---@param cfg moonstudy.config
---@return integer
function S.elapsed(cfg)
  return os.time() - cfg.started
end

--- Prints the closing line of the run.
---@param cfg moonstudy.config
function S.done(cfg)
  print(("== %s (%s run) finished in %d s; figures in %s"):format(cfg.name, cfg.mode, S.elapsed(cfg), cfg.out))
end

--- Prints the settings the script had to choose because the study does not state them, one
--- line each, so a reader sees at once what is the study's and what is ours.
---@param list string[]
function S.assumptions(list)
  print("Assumptions (settings the study does not state, chosen here):")
  for _, a in ipairs(list) do print("  - " .. a) end
  print("")
end

---------------------------------------------------------------------------------------------
-- Data
---------------------------------------------------------------------------------------------

--- The training and test sets of a data set by loader name ("mnist", "fashion_mnist"), cut
--- to the first cfg.train / cfg.test images when those are set.
---@param which string
---@param cfg? moonstudy.config
---@return dataset train
---@return dataset test
function S.load(which, cfg)
  local loader = data[which]
  if not loader then error("moonstudy.load: unknown data set '" .. tostring(which) .. "'", 2) end
  local train, test = loader{split = "train"}, loader{split = "test"}
  if cfg and cfg.train and cfg.train < #train then train = train:subset(1, cfg.train) end
  if cfg and cfg.test and cfg.test < #test then test = test:subset(1, cfg.test) end
  return train, test
end

--- A stratified, seeded split: the first part gets `fraction` of the samples.
---@param ds dataset
---@param fraction number
---@param seed? integer default 1
---@return dataset
---@return dataset
function S.split(ds, fraction, seed)
  return ds:split(fraction, {seed = seed or 1, stratify = true})
end

---------------------------------------------------------------------------------------------
-- Models and optimizers
---------------------------------------------------------------------------------------------

--- An MLP on images (default input {1, 28, 28}): hidden = {1024, 512} gives
--- 784-1024-512-10. Options apply to every hidden Dense (activation= default "relu", init=,
--- l1=, l2=, max_norm=); dropout= (a rate, or a list by layer) puts a Dropout after each
--- hidden layer; classes= (default 10); output_activation= (default linear: logits).
---@param hidden integer[]
---@param o? table
---@return model
function S.mlp(hidden, o)
  o = o or {}
  local layers = {input = o.input or {1, 28, 28}, nn.Flatten()}
  for i, units in ipairs(hidden) do
    layers[#layers + 1] = nn.Dense(units, {activation = o.activation or "relu", init = o.init,
      l1 = o.l1, l2 = o.l2, max_norm = o.max_norm})
    local rate = type(o.dropout) == "table" and o.dropout[i] or o.dropout
    if rate and rate > 0 then layers[#layers + 1] = nn.Dropout(rate) end
  end
  layers[#layers + 1] = nn.Dense(o.classes or 10, {activation = o.output_activation, init = o.init})
  return nn.Sequential(layers)
end

--- A model from a spec: a layer code ("ccpdnff"), {code=, ...nn.from_code options},
--- {mlp = {units...}, ...moonstudy.mlp options}, a function returning a model, or a model.
---@param spec any
---@return model
function S.build(spec)
  if type(spec) == "function" then return spec() end
  if type(spec) == "string" then return nn.from_code(spec) end
  if type(spec) == "table" and spec.code then
    local o = copy(spec); o.code = nil
    return nn.from_code(spec.code, o)
  end
  if type(spec) == "table" and spec.mlp then
    return S.mlp(spec.mlp, spec)
  end
  return spec
end

local optimizers = {sgd = "SGD", adam = "Adam", nadam = "Nadam", rmsprop = "RMSprop",
                    adagrad = "Adagrad", adadelta = "Adadelta", adamax = "Adamax"}

--- An optimizer by name, in any case ("sgd", "Adam", "rmsprop", ...): S.optimizer("sgd",
--- 0.1, {momentum = 0.9}). Without lr, the optimizer's own (Keras) default.
---@param name string
---@param lr? number
---@param extra? table more options of the optimizer
---@return optimizer
function S.optimizer(name, lr, extra)
  local ctor = optim[optimizers[string.lower(tostring(name))] or name]
  if not ctor then error("moonstudy.optimizer: unknown optimizer '" .. tostring(name) .. "'", 2) end
  local o = copy(extra); o.lr = lr
  return ctor(o)
end

---------------------------------------------------------------------------------------------
-- Training
---------------------------------------------------------------------------------------------

---@class moonstudy.run_info
---@field name string
---@field model model
---@field history table
---@field epochs integer epochs trained
---@field val_accuracy? number the best validation accuracy
---@field best_epoch? integer its epoch
---@field val_loss? number the validation loss at that epoch
---@field last_val_accuracy? number
---@field train_accuracy? number after the last epoch
---@field test_accuracy? number
---@field test_loss? number
---@field seconds integer

--- Builds (moonstudy.build), compiles, trains and evaluates one model. opts: train=
--- (required), val= (a dataset) or validation_split=, test=, optimizer= (an optimizer, or a
--- name with lr=, momentum=), loss=, epochs=, batch=, patience= (early stopping on monitor=,
--- default "val_loss", min_delta= 1e-4, best weights restored unless restore_best= false, as
--- Keras' EarlyStopping leaves them by default), reduce_lr= {factor=,
--- patience=, min_lr=}, augment=, checkpoint=, seed= (default 1), verbose= (default 0),
--- callbacks=, print= (false: no line). Returns the figure (test accuracy with test=, else
--- the best validation accuracy, else the training accuracy) and the run's details.
---@param name string
---@param build any a spec for moonstudy.build
---@param opts table
---@return number figure
---@return moonstudy.run_info
function S.run(name, build, opts)
  if type(opts) ~= "table" or opts.train == nil then error("moonstudy.run: opts.train is required", 2) end
  moonlab.seed(opts.seed or 1)
  local model = S.build(build)
  local opt = opts.optimizer
  if opt == nil or type(opt) == "string" then
    opt = S.optimizer(opt or "adam", opts.lr, {momentum = opts.momentum})
  end
  model:compile{optimizer = opt, loss = opts.loss or "sparse_categorical_crossentropy",
                metrics = {"accuracy"}}
  local callbacks = {}
  local has_val = opts.val ~= nil or (opts.validation_split or 0) > 0
  if opts.patience and has_val then
    callbacks[#callbacks + 1] = nn.EarlyStopping{monitor = opts.monitor or "val_loss",
      min_delta = opts.min_delta or 1e-4, patience = opts.patience, restore_best = opts.restore_best ~= false}
  end
  if opts.reduce_lr and has_val then
    local r = opts.reduce_lr
    callbacks[#callbacks + 1] = nn.ReduceLROnPlateau{monitor = r.monitor or "val_loss",
      factor = r.factor or 0.9, patience = r.patience or 2, min_lr = r.min_lr or 1e-6}
  end
  for _, c in ipairs(opts.callbacks or {}) do callbacks[#callbacks + 1] = c end
  local started = os.time()
  local history = model:fit(opts.train, {epochs = opts.epochs or 1, batch = opts.batch or 32,
    validation = opts.val, validation_split = opts.validation_split, augment = opts.augment,
    checkpoint = opts.checkpoint, verbose = opts.verbose or 0, callbacks = callbacks})
  local info = {name = name, history = history, model = model, epochs = #(history.loss or {})}
  if history.val_accuracy then
    local best, at = -1, 1
    for i, v in ipairs(history.val_accuracy) do if v > best then best, at = v, i end end
    info.val_accuracy, info.best_epoch = best, at
    info.val_loss = history.val_loss[at]
    info.last_val_accuracy = history.val_accuracy[#history.val_accuracy]
  end
  info.train_accuracy = history.accuracy and history.accuracy[#history.accuracy]
  if opts.test then
    local r = model:evaluate(opts.test, {batch = 256})
    info.test_accuracy, info.test_loss = r.accuracy, r.loss
  end
  info.seconds = os.time() - started
  local figure = info.test_accuracy or info.val_accuracy or info.train_accuracy
  if opts.print ~= false then
    print(("  %-40s %s %.4f  (%d epochs, %d s)"):format(name,
      info.test_accuracy and "test" or "val ", figure, info.epochs, info.seconds))
  end
  return figure, info
end

--- A run's time in seconds: its epochs' training time summed over every attempt (a resumed
--- run's history comes back from its checkpoint, so an interrupted run counts whole), or
--- `wall`, this attempt's wall time, when that is longer. nil when neither is known.
---@param wall? number
---@param history? table fit's history (its seconds: one entry an epoch)
---@return number?
function S.run_seconds(wall, history)
  local trained = 0
  for _, s in ipairs(history and history.seconds or {}) do
    if s == s then trained = trained + s end   -- NaN: an epoch whose time an older build did not keep
  end
  if wall == nil and trained == 0 then return nil end
  return math.max(wall or 0, trained)
end

--- What a tune objective returns for a run: the validation accuracy as the score (models
--- are chosen on validation data) and the other figures as extras, with the learning
--- curves as curve_loss, curve_accuracy, curve_val_loss, curve_val_accuracy, and seconds: the
--- epochs' training time over every attempt of a resumed trial, or the run's wall time.
---@param info moonstudy.run_info
---@return table
function S.trial_result(info)
  local r = {score = info.val_accuracy or info.test_accuracy, epochs = info.epochs}
  for _, k in ipairs{"val_accuracy", "val_loss", "test_accuracy", "test_loss", "train_accuracy",
                     "best_epoch", "mae", "hour_accuracy", "minute_mae"} do
    if info[k] ~= nil then r[k] = info[k] end
  end
  r.seconds = S.run_seconds(info.seconds, info.history)
  if info.history then
    r.curve_val_accuracy = info.history.val_accuracy
    r.curve_val_loss = info.history.val_loss
    r.curve_loss = info.history.loss
    r.curve_accuracy = info.history.accuracy
  end
  return r
end

--- A grid sweep (tune.grid, maximizing) with this run's workers and storage, so re-running
--- the script resumes it, and re-runs the trials that failed (an error, a killed worker), as
--- retry_failed = true does. Each trial's result also records the date, commit and machine
--- that made it (made_date, made_commit, made_machine: moonstudy.headline's trial= reads
--- them). Returns the tune result and its trials as rows (moontable.rows).
--- extra: more tune.grid options; its report = function(result, rows) runs once the sweep is
--- done, in the main process only (the tables, plots and files that follow the sweep).
---@param cfg moonstudy.config
---@param title string
---@param space table
---@param objective fun(config: table, trial: table, setup: any): table|number
---@param extra? table
---@return table result
---@return moontable.row[] rows
function S.sweep(cfg, title, space, objective, extra)
  print("-- sweep: " .. title)
  local o = {space = space, objective = objective, direction = "max", retry_failed = true,
             workers = cfg.workers, storage = cfg.storage, verbose = not cfg.quiet_sweeps}
  for k, v in pairs(extra or {}) do o[k] = v end
  local inner = o.objective
  o.objective = function(...)   -- each trial's result records where and when it was made
    local r = inner(...)
    if type(r) == "number" then r = {score = r} end
    if type(r) == "table" then
      local p = S.provenance()
      r.made_date, r.made_commit, r.made_machine = p.date, p.commit, p.machine
    end
    return r
  end
  if o.report then
    local report = o.report
    o.report = function(result) report(result, tab.rows(result)) end
  end
  if cfg.report_only then
    -- --report: the stored trials, none run; a sweep that has not started yet is skipped.
    o.run = false
    local ok, result = pcall(tune.grid, o)
    if not ok then
      if not tostring(result):find("run=false", 1, true) then error(result, 0) end
      print("   (not run yet: nothing stored)")
      return nil, {}
    end
    return result, tab.rows(result)
  end
  local result = tune.grid(o)
  return result, tab.rows(result)
end

---------------------------------------------------------------------------------------------
-- Headline figures: one CSV row per run (scripts/results_table.lua makes the README's table)
---------------------------------------------------------------------------------------------

local function first_line(command)
  local p = io.popen(command .. " 2>/dev/null")
  if not p then return nil end
  local line = p:read("l")
  p:close()
  return line
end

--- Where and when figures are made: date (UTC), commit of the running script's checkout
--- (with "+changes" when it has uncommitted changes; outside git, MOONLAB_COMMIT when set, for
--- a copy of a build run from another folder, else "unknown"), machine. Found once a process,
--- so a run's figures carry the code it started with.
---@return {date: string, commit: string, machine: string}
local made   -- this process's provenance, found once

function S.provenance()
  if made then return made end
  local script = arg and arg[0]
  local folder = type(script) == "string" and script:match("^(.*)/[^/]*$") or "."
  local cpu = first_line("sed -n 's/^model name[^:]*: *//p' /proc/cpuinfo | head -1") or "unknown CPU"
  local cores = first_line("nproc") or "?"
  local git = "git -C '" .. folder:gsub("'", "'\\''") .. "' "
  local commit = first_line(git .. "rev-parse --short HEAD")
  if commit and first_line(git .. "status --porcelain --untracked-files=no") then commit = commit .. "+changes" end
  local named = os.getenv("MOONLAB_COMMIT")
  if not commit and named and named ~= "" then commit = named end
  made = {date = os.date("!%Y-%m-%d"), commit = commit or "unknown",
          machine = ("%s, %s cores"):format(cpu, cores)}
  return made
end

S.HEADLINE_COLUMNS = {"study", "row", "dataset", "metric", "study_value", "seed", "value", "seconds",
                      "command", "date", "commit", "machine"}

--- Writes a run's headline figures to <out>/headline-<study>.csv (whole or not at all), one
--- line per run (each seed its own): rows of {row=, dataset=, metric= ("test accuracy"),
--- study_value= (the study's figure in the same unit, or nil), seed=, value=, seconds=}, with
--- the study, the command (plus --quick or --smoke) and on each line the date, commit and
--- machine that made its figure: those of the sweep trial it came from when the row has
--- trial= (moonstudy.sweep records them as each trial runs; "unknown" for a trial stored
--- before it did), else moonstudy.provenance. Returns the path.
---@param cfg moonstudy.config
---@param study string
---@param command string
---@param rows table[]
---@return string path
function S.headline(cfg, study, command, rows)
  if cfg.mode ~= "full" then command = command .. " --" .. cfg.mode end
  local p = S.provenance()
  local lines = {}
  for i, r in ipairs(rows) do
    local line = copy(r)
    line.study, line.command = study, command
    local t = r.trial
    if t then
      line.date, line.commit, line.machine = t.made_date or "unknown", t.made_commit or "unknown", t.made_machine or "unknown"
    else
      line.date, line.commit, line.machine = p.date, p.commit, p.machine
    end
    lines[i] = line
  end
  local path = S.path(cfg, "headline-" .. study:lower():gsub("[^%w]+", "_") .. ".csv")
  tab.write_csv(path, S.HEADLINE_COLUMNS, lines, {float = "%.6g"})
  print(("headline figures (%d runs) written to %s"):format(#rows, path))
  return path
end

---------------------------------------------------------------------------------------------
-- Figures
---------------------------------------------------------------------------------------------

--- A line chart of one curve per row into the output folder: series named by label_key (a
--- field or a function of the row), values from curve_key (e.g. "curve_val_accuracy" of
--- moonstudy.trial_result). Rows without a curve are skipped; nothing is drawn without any.
---@param cfg moonstudy.config
---@param file string
---@param rows moontable.row[]
---@param label_key any|fun(row: table): string
---@param curve_key string
---@param title? string
function S.curves(cfg, file, rows, label_key, curve_key, title)
  local series, any = {}, false
  for _, r in ipairs(rows) do
    local label = type(label_key) == "function" and label_key(r) or tostring(r[label_key])
    if r[curve_key] and #r[curve_key] > 0 then series[label] = r[curve_key]; any = true end
  end
  if not any then return end
  return plot.lines{series = series, out = S.path(cfg, file), title = title,
                    xlabel = "epoch", ylabel = (curve_key:gsub("^curve_", ""))}
end

return S
