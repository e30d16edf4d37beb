-- stdlib/moontable.lua: every function against results worked out by hand.
local T = require "moontest"
local tab = require "moontable"
local describe, it, expect = T.describe, T.it, T.expect

local folder = os.tmpname()
os.remove(folder)
os.execute("mkdir -p '" .. folder .. "'")

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function exists(path) return read(path) ~= nil end

-- The error a call raises, and whether it names this file (error(..., 2): the caller's line).
local function failure(fn)
  local ok, err = pcall(fn)
  expect(ok):to_be(false)
  return tostring(err)
end
local this_file = debug.getinfo(1, "S").short_src

-- Three settings of a sweep, two of them over two seeds.
local RUNS = {
  {opt = "sgd", lr = 0.1, seed = 1, score = 0.50},
  {opt = "sgd", lr = 0.1, seed = 2, score = 0.60},
  {opt = "adam", lr = 0.1, seed = 1, score = 0.70},
  {opt = "adam", lr = 0.01, seed = 1, score = 0.90},
  {opt = "adam", lr = 0.01, seed = 2, score = 0.80},
}

describe("moontable rows", function()
  it("flattens a tune result's trials: id, score, status, seconds, error, config, extras", function()
    local rows = tab.rows{trials = {
      {id = 1, score = 0.5, status = "done", seconds = 2, config = {lr = 0.1}, extras = {val_loss = 0.7}},
      {id = 2, status = "failed", error = "boom", seconds = 1, config = {lr = 0.01}}}}
    expect(rows):to_equal({{id = 1, score = 0.5, status = "done", seconds = 2, lr = 0.1, val_loss = 0.7},
                           {id = 2, status = "failed", error = "boom", seconds = 1, lr = 0.01}})
  end)

  it("reads a real sweep's trials", function()
    local result = tune.grid{space = {units = {2, 3}}, verbose = false, storage = folder .. "/sweep.db",
      objective = function(c) return {score = c.units / 4, twice = 2 * c.units} end}
    local rows = tab.rows(result)
    expect(#rows):to_be(2)
    table.sort(rows, function(a, b) return a.units < b.units end)
    expect(rows[1].score):to_be(0.5)
    expect(rows[2].twice):to_be(6)
    expect(rows[2].status):to_be("done")
  end)

  it("filters by fields or by a function, keeping order", function()
    expect(#tab.filter(RUNS, {opt = "adam"})):to_be(3)
    expect(tab.filter(RUNS, {opt = "adam", lr = 0.01})[2].score):to_be(0.80)
    expect(#tab.filter(RUNS, {opt = "lbfgs"})):to_be(0)
    expect(#tab.filter(RUNS, {})):to_be(5)
    expect(#tab.filter(RUNS, function(r) return r.score > 0.65 end)):to_be(3)
  end)

  it("takes a column's values, skipping rows without it", function()
    expect(tab.column({{a = 1}, {b = 2}, {a = 3}}, "a")):to_equal({1, 3})
    expect(tab.column(RUNS, "seed")):to_equal({1, 2, 1, 1, 2})
  end)

  it("finds the best row by max or min; of ties, the first; rows without the key skipped", function()
    expect(tab.best(RUNS)):to_be(RUNS[4])                      -- score 0.90
    expect(tab.best(RUNS, "score", "min")):to_be(RUNS[1])      -- score 0.50
    local tied = {{k = "a", v = 2}, {k = "b"}, {k = "c", v = 3}, {k = "d", v = 3}, {k = "e", v = 1}, {k = "f", v = 1}}
    expect(tab.best(tied, "v").k):to_be("c")
    expect(tab.best(tied, "v", "min").k):to_be("e")
    expect(tab.best({}, "v")):to_be_nil()
    expect(tab.best({{k = 1}}, "v")):to_be_nil()
  end)
end)

describe("moontable mean ± sd", function()
  it("computes the mean and sample standard deviation", function()
    -- {1, 2, 3, 4}: mean 2.5; squares 2.25 + 0.25 + 0.25 + 2.25 = 5; sd = sqrt(5 / 3)
    local mean, sd, n = tab.spread{1, 2, 3, 4}
    expect(mean):to_be(2.5)
    expect(sd):to_be_close(math.sqrt(5 / 3), 1e-12)
    expect(n):to_be(4)
    expect(select(2, tab.spread{7})):to_be(0)
    local m0, s0, n0 = tab.spread{}
    expect(m0):to_be_nil(); expect(s0):to_be_nil(); expect(n0):to_be(0)
  end)

  it("groups rows over seeds in order of first appearance", function()
    local groups = tab.group(RUNS, {"opt", "lr"}, "score")
    expect(#groups):to_be(3)
    expect(groups[1].opt):to_be("sgd"); expect(groups[1].lr):to_be(0.1)
    expect(groups[1].values):to_equal({0.50, 0.60})
    expect(groups[1].mean):to_be_close(0.55, 1e-12)
    expect(groups[1].sd):to_be_close(math.sqrt(0.005), 1e-12)    -- (0.05² + 0.05²) / 1
    expect(groups[1].n):to_be(2)
    expect(groups[2].n):to_be(1); expect(groups[2].sd):to_be(0)
    expect(groups[3].mean):to_be_close(0.85, 1e-12)
    expect(#groups[3].rows):to_be(2)
    expect(groups[3].rows[1]):to_be(RUNS[4])
    local by_opt = tab.group(RUNS, "opt")
    expect(#by_opt):to_be(2)
    expect(by_opt[2].opt):to_be("adam")
    expect(by_opt[2].values):to_be_nil()
    -- a missing field is a value of its own; 1 and "1" are different values
    expect(#tab.group({{a = 1}, {a = "1"}, {}, {b = 2}}, "a")):to_be(3)
  end)

  it("writes mean ± sd (n) cells", function()
    -- (0.9931 + 0.9941) / 2 = 0.9936; sd = 0.001 / sqrt(2) = 0.000707
    expect(tab.mean_sd({0.9931, 0.9941}, {scale = 100})):to_be("99.36 ± 0.07 (2)")
    expect(tab.mean_sd({0.9931}, {scale = 100})):to_be("99.31 (1)")
    expect(tab.mean_sd({})):to_be("-")
    expect(tab.mean_sd({5.25, 5.75}, {format = "%.3g", sd_format = "%.2g"})):to_be("5.5 ± 0.35 (2)")
  end)

  it("puts a reference beside: inside mean ± max(sd, tolerance), or how far ours misses it", function()
    expect(tab.beside({0.9931, 0.9941}, 99.35, {scale = 100})):to_be("99.36 ± 0.07 (2) in")
    -- mean 86.12, the reference 85.89: ours 0.23 higher, outside sd 0.14
    expect(tab.beside({0.8598, 0.8612, 0.8626}, 85.89, {scale = 100})):to_be("86.12 ± 0.14 (3) +0.23")
    expect(tab.beside({0.8598, 0.8612, 0.8626}, 86.50, {scale = 100})):to_be("86.12 ± 0.14 (3) -0.38")
    -- one value: sd 0, so only the tolerance makes room
    expect(tab.beside({0.9840}, 98.37, {scale = 100})):to_be("98.40 (1) +0.03")
    expect(tab.beside({0.9840}, 98.37, {scale = 100, tolerance = 0.05})):to_be("98.40 (1) in")
    expect(tab.beside({0.9840}, nil, {scale = 100})):to_be("98.40 (1)")
    expect(tab.beside({}, 98.37)):to_be("-")
    expect(select("#", tab.beside({0.9931}, 99))):to_be(1)
    expect(tab.beside({0.86, 0.87}, 80, {scale = 100, format = "%.1f", gap_format = "(%+.1f)"})):to_be("86.5 ± 0.7 (2) (+6.5)")
    local c = tab.compare({0.9931, 0.9941}, 99.35, {scale = 100})
    expect(c.n):to_be(2)
    expect(c.inside):to_be(true)
    expect(c.mean):to_be_close(99.36, 1e-9)
    expect(c.gap):to_be_close(-0.01, 1e-9)
  end)

  it("compares a reference with mean ± sd", function()
    local c = tab.compare({1, 2, 3, 4}, 4)
    expect(c.mean):to_be(2.5)
    expect(c.gap):to_be(1.5)
    expect(c.inside):to_be(false)                         -- 1.5 > sd 1.29
    expect(tab.compare({1, 2, 3, 4}, 3.7).inside):to_be(true)
    expect(tab.compare({1, 2, 3, 4}, 4, {tolerance = 2}).inside):to_be(true)
    expect(tab.compare({1, 2, 3, 4}).gap):to_be_nil()
    expect(tab.compare({}, 1)):to_be_nil()
  end)
end)

describe("moontable cells and pivots", function()
  it("formats cells", function()
    expect(tab.fmt(nil)):to_be("-")
    expect(tab.fmt(0.87504)):to_be("0.8750")
    expect(tab.fmt(1e-4)):to_be("0.0001")
    expect(tab.fmt(1e-6)):to_be("1e-06")
    expect(tab.fmt(0.0)):to_be("0.0000")
    expect(tab.fmt(12)):to_be("12")
    expect(tab.fmt(12.34)):to_be("12.3")
    expect(tab.fmt("relu")):to_be("relu")
    expect(tab.fmt(true)):to_be("true")
    expect(tab.fmt(0.5, "%.1f")):to_be("0.5")
    expect(tab.fmt(0.5, function(v) return v * 2 end)):to_be("1.0")
    expect(tab.pct(0.99351)):to_be("99.35")
    expect(tab.g(0.0001)):to_be("0.0001")
    expect(tab.g(1e-06)):to_be("1e-06")
    expect(tab.g("x")):to_be("x")
  end)

  it("pivots rows into one line per row value and one column per column value", function()
    local columns, rows = tab.pivot(RUNS, "opt", "lr", "score", {reduce = function(v) return (tab.spread(v)) end})
    expect(columns):to_equal({{"opt", "opt"}, {0.1, "0.1"}, {0.01, "0.01"}})
    expect(#rows):to_be(2)
    expect(rows[1].opt):to_be("sgd")
    expect(rows[1][0.1]):to_be_close(0.55, 1e-12)
    expect(rows[1][0.01]):to_be_nil()
    expect(rows[2][0.1]):to_be(0.70)
    expect(rows[2][0.01]):to_be_close(0.85, 1e-12)
    -- without reduce, a cell takes the last row's value
    local _, last = tab.pivot(RUNS, "opt", "lr", "score")
    expect(last[1][0.1]):to_be(0.60)
  end)

  it("orders, names and formats a pivot's lines and columns", function()
    local columns, rows = tab.pivot(RUNS, "lr", "opt", "score", {row_order = {0.01, 0.1, 1}, col_order = {"adam", "sgd"},
      row_label = "rate", col_names = {sgd = "SGD"}, format = "%.2f", row_format = tab.g})
    expect(tab.text("Scores", columns, rows)):to_be(table.concat({
      "Scores",
      "rate  adam   SGD",
      "----  ----  ----",
      "0.01  0.80     -",
      "0.1   0.70  0.60",
      "1        -     -"}, "\n"))
    expect(select(2, tab.pivot({}, "a", "b", "c"))):to_equal({})
  end)
end)

describe("moontable text, Markdown and CSV", function()
  local COLUMNS = {{"name", "model"}, {"acc", "accuracy"}, {"note", "note", function(v) return v:upper() end}}
  local ROWS = {{name = "mlp", acc = 0.9, note = "a|b"}, {name = "cnn-long", acc = 0.95}}

  it("aligns plain text: first column left, the others right; UTF-8 counted as characters", function()
    expect(tab.text("T", COLUMNS, ROWS)):to_be(table.concat({
      "T",
      "model     accuracy  note",
      "--------  --------  ----",
      "mlp         0.9000   A|B",
      "cnn-long    0.9500     -"}, "\n"))
    expect(tab.text(nil, {"k", {"v", "mean ± sd"}}, {{k = "é", v = "1 ± 2"}})):to_be(table.concat({
      "k  mean ± sd",
      "-  ---------",
      "é      1 ± 2"}, "\n"))
  end)

  it("prints the text and an empty line, and returns the text", function()
    local shown = {}
    local saved = print
    print = function(s) shown[#shown + 1] = s end
    local ok, text = pcall(tab.print, nil, {"a"}, {{a = 1}})
    print = saved
    expect(ok):to_be(true)
    expect(text):to_be("a\n-\n1")
    expect(shown):to_equal({"a\n-\n1\n"})
  end)

  it("writes Markdown with | escaped and a newline after each line", function()
    expect(tab.markdown(COLUMNS, ROWS)):to_be(
      "| model | accuracy | note |\n" ..
      "|---|---|---|\n" ..
      "| mlp | 0.9000 | A\\|B |\n" ..
      "| cnn-long | 0.9500 | - |\n")
    expect(tab.markdown({"a"}, {{a = "two\nlines"}})):to_be("| a |\n|---|\n| two lines |\n")
  end)

  it("writes CSV: raw values, empty cells for nil, quotes where needed", function()
    local rows = {{name = "mlp, small", acc = 0.9, n = 3}, {name = 'say "hi"', n = 4}, {name = "two\nlines", acc = 1 / 3}}
    expect(tab.csv({"name", "acc", "n"}, rows)):to_be(
      "name,acc,n\n" ..
      '"mlp, small",0.9,3\n' ..
      '"say ""hi""",,4\n' ..
      '"two\nlines",0.33333333333333,\n')
    expect(tab.csv({{"acc", "accuracy"}, "n"}, rows, {float = "%.3g"})):to_be("accuracy,n\n0.9,3\n,4\n0.333,\n")
    expect(tab.csv({{"acc", "acc %", tab.pct}}, rows)):to_be("acc %\n90.00\n\n33.33\n")
  end)

  it("parses CSV back: quoted commas, quotes and newlines, CRLF, blank lines", function()
    local rows, header = tab.parse_csv('name,acc,n\r\n"mlp, small",0.9,3\r\n\r\n"say ""hi""",,4\n"two\nlines",x,\n')
    expect(header):to_equal({"name", "acc", "n"})
    expect(rows):to_equal({{name = "mlp, small", acc = "0.9", n = "3"}, {name = 'say "hi"', n = "4"},
                           {name = "two\nlines", acc = "x"}})
    expect(select(1, tab.parse_csv("a,b"))):to_equal({})
    expect(select(1, tab.parse_csv("a\n1"))):to_equal({{a = "1"}})
    expect(select(1, tab.parse_csv('a\n""'))):to_equal({{}})
    expect(select(2, tab.parse_csv(""))):to_equal({})
  end)

  it("writes files whole: through a .tmp file renamed into place", function()
    local path = folder .. "/scores.csv"
    expect(tab.write_csv(path, {"name", "acc"}, {{name = "mlp", acc = 0.5}})):to_be(path)
    expect(read(path)):to_be("name,acc\nmlp,0.5\n")
    expect(exists(path .. ".tmp")):to_be(false)
    local rows = tab.read_csv(path)
    expect(rows):to_equal({{name = "mlp", acc = "0.5"}})
    expect(tab.write(folder .. "/note.md", "# hi\n")):to_be(folder .. "/note.md")
    expect(read(folder .. "/note.md")):to_be("# hi\n")
    -- a folder in the way: the rename fails, the folder stays, no .tmp is left behind
    local dir = folder .. "/in_the_way"
    os.execute("mkdir -p '" .. dir .. "/sub'")
    expect(failure(function() tab.write(dir, "text") end)):to_contain("moontable.write: cannot write " .. dir)
    expect(exists(dir .. ".tmp")):to_be(false)
    expect(os.rename(dir .. "/sub", dir .. "/sub")):to_be(true)
    -- no folder to write in: nothing created
    local missing = folder .. "/no/such/x.csv"
    expect(failure(function() tab.write_csv(missing, {"a"}, {}) end)):to_contain("moontable.write_csv: cannot write " .. missing)
  end)
end)

describe("moontable bad arguments", function()
  it("are errors that name the function, raised at the caller's line", function()
    local err = failure(function() tab.best(5) end)
    expect(err):to_contain(this_file .. ":")
    expect(err):to_contain("moontable.best: rows must be a list of rows, got number")
    expect(failure(function() tab.text(nil, {"a"}, {{a = 1}, 7}) end)):to_contain(this_file .. ":")
    expect(failure(function() tab.markdown({"a"}, {{a = 1}, 7}) end)):to_contain("moontable.markdown: rows[2] must be a table, got number")
  end)

  it("are refused with clear messages", function()
    local cases = {
      {function() tab.rows({}) end, "moontable.rows: expects a tune result (a table with trials), got table"},
      {function() tab.filter(RUNS, "adam") end, "moontable.filter: where must be a table of field = value or a function, got string"},
      {function() tab.column(RUNS) end, "moontable.column: key must not be nil"},
      {function() tab.best(RUNS, "score", "largest") end, 'moontable.best: how must be "max" or "min", got largest'},
      {function() tab.spread({1, "2"}) end, "moontable.spread: values[2] must be a number, got string"},
      {function() tab.group(RUNS) end, "moontable.group: by must be a field or a list of fields"},
      {function() tab.group(RUNS, {}) end, "moontable.group: by must name at least one field"},
      {function() tab.group(RUNS, "opt", "opt") end, "moontable.group: field opt must hold numbers, got string"},
      {function() tab.mean_sd("0.5") end, "moontable.mean_sd: values must be a list of numbers, got string"},
      {function() tab.beside({1}, "99") end, "moontable.beside: reference must be a number or nil, got string"},
      {function() tab.compare({1}, {}) end, "moontable.compare: reference must be a number or nil, got table"},
      {function() tab.fmt(1, 3) end, "moontable.fmt: how must be a format string or a function, got number"},
      {function() tab.pct("x") end, "moontable.pct: expects a number, got string"},
      {function() tab.pivot(RUNS, "opt", "lr") end, "moontable.pivot: row_key, col_key and value_key must all be given"},
      {function() tab.pivot({{a = "a", b = "a", c = 1}}, "a", "b", "c") end, "moontable.pivot: a column value equals row_key (a)"},
      {function() tab.text(nil, {}, {}) end, "moontable.text: columns must be a non-empty list of keys or {key, header, format}, got an empty table"},
      {function() tab.text(3, {"a"}, {}) end, "moontable.text: title must be a string or nil, got number"},
      {function() tab.print(nil, {{}}, {}) end, "moontable.print: columns[1] has no key (its first entry)"},
      {function() tab.markdown({{"a", 1}}, {}) end, "moontable.markdown: columns[1]'s header must be a string"},
      {function() tab.csv({{"a", "A", 5}}, {}) end, "moontable.csv: columns[1]'s format must be a format string or a function, got number"},
      {function() tab.csv({"a"}, {}, {float = 3}) end, "moontable.csv: float must be a format string, got number"},
      {function() tab.write_csv(nil, {"a"}, {}) end, "moontable.write_csv: path must be a non-empty string, got nil"},
      {function() tab.write_csv(folder .. "/x.csv", "a", {}) end, "moontable.write_csv: columns must be a non-empty list"},
      {function() tab.write("", "x") end, "moontable.write: path must be a non-empty string, got string"},
      {function() tab.write(folder .. "/y", 5) end, "moontable.write: content must be a string, got number"},
      {function() tab.parse_csv(nil) end, "moontable.parse_csv: expects a string, got nil"},
      {function() tab.parse_csv('a\n"open') end, "moontable.parse_csv: unterminated quote in record 2"},
      {function() tab.read_csv(folder .. "/absent.csv") end, "moontable.read_csv: cannot open " .. folder .. "/absent.csv"},
    }
    for _, case in ipairs(cases) do
      local err = failure(case[1])
      expect(err):to_contain(case[2])
      expect(err):to_contain(this_file .. ":")
    end
    expect(exists(folder .. "/x.csv")):to_be(false)
  end)
end)

os.execute("rm -rf '" .. folder .. "'")
T.finish()
