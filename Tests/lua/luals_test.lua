-- The Lua Language Server annotations: generated from help's registry, committed in step,
-- valid Lua, and declaring every documented function and method.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

local root = require("cli_support").root()

describe("moonlab.docs(path, 'luals')", function()
  local stubs = moonlab.docs(nil, "luals")

  it("matches the committed docs/luals/moonlab.lua (regenerate: moonlab -e 'moonlab.docs(\"docs/luals/moonlab.lua\", \"luals\")')", function()
    local f = assert(io.open(root .. "docs/luals/moonlab.lua"))
    local committed = f:read("a")
    f:close()
    if committed ~= stubs then
      error("docs/luals/moonlab.lua is out of date: run  moonlab -e 'moonlab.docs(\"docs/luals/moonlab.lua\", \"luals\")'", 0)
    end
  end)

  it("is Lua that declares the modules, functions, classes and methods", function()
    expect(stubs:sub(1, 9)):to_be("---@meta\n")
    expect(load(stubs, "=moonlab.lua", "t", {})):to_be_truthy()
    expect(stubs):to_contain("\n---@class moonlab.nn\nnn = {}\n")
    expect(stubs):to_contain("\n---@class moonlab.nn.init\nnn.init = {}\n")
    expect(stubs):to_contain("---@param units any\n---@param opts? any\nfunction nn.Dense(units, opts) end\n")
    expect(stubs):to_contain("---@return dataset\nfunction data.mnist(opts) end\n")
    expect(stubs):to_contain("---@class dataset\nlocal dataset_methods = {}\n")
    expect(stubs):to_contain("function dataset_methods:split(fraction, opts) end\n")
    expect(stubs):to_contain("function tensor.zeros(opts) end\n")
    -- Every documented function and method has its declaration.
    local missing = {}
    for value, entry in pairs(debug.getregistry()["moonlab.docs"]) do
      if type(value) == "function" and entry.name:match("^[%a_][%w_.:]*$") then
        local declared = entry.name:gsub("^(%a[%w_]*):", "%1_methods:")
        if not stubs:find("function " .. declared .. "(", 1, true) then missing[#missing + 1] = entry.name end
      end
    end
    expect(table.concat(missing, ", ")):to_be("")
    expect(function() moonlab.docs(nil, "html") end):to_fail_with('format must be "markdown" or "luals"')
  end)

  it("the repository's .luarc.json points the language server at the stubs and the stdlib", function()
    local f = assert(io.open(root .. ".luarc.json"))
    local text = f:read("a")
    f:close()
    expect(text):to_contain('"runtime.version": "Lua 5.4"')
    local library = text:match('"workspace%.library":%s*(%b[])')
    expect(library):to_be_truthy()
    local count = 0
    for dir in library:gmatch('"([^"]+)"') do
      count = count + 1
      expect(io.open(root .. dir .. "/" .. (dir == "stdlib" and "moontest.lua" or "moonlab.lua")) ~= nil):to_be(true)
    end
    expect(count):to_be(2)
  end)
end)

T.finish()
