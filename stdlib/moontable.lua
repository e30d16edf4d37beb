--- moontable: tables of results. Rows from a sweep, grouped with mean ± sd over seeds,
--- pivoted, filtered, the best picked, and shown as aligned text, Markdown or CSV, with a
--- reference figure (a study's, a baseline's) beside our mean ± sd.
---
---   local tab = require "moontable"
---   local rows = tab.rows(tune.grid{space = {lr = {1e-2, 1e-3}, opt = {"sgd", "adam"}}, objective = run})
---   tab.print("Validation accuracy", tab.pivot(rows, "opt", "lr", "score"))
---   print(tab.best(rows).lr)                                -- the highest score's lr
---   io.write(tab.markdown({"opt", "lr", {"score", "accuracy", "%.4f"}}, rows))
---   tab.write_csv("scores.csv", {"opt", "lr", "score"}, rows)  -- written whole or not at all
---   print(tab.beside({0.9931, 0.9941}, 99.35, {scale = 100}))  --> 99.36 ± 0.07 (2) in
---
--- A row is a table of fields; rows are a list of them. A column is a field's key, or
--- {key, header, format}: format is a string.format pattern or a function of the value
--- (see moontable.fmt). Bad arguments raise an error naming the function, at the caller.

---@alias moontable.row table<any, any>
---@alias moontable.format string|fun(value: any): string
---@alias moontable.column any|{[1]: any, [2]: string?, [3]: moontable.format?}

---@class moontable
local M = {}

M.VERSION = "1.0"

local here = debug.getinfo(1, "S").source

-- Raises "moontable.<name>: message" at the first caller outside this file, so a bad
-- argument is reported where the script passed it (error(..., 2) from the function called).
local function fail(name, message, ...)
  local level = 2
  while true do
    local info = debug.getinfo(level, "S")
    if not info or info.source ~= here then break end
    level = level + 1
  end
  error(("moontable.%s: " .. message):format(name, ...), level)
end

local function check_rows(name, rows)
  if type(rows) ~= "table" then fail(name, "rows must be a list of rows, got %s", type(rows)) end
  for i, r in ipairs(rows) do
    if type(r) ~= "table" then fail(name, "rows[%d] must be a table, got %s", i, type(r)) end
  end
end

local function check_numbers(name, values)
  if type(values) ~= "table" then fail(name, "values must be a list of numbers, got %s", type(values)) end
  for i, v in ipairs(values) do
    if type(v) ~= "number" then fail(name, "values[%d] must be a number, got %s", i, type(v)) end
  end
end

local function check_format(name, how, what)
  if how ~= nil and type(how) ~= "string" and type(how) ~= "function" then
    fail(name, "%s must be a format string or a function, got %s", what, type(how))
  end
end

-- Columns as {key=, header=, format=}.
local function columns_of(name, columns)
  if type(columns) ~= "table" or #columns == 0 then
    fail(name, "columns must be a non-empty list of keys or {key, header, format}, got %s",
         type(columns) == "table" and "an empty table" or type(columns))
  end
  local cols = {}
  for i, c in ipairs(columns) do
    if type(c) == "table" then
      if c[1] == nil then fail(name, "columns[%d] has no key (its first entry)", i) end
      if c[2] ~= nil and type(c[2]) ~= "string" then fail(name, "columns[%d]'s header must be a string", i) end
      check_format(name, c[3], ("columns[%d]'s format"):format(i))
      cols[i] = {key = c[1], header = c[2] or tostring(c[1]), format = c[3]}
    else
      cols[i] = {key = c, header = tostring(c)}
    end
  end
  return cols
end

---------------------------------------------------------------------------------------------
-- Rows
---------------------------------------------------------------------------------------------

--- The trials of a tune result (tune.grid, tune.random, tune.hyperband) as flat rows: id,
--- score, status, seconds and error, then the trial's configuration and extras as fields.
---@param result table a tune result
---@return moontable.row[]
function M.rows(result)
  if type(result) ~= "table" or type(result.trials) ~= "table" then
    fail("rows", "expects a tune result (a table with trials), got %s", type(result))
  end
  local rows = {}
  for _, t in ipairs(result.trials) do
    local row = {id = t.id, score = t.score, status = t.status, seconds = t.seconds, error = t.error}
    for k, v in pairs(t.config or {}) do row[k] = v end
    for k, v in pairs(t.extras or {}) do row[k] = v end
    rows[#rows + 1] = row
  end
  return rows
end

--- The rows whose fields equal every pair of `where` (or for which `where(row)` is true),
--- in their order.
---@param rows moontable.row[]
---@param where table|fun(row: moontable.row): boolean
---@return moontable.row[]
function M.filter(rows, where)
  check_rows("filter", rows)
  if type(where) ~= "table" and type(where) ~= "function" then
    fail("filter", "where must be a table of field = value or a function, got %s", type(where))
  end
  local out = {}
  for _, r in ipairs(rows) do
    local ok = true
    if type(where) == "function" then ok = where(r) and true or false
    else
      for k, v in pairs(where) do if r[k] ~= v then ok = false break end end
    end
    if ok then out[#out + 1] = r end
  end
  return out
end

--- The values of one field over the rows, skipping rows without it.
---@param rows moontable.row[]
---@param key any
---@return any[]
function M.column(rows, key)
  check_rows("column", rows)
  if key == nil then fail("column", "key must not be nil") end
  local out = {}
  for _, r in ipairs(rows) do if r[key] ~= nil then out[#out + 1] = r[key] end end
  return out
end

--- The row with the highest (how = "max", the default) or lowest ("min") value of `key`
--- (default "score"), skipping rows without it; of tied rows, the first. nil when none has it.
---@param rows moontable.row[]
---@param key? any
---@param how? "max"|"min"
---@return moontable.row|nil
function M.best(rows, key, how)
  check_rows("best", rows)
  key = key == nil and "score" or key
  how = how or "max"
  if how ~= "max" and how ~= "min" then fail("best", 'how must be "max" or "min", got %s', tostring(how)) end
  local best
  for _, r in ipairs(rows) do
    local v = r[key]
    if v ~= nil and (best == nil or (how == "max" and v > best[key]) or (how == "min" and v < best[key])) then
      best = r
    end
  end
  return best
end

---------------------------------------------------------------------------------------------
-- Mean ± sd, groups, a reference figure beside them
---------------------------------------------------------------------------------------------

--- Mean, sample standard deviation (n - 1 in the denominator; 0 for one value) and count of
--- a list of numbers; nil, nil, 0 for an empty list.
---@param values number[]
---@return number|nil mean
---@return number|nil sd
---@return integer n
function M.spread(values)
  check_numbers("spread", values)
  local n, sum = #values, 0
  if n == 0 then return nil, nil, 0 end
  for _, v in ipairs(values) do sum = sum + v end
  local mean, ss = sum / n, 0
  for _, v in ipairs(values) do ss = ss + (v - mean) ^ 2 end
  return mean, n > 1 and math.sqrt(ss / (n - 1)) or 0, n
end

local function group_key(r, by)
  local parts = {}
  for i, k in ipairs(by) do
    local v = r[k]
    parts[i] = v == nil and "\1" or (type(v):sub(1, 1) .. tostring(v))
  end
  return table.concat(parts, "\0")
end

---@class moontable.group: moontable.row
---@field rows moontable.row[] the rows of the group
---@field values? number[] the group's numbers of `value` (when given)
---@field mean? number
---@field sd? number
---@field n? integer

--- Groups rows that agree on one field or a list of fields (the seeds of one setting), in
--- order of first appearance. Each group holds those fields, `rows` (its members) and, when
--- `value` names a field, `values` (its numbers), `mean`, `sd` and `n` (as moontable.spread).
---@param rows moontable.row[]
---@param by any|any[] a field, or a list of fields
---@param value? any the field to average
---@return moontable.group[]
function M.group(rows, by, value)
  check_rows("group", rows)
  if by == nil then fail("group", "by must be a field or a list of fields") end
  if type(by) ~= "table" then by = {by} end
  if #by == 0 then fail("group", "by must name at least one field") end
  local groups, index = {}, {}
  for _, r in ipairs(rows) do
    local key = group_key(r, by)
    local g = index[key]
    if not g then
      g = {rows = {}}
      for _, k in ipairs(by) do g[k] = r[k] end
      if value ~= nil then g.values = {} end
      index[key] = g
      groups[#groups + 1] = g
    end
    g.rows[#g.rows + 1] = r
    if value ~= nil and r[value] ~= nil then
      if type(r[value]) ~= "number" then
        fail("group", "field %s must hold numbers, got %s", tostring(value), type(r[value]))
      end
      g.values[#g.values + 1] = r[value]
    end
  end
  if value ~= nil then
    for _, g in ipairs(groups) do g.mean, g.sd, g.n = M.spread(g.values) end
  end
  return groups
end

---@class moontable.spread_options
---@field scale? number values are multiplied by it before they are shown and compared (100: percent)
---@field format? string the mean's format (default "%.2f")
---@field sd_format? string the sd's format (default: format)
---@field tolerance? number a reference is inside when within max(sd, tolerance) of the mean (scaled units; default 0)
---@field gap_format? string how beside shows a reference outside (default "%+.2f": ours minus the reference)

--- A cell "mean ± sd (n)" of the values, "mean (1)" for one value, "-" for none.
---@param values number[]
---@param o? moontable.spread_options
---@return string
function M.mean_sd(values, o)
  check_numbers("mean_sd", values)
  o = o or {}
  local mean, sd, n = M.spread(values)
  if not mean then return "-" end
  local scale, f = o.scale or 1, o.format or "%.2f"
  if n > 1 then
    return ("%s ± %s (%d)"):format(f:format(scale * mean), (o.sd_format or f):format(scale * sd), n)
  end
  return ("%s (1)"):format(f:format(scale * mean))
end

---@class moontable.comparison
---@field mean number the values' mean, scaled
---@field sd number their standard deviation, scaled
---@field n integer
---@field gap? number the reference minus the scaled mean (positive: the reference is higher)
---@field inside? boolean whether |gap| <= max(sd, tolerance)

--- How a reference figure (in scaled units) stands against the values' mean ± sd; nil when
--- there are no values. Without a reference, gap and inside are nil.
---@param values number[]
---@param reference? number
---@param o? moontable.spread_options
---@return moontable.comparison|nil
function M.compare(values, reference, o)
  check_numbers("compare", values)
  if reference ~= nil and type(reference) ~= "number" then
    fail("compare", "reference must be a number or nil, got %s", type(reference))
  end
  o = o or {}
  local mean, sd, n = M.spread(values)
  if not mean then return nil end
  local scale = o.scale or 1
  local c = {mean = scale * mean, sd = scale * sd, n = n}
  if reference then
    c.gap = reference - scale * mean
    c.inside = math.abs(c.gap) <= math.max(scale * sd, o.tolerance or 0)
  end
  return c
end

--- Our mean ± sd with a reference beside it: the mean_sd cell, then " in" when the
--- reference lies within max(sd, tolerance) of the mean, else how far ours misses it
--- (" +0.12": ours is higher). The figures themselves: moontable.compare.
---@param values number[]
---@param reference? number in scaled units (a percentage when scale = 100)
---@param o? moontable.spread_options
---@return string
function M.beside(values, reference, o)
  check_numbers("beside", values)
  if reference ~= nil and type(reference) ~= "number" then
    fail("beside", "reference must be a number or nil, got %s", type(reference))
  end
  o = o or {}
  local cell = M.mean_sd(values, o)
  local c = M.compare(values, reference, o)
  if c and reference then
    cell = cell .. (c.inside and " in" or (" " .. (o.gap_format or "%+.2f"):format(-c.gap)))
  end
  return cell
end

---------------------------------------------------------------------------------------------
-- Cells and pivots
---------------------------------------------------------------------------------------------

--- A value as a cell: nil as "-", with `how` (a string.format pattern or a function) when
--- given; else integers as they are, numbers below 1e-3 as %g, below 10 with four decimals
--- (0.8750), larger ones with one; anything else through tostring.
---@param v any
---@param how? moontable.format
---@return string
function M.fmt(v, how)
  check_format("fmt", how, "how")
  if v == nil then return "-" end
  if type(how) == "function" then return tostring(how(v)) end
  if type(how) == "string" then return string.format(how, v) end
  if type(v) == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    if v ~= 0 and math.abs(v) < 1e-3 then return string.format("%g", v) end
    if math.abs(v) < 10 then return string.format("%.4f", v) end
    return string.format("%.1f", v)
  end
  return tostring(v)
end

--- A number as %g (0.0001 -> "0.0001", 1e-06 -> "1e-06"), anything else through tostring.
---@param v any
---@return string
function M.g(v) return type(v) == "number" and string.format("%g", v) or tostring(v) end

--- A fraction as a percentage with two decimals: 0.99351 -> "99.35".
---@param v number
---@return string
function M.pct(v)
  if type(v) ~= "number" then fail("pct", "expects a number, got %s", type(v)) end
  return string.format("%.2f", 100 * v)
end

---@class moontable.pivot_options
---@field row_order? any[] the lines, in order (default: the row_key values in order of appearance)
---@field col_order? any[] the columns, in order (default: the col_key values in order of appearance)
---@field row_label? string the first column's header (default: row_key)
---@field col_names? table<any, string> headers by column value (default: tostring of the value)
---@field format? moontable.format the cells' format
---@field row_format? moontable.format the first column's format
---@field reduce? fun(values: any[]): any one cell from the values of several rows (default: the last)

--- A two-way table: one line per value of row_key, one column per value of col_key, the cells
--- holding value_key. Returns columns and rows for moontable.print, markdown or csv; a line
--- holds its row_key value under row_key and each cell under its column's value.
---@param rows moontable.row[]
---@param row_key any
---@param col_key any
---@param value_key any
---@param o? moontable.pivot_options
---@return moontable.column[] columns
---@return moontable.row[] rows
function M.pivot(rows, row_key, col_key, value_key, o)
  check_rows("pivot", rows)
  if row_key == nil or col_key == nil or value_key == nil then
    fail("pivot", "row_key, col_key and value_key must all be given")
  end
  o = o or {}
  if type(o) ~= "table" then fail("pivot", "options must be a table, got %s", type(o)) end
  check_format("pivot", o.format, "format")
  check_format("pivot", o.row_format, "row_format")
  local function order(given, key)
    if given then return given end
    local out, seen = {}, {}
    for _, r in ipairs(rows) do
      local v = r[key]
      if v ~= nil and not seen[v] then seen[v] = true; out[#out + 1] = v end
    end
    return out
  end
  local row_order, col_order = order(o.row_order, row_key), order(o.col_order, col_key)
  local columns = {{row_key, o.row_label or tostring(row_key), o.row_format}}
  for _, c in ipairs(col_order) do
    if c == row_key then fail("pivot", "a column value equals row_key (%s)", tostring(row_key)) end
    columns[#columns + 1] = {c, (o.col_names and o.col_names[c]) or tostring(c), o.format}
  end
  local out = {}
  for _, rv in ipairs(row_order) do
    local line = {[row_key] = rv}
    for _, cv in ipairs(col_order) do
      local values = {}
      for _, r in ipairs(rows) do
        if r[row_key] == rv and r[col_key] == cv and r[value_key] ~= nil then values[#values + 1] = r[value_key] end
      end
      if #values > 0 then line[cv] = o.reduce and o.reduce(values) or values[#values] end
    end
    out[#out + 1] = line
  end
  return columns, out
end

---------------------------------------------------------------------------------------------
-- Text, Markdown, CSV
---------------------------------------------------------------------------------------------

local function width(s) return utf8.len(s) or #s end

local function pad(s, w, right)
  local n = width(s)
  if n >= w then return s end
  return right and (string.rep(" ", w - n) .. s) or (s .. string.rep(" ", w - n))
end

local function text(name, title, columns, rows)
  if title ~= nil and type(title) ~= "string" then fail(name, "title must be a string or nil, got %s", type(title)) end
  local cols = columns_of(name, columns)
  check_rows(name, rows)
  local cells, widths = {}, {}
  for i, c in ipairs(cols) do widths[i] = width(c.header) end
  for r, row in ipairs(rows) do
    cells[r] = {}
    for i, c in ipairs(cols) do
      local s = M.fmt(row[c.key], c.format)
      cells[r][i] = s
      widths[i] = math.max(widths[i], width(s))
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
  return table.concat(lines, "\n")
end

--- A plain-text table: an optional title line, the headers, a rule, one line per row; the
--- first column left-aligned, the others right-aligned; cells through moontable.fmt. No
--- newline at the end.
---@param title string|nil
---@param columns moontable.column[]
---@param rows moontable.row[]
---@return string
function M.text(title, columns, rows)
  return text("text", title, columns, rows)
end

--- Prints moontable.text and an empty line; returns the text.
---@param title string|nil
---@param columns moontable.column[]
---@param rows moontable.row[]
---@return string
function M.print(title, columns, rows)
  local s = text("print", title, columns, rows)
  print(s .. "\n")
  return s
end

local function markdown_cell(s)
  return (s:gsub("|", "\\|"):gsub("\r?\n", " "))
end

--- A Markdown (GitHub) table: a header line, |---|, one line per row, each ending in a
--- newline; cells through moontable.fmt, with | escaped and newlines made spaces.
---@param columns moontable.column[]
---@param rows moontable.row[]
---@return string
function M.markdown(columns, rows)
  local cols = columns_of("markdown", columns)
  check_rows("markdown", rows)
  local head, rule = {}, {}
  for i, c in ipairs(cols) do head[i] = markdown_cell(c.header); rule[i] = "---" end
  local lines = {"| " .. table.concat(head, " | ") .. " |", "|" .. table.concat(rule, "|") .. "|"}
  for _, row in ipairs(rows) do
    local line = {}
    for i, c in ipairs(cols) do line[i] = markdown_cell(M.fmt(row[c.key], c.format)) end
    lines[#lines + 1] = "| " .. table.concat(line, " | ") .. " |"
  end
  return table.concat(lines, "\n") .. "\n"
end

local function csv_cell(s)
  if s:find('[,"\r\n]') then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

---@class moontable.csv_options
---@field float? string the format of non-integer numbers without a column format (default: tostring, 14 digits)

local function csv_text(name, columns, rows, o)
  local cols = columns_of(name, columns)
  check_rows(name, rows)
  o = o or {}
  if type(o) ~= "table" then fail(name, "options must be a table, got %s", type(o)) end
  if o.float ~= nil and type(o.float) ~= "string" then fail(name, "float must be a format string, got %s", type(o.float)) end
  local lines, head = {}, {}
  for i, c in ipairs(cols) do head[i] = csv_cell(c.header) end
  lines[1] = table.concat(head, ",")
  for _, row in ipairs(rows) do
    local cells = {}
    for i, c in ipairs(cols) do
      local v = row[c.key]
      local s
      if v == nil then s = ""
      elseif c.format then s = M.fmt(v, c.format)
      elseif o.float and math.type(v) == "float" then s = o.float:format(v)
      else s = tostring(v) end
      cells[i] = csv_cell(s)
    end
    lines[#lines + 1] = table.concat(cells, ",")
  end
  return table.concat(lines, "\n") .. "\n"
end

--- CSV text (RFC 4180): the headers, then one record per row, each ending in a newline. A
--- missing value is an empty cell; a column's format applies when given; cells holding a
--- comma, quote or newline are quoted.
---@param columns moontable.column[]
---@param rows moontable.row[]
---@param o? moontable.csv_options
---@return string
function M.csv(columns, rows, o)
  return csv_text("csv", columns, rows, o)
end

local function write_file(name, path, content)
  if type(path) ~= "string" or path == "" then fail(name, "path must be a non-empty string, got %s", type(path)) end
  if type(content) ~= "string" then fail(name, "content must be a string, got %s", type(content)) end
  local tmp = path .. ".tmp"
  local f, err = io.open(tmp, "w")
  if not f then fail(name, "cannot write %s (%s)", path, err) end
  local ok, werr = f:write(content)
  local closed, cerr = f:close()
  if not ok or not closed then
    os.remove(tmp)
    fail(name, "cannot write %s (%s)", path, tostring(werr or cerr))
  end
  local renamed, rerr = os.rename(tmp, path)
  if not renamed then
    os.remove(tmp)
    fail(name, "cannot write %s (%s)", path, rerr)
  end
  return path
end

--- Writes text to a file whole or not at all: into path .. ".tmp" beside it, then renamed
--- over path (a reader never sees half a file; a failed write leaves the old file). Returns
--- the path.
---@param path string
---@param content string
---@return string path
function M.write(path, content)
  return write_file("write", path, content)
end

--- Writes moontable.csv's text to a file, whole or not at all (as moontable.write). Returns
--- the path.
---@param path string
---@param columns moontable.column[]
---@param rows moontable.row[]
---@param o? moontable.csv_options
---@return string path
function M.write_csv(path, columns, rows, o)
  if type(path) ~= "string" or path == "" then fail("write_csv", "path must be a non-empty string, got %s", type(path)) end
  return write_file("write_csv", path, csv_text("write_csv", columns, rows, o))
end

local function parse(name, s)
  local records, record, cell, i, n = {}, {}, {}, 1, #s
  local quoted = false
  local function end_cell() record[#record + 1] = table.concat(cell); cell = {} end
  local function end_record()
    end_cell()
    if #record > 1 or record[1] ~= "" or quoted then records[#records + 1] = record end
    record, quoted = {}, false
  end
  while i <= n do
    local ch = s:sub(i, i)
    if ch == '"' and #cell == 0 then
      quoted = true
      local j = i + 1
      while true do
        local q = s:find('"', j, true)
        if not q then fail(name, "unterminated quote in record %d", #records + 1) end
        cell[#cell + 1] = s:sub(j, q - 1)
        if s:sub(q + 1, q + 1) == '"' then cell[#cell + 1] = '"'; j = q + 2 else i = q + 1; break end
      end
    elseif ch == "," then end_cell(); i = i + 1
    elseif ch == "\n" or ch == "\r" then
      end_record()
      i = i + ((ch == "\r" and s:sub(i + 1, i + 1) == "\n") and 2 or 1)
    else
      local stop = s:find('[,\r\n]', i) or n + 1
      cell[#cell + 1] = s:sub(i, stop - 1)
      i = stop
    end
  end
  if #cell > 0 or #record > 0 or quoted then end_record() end
  local header = table.remove(records, 1) or {}
  local rows = {}
  for _, rec in ipairs(records) do
    local r = {}
    for k, field in ipairs(header) do
      if rec[k] ~= nil and rec[k] ~= "" then r[field] = rec[k] end
    end
    rows[#rows + 1] = r
  end
  return rows, header
end

--- Parses CSV text: the first record names the fields; each further record becomes a row
--- with its cells as strings under those names (empty cells absent). Quoted cells may hold
--- commas, doubled quotes and newlines; blank lines are skipped. Returns the rows and the
--- header.
---@param s string
---@return moontable.row[] rows
---@return string[] header
function M.parse_csv(s)
  if type(s) ~= "string" then fail("parse_csv", "expects a string, got %s", type(s)) end
  return parse("parse_csv", s)
end

--- Reads a CSV file with moontable.parse_csv. Returns the rows and the header.
---@param path string
---@return moontable.row[] rows
---@return string[] header
function M.read_csv(path)
  if type(path) ~= "string" then fail("read_csv", "path must be a string, got %s", type(path)) end
  local f, err = io.open(path, "rb")
  if not f then fail("read_csv", "cannot open %s", err) end
  local s = f:read("a")
  f:close()
  return parse("read_csv", s)
end

return M
