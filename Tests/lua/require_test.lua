-- require's search order: script folder, current folder, MOONLAB_PATH, stdlib, LUA_PATH.
local T = require "moontest"
local cli = require "cli_support"
local describe, it, expect = T.describe, T.it, T.expect

local fixtures = cli.absolute(cli.here() .. "/fixtures")
local main = fixtures .. "/scriptdir/main.lua"

local function found(out)
  local where = {}
  for name, place in out:gmatch("([%w_]+)\t([%w_]+)\n") do where[name] = place end
  return where
end

describe("require", function()
  it("looks in the script's folder, then the current folder, then MOONLAB_PATH", function()
    local out, err, code = cli.run({main}, {cwd = fixtures .. "/cwd",
      env = {MOONLAB_PATH = fixtures .. "/path", LUA_PATH = fixtures .. "/luapath/?.lua;;", LUA_PATH_5_4 = false}})
    expect(err):to_be("")
    expect(code):to_be(0)
    local where = found(out)
    expect(where.shadow_a):to_be("scriptdir")
    expect(where.shadow_b):to_be("cwd")
    expect(where.shadow_c):to_be("path")
    expect(where.moontest):to_be("path")        -- MOONLAB_PATH comes before stdlib
    expect(where.only_luapath):to_be("luapath") -- LUA_PATH is still searched, last
  end)

  it("finds the shipped stdlib before LUA_PATH", function()
    local out, _, code = cli.run({main}, {cwd = fixtures .. "/cwd",
      env = {MOONLAB_PATH = false, LUA_PATH = fixtures .. "/luapath/?.lua;;", LUA_PATH_5_4 = false}})
    expect(code):to_be(0)
    expect(found(out).moontest):to_be("stdlib")
  end)

  it("takes MOONLAB_PATH entries in order", function()
    local out = cli.run({"-e", "print((require 'shadow_b'))"},
      {cwd = "/", env = {MOONLAB_PATH = fixtures .. "/path:" .. fixtures .. "/cwd"}})
    expect(out):to_be("path\n")
  end)

  it("with -e, looks in the current folder first", function()
    local out = cli.run({"-e", "print((require 'shadow_a'))"},
      {cwd = fixtures .. "/cwd", env = {MOONLAB_PATH = fixtures .. "/path"}})
    expect(out):to_be("cwd\n")
  end)

  it("puts the standard C path last in package.cpath", function()
    local out = cli.run({"-e", "io.write(package.cpath)"}, {env = {LUA_CPATH = "/opt/x/?.so", LUA_CPATH_5_4 = false}})
    expect(out):to_match("/opt/x/%?%.so$")
    expect(out):to_match("^%./%?%.so;")
  end)

  it("loads moonlab's modules as moonlab.<name>", function()
    for _, name in ipairs{"tensor", "nn", "optim", "data", "aug", "metrics", "analysis", "tune", "plot"} do
      expect(require("moonlab." .. name)):to_be(_G[name])
    end
    expect(require "moonlab"):to_be(moonlab)
  end)

  it("finds moontest in the shipped stdlib", function()
    local path = package.searchpath("moontest", package.path)
    expect(path):to_match("stdlib/moontest%.lua$")
  end)
end)

T.finish()
