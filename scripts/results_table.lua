-- The README's results table, generated from the headline figures the study scripts store
-- (<out>/<script>/headline.csv, copied to results/ when a run is final): one row per study
-- figure, ours as mean ± sd over seeds beside the study's, whether the study's figure lies
-- within our spread, the runs' wall time, and the command that made them; then the dates,
-- commits and machines of the figures.
--
--   moonlab scripts/results_table.lua results/*.csv                 # print the table
--   moonlab scripts/results_table.lua --readme README.md results/*.csv   # replace it there,
--                      between the lines <!-- results:begin --> and <!-- results:end -->

local readme
local files = {}
local i = 1
while i <= #arg do
  if arg[i] == "--readme" then readme = arg[i + 1]; i = i + 2
  else files[#files + 1] = arg[i]; i = i + 1 end
end
if #files == 0 then
  io.stderr:write("usage: moonlab scripts/results_table.lua [--readme README.md] headline.csv ...\n")
  os.exit(2)
end

-- One CSV line into cells (quoted cells may hold commas and doubled quotes).
local function cells(line)
  local out, pos = {}, 1
  while pos <= #line + 1 do
    if line:sub(pos, pos) == '"' then
      local value, j = {}, pos + 1
      while true do
        local q = line:find('"', j, true)
        if not q then error("unterminated quote in: " .. line) end
        value[#value + 1] = line:sub(j, q - 1)
        if line:sub(q + 1, q + 1) == '"' then value[#value + 1] = '"'; j = q + 2 else pos = q + 2; break end
      end
      out[#out + 1] = table.concat(value)
    else
      local comma = line:find(",", pos, true) or #line + 1
      out[#out + 1] = line:sub(pos, comma - 1)
      pos = comma + 1
    end
  end
  return out
end

local function read_csv(path)
  local f = assert(io.open(path), "cannot open " .. path)
  local header, rows = nil, {}
  for line in f:lines() do
    if line ~= "" then
      local c = cells(line)
      if not header then header = c else
        local r = {}
        for k, name in ipairs(header) do r[name] = c[k] ~= "" and c[k] or nil end
        rows[#rows + 1] = r
      end
    end
  end
  f:close()
  return rows
end

-- Group runs by study and row, in first-seen order.
local groups, order, provenance = {}, {}, {}
for _, path in ipairs(files) do
  for _, r in ipairs(read_csv(path)) do
    local key = table.concat({r.study, r.row, r.dataset or "", r.metric}, "\0")
    if not groups[key] then
      groups[key] = {study = r.study, row = r.row, dataset = r.dataset, metric = r.metric,
                     study_value = tonumber(r.study_value), values = {}, seconds = 0, commands = {}, seeds = {}}
      order[#order + 1] = key
    end
    local g = groups[key]
    g.values[#g.values + 1] = tonumber(r.value)
    g.seeds[#g.seeds + 1] = r.seed
    g.seconds = g.seconds + (tonumber(r.seconds) or 0)
    if r.command and not g.commands[r.command] then g.commands[r.command] = true; g.command = g.command or r.command end
    local p = ("%s|%s|%s"):format(r.date or "?", r.commit or "?", r.machine or "?")
    provenance[p] = true
  end
end

local function spread(values)
  local n, sum = #values, 0
  for _, v in ipairs(values) do sum = sum + v end
  local mean, ss = sum / n, 0
  for _, v in ipairs(values) do ss = ss + (v - mean) ^ 2 end
  return mean, n > 1 and math.sqrt(ss / (n - 1)) or 0, n
end

local function percent(metric) return metric:find("accuracy") ~= nil end
local function fmt(v, metric)
  if v == nil then return "-" end
  if percent(metric) then return ("%.2f %%"):format(100 * v) end
  return ("%.3g"):format(v)
end
local function fmt_sd(v, metric)
  if percent(metric) then return ("%.2f"):format(100 * v) end
  return ("%.2g"):format(v)
end
local function duration(s)
  if s >= 3600 then return ("%.1f h"):format(s / 3600) end
  if s >= 60 then return ("%.0f min"):format(s / 60) end
  return ("%.0f s"):format(s)
end

local lines = {
  "| study | figure | data | ours: mean ± sd (seeds) | the study's | study's inside our spread? | run time (sum) | command |",
  "|---|---|---|---|---|---|---|---|",
}
for _, key in ipairs(order) do
  local g = groups[key]
  local mean, sd, n = spread(g.values)
  local ours = n > 1 and ("%s ± %s (%d)"):format(fmt(mean, g.metric), fmt_sd(sd, g.metric), n)
                      or ("%s (1)"):format(fmt(mean, g.metric))
  local mark = "-"
  if g.study_value then
    local gap = g.study_value - mean
    local scale = percent(g.metric) and 100 or 1
    local by = fmt_sd(math.abs(gap), g.metric) .. (scale == 100 and " pt" or "")
    if n < 2 then mark = ("one seed: study %s %s"):format(by, gap > 0 and "higher" or "lower")
    elseif math.abs(gap) <= sd then mark = "yes"
    else mark = ("no: study %s %s"):format(by, gap > 0 and "higher" or "lower") end
  end
  lines[#lines + 1] = ("| %s | %s %s | %s | %s | %s | %s | %s | `%s` |"):format(g.study, g.row, g.metric,
    g.dataset or "", ours, fmt(g.study_value, g.metric), mark, duration(g.seconds), g.command or "")
end
local prov = {}
for p in pairs(provenance) do prov[#prov + 1] = p end
table.sort(prov)
lines[#lines + 1] = ""
for _, p in ipairs(prov) do
  local date, commit, machine = p:match("^(.-)|(.-)|(.*)$")
  lines[#lines + 1] = ("Figures of %s, commit %s, on %s."):format(date, commit, machine)
end
local text = table.concat(lines, "\n") .. "\n"

if not readme then io.write(text); return end
local f = assert(io.open(readme))
local doc = f:read("a")
f:close()
local begin_mark, end_mark = "<!-- results:begin -->\n", "<!-- results:end -->"
local a = doc:find(begin_mark, 1, true)
local b = doc:find(end_mark, 1, true)
if not a or not b or b < a then error(readme .. " has no <!-- results:begin --> ... <!-- results:end --> block", 0) end
local updated = doc:sub(1, a + #begin_mark - 1) .. text .. doc:sub(b)
local tmp = readme .. ".tmp"
f = assert(io.open(tmp, "w"))
f:write(updated)
f:close()
assert(os.rename(tmp, readme))
print(("results table (%d rows) written into %s"):format(#order, readme))
