-- scripts/results_table.lua: the README's results table generated from stored headline
-- figures (a small fixture of two studies' runs) reproduces the committed table, and
-- --readme replaces exactly the marked block of a file.
local T = require "moontest"
local C = require "cli_support"
local describe, it, expect = T.describe, T.it, T.expect

local root = C.here() .. "/../.."
local fixtures = C.here() .. "/fixtures/results/"
local function read(path)
  local f = assert(io.open(path)); local s = f:read("a"); f:close(); return s
end

describe("the results table", function()
  it("is generated from headline figures: mean ± sd over seeds, the study's figure inside or outside", function()
    local out, err, code = C.run{root .. "/scripts/results_table.lua", fixtures .. "headline-a.csv", fixtures .. "headline-b.csv"}
    expect(code):to_be(0)
    expect(err):to_be("")
    expect(out):to_be(read(fixtures .. "expected.md"))
    -- by hand: (0.9931 + 0.9941) / 2 = 0.9936, sd = 0.000707; the study's 0.9935 lies inside
    expect(out):to_contain("| 99.36 % ± 0.07 (2) | 99.35 % | yes | 2.0 h |")
    -- mean 0.86120, sd 0.00140: the study's 0.8589 is 0.23 points lower, outside
    expect(out):to_contain("| 86.12 % ± 0.14 (3) | 85.89 % | no: study 0.23 pt lower |")
    expect(out):to_contain("Figures of 2026-12-07, commit abc1234, on Test CPU, 2 cores.")
  end)

  it("replaces the marked block of a README and nothing else", function()
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write("# title\n\nbefore\n<!-- results:begin -->\nstale table\n<!-- results:end -->\nafter\n")
    f:close()
    local out, _, code = C.run{root .. "/scripts/results_table.lua", "--readme", path, fixtures .. "headline-a.csv", fixtures .. "headline-b.csv"}
    expect(code):to_be(0)
    expect(out):to_contain("results table (4 rows) written into " .. path)
    expect(read(path)):to_be("# title\n\nbefore\n<!-- results:begin -->\n" .. read(fixtures .. "expected.md") .. "<!-- results:end -->\nafter\n")
    os.remove(path)
  end)

  it("in the README matches the committed results/ (regenerate: moonlab scripts/results_table.lua --readme README.md results/*.csv)", function()
    local p = io.popen("ls " .. C.quote(root) .. "/results/*.csv")
    local args = {root .. "/scripts/results_table.lua"}
    for line in p:lines() do args[#args + 1] = line end
    p:close()
    expect(#args > 1):to_be(true)
    local out, _, code = C.run(args)
    expect(code):to_be(0)
    local readme = read(root .. "/README.md")
    local block = readme:match("<!%-%- results:begin %-%->\n(.-)<!%-%- results:end %-%->")
    expect(block):to_be(out)
  end)
end)

T.finish()
