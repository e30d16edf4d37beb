-- Every help entry's example runs, each in a fresh environment, and help shows it.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

describe("help examples", function()
  local examples = moonlab.examples()
  local names = {}
  for name in pairs(examples) do names[#names + 1] = name end
  table.sort(names)

  it("every example runs without an error", function()
    local failures = {}
    for _, name in ipairs(names) do
      local quiet = function() end
      local env = setmetatable({print = quiet, pp = quiet}, {__index = _G})
      local chunk, err = load(examples[name], "=" .. name, "t", env)
      local ok, msg = chunk ~= nil, err
      if chunk then ok, msg = pcall(chunk) end
      if not ok then failures[#failures + 1] = name .. ": " .. tostring(msg) end
      moonlab.seed(0)
    end
    expect(table.concat(failures, "\n")):to_be("")
  end)

  it("almost every function and method has one, and the API page prints them", function()
    local page = moonlab.docs()
    local shown = 0
    for _ in page:gmatch("```lua\n") do shown = shown + 1 end
    expect(shown):to_be(#names)
    -- The registry: functions and methods (modules and classes are overviews).
    local functions, covered = 0, 0
    for value, entry in pairs(debug.getregistry()["moonlab.docs"]) do
      if type(value) == "function" then
        functions = functions + 1
        if examples[entry.name] then covered = covered + 1 end
      end
    end
    print(string.format("help examples: %d of %d functions and methods have one", covered, functions))
    expect(covered >= 0.95 * functions):to_be(true)
  end)

  it("help(x) shows x's example after its text", function()
    local lines = {}
    local saved = print
    print = function(...) lines[#lines + 1] = table.concat({...}, "\t") end
    help(tensor.zeros)
    print = saved
    local text = table.concat(lines, "\n")
    expect(text:find("Example:\n  ", 1, true) ~= nil):to_be(true)
    expect(text:find(examples["tensor.zeros"]:match("[^\n]+"), 1, true) ~= nil):to_be(true)
  end)
end)
