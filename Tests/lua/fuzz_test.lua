-- The fuzzers: every function of every module and every method of every object type called
-- with generated arguments (fuzz/api_driver.lua), and damaged files of every format moonlab
-- reads (fuzz/file_driver.lua), in batches, each batch a child process so a crash or a hang is
-- caught and named. Seeded and bounded: the default run takes about a minute;
-- MOONLAB_FUZZ_SCALE=N runs N times as many batches, MOONLAB_FUZZ_SEED=S starts elsewhere.
local T = require "moontest"
local C = require "cli_support"
local describe, it, expect = T.describe, T.it, T.expect

local scale = tonumber(os.getenv("MOONLAB_FUZZ_SCALE") or "1")
local base = tonumber(os.getenv("MOONLAB_FUZZ_SEED") or "1")
local here = C.absolute(C.here())
local dir = C.tempdir()

-- Runs one batch; returns its exit code, output and the last target it reached.
local function batch(driver, seed, n, extra)
  local work = ("%s/%s-%d"):format(dir, driver, seed)
  assert(os.execute("mkdir -p " .. C.quote(work)))
  local progress = work .. ".progress"
  local command = ("cd %s && MOONLAB_PATH=%s MOONLAB_MEMORY_LIMIT=256M MOONLAB_HISTORY= timeout 120 %s %s %d %d %s %s > %s 2>&1"):format(
    C.quote(work), C.quote(here), C.quote(C.binary()), C.quote(here .. "/fuzz/" .. driver .. ".lua"), seed, n,
    C.quote(progress), extra and C.quote(work) or "", C.quote(work .. ".out"))
  local _, how, code = os.execute(command)
  if how == "signal" then code = 128 + code end
  return code, C.read(work .. ".out") or "", (C.read(progress) or ""):match("^(.-)%s*$")
end

local function run(driver, batches, n, extra)
  local crashes, hangs, total, errors, first = 0, 0, 0, 0, nil
  local functions
  for b = 1, batches do
    local seed = base * 1000 + b
    local code, out, last = batch(driver, seed, n, extra)
    local calls, errs, rest = out:match("(%d+) errors (%d+)(.*)\n?$")
    if code == 0 and calls then
      total, errors = total + tonumber(calls), errors + tonumber(errs)
      functions = rest:match("functions (%d+)") or functions
    elseif code == 124 then
      hangs = hangs + 1
      first = first or ("hang in seed %d at %s"):format(seed, last)
    else
      crashes = crashes + 1
      first = first or ("crash (exit %d) in seed %d at %s:\n%s"):format(code, seed, last, out:sub(1, 2000))
    end
  end
  return {calls = total, errors = errors, crashes = crashes, hangs = hangs, first = first, functions = functions}
end

describe("fuzzing", function()
  it("calls every function and method with generated arguments: no crash, no hang", function()
    local r = run("api_driver", 12 * scale, 1000, false)
    print(("api fuzz: %d calls (%d raised errors) over %s functions and methods, %d crashes, %d hangs"):format(
      r.calls, r.errors, r.functions or "?", r.crashes, r.hangs))
    if r.first then print(r.first) end
    expect(r.crashes):to_be(0)
    expect(r.hangs):to_be(0)
    expect(r.calls):to_be(12 * scale * 1000)
  end)

  it("reads damaged files of every format: no crash, no hang", function()
    local r = run("file_driver", 6 * scale, 150, true)
    print(("file fuzz: %d damaged files (%d refused with an error), %d crashes, %d hangs"):format(
      r.calls, r.errors, r.crashes, r.hangs))
    if r.first then print(r.first) end
    expect(r.crashes):to_be(0)
    expect(r.hangs):to_be(0)
    expect(r.calls):to_be(6 * scale * 150)
  end)
end)

os.execute("rm -rf " .. C.quote(dir))
T.finish()
