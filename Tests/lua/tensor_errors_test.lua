-- Hundreds of malformed calls: each must end in a Lua error with a message (or succeed),
-- and the process must survive every one.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

local bad_values = {
  {"nil", nil}, {"string", "x"}, {"empty table", {}}, {"ragged table", {1, {2}}},
  {"negative", -1}, {"zero", 0}, {"huge", 1e300}, {"nan", 0 / 0}, {"fraction", 1.5},
  {"function", print}, {"empty tensor", tensor.zeros{0}}, {"4-d tensor", tensor.zeros{1, 2, 1, 2}},
  {"table of strings", {"a", "b"}}, {"boolean", true},
}

-- A message names the call as "name: ..." or, for a bad argument, as Lua does:
-- "bad argument #1 to 'name' (...)"; called through pcall, a method is named with its
-- class ("to 'tensor:name'").
local function names_call(msg, name)
  if type(msg) ~= "string" or #msg == 0 then return false end
  local bare = name:gsub(":$", "")
  return msg:find(name, 1, true) ~= nil or msg:find("to '" .. bare .. "'", 1, true) ~= nil
    or msg:find("to 'tensor:" .. bare .. "'", 1, true) ~= nil
end

describe("malformed calls", function()
  local x = tensor.from{{1, 2, 3}, {4, 5, 6}}
  local methods = getmetatable(x).__methods
  local names = {}
  for name in pairs(methods) do names[#names + 1] = name end
  table.sort(names)

  it("every method survives bad arguments with a message naming it", function()
    local calls, failures, unnamed = 0, 0, {}
    for _, name in ipairs(names) do
      for _, bad in ipairs(bad_values) do
        for _, shape in ipairs({"first", "second"}) do
          local ok, msg
          local fresh = tensor.from{{1, 2, 3}, {4, 5, 6}}   -- in-place methods may change it
          if shape == "first" then
            ok, msg = pcall(methods[name], fresh, bad[2])
          else
            ok, msg = pcall(methods[name], fresh, 1, bad[2])
          end
          calls = calls + 1
          if not ok then
            failures = failures + 1
            if not names_call(msg, name .. ":") then
              unnamed[#unnamed + 1] = name .. "(" .. bad[1] .. "): " .. tostring(msg)
            end
          end
        end
      end
      -- Called on something that is not a tensor at all.
      local ok, msg = pcall(methods[name], "not a tensor")
      calls = calls + 1
      expect(ok):to_be(false)
      expect(names_call(msg, "tensor")):to_be(true)
    end
    expect(calls > 300):to_be(true)
    expect(failures > 200):to_be(true)
    expect(table.concat(unnamed, "\n")):to_be("")
  end)

  it("module functions survive bad arguments", function()
    local calls = 0
    for name, f in pairs(tensor) do
      if type(f) == "function" and name ~= "no_grad" then
        for _, a in ipairs(bad_values) do
          for _, b in ipairs({bad_values[1], bad_values[5], bad_values[11]}) do
            local ok, msg = pcall(f, a[2], b[2])
            calls = calls + 1
            if not ok then
              expect(type(msg)):to_be("string")
              expect(#msg > 0):to_be(true)
            end
          end
        end
      end
    end
    expect(calls > 100):to_be(true)
  end)

  it("metamethods survive bad operands", function()
    for _, bad in ipairs(bad_values) do
      for _, op in ipairs({
        function() return x + bad[2] end, function() return bad[2] * x end,
        function() return x / bad[2] end, function() return x[bad[2]] end,
        function() x[bad[2]] = 1 end, function() return x ^ bad[2] end,
      }) do
        local ok, msg = pcall(op)
        if not ok then expect(type(msg)):to_be("string") end
      end
    end
  end)

  it("gives the messages API.md promises", function()
    expect(function() x:matmul(tensor.zeros{4, 5}) end):to_fail_with("matmul: shapes {2,3} and {4,5} do not fit")
    expect(function() x:sum(3) end):to_fail_with("dim 3 out of range")
    expect(function() x:narrow(2, 3, 2) end):to_fail_with("out of range")
    expect(function() tensor.zeros{1e7, 1e7} end):to_fail_with("cannot allocate 400000000000000 bytes")
    expect(function() x:reshape{4, 2} end):to_fail_with("{4,2}")
  end)
end)

T.finish()
