-- The study scripts in examples/: each one parses and builds on the stdlib's moonstudy and
-- moontable (tested in moonstudy_test.lua and moontable_test.lua), not on a private helper.
-- examples_smoke_test.lua runs each script end to end.
local T = require "moontest"
local describe, it, expect = T.describe, T.it, T.expect

local examples = require("cli_support").root() .. "examples/"

local SCRIPTS = {"quickstart", "autograd_spiral", "lua_layers", "design_choices", "dense_regularization",
                 "fashion_hyperparameters", "mlp_lab", "permutation_and_clock"}

describe("examples", function()
  it("every script parses", function()
    for _, name in ipairs(SCRIPTS) do
      local chunk, err = loadfile(examples .. name .. ".lua")
      expect(err):to_be_nil()
      expect(chunk):to_be_a("function")
    end
  end)

  it("every study script takes --quick and writes under out/<script>", function()
    for _, name in ipairs{"design_choices", "dense_regularization", "fashion_hyperparameters",
                          "mlp_lab", "permutation_and_clock"} do
      local f = assert(io.open(examples .. name .. ".lua"))
      local text = f:read("a")
      f:close()
      expect(text):to_contain('S.setup("' .. name .. '"')
      expect(text):to_contain("quick")
      expect(text):to_contain('local S = require "moonstudy"')
      expect(text):to_contain('local tab = require "moontable"')
      expect(text:find('require "lib.', 1, true)):to_be_nil()
    end
  end)
end)

T.finish()
