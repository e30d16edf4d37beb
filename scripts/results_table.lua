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

local tab = require "moontable"

-- Every run of every file, grouped by study and row in first-seen order; the dates, commits
-- and machines of the figures.
local runs, provenance = {}, {}
for _, path in ipairs(files) do
  for _, r in ipairs((tab.read_csv(path))) do
    r.value, r.study_value, r.seconds = tonumber(r.value), tonumber(r.study_value), tonumber(r.seconds) or 0
    r.dataset = r.dataset or ""
    runs[#runs + 1] = r
    provenance[("%s|%s|%s"):format(r.date or "?", r.commit or "?", r.machine or "?")] = true
  end
end
local groups = tab.group(runs, {"study", "row", "dataset", "metric"}, "value")

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

local COLUMNS = {{"study", "study"}, {"figure", "figure"}, {"dataset", "data"}, {"ours", "ours: mean ± sd (seeds)"},
  {"theirs", "the study's"}, {"mark", "study's inside our spread?"}, {"time", "run time (sum)"},
  {"command", "command"}}
local table_rows = {}
for _, g in ipairs(groups) do
  local first = g.rows[1]
  local pct = percent(g.metric)
  local ours = tab.mean_sd(g.values, pct and {scale = 100, format = "%.2f %%", sd_format = "%.2f"}
                                          or {format = "%.3g", sd_format = "%.2g"})
  local mark = "-"
  local c = tab.compare(g.values, first.study_value)
  if c and c.gap then
    local by = fmt_sd(math.abs(c.gap), g.metric) .. (pct and " pt" or "")
    local side = c.gap > 0 and "higher" or "lower"
    if c.n < 2 then mark = ("one seed: study %s %s"):format(by, side)
    elseif c.inside then mark = "yes"
    else mark = ("no: study %s %s"):format(by, side) end
  end
  local seconds = 0
  for _, r in ipairs(g.rows) do seconds = seconds + r.seconds end
  local command
  for _, r in ipairs(g.rows) do command = command or r.command end
  table_rows[#table_rows + 1] = {study = g.study, figure = g.row .. " " .. g.metric, dataset = g.dataset,
    ours = ours, theirs = fmt(first.study_value, g.metric), mark = mark, time = duration(seconds),
    command = "`" .. (command or "") .. "`"}
end
local lines = {tab.markdown(COLUMNS, table_rows)}    -- ends with a newline: an empty line follows
local prov = {}
for p in pairs(provenance) do prov[#prov + 1] = p end
table.sort(prov)
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
tab.write(readme, doc:sub(1, a + #begin_mark - 1) .. text .. doc:sub(b))   -- whole or not at all
print(("results table (%d rows) written into %s"):format(#groups, readme))
