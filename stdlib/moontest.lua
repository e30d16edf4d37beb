--- moontest: a small test library for moonlab's Lua tests.
--
--   local T = require "moontest"
--   local describe, it, expect = T.describe, T.it, T.expect
--
--   describe("tensor.zeros", function()
--     it("makes zeros", function()
--       expect(tensor.zeros{2}:sum():item()):to_be(0)
--       expect({1, {2}}):to_equal({1, {2}})
--       expect(0.1 + 0.2):to_be_close(0.3, 1e-9)
--       expect(function() error("bad size") end):to_fail_with("bad size")
--       expect(nil).never:to_be_truthy()
--     end)
--   end)
--
--   T.finish()   -- prints the summary; exits with status 1 if anything failed
--
-- Tests run as they are declared. A failing expectation stops its `it` and is reported with
-- the file and line of the `expect`. If a file forgets `finish`, the summary still prints
-- when the interpreter closes, and a failure still makes the exit status 1.

local M = {}

local passed, failed, failures = 0, 0, {}
local scope = {}          -- names of the enclosing `describe` blocks
local finished = false

local function full_name(name)
  local parts = {}
  for _, s in ipairs(scope) do parts[#parts + 1] = s end
  parts[#parts + 1] = name
  return table.concat(parts, " ")
end

--- Groups tests under a name; groups nest.
function M.describe(name, body)
  scope[#scope + 1] = name
  local ok, err = xpcall(body, debug.traceback)
  scope[#scope] = nil
  if not ok then
    failed = failed + 1
    failures[#failures + 1] = { name = full_name(name) .. " (in describe)", message = tostring(err) }
    io.write("  FAIL ", full_name(name), " (error in describe)\n    ", tostring(err), "\n")
  end
end

--- Runs one test now; an error or a failed expectation fails it.
function M.it(name, body)
  local title = full_name(name)
  local ok, err = xpcall(body, function(e)
    if type(e) == "table" and e.moontest then return e end
    return { message = tostring(e), trace = debug.traceback("", 2) }
  end)
  if ok then
    passed = passed + 1
    if os.getenv("MOONTEST_VERBOSE") then io.write("  ok   ", title, "\n") end
  else
    failed = failed + 1
    failures[#failures + 1] = { name = title, message = err.message }
    io.write("  FAIL ", title, "\n    ", err.message, "\n")
    if err.trace and os.getenv("MOONTEST_VERBOSE") then io.write(err.trace, "\n") end
  end
end

-- Deep equality: same type; tables equal key by key (both ways), cycle-safe.
local function deep_equal(a, b, seen)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  seen = seen or {}
  if seen[a] == b then return true end
  seen[a] = b
  for k, v in pairs(a) do
    if not deep_equal(v, rawget(b, k), seen) then return false end
  end
  for k in pairs(b) do
    if rawget(a, k) == nil then return false end
  end
  return true
end
M.deep_equal = deep_equal

local function show(v, depth)
  depth = depth or 0
  if type(v) == "string" then return (string.format("%q", v):gsub("\\\n", "\\n")) end
  if type(v) ~= "table" or depth > 3 then return tostring(v) end
  local mt = getmetatable(v)
  if mt and mt.__tostring then return tostring(v) end
  local parts, n = {}, #v
  for i = 1, n do parts[#parts + 1] = show(v[i], depth + 1) end
  local keys = {}
  for k in pairs(v) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(x, y) return tostring(x) < tostring(y) end)
  for _, k in ipairs(keys) do
    local name = type(k) == "string" and k:match("^[%a_][%w_]*$") and k or "[" .. show(k, depth + 1) .. "]"
    parts[#parts + 1] = name .. " = " .. show(v[k], depth + 1)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end
M.show = show

-- An expectation: `expect(x):matcher(...)`; `expect(x).never:matcher(...)` negates.
local Expectation = {}
Expectation.__index = Expectation

function M.expect(value)
  local e = setmetatable({ value = value, negated = false }, Expectation)
  return e
end

-- `.never` flips the expectation.
function Expectation.__index(e, key)
  if key == "never" then
    return setmetatable({ value = rawget(e, "value"), negated = not rawget(e, "negated") }, Expectation)
  end
  return Expectation[key]
end

-- Fails the running test at the caller of the matcher (the line with `expect`); matchers
-- must not tail-call it, or that line's frame is gone.
local function check(e, ok, description)
  if e.negated then ok = not ok end
  if ok then return e end
  local info = debug.getinfo(3, "Sl")
  local where = info and (info.short_src .. ":" .. info.currentline .. ": ") or ""
  error({ moontest = true, message = where .. "expected " .. (e.negated and "not " or "") .. description }, 0)
end

function Expectation:to_be(expected)
  check(self, self.value == expected,
    show(self.value) .. " to be " .. show(expected))
  return self
end

function Expectation:to_equal(expected)
  check(self, deep_equal(self.value, expected),
    show(self.value) .. " to equal " .. show(expected))
  return self
end

function Expectation:to_be_close(expected, tolerance)
  tolerance = tolerance or 1e-6
  local v = self.value
  local ok = type(v) == "number" and type(expected) == "number" and math.abs(v - expected) <= tolerance
  check(self, ok, show(v) .. " to be within " .. tolerance .. " of " .. show(expected))
  return self
end

function Expectation:to_be_truthy()
  check(self, self.value and true or false, show(self.value) .. " to be truthy")
  return self
end

function Expectation:to_be_falsy()
  check(self, not self.value, show(self.value) .. " to be falsy")
  return self
end

function Expectation:to_be_nil()
  check(self, self.value == nil, show(self.value) .. " to be nil")
  return self
end

--- `expect(x):to_be_a("table")`: the Lua type (or `math.type` for "integer"/"float").
function Expectation:to_be_a(typename)
  local v = self.value
  local ok = type(v) == typename or (type(v) == "number" and math.type(v) == typename)
  check(self, ok, show(v) .. " (a " .. type(v) .. ") to be a " .. typename)
  return self
end

--- A string containing `part` (plain text), or a table holding the value `part`.
function Expectation:to_contain(part)
  local v, ok = self.value, false
  if type(v) == "string" and type(part) == "string" then
    ok = v:find(part, 1, true) ~= nil
  elseif type(v) == "table" then
    for _, x in pairs(v) do if deep_equal(x, part) then ok = true break end end
  end
  check(self, ok, show(v) .. " to contain " .. show(part))
  return self
end

function Expectation:to_match(pattern)
  local v = self.value
  check(self, type(v) == "string" and v:match(pattern) ~= nil,
    show(v) .. " to match pattern " .. show(pattern))
  return self
end

function Expectation:to_be_greater_than(n)
  check(self, type(self.value) == "number" and self.value > n, show(self.value) .. " to be greater than " .. show(n))
  return self
end

function Expectation:to_be_less_than(n)
  check(self, type(self.value) == "number" and self.value < n, show(self.value) .. " to be less than " .. show(n))
  return self
end

--- The value is a function that raises an error whose message contains `part` (plain text).
function Expectation:to_fail_with(part)
  local f = self.value
  if type(f) ~= "function" then
    error({ moontest = true, message = "expected a function to call, got " .. show(f) }, 0)
  end
  local ok, err = pcall(f)
  local message = tostring(err)
  if ok then
    check(self, false, "the function to fail with " .. show(part) .. ", but it returned")
  else
    check(self, part == nil or message:find(part, 1, true) ~= nil,
      "the function to fail with " .. show(part) .. ", got " .. show(message))
  end
  return self
end

--- Counts so far: passed, failed.
function M.counts() return passed, failed end

--- Prints the summary; exits with status 1 if any test failed (unless `keep_running`).
function M.finish(keep_running)
  finished = true
  local total = passed + failed
  io.write(string.format("%d test%s, %d passed, %d failed\n", total, total == 1 and "" or "s", passed, failed))
  io.stdout:flush()
  if failed > 0 and not keep_running then os.exit(1, false) end
  return failed == 0
end

-- A file that never calls finish still reports, when the interpreter closes.
M._sentinel = setmetatable({}, { __gc = function()
  if not finished and passed + failed > 0 then M.finish() end
end })

return M
