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

  it("searches names and texts for a word that names nothing", function()
    local text = help_text("cka")
    expect(text):to_contain('mention "cka"')
    expect(text):to_contain("analysis.cka(")
    expect(help_text("zzqx")):to_be('no documentation mentions "zzqx"')
  end)

  it("lists an object's methods", function()
    local text = help_text(nn.Sequential{input = {2}, nn.Dense(1)})
    expect(text):to_contain("Methods:")
    expect(text):to_contain("model:fit(train | x, y, {epochs=1")
    expect(text):to_contain("model:summary")
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

describe("moonlab.docs", function()
  it("gives every documented entry as one Markdown page", function()
    local page = moonlab.docs()
    expect(page):to_contain("# moonlab " .. moonlab.version .. " API reference")
    for _, name in ipairs{"moonlab", "tensor", "nn", "optim", "data", "aug", "metrics", "analysis", "tune", "plot"} do
      expect(page):to_contain("\n## " .. name .. "\n")
    end
    expect(page):to_contain("### `tensor.zeros")
    expect(page):to_contain("### `model:fit")
    expect(page):to_contain("### `moonlab.docs([path[, format]]) --> text`")
    -- the sections come in the modules' order, moonlab first
    expect(page:find("\n## moonlab\n", 1, true) < page:find("\n## tensor\n", 1, true)):to_be(true)
    expect(page:find("\n## tensor\n", 1, true) < page:find("\n## plot\n", 1, true)):to_be(true)
  end)

  it("matches the committed docs/api.md (regenerate: moonlab -e 'moonlab.docs(\"docs/api.md\")')", function()
    local f = assert(io.open(require("cli_support").root() .. "docs/api.md"))
    local committed = f:read("a")
    f:close()
    if committed ~= moonlab.docs() then
      error("docs/api.md is out of date: run  moonlab -e 'moonlab.docs(\"docs/api.md\")'  from the repository root", 0)
    end
  end)

  it("writes the page to a path, making missing folders", function()
    local folder = os.tmpname()
    os.remove(folder)
    local path = folder .. "/docs/api.md"
    local page = moonlab.docs(path)
    local f = assert(io.open(path))
    expect(f:read("a")):to_be(page)
    f:close()
    os.remove(path); os.remove(folder .. "/docs"); os.remove(folder)
    expect(function() moonlab.docs(42) end):to_fail_with("bad argument #1 to 'docs'")
  end)
end)

T.finish()
