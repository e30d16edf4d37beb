-- lib/study.lua: small helpers shared by the study scripts in examples/.
--
--   local S = require "lib.study"       -- the script's folder is on the require path
--   local cfg = S.setup("my_study", {full = {epochs = 15}, quick = {epochs = 1, train = 5000}})
--   local acc, info = S.run("baseline", function() return S.mlp{16, 16} end,
--                           {train = tr, val = va, test = test, epochs = cfg.epochs})
--
-- Nothing here is magic: each helper is a few lines of moonlab calls that a script could
-- inline. They exist so the study scripts read as the studies do (model -> setting -> figure).

local S = {}

-- Worker processes of a sweep run the script from the top up to their own sweep (their output
-- goes to the sweep's log folder). What follows a sweep (its tables, plots, headline figures)
-- is that sweep's report= (see S.sweep), which only the main process runs, so a worker of a
-- later sweep never redoes it; the script needs no test for being a worker.

---------------------------------------------------------------------------------------------
-- Command line and settings
---------------------------------------------------------------------------------------------

local usage = [[
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
  --out DIR        output folder (default out/<script>)]]

-- Parses the script's arguments (the global `arg`) into a table.
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
    elseif key == "help" or s == "-h" then
      print(usage); os.exit(0)
    elseif key == "out" or key == "only" or numeric[key] then
      if value == nil then i = i + 1; value = argv[i] end
      if value == nil then error(("study: option --%s needs a value"):format(key), 0) end
      if numeric[key] then
        local n = tonumber(value)
        if not n then error(("study: option --%s expects a number, got '%s'"):format(key, value), 0) end
        a[key] = n
      else
        a[key] = value
      end
    else
      error(("study: unknown argument '%s'\n%s"):format(s, usage), 0)
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

-- The settings of this run: profiles.full, profiles.quick or profiles.smoke (by --quick,
-- --smoke or --full; smoke is quick's lists of settings on its own tiny sizes), overridden
-- by --epochs/--train/--test/--workers/--seed. Also sets cfg.out (created), cfg.storage (the
-- SQLite file of this run's sweeps, named after the mode and a hash of the settings, so a
-- quick run never reuses a full run's trials, nor a run with other epochs), cfg.workers
-- (default 2) and seeds moonlab.
function S.setup(name, profiles, argv)
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
  if cfg.workers == nil then cfg.workers = 2 end
  cfg.out = a.out or ("out/" .. name)
  os.execute("mkdir -p '" .. cfg.out .. "'")
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

-- The seeds of the headline runs: cfg.seed, cfg.seed + 1, ... (--seeds N of them).
function S.seed_list(cfg)
  local out = {}
  for i = 0, cfg.seeds - 1 do out[#out + 1] = cfg.seed + i end
  return out
end

-- The seeds of rows that need at least `n` (cheap MLP rows: 5), or more with --seeds.
function S.seeds_at_least(cfg, n)
  local out = {}
  for i = 0, math.max(cfg.seeds, n) - 1 do out[#out + 1] = cfg.seed + i end
  return out
end

-- Runs as sweep values "label #seed", seed-major (every label for the first seed, then the
-- next seed, ...): a later --seeds N appends trials after the stored ones.
function S.seeded(labels, seeds)
  local out = {}
  for _, seed in ipairs(seeds) do
    for _, label in ipairs(labels) do out[#out + 1] = ("%s #%d"):format(label, seed) end
  end
  return out
end

-- The label and seed of a seeded run.
function S.unseed(run)
  local label, seed = run:match("^(.-) #(%d+)$")
  return label, tonumber(seed)
end

-- Whether the section `name` runs: always, unless --only names other sections.
function S.wants(cfg, name)
  return cfg.only == nil or cfg.only[name] == true
end

-- A path inside the run's output folder.
function S.path(cfg, file)
  return cfg.out .. "/" .. file
end

-- Seconds since S.setup, and a closing line.
function S.elapsed(cfg)
  return os.time() - cfg.started
end

function S.done(cfg)
  print(("== %s (%s run) finished in %d s; figures in %s"):format(cfg.name, cfg.mode, S.elapsed(cfg), cfg.out))
end

---------------------------------------------------------------------------------------------
-- Data
---------------------------------------------------------------------------------------------

-- Training and test sets of "mnist" or "fashion_mnist", cut to cfg.train / cfg.test images.
function S.load(which, cfg)
  local loader = data[which]
  if not loader then error("study: unknown data set '" .. tostring(which) .. "'", 2) end
  local train, test = loader{split = "train"}, loader{split = "test"}
  if cfg and cfg.train and cfg.train < #train then train = train:subset(1, cfg.train) end
  if cfg and cfg.test and cfg.test < #test then test = test:subset(1, cfg.test) end
  return train, test
end

-- A stratified, seeded split: the first part gets `fraction` of the samples.
function S.split(ds, fraction, seed)
  return ds:split(fraction, {seed = seed or 1, stratify = true})
end

---------------------------------------------------------------------------------------------
-- Models and optimizers
---------------------------------------------------------------------------------------------

-- An MLP on 28x28 images: hidden = {1024, 512} gives 784-1024-512-10. Options apply to every
-- hidden Dense (activation="relu", init=, l1=, l2=, max_norm=); dropout= (a rate, or a list
-- by layer) puts a Dropout after each hidden layer; output_activation (default linear: logits).
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

-- A model from a spec: a layer code string ("ccpdnff"), {code=, ...from_code options},
-- {mlp={units...}, ...S.mlp options}, a function returning a model, or a model.
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

-- An optimizer by lower-case name ("sgd", "adam", "nadam", "rmsprop", ...): S.optimizer("sgd",
-- 0.1, {momentum=0.9}). Without lr, the optimizer's own (Keras) default.
function S.optimizer(name, lr, extra)
  local ctor = optim[optimizers[string.lower(name)] or name]
  if not ctor then error("study: unknown optimizer '" .. tostring(name) .. "'", 2) end
  local o = copy(extra); o.lr = lr
  return ctor(o)
end

---------------------------------------------------------------------------------------------
-- Training
---------------------------------------------------------------------------------------------

-- Builds, compiles, trains and evaluates one model. build: a spec for S.build. opts:
--   train= (required), val= (a dataset) or validation_split=, test=,
--   optimizer= (an optimizer, or a name with lr=, momentum=), loss=, epochs=, batch=,
--   patience= (early stopping on monitor=, default "val_loss", min_delta=1e-4, best weights
--   restored), reduce_lr= {factor=, patience=, min_lr=}, augment=, checkpoint=, seed=,
--   verbose= (default 0: quiet), callbacks= (more callbacks).
-- Returns the figure (test accuracy when test= is given, else the best validation accuracy)
-- and a table {val_accuracy=, val_loss=, test_accuracy=, test_loss=, epochs=, seconds=,
-- history=, model=}.
function S.run(name, build, opts)
  assert(opts and opts.train, "study.run: opts.train is required")
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
      min_delta = opts.min_delta or 1e-4, patience = opts.patience, restore_best = true}
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

-- What a tune objective returns for a run: the validation accuracy as the score (models are
-- chosen on validation data, as the studies do) and the other figures as extras.
function S.trial_result(info)
  local r = {score = info.val_accuracy or info.test_accuracy, epochs = info.epochs}
  for _, k in ipairs{"val_accuracy", "val_loss", "test_accuracy", "test_loss", "train_accuracy",
                     "best_epoch", "mae", "hour_accuracy", "minute_mae"} do
    if info[k] ~= nil then r[k] = info[k] end
  end
  if info.history then
    r.curve_val_accuracy = info.history.val_accuracy
    r.curve_val_loss = info.history.val_loss
    r.curve_loss = info.history.loss
    r.curve_accuracy = info.history.accuracy
  end
  return r
end

-- A grid sweep with this run's workers and storage (re-running the script resumes it).
-- Returns the tune result and its trials as flat rows: config keys, score, extras, seconds.
-- extra: more tune.grid options; its report=function(result, rows) runs once the sweep is
-- done, in the main process only (tables, plots and files that follow the sweep).
function S.sweep(cfg, title, space, objective, extra)
  print("-- sweep: " .. title)
  local o = {space = space, objective = objective, direction = "max",
             workers = cfg.workers, storage = cfg.storage, verbose = not cfg.quiet_sweeps}
  for k, v in pairs(extra or {}) do o[k] = v end
  if o.report then
    local report = o.report
    o.report = function(result) report(result, S.rows(result)) end
  end
  local result = tune.grid(o)
  return result, S.rows(result)
end

function S.rows(result)
  local rows = {}
  for _, t in ipairs(result.trials) do
    local row = {id = t.id, score = t.score, status = t.status, seconds = t.seconds, error = t.error}
    for k, v in pairs(t.config or {}) do row[k] = v end
    for k, v in pairs(t.extras or {}) do row[k] = v end
    rows[#rows + 1] = row
  end
  return rows
end

-- The row with the highest value of key (default "score") among finished rows.
function S.best(rows, key)
  key = key or "score"
  local best
  for _, r in ipairs(rows) do
    if r[key] ~= nil and (best == nil or r[key] > best[key]) then best = r end
  end
  return best
end

-- Rows whose fields equal every pair in `where`.
function S.filter(rows, where)
  local out = {}
  for _, r in ipairs(rows) do
    local ok = true
    for k, v in pairs(where) do if r[k] ~= v then ok = false break end end
    if ok then out[#out + 1] = r end
  end
  return out
end

---------------------------------------------------------------------------------------------
-- Tables
---------------------------------------------------------------------------------------------

-- Formats a value for a table cell: numbers in (0, 1] as 0.8750, percentages with pct=true,
-- other numbers compactly, nil as "-".
function S.fmt(v, how)
  if v == nil then return "-" end
  if type(how) == "function" then return how(v) end
  if type(how) == "string" then return string.format(how, v) end
  if type(v) == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    if v ~= 0 and math.abs(v) < 1e-3 then return string.format("%g", v) end
    if math.abs(v) < 10 then return string.format("%.4f", v) end
    return string.format("%.1f", v)
  end
  return tostring(v)
end

local function pad(s, w, right)
  local n = utf8.len(s) or #s
  if n >= w then return s end
  return right and (string.rep(" ", w - n) .. s) or (s .. string.rep(" ", w - n))
end

-- Prints a table. columns: list of {key, header[, format]} (or plain keys); rows: list of
-- tables. Returns the text. The first column is left-aligned, the others right-aligned.
function S.table(title, columns, rows)
  local cols = {}
  for i, c in ipairs(columns) do
    if type(c) == "string" then c = {c, c} end
    cols[i] = {key = c[1], header = c[2] or c[1], fmt = c[3]}
  end
  local cells, widths = {}, {}
  for i, c in ipairs(cols) do widths[i] = utf8.len(c.header) or #c.header end
  for r, row in ipairs(rows) do
    cells[r] = {}
    for i, c in ipairs(cols) do
      local s = S.fmt(row[c.key], c.fmt)
      cells[r][i] = s
      widths[i] = math.max(widths[i], utf8.len(s) or #s)
    end
  end
  local lines = {}
  if title then lines[#lines + 1] = title end
  local head, rule = {}, {}
  for i, c in ipairs(cols) do
    head[i] = pad(c.header, widths[i], i > 1)
    rule[i] = string.rep("-", widths[i])
  end
  lines[#lines + 1] = table.concat(head, "  ")
  lines[#lines + 1] = table.concat(rule, "  ")
  for r = 1, #rows do
    local line = {}
    for i = 1, #cols do line[i] = pad(cells[r][i], widths[i], i > 1) end
    lines[#lines + 1] = table.concat(line, "  ")
  end
  local text = table.concat(lines, "\n")
  print(text .. "\n")
  return text
end

-- A two-way table: one line per distinct row_key value, one column per col_key value, cells
-- holding value_key (as the studies print setting x architecture tables). Orders follow
-- row_order / col_order when given, else first appearance.
function S.pivot(title, rows, row_key, col_key, value_key, o)
  o = o or {}
  local row_order, col_order = o.row_order or {}, o.col_order or {}
  local seen_r, seen_c = {}, {}
  for _, v in ipairs(row_order) do seen_r[tostring(v)] = true end
  for _, v in ipairs(col_order) do seen_c[tostring(v)] = true end
  if not o.row_order then
    for _, r in ipairs(rows) do
      local v = r[row_key]
      if v ~= nil and not seen_r[tostring(v)] then seen_r[tostring(v)] = true; row_order[#row_order + 1] = v end
    end
  end
  if not o.col_order then
    for _, r in ipairs(rows) do
      local v = r[col_key]
      if v ~= nil and not seen_c[tostring(v)] then seen_c[tostring(v)] = true; col_order[#col_order + 1] = v end
    end
  end
  local label = o.row_label or row_key
  local columns = {{"_row", label, o.row_fmt}}
  for i, c in ipairs(col_order) do
    columns[#columns + 1] = {"_c" .. i, (o.col_names and o.col_names[c]) or tostring(c), o.fmt}
  end
  local out = {}
  for _, rv in ipairs(row_order) do
    local line = {_row = rv}
    for i, cv in ipairs(col_order) do
      for _, r in ipairs(rows) do
        if r[row_key] == rv and r[col_key] == cv then line["_c" .. i] = r[value_key] end
      end
    end
    out[#out + 1] = line
  end
  return S.table(title, columns, out)
end

-- Mean, sample standard deviation (0 for one value) and count of the numbers in a list.
function S.spread(values)
  local n, sum = #values, 0
  if n == 0 then return nil, nil, 0 end
  for _, v in ipairs(values) do sum = sum + v end
  local mean, ss = sum / n, 0
  for _, v in ipairs(values) do ss = ss + (v - mean) ^ 2 end
  return mean, n > 1 and math.sqrt(ss / (n - 1)) or 0, n
end

-- A cell "mean ± sd (n)" of fractions shown as percentages ("99.31 ± 0.04 (2)"), "-" when
-- empty; with `study` (a percentage), a mark: "in" when the study's figure lies within
-- mean ± max(sd, 0.05), else "above"/"below" by how much ours misses it.
function S.pct_spread(values, study)
  local mean, sd, n = S.spread(values)
  if not mean then return "-" end
  local cell = n > 1 and ("%.2f ± %.2f (%d)"):format(100 * mean, 100 * sd, n) or ("%.2f (1)"):format(100 * mean)
  if study then
    local gap = study - 100 * mean
    local band = math.max(100 * sd, 0.05)
    cell = cell .. (math.abs(gap) <= band and " in" or (" %+.2f"):format(-gap))
  end
  return cell
end

-- A number as %g (0.0001 -> "0.0001", 1e-06 -> "1e-06"), anything else as tostring.
function S.g(v) return type(v) == "number" and string.format("%g", v) or tostring(v) end

-- Percent with two decimals: 0.99351 -> "99.35".
function S.pct(v) return string.format("%.2f", 100 * v) end

---------------------------------------------------------------------------------------------
-- Headline figures: one CSV row per run, for the README's generated results table
---------------------------------------------------------------------------------------------

local function first_line(command)
  local p = io.popen(command .. " 2>/dev/null")
  if not p then return nil end
  local line = p:read("l")
  p:close()
  return line
end

-- This file's folder (the examples' lib/), for asking git about the checkout it is in.
local here = (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$")) or "."

-- Where and when the figures were made: date, commit (with "+changes" when the checkout has
-- uncommitted changes), machine.
function S.provenance()
  local cpu = first_line("sed -n 's/^model name[^:]*: *//p' /proc/cpuinfo | head -1") or "unknown CPU"
  local cores = first_line("nproc") or "?"
  local git = "git -C '" .. here:gsub("'", "'\\''") .. "' "
  local commit = first_line(git .. "rev-parse --short HEAD")
  if commit and first_line(git .. "status --porcelain --untracked-files=no") then commit = commit .. "+changes" end
  return {date = os.date("!%Y-%m-%d"), commit = commit or "unknown",
          machine = ("%s, %s cores"):format(cpu, cores)}
end

local function csv_cell(v)
  v = v == nil and "" or tostring(v)
  if v:find('[,"\n]') then v = '"' .. v:gsub('"', '""') .. '"' end
  return v
end

S.HEADLINE_COLUMNS = {"study", "row", "dataset", "metric", "study_value", "seed", "value", "seconds",
                      "command", "date", "commit", "machine"}

-- Writes the headline figures of this run to <out>/headline-<study>.csv: one line per run (each seed
-- its own line). rows: {row=, dataset=, metric= ("test accuracy", ...), study_value= (the
-- study's figure in the same unit, or nil), seed=, value=, seconds=}. `scripts/results_table.lua`
-- turns such files into the README's table (mean ± sd over seeds beside the study's figure).
function S.headline(cfg, study, command, rows)
  if cfg.mode ~= "full" then command = command .. " --" .. cfg.mode end
  local p = S.provenance()
  local lines = {table.concat(S.HEADLINE_COLUMNS, ",")}
  for _, r in ipairs(rows) do
    local cells = {}
    for i, k in ipairs(S.HEADLINE_COLUMNS) do
      local v = r[k]
      if k == "study" then v = study elseif k == "command" then v = command
      elseif p[k] then v = p[k] end
      if type(v) == "number" and math.type(v) == "float" then v = string.format("%.6g", v) end
      cells[i] = csv_cell(v)
    end
    lines[#lines + 1] = table.concat(cells, ",")
  end
  local path = S.path(cfg, "headline-" .. study:lower():gsub("[^%w]+", "_") .. ".csv")
  local f = assert(io.open(path .. ".tmp", "w"))
  f:write(table.concat(lines, "\n"), "\n")
  f:close()
  assert(os.rename(path .. ".tmp", path))
  print(("headline figures (%d runs) written to %s"):format(#rows, path))
  return path
end

-- Prints the settings this script had to choose because the study does not state them, one
-- line each, so a reader sees at once what is the study's and what is ours.
function S.assumptions(list)
  print("Assumptions (settings the study does not state, chosen here):")
  for _, a in ipairs(list) do print("  - " .. a) end
  print("")
end

---------------------------------------------------------------------------------------------
-- Figures
---------------------------------------------------------------------------------------------

-- A line chart of one curve per row: series named by label_key, values from curve_key
-- (e.g. "curve_val_accuracy" from S.trial_result). Skips rows without a curve.
function S.curves(cfg, file, rows, label_key, curve_key, title)
  local series, any = {}, false
  for _, r in ipairs(rows) do
    local label = type(label_key) == "function" and label_key(r) or tostring(r[label_key])
    if r[curve_key] and #r[curve_key] > 0 then series[label] = r[curve_key]; any = true end
  end
  if not any then return end
  return plot.lines{series = series, out = S.path(cfg, file), title = title,
                    xlabel = "epoch", ylabel = curve_key:gsub("^curve_", "")}
end

return S
