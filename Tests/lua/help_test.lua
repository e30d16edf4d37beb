-- help(): one registry of documentation for functions, modules and objects.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

-- Captures what help() prints.
local function help_text(...)
  local printed = {}
  local saved = print
  print = function(...) printed[#printed + 1] = table.concat({...}, "\t") end
  local ok, err = pcall(help, ...)
  print = saved
  assert(ok, err)
  return table.concat(printed, "\n")
end

describe("help", function()
  it("documents a function with its signature", function()
    local text = help_text(moonlab.seed)
    expect(text):to_contain("moonlab.seed(n)")
    expect(text):to_contain("same seed gives the same")
  end)

  it("documents a module and lists its contents", function()
    local text = help_text(moonlab)
    expect(text):to_contain("Contents:")
    expect(text):to_contain("moonlab.threads([n])")
    expect(text):to_contain("version")
  end)

  it("takes a dotted name", function()
    expect(help_text("moonlab.seed")):to_contain("moonlab.seed(n)")
  end)

  it("with no argument explains itself", function()
    expect(help_text()):to_contain("help(x)")
  end)

  it("says so when something has no documentation", function()
    expect(help_text(function() end)):to_contain("no documentation")
    expect(help_text(42)):to_contain("no documentation for number 42")
  end)

  it("documents every module", function()
    for _, name in ipairs{"tensor", "nn", "optim", "data", "aug", "metrics", "analysis", "tune", "plot"} do
      expect(help_text(_G[name])).never:to_contain("no documentation")
    end
  end)

  it("documents itself", function()
    expect(help_text(help)):to_contain("help(x)")
  end)
end)

T.finish()
