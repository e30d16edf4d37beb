-- Cost of one tiny tensor operation called from Lua (scripts/bench runs this).
-- Prints lines "tinyop <TAB> <what> <TAB> <ns per call>", the empty loop's cost subtracted.
if not tensor or not tensor.zeros then print('skip') return end

local N = tonumber(arg and arg[1]) or 1000000
local x, y = tensor.zeros{1}, tensor.ones{1}

local function time(loop)
  loop(N // 100)                       -- warm up (and let the collector settle)
  local best = math.huge
  for _ = 1, 3 do
    local t0 = os.clock()
    loop(N)
    best = math.min(best, os.clock() - t0)
  end
  return best / N * 1e9
end

local empty = time(function(n) for _ = 1, n do local z = x end end)
local function report(what, loop)
  print(string.format("tinyop\t%s\t%.0f", what, time(loop) - empty))
end

report("x + y (1-element tensors)", function(n) for _ = 1, n do local z = x + y end end)
report("x:relu() (1 element)", function(n) for _ = 1, n do local z = x:relu() end end)
if x.add then
  report("x:add(y) (1 element)", function(n) for _ = 1, n do local z = x:add(y) end end)
end
