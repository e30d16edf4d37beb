-- Every study script in examples/ run end to end in its smoke mode (a few hundred images, one
-- epoch): it exits cleanly, prints its assumptions, writes its figures and headline CSVs, and
-- the results table is generated from those CSVs. mlp_lab and dense_regularization run with
-- worker processes, the others in-process, so both paths of their sweeps are exercised; with
-- workers, what follows a sweep (its report=) must not run again in the workers of later sweeps.
local T = require "moontest"
local C = require "cli_support"
local describe, it, expect = T.describe, T.it, T.expect

local root = C.root()
local dir = C.tempdir()

local RUNS = {
  {"mlp_lab", {"--workers", "2"}, {"headline-003_mlp_lab.csv"}},
  {"dense_regularization", {"--workers", "2"}, {"headline-001_dense_regularization.csv", "misclassified.png"},
   "Unregularized 1024-512 network"},
  {"design_choices", {"--workers", "0"}, {"headline-000_design_choices.csv"}},
  {"permutation_and_clock", {"--workers", "0"}, {"headline-004_permutation.csv", "headline-004_tell_the_time.csv", "clock_faces.png"}},
  {"fashion_hyperparameters", {"--workers", "0"}, {"corr_resnet18.svg", "loss_arch.svg", "headline-002_fashion_mnist_hyperparameters.csv"}},
}

describe("examples in smoke mode", function()
  for _, run in ipairs(RUNS) do
    local name, options, files, report_text = run[1], run[2], run[3], run[4]
    it(name .. " runs end to end", function()
      local args = {root .. "examples/" .. name .. ".lua", "--smoke", "--out", dir .. "/" .. name}
      for _, o in ipairs(options) do args[#args + 1] = o end
      local out, err, code = C.run(args, {cwd = dir})
      if code ~= 0 then print(out, err) end
      expect(code):to_be(0)
      expect(out):to_contain("Assumptions (settings the study does not state, chosen here):")
      expect(out):to_contain("== " .. name .. " (smoke run) finished in ")
      for _, f in ipairs(files) do
        expect(C.read(dir .. "/" .. name .. "/" .. f) ~= nil):to_be(true)
      end
      if report_text then
        -- The first sweep's report ran once, in the main process, not in the final sweep's workers.
        local count, at = 0, 1
        while true do
          local i = out:find(report_text, at, true)
          if not i then break end
          count, at = count + 1, i + 1
        end
        expect(count):to_be(1)
        local p = io.popen("cat " .. C.quote(dir .. "/" .. name) .. "/sweeps-*.logs/final-*.log")
        local logs = p:read("a")
        p:close()
        expect(#logs > 0):to_be(true)
        expect(logs:find(report_text, 1, true)):to_be(nil)
      end
    end)
  end

  it("each script, run again with --report, trains nothing and writes the same headline figures", function()
    for _, run in ipairs(RUNS) do
      local name, options, files = run[1], run[2], run[3]
      local before = {}
      for _, f in ipairs(files) do
        if f:match("^headline%-") then before[f] = C.read(dir .. "/" .. name .. "/" .. f) end
      end
      local args = {root .. "examples/" .. name .. ".lua", "--smoke", "--report", "--out", dir .. "/" .. name}
      for _, o in ipairs(options) do args[#args + 1] = o end
      local out, err, code = C.run(args, {cwd = dir})
      if code ~= 0 then print(out, err) end
      expect(code):to_be(0)
      expect(out:find("%(%d+ epochs?, %d+ s%)")):to_be(nil)   -- no moonstudy.run trained
      for f, text in pairs(before) do
        expect(C.read(dir .. "/" .. name .. "/" .. f)):to_be(text)
      end
    end
  end)

  it("the results table is generated from the runs' headline CSVs", function()
    local p = io.popen("ls " .. C.quote(dir) .. "/*/headline-*.csv")
    local csvs = {}
    for line in p:lines() do csvs[#csvs + 1] = line end
    p:close()
    expect(#csvs):to_be(6)
    local args = {root .. "scripts/results_table.lua"}
    for _, f in ipairs(csvs) do args[#args + 1] = f end
    local out, _, code = C.run(args)
    expect(code):to_be(0)
    expect(out):to_contain("| 000 design choices | ccpdnff (SGD) test accuracy | MNIST | ")
    expect(out):to_contain("`moonlab examples/mlp_lab.lua --only headline --seeds 1 --smoke`")
    expect(out):to_match("| 003 MLP lab | [^|]+ | Fashion%-MNIST | [%d.]+ %% ± [%d.]+ %(5%) |")
  end)
end)

os.execute("rm -rf " .. C.quote(dir))
T.finish()
